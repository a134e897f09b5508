"""glossary_check: every error and warning kind, on hand-written CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import ROOT
from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.check import CheckResult, check_glossary
from translator_pipeline.glossary.load import load_glossary

SEED = ROOT / "glossaries" / "institutional.csv"
HEADER = "id,en,fr,ar,variants_en,variants_fr,variants_ar,case_sensitive,do_not_translate,note\n"


def check(tmp_path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> CheckResult:
    path = tmp_path / "g.csv"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return check_glossary(path)


def only(messages: list[str], needle: str) -> str:
    """The single message containing ``needle``."""
    hits = [m for m in messages if needle in m]
    assert len(hits) == 1, messages
    return hits[0]


# --- the seed glossary -----------------------------------------------------------------------


def test_seed_glossary_checks_clean():
    result = check_glossary(SEED)
    assert result.errors == []
    assert result.warnings == []
    ids = {c.id for c in result.concepts}
    assert {"icesco", "alecso", "director-general", "salim-almalik", "rabat"} <= ids
    # Nested titles are reported for information only.
    assert any("'Deputy Director-General'" in m for m in result.info)


def test_seed_glossary_loads_and_names_the_demo_officials():
    glossary = load_glossary(SEED)
    text = (
        "Dr. Salim M. AlMalik, Director-General of ICESCO, welcomed Dr. Mohamed Ould Amar, "
        "with Dr. Abdelilah Benarafa, Deputy Director-General of ICESCO."
    )
    found = [(m.concept.id, m.surface) for m in glossary.find(text, "en")]
    assert ("salim-almalik", "Salim M. AlMalik") in found
    assert ("deputy-director-general", "Deputy Director-General") in found
    assert ("director-general", "Director-General") in found
    names = {c.id: c for c in glossary.concepts}
    assert names["mohamed-ould-amar"].target("ar") == "محمد ولد أعمر"
    assert names["mohamed-ould-amar"].target("fr") == "Mohamed Ould Amar"


# --- encodings -------------------------------------------------------------------------------

GOOD = HEADER + "member-states,Member States,États membres,الدول الأعضاء,,,,,,\n"


def test_utf8_with_and_without_bom_give_the_same_concepts(tmp_path):
    plain = check(tmp_path, GOOD)
    with_bom = check(tmp_path, GOOD, bom=True)
    assert plain.errors == with_bom.errors == []
    assert plain.concepts == with_bom.concepts
    assert with_bom.concepts[0].id == "member-states"  # the BOM is not part of the header


def test_windows_1256_file_is_an_error_naming_the_line(tmp_path):
    text = "id,en,fr,ar\nms,Member States,Etats membres,الدول الأعضاء\n"
    result = check(tmp_path, text, encoding="cp1256")
    message = only(result.errors, "UTF-8")
    assert message.startswith(f"{tmp_path / 'g.csv'}:2: ")
    assert "windows-1256" in message  # names the likely encoding and how to convert
    assert result.concepts == []


def test_utf16_file_says_how_to_save_it(tmp_path):
    result = check(tmp_path, GOOD, encoding="utf-16")
    assert "UTF-16" in only(result.errors, "UTF-8")


def test_missing_file_is_reported_not_raised(tmp_path):
    result = check_glossary(tmp_path / "nope.csv")
    assert result.errors == [
        f"{tmp_path / 'nope.csv'}: cannot read the file: No such file or directory"
    ]


# --- unreadable CSV ---------------------------------------------------------------------------


def test_semicolon_separated_file(tmp_path):
    result = check(tmp_path, "en;fr;ar\nMember States;États membres;الدول الأعضاء\n")
    assert result.errors == [f"{tmp_path / 'g.csv'}:1: " + result.errors[0].split(":1: ", 1)[1]]
    assert "';'" in result.errors[0]


def test_comment_before_header(tmp_path):
    result = check(tmp_path, "# glossary\n" + GOOD)
    assert len(result.errors) == 1
    assert ":1: the first row must be the header" in result.errors[0]


def test_unclosed_quote_names_the_line_it_opens_on(tmp_path):
    text = GOOD + 'sg,"Secretary-General,Secrétaire général,الأمين العام,,,,,,\nx,a,b,c,,,,,,\n'
    result = check(tmp_path, text)
    assert len(result.errors) == 1, result.errors
    assert ":3: a quoted cell opened on line 3 is never closed" in result.errors[0]


def test_text_after_a_closing_quote_is_unreadable(tmp_path):
    result = check(tmp_path, GOOD + 'x,"Member" States,b,c,,,,,,\n')
    assert ":3: unreadable CSV" in only(result.errors, "unreadable CSV")


# --- header ----------------------------------------------------------------------------------


def test_unknown_columns(tmp_path):
    text = "en,fr,english,xx-yy-zz,variants_,notes,ar\nA,B,C,D,E,F,ج\n"
    errors = check(tmp_path, text).errors
    assert "unknown column 'english'" in only(errors, "'english'")
    assert ":1: unknown column 'xx-yy-zz'" in only(errors, "xx-yy-zz")
    assert "does not name a language" in only(errors, "'variants_'")
    assert "did you mean 'note'?" in only(errors, "'notes'")


def test_language_codes_with_script_and_region_are_accepted(tmp_path):
    text = "id,en,ku-arab,fr-ca,es-419\nx,Member States,دەوڵەتانی ئەندام,États membres,Estados\n"
    assert check(tmp_path, text).errors == []


def test_variants_column_without_its_language_is_a_warning(tmp_path):
    text = "id,en,fr,variants_es\nx,Member States,États membres,Estados miembros\n"
    result = check(tmp_path, text)
    assert result.errors == []
    assert "variants_es has no 'es' column" in only(result.warnings, "variants_es")


def test_duplicate_header_column(tmp_path):
    errors = check(tmp_path, "en,fr,ar,fr\nA,B,ج,C\n").errors
    assert ":1: column 'fr' appears twice (columns 2 and 4)" in only(errors, "twice")


def test_unnamed_column_with_data(tmp_path):
    errors = check(tmp_path, "en,fr,,ar\nA,B,oops,ج\n").errors
    assert "column 3 has no name but line 2 has a value" in only(errors, "no name")
    # An empty trailing column (as spreadsheets write them) is fine.
    assert check(tmp_path, "en,fr,ar,\nAbc,Bcd,جيم,\n").errors == []


def test_a_lookalike_of_a_meta_column_is_flagged(tmp_path):
    result = check(tmp_path, "en,fr,ar,ids\nAbc,Bcd,جيم,x\n")
    assert "did you mean 'id'?" in only(result.warnings, "'ids'")


# --- rows ------------------------------------------------------------------------------------


def test_row_with_more_cells_than_the_header(tmp_path):
    errors = check(tmp_path, "en,fr,ar\nAbc,Bcd,جيم,extra\n").errors
    assert ":2: 4 cells but the header has 3 columns" in only(errors, "cells")


def test_bad_flag_value(tmp_path):
    errors = check(tmp_path, HEADER + "x,Abc,Bcd,جيم,,,,maybe,,\n").errors
    assert ":2: case_sensitive is 'maybe'" in only(errors, "maybe")


def test_empty_required_cell(tmp_path):
    errors = check(tmp_path, HEADER + "rabat,Rabat,,الرباط,,,,,,\n").errors
    message = only(errors, "no fr term")
    assert ":2: no fr term for 'Rabat'" in message
    assert "do_not_translate=yes" in message


def test_empty_cell_is_allowed_when_the_name_is_kept_as_written(tmp_path):
    result = check(tmp_path, HEADER + "smith,John Smith,,جون سميث,,,,,yes,\n")
    assert result.errors == []


def test_duplicate_id(tmp_path):
    text = (
        HEADER + "x,Member States,États membres,الدول الأعضاء,,,,,,\nx,Rabat,Rabat,الرباط,,,,,,\n"
    )
    errors = check(tmp_path, text).errors
    assert ":3: id 'x' is already used on line 2" in only(errors, "already used")


def test_duplicate_derived_id(tmp_path):
    text = "en,fr,ar\nDirector-General,Directeur général,المدير العام\n"
    text += "Director General,Directeur général adjoint,نائب المدير العام\n"
    errors = check(tmp_path, text).errors
    message = only(errors, "already used")
    assert "'director-general' (derived from its first term)" in message


def test_duplicate_concept(tmp_path):
    row = "Member States,États membres,الدول الأعضاء,,,,,,\n"
    errors = check(tmp_path, HEADER + "a," + row + "b," + row).errors
    assert ":3: duplicate concept: the same terms as line 2" in only(errors, "duplicate")
    assert len(errors) == 1  # not also reported as a term conflict


def test_same_source_term_two_targets(tmp_path):
    text = HEADER
    text += "dg,Director-General,Directeur général,المدير العام,,,,,,\n"
    text += "dg2,director-general,Directrice générale,المديرة العامة,,,,,,\n"
    message = only(check(tmp_path, text).errors, "translate differently")
    assert ":3: en term 'director-general' is also a term of line 2" in message
    assert "'Directrice générale' here, 'Directeur général' there" in message


def test_same_source_term_via_a_variant(tmp_path):
    text = HEADER
    text += "dg,Director-General,Directeur général,المدير العام,,,,,,\n"
    text += "ddg,Deputy Director-General,Directeur général adjoint,نائب المدير العام,"
    text += "DDG|Director–General,,,,,\n"  # an en dash: the same term once folded
    message = only(check(tmp_path, text).errors, "translate differently")
    assert ":3: en term 'Director–General' is also a term of line 2" in message


def test_same_arabic_term_with_and_without_the_article(tmp_path):
    text = HEADER
    text += "a,ICESCO,ICESCO,الإيسيسكو,,,,,,\n"
    text += "b,ISESCO,ISESCO,إيسيسكو,,,,,,\n"  # matches الإيسيسكو too
    message = only(check(tmp_path, text).errors, "translate differently")
    assert "ar term 'إيسيسكو' is also a term of line 2" in message


def test_case_sensitive_terms_differing_in_case_do_not_collide(tmp_path):
    text = HEADER
    text += "us,US,États-Unis,الولايات المتحدة,,,,yes,,\n"
    text += "us-word,Us,Nous,نحن,,,,yes,,\n"
    assert [e for e in check(tmp_path, text).errors if "translate" in e] == []
    # …but a case-insensitive one matches both.
    text += "us-any,us,nous,إيانا,,,,,,\n"
    assert any("translate differently" in e for e in check(tmp_path, text).errors)


def test_same_term_same_targets_is_a_warning(tmp_path):
    text = HEADER
    text += "ms,Member States,États membres,الدول الأعضاء,,,,,,\n"
    text += "ms2,Member Countries,États membres,الدول الأعضاء,Member States,,,,,\n"
    result = check(tmp_path, text)
    assert result.errors == []
    assert "same translations; merge the two rows" in only(result.warnings, "merge")


# --- warnings --------------------------------------------------------------------------------


def test_spacing_warnings(tmp_path):
    text = HEADER + 'x," Member States",États  membres,الدول الأعضاء,,,,,,\n'
    warnings = check(tmp_path, text).warnings
    assert ":2: en ' Member States' has spaces at its start or end" in only(warnings, "start")
    assert "fr 'États  membres' has doubled spaces" in only(warnings, "doubled")


def test_script_mix_up_warnings(tmp_path):
    text = HEADER + "x,الدول الأعضاء,États membres,Member States,,,,,,\n"
    warnings = check(tmp_path, text).warnings
    assert "ar 'Member States' has no Arabic letters" in only(warnings, "no Arabic letters")
    assert "en 'الدول الأعضاء' is in Arabic script" in only(warnings, "in Arabic script")


def test_case_sensitive_without_letter_case(tmp_path):
    text = "id,ar,fa,case_sensitive\nx,الرباط,رباط,yes\n"
    warnings = check(tmp_path, text).warnings
    assert "case_sensitive=yes has no effect" in only(warnings, "no effect")


def test_very_short_case_insensitive_term(tmp_path):
    text = HEADER + "un,UN,ONU,الأمم المتحدة,,,,,,\n"
    warnings = check(tmp_path, text).warnings
    assert "matches the ordinary word 'un'; set case_sensitive=yes" in only(warnings, "'UN'")
    sensitive = HEADER + "un,UN,ONU,الأمم المتحدة,,,,yes,,\n"
    assert check(tmp_path, sensitive).warnings == []


def test_overlapping_terms_warn_and_nested_terms_are_info(tmp_path):
    text = HEADER
    text += "dg,Director-General,Directeur général,المدير العام,,,,,,\n"
    text += "gc,General Conference,Conférence générale,المؤتمر العام,,,,,,\n"
    text += "ddg,Deputy Director-General,Directeur général adjoint,نائب المدير العام,,,,,,\n"
    result = check(tmp_path, text)
    assert result.errors == []
    message = only(result.warnings, "'Director-General' overlaps")
    assert ":2: en term 'Director-General' overlaps 'General Conference' (line 3)" in message
    assert "in a text such as 'Director-General Conference'" in message
    # The longer of the two is the one applied.
    message = only(result.warnings, "'Deputy Director-General'")
    assert ":3: en term 'General Conference' overlaps 'Deputy Director-General'" in message
    assert any(
        ":2: en term 'Director-General' also occurs inside 'Deputy Director-General' (line 4)" in m
        for m in result.info
    )


def test_load_glossary_refuses_errors_and_names_them(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(HEADER + "rabat,Rabat,,الرباط,,,,,,\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    assert any(f"{path}:2: no fr term" in p for p in caught.value.problems)
