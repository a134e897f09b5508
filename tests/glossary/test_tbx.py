"""TBX export/import: round trips, other tools' files, unsafe XML, merging into the CSV."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.factories import ROOT
from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.model import parse_glossary, read_glossary_text
from translator_pipeline.glossary.tbx import (
    TBX3_NAMESPACE,
    entries_from_glossary,
    export_tbx,
    import_tbx,
    parse_tbx,
)

SEED = ROOT / "glossaries" / "institutional.csv"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def concepts_of(csv_path: Path) -> list:
    concepts, problems = parse_glossary(read_glossary_text(csv_path), csv_path)
    assert problems == []
    return [dataclasses.replace(c, line=0) for c in concepts]


def plain(entries) -> list:
    return [dataclasses.replace(e.concept, line=0) for e in entries]


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", [2, 3])
def test_seed_round_trips_through_tbx(tmp_path, version):
    data = export_tbx(SEED, version=version)
    tbx = tmp_path / "g.tbx"
    tbx.write_bytes(data)
    entries, warnings = parse_tbx(data, tbx)
    assert warnings == []
    assert plain(entries) == concepts_of(SEED)
    # …and back into a new CSV file.
    result = import_tbx(tbx, tmp_path / "new.csv")
    assert (result.added, result.written) == (len(entries), True)
    assert concepts_of(tmp_path / "new.csv") == concepts_of(SEED)


def test_round_trip_keeps_flags_pos_and_variants_only_languages(tmp_path):
    source = tmp_path / "g.csv"
    source.write_text(
        "id,en,fr,ar,variants_en,variants_fr,case_sensitive,do_not_translate,pos,note\n"
        'icesco,ICESCO,ICESCO,الإيسيسكو,ISESCO,,yes,,noun,"acronym, not a word"\n'
        "almalik,Salim M. AlMalik,,سالم بن محمد المالك,AlMalik,AlMalik|Al Malik,,yes,,\n",
        encoding="utf-8",
    )
    tbx = tmp_path / "g.tbx"
    tbx.write_bytes(export_tbx(source))
    entries, _ = parse_tbx(tbx.read_bytes())
    assert plain(entries) == concepts_of(source)
    assert [e.pos for e in entries] == ["noun", ""]
    import_tbx(tbx, tmp_path / "back.csv")
    assert concepts_of(tmp_path / "back.csv") == concepts_of(source)
    assert "pos" in (tmp_path / "back.csv").read_text(encoding="utf-8").splitlines()[0]


def test_exported_structure(tmp_path):
    root = etree.fromstring(export_tbx(SEED))
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    entry = root.find(".//termEntry[@id='icesco']")
    flags = {d.get("type"): d.text for d in entry.findall("descrip")}
    assert flags == {"x-caseSensitive": "yes", "x-doNotTranslate": "no"}
    ar = next(ls for ls in entry.findall("langSet") if ls.get(XML_LANG) == "ar")
    terms = [
        (tig.findtext("term"), tig.findtext("termNote[@type='administrativeStatus']"))
        for tig in ar.findall("tig")
    ]
    assert terms == [
        ("الإيسيسكو", "preferredTerm-admn-sts"),
        ("إيسيسكو", "admittedTerm-admn-sts"),
    ]
    name = root.find(".//termEntry[@id='mohamed-ould-amar']")
    assert name.findtext("descrip[@type='x-doNotTranslate']") == "yes"
    assert {n.text for n in name.iter("termNote") if n.get("type") == "translationNote"} == {"no"}

    v3 = etree.fromstring(export_tbx(SEED, version=3))
    assert v3.tag == f"{{{TBX3_NAMESPACE}}}tbx" and v3.get("style") == "dca"
    assert v3.find(f".//{{{TBX3_NAMESPACE}}}conceptEntry[@id='icesco']") is not None


# --- other tools' files ----------------------------------------------------------------------

WEBLATE_LIKE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core (DXFcdV04)//EN" "TBXcdv04.dtd">
<martif type="TBX" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>Some tool</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry>
      <langSet xml:lang="en-US"><tig><term>Member States</term></tig>
        <tig><term>member countries</term></tig></langSet>
      <langSet xml:lang="fr-FR">
        <descrip type="definition">Pays membres de l'Organisation.</descrip>
        <ntig><termGrp><term>États <hi>membres</hi></term>
          <termNote type="normativeAuthorization">preferredTerm</termNote></termGrp></ntig>
      </langSet>
    </termEntry>
    <termEntry id="ouldamar">
      <langSet xml:lang="en"><tig><term>Mohamed Ould Amar</term>
        <termNote type="translationNote">no</termNote></tig></langSet>
    </termEntry>
  </body></text>
</martif>
""".encode()


def test_reads_other_tools_tbx():
    entries, warnings = parse_tbx(WEBLATE_LIKE, "w.tbx")
    assert warnings == []
    first, second = entries
    assert first.concept.id == "member-states"  # derived as for a CSV row without an id
    assert first.concept.terms == {"en": "Member States", "fr": "États membres"}
    assert first.concept.variants == {"en": ("member countries",)}
    assert first.concept.note == "Pays membres de l'Organisation."
    assert second.concept.do_not_translate and "do_not_translate" in second.stated


def test_reads_tbx_v3_dct_style():
    data = f"""<?xml version="1.0"?>
<tbx xmlns="{TBX3_NAMESPACE}" xmlns:min="http://www.tbxinfo.net/ns/min"
     type="TBX-Min" style="dct" xml:lang="en">
  <tbxHeader/>
  <text><body>
    <conceptEntry id="sg">
      <langSec xml:lang="ar"><termSec><term>الأمين العام</term>
        <min:administrativeStatus>preferredTerm-admn-sts</min:administrativeStatus>
      </termSec></langSec>
      <langSec xml:lang="en"><termSec><term>Secretary General</term>
        <min:administrativeStatus>admittedTerm-admn-sts</min:administrativeStatus></termSec>
        <termSec><term>Secretary-General</term>
        <min:administrativeStatus>preferredTerm-admn-sts</min:administrativeStatus></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>""".encode()
    (entry,), _ = parse_tbx(data)
    assert entry.concept.terms == {"ar": "الأمين العام", "en": "Secretary-General"}
    assert entry.concept.variants == {"en": ("Secretary General",)}


# --- unsafe and invalid files ----------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE martif [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<martif type="TBX"><text><body><termEntry id="x">
<langSet xml:lang="en"><tig><term>&lol9;</term></tig></langSet>
</termEntry></body></text></martif>
"""


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    start = time.perf_counter()
    with pytest.raises(GlossaryError, match="declares XML entities"):
        parse_tbx(BILLION_LAUGHS, "laughs.tbx")
    assert time.perf_counter() - start < 5  # refused, not expanded


def test_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file://{secret}">]>
<martif type="TBX"><text><body><termEntry id="x">
<langSet xml:lang="en"><tig><term>&xxe;</term></tig></langSet>
</termEntry></body></text></martif>""".encode()
    with pytest.raises(GlossaryError, match="declares XML entities") as caught:
        parse_tbx(data, "xxe.tbx")
    assert "TOP-SECRET" not in str(caught.value)
    # The import command writes nothing either.
    (tmp_path / "evil.tbx").write_bytes(data)
    with pytest.raises(GlossaryError):
        import_tbx(tmp_path / "evil.tbx", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>hello</body></html>", "is not TBX: its root element is <html>"),
        (b"<martif><text><body><termEntry>", "is not well-formed XML"),
        (b"<martif><text><body/></text></martif>", "has no usable <termEntry>"),
        (b"", "is not well-formed XML"),
    ],
)
def test_invalid_tbx_gets_a_specific_error(data, message):
    with pytest.raises(GlossaryError, match=message):
        parse_tbx(data, "bad.tbx")


# --- merging into the CSV --------------------------------------------------------------------

EXISTING = (
    "id,en,fr,ar,variants_en,case_sensitive,do_not_translate,note\n"
    "# Titles\n"
    "dg,Director-General,Directeur général,المدير العام,Director General,,,keep this note\n"
    "sg,Secretary-General,Secrétaire général,الأمين العام,,,,\n"
    "rabat,Rabat,Rabat,الرباط,,yes,,\n"
)

UPDATE = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic"><text><body>
  <termEntry id="dg">
    <langSet xml:lang="fr"><tig><term>Directeur général</term></tig>
      <tig><term>DG</term></tig></langSet>
    <langSet xml:lang="en"><tig><term>Director-General</term></tig></langSet>
  </termEntry>
  <termEntry id="sg">
    <langSet xml:lang="fr"><tig><term>Secrétaire générale</term></tig></langSet>
    <langSet xml:lang="es"><tig><term>Secretario General</term></tig></langSet>
  </termEntry>
  <termEntry id="ms">
    <descrip type="x-caseSensitive">no</descrip>
    <note>new</note>
    <langSet xml:lang="en"><tig><term>Member States</term></tig></langSet>
    <langSet xml:lang="fr"><tig><term>États membres</term></tig></langSet>
    <langSet xml:lang="ar"><tig><term>الدول الأعضاء</term></tig></langSet>
  </termEntry>
</body></text></martif>
""".encode()


def test_merge_by_id_updates_adds_and_keeps(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text(EXISTING, encoding="utf-8")
    (tmp_path / "u.tbx").write_bytes(UPDATE)
    result = import_tbx(tmp_path / "u.tbx", csv_path)
    assert (result.added, result.updated, result.unchanged, result.kept) == (1, 2, 0, 1)
    assert any("es term(s) of 'sg' not imported" in w for w in result.warnings)
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == EXISTING.splitlines()[0] + ",variants_fr"  # new columns go last
    assert lines[1] == "# Titles"  # comments stay
    assert lines[4] == EXISTING.splitlines()[4]  # rows not in the TBX stay byte for byte
    by_id = {c.id: c for c in concepts_of(csv_path)}
    dg = by_id["dg"]
    # The TBX replaced en and fr (terms and variants); ar and the note stay.
    assert dg.terms == {"en": "Director-General", "fr": "Directeur général", "ar": "المدير العام"}
    assert dg.variants == {"fr": ("DG",)}
    assert dg.note == "keep this note"
    assert by_id["sg"].terms["fr"] == "Secrétaire générale"
    assert by_id["ms"].note == "new" and list(by_id)[-1] == "ms"
    assert by_id["rabat"].case_sensitive


def test_merge_adds_the_columns_it_needs(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text("en,fr,ar\nRabat,Rabat,الرباط\n", encoding="utf-8")
    tbx = """<martif><text><body><termEntry id="ms">
      <descrip type="x-caseSensitive">yes</descrip><note>n</note>
      <langSet xml:lang="en"><tig><term>Member States</term></tig></langSet>
      <langSet xml:lang="fr"><tig><term>États membres</term></tig>
        <tig><term>Etats membres</term></tig></langSet>
      <langSet xml:lang="ar"><tig><term>الدول الأعضاء</term></tig></langSet>
    </termEntry></body></text></martif>"""
    (tmp_path / "u.tbx").write_text(tbx, encoding="utf-8")
    import_tbx(tmp_path / "u.tbx", csv_path)
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "en,fr,ar,variants_fr,case_sensitive,note,id"
    assert lines[1] == "Rabat,Rabat,الرباط"  # untouched: its new cells are empty
    ms = concepts_of(csv_path)[1]
    assert (ms.id, ms.variants, ms.case_sensitive, ms.note) == (
        "ms",
        {"fr": ("Etats membres",)},
        True,
        "n",
    )


def test_merge_keeps_bom_and_crlf(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf" + EXISTING.replace("\n", "\r\n").encode())
    (tmp_path / "u.tbx").write_bytes(UPDATE)
    import_tbx(tmp_path / "u.tbx", csv_path)
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == data.count(b"\n")


def test_merge_that_would_break_the_glossary_writes_nothing(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text(EXISTING, encoding="utf-8")
    before = csv_path.read_bytes()
    conflicting = """<martif><text><body><termEntry id="dg2">
      <langSet xml:lang="en"><tig><term>Director General</term></tig></langSet>
      <langSet xml:lang="fr"><tig><term>Directrice generale</term></tig></langSet>
      <langSet xml:lang="ar"><tig><term>المديرة العامة</term></tig></langSet>
    </termEntry></body></text></martif>""".encode()
    (tmp_path / "c.tbx").write_bytes(conflicting)
    with pytest.raises(GlossaryError, match="nothing was written") as caught:
        import_tbx(tmp_path / "c.tbx", csv_path)
    assert any("translate differently" in p for p in caught.value.problems)
    assert csv_path.read_bytes() == before


def test_reimporting_an_export_changes_nothing(tmp_path):
    csv_path = tmp_path / "g.csv"
    shutil.copy(SEED, csv_path)
    (tmp_path / "g.tbx").write_bytes(export_tbx(csv_path))
    result = import_tbx(tmp_path / "g.tbx", csv_path)
    assert (result.unchanged, result.written) == (len(entries_from_glossary(SEED)), False)
    assert csv_path.read_bytes() == SEED.read_bytes()


def test_replace_writes_exactly_the_tbx(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text(EXISTING, encoding="utf-8")
    (tmp_path / "w.tbx").write_bytes(WEBLATE_LIKE)
    result = import_tbx(tmp_path / "w.tbx", csv_path, replace=True)
    assert result.added == 2
    text = csv_path.read_text(encoding="utf-8")
    assert "# Titles" not in text
    assert [c.id for c in concepts_of(csv_path)] == ["member-states", "ouldamar"]


def test_export_refuses_a_glossary_with_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("en,fr,ar\nRabat,,الرباط\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        export_tbx(bad)
    assert f"{bad}:2: no fr term" in caught.value.problems[0]


def test_entries_without_ids_match_rows_without_ids(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text("en,fr,ar\nMember States,Etats membres,الدول الأعضاء\n", encoding="utf-8")
    entry = """<martif><text><body><termEntry>
      <langSet xml:lang="en"><tig><term>Member States</term></tig></langSet>
      <langSet xml:lang="fr"><tig><term>États membres</term></tig></langSet>
    </termEntry></body></text></martif>"""
    (tmp_path / "u.tbx").write_text(entry, encoding="utf-8")
    result = import_tbx(tmp_path / "u.tbx", csv_path)
    assert (result.added, result.updated) == (0, 1)
    (concept,) = concepts_of(csv_path)
    assert concept.terms == {"en": "Member States", "fr": "États membres", "ar": "الدول الأعضاء"}


def test_import_into_a_glossary_that_already_has_errors(tmp_path):
    csv_path = tmp_path / "g.csv"
    csv_path.write_text("en,fr,ar\nRabat,,الرباط\n", encoding="utf-8")
    (tmp_path / "w.tbx").write_bytes(WEBLATE_LIKE)
    with pytest.raises(GlossaryError, match="fix them before importing"):
        import_tbx(tmp_path / "w.tbx", csv_path)
