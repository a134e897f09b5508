"""TBX export and import, so translators can keep the glossary in their CAT tools.

The CSV stays canonical: :func:`export_tbx` writes it out as TBX, and
:func:`import_tbx` reads a TBX file back *into* the CSV.

Export writes TBX-Basic in the TBX v2 core structure (``<martif>``, what most
CAT tools read) or, on request, TBX v3 (``<tbx>``, ISO 30042:2019, DCA style).
Import reads both, plus the common variants (``ntig``/``termGrp``, DCT-style
data-category elements, ``normativeAuthorization``).

How a concept is written (v2 names; v3 uses conceptEntry, langSec, termSec)::

    <termEntry id="icesco">                             CSV id
      <descrip type="x-caseSensitive">yes</descrip>      case_sensitive (always written)
      <descrip type="x-doNotTranslate">no</descrip>      do_not_translate (always written)
      <note>…</note>                                     note
      <langSet xml:lang="en">                            one per language column
        <tig><term>ICESCO</term>                         the preferred term
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          <termNote type="partOfSpeech">noun</termNote>  pos, on every term
        </tig>
        <tig><term>ISESCO</term>                         each of variants_<lang>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
        </tig>

A do-not-translate concept also gets ``<termNote type="translationNote">no
</termNote>`` on each term, which Weblate reads as "untranslatable".

On import, a term marked preferred (``preferredTerm…``) becomes the language's
cell; every other term of that language (admitted, deprecated, superseded,
unmarked) becomes a variant; with no term marked preferred, the first one is.
Flags are read from any ``descrip``/``admin``/``termNote`` whose type is
``caseSensitive`` or ``doNotTranslate`` (``x-`` prefix optional), and from a
``translationNote`` of ``no``. The note comes from ``<note>``, else from
``<descrip type="definition">``. ``xml:lang`` maps to the CSV's column when it
names one exactly, else to its language (and script) subtags: ``en-US`` → ``en``.

Merge semantics (``glossary import FILE.tbx``, without ``--replace``):

- concepts are matched by id (for a TBX entry without one, the id is derived
  from its first term exactly as a CSV row without an id would be);
- a matched row gets, for each language the TBX entry has, its preferred term
  and its variants (the TBX replaces that language; other languages stay);
  flags, note and part of speech change only where the TBX states them;
- entries with new ids are appended at the end; rows the TBX does not mention
  are kept; nothing is ever deleted;
- only the glossary's own languages are imported: terms in other languages
  are reported and skipped (add the column first to import them);
- rows that do not change are kept byte for byte (comments too); new columns
  are added at the end of the header.

``--replace`` writes a new CSV with exactly the TBX's concepts (comments and
rows missing from the TBX are gone). Either way the result is checked before
anything is written, the file is replaced atomically, and a result with errors
is refused.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _with
from pathlib import Path

from lxml import etree

from translator_pipeline.crawl.safe_xml import UnsafeXMLError, local_name, parse_untrusted_xml
from translator_pipeline.errors import GlossaryError, PublishError
from translator_pipeline.glossary.check import check_glossary, check_text, csv_records
from translator_pipeline.glossary.model import (
    META_COLUMNS,
    VARIANT_PREFIX,
    VARIANT_SEPARATOR,
    Concept,
    fold,
    parse_glossary,
    read_glossary_text,
)

__all__ = ["Entry", "entries_from_glossary", "export_tbx", "import_tbx", "parse_tbx"]

TBX3_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTITY_REFUSED = (
    "declares XML entities (<!ENTITY …>); refused: TBX files never need them "
    "and they are how entity-expansion and file-disclosure attacks work"
)
_TERM_CONTAINERS = {"tig", "ntig", "termSec"}
_ENTRIES = {"termEntry", "conceptEntry"}
_LANG_CONTAINERS = {"langSet", "langSec"}
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}
_FLAG_NAMES = {"casesensitive": "case_sensitive", "donottranslate": "do_not_translate"}
_ALL_STATED = ("case_sensitive", "do_not_translate", "note", "pos")


@dataclass(frozen=True)
class Entry:
    """A concept as it travels through TBX: the concept, its part of speech, and
    which optional fields the TBX file actually stated (merging changes only those)."""

    concept: Concept
    pos: str = ""
    stated: frozenset[str] = frozenset()  # of "case_sensitive", "do_not_translate", "note", "pos"


@dataclass
class ImportResult:
    """What :func:`import_tbx` did to the CSV."""

    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # rows of the CSV the TBX did not mention
    written: bool = False
    warnings: list[str] = field(default_factory=list)


# --- CSV → entries → TBX -----------------------------------------------------------------


def entries_from_glossary(path: str | Path) -> list[Entry]:
    """The concepts of a glossary CSV, with their part of speech.

    :class:`GlossaryError` listing the problems if the glossary has errors.
    """
    result = check_glossary(path)
    if result.errors:
        raise GlossaryError(
            f"glossary {path} has {len(result.errors)} error(s); fix them first", result.errors
        )
    pos_by_line: dict[int, str] = {}
    records, _ = csv_records(read_glossary_text(path))
    content = [r for r in records if not r.is_blank]
    names = [h.strip().lower() for h in content[0].cells] if content else []
    if "pos" in names:
        i = names.index("pos")
        pos_by_line = {r.end: r.cells[i].strip() for r in content[1:] if i < len(r.cells)}
    return [Entry(c, pos_by_line.get(c.line, ""), frozenset(_ALL_STATED)) for c in result.concepts]


def export_tbx(path: str | Path, *, version: int = 2) -> bytes:
    """The glossary CSV at ``path`` as a TBX document (UTF-8 bytes)."""
    return to_tbx(entries_from_glossary(path), version=version, source=Path(path).name)


def to_tbx(entries: Iterable[Entry | Concept], *, version: int = 2, source: str = "") -> bytes:
    """A TBX-Basic document: TBX v2 (``martif``) or v3 (``tbx``, DCA style)."""
    if version not in (2, 3):
        raise ValueError("TBX version must be 2 or 3")
    items = [e if isinstance(e, Entry) else Entry(e) for e in entries]
    ns = f"{{{TBX3_NAMESPACE}}}" if version == 3 else ""
    names = (
        ("tbx", "tbxHeader", "conceptEntry", "langSec", "termSec")
        if version == 3
        else ("martif", "martifHeader", "termEntry", "langSet", "tig")
    )
    root_name, header_name, entry_name, lang_name, term_name = (ns + n for n in names)
    first_lang = next((lang for e in items for lang in e.concept.terms), "en")
    nsmap = {None: TBX3_NAMESPACE} if version == 3 else None
    root = etree.Element(root_name, nsmap=nsmap)
    root.set("type", "TBX-Basic")
    if version == 3:
        root.set("style", "dca")
    root.set(_XML_LANG, first_lang)

    def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str):
        element = etree.SubElement(parent, ns + name, attrs)
        if text is not None:
            try:
                element.text = text
            except ValueError:  # control characters: XML 1.0 cannot hold them
                raise GlossaryError(
                    f"{text!r} contains control characters, which TBX (XML) cannot hold; "
                    "remove them from the glossary"
                ) from None
        return element

    header = etree.SubElement(root, header_name)
    file_desc = sub(header, "fileDesc")
    source_desc = sub(file_desc, "sourceDesc")
    sub(source_desc, "p", f"Exported by translator-pipeline from {source or 'a glossary'}")
    if version == 2:
        sub(sub(header, "encodingDesc"), "p", "TBXBasicXCSV02.xcs", type="XCSURI")
    body = sub(sub(root, "text"), "body")
    for item in items:
        concept = item.concept
        entry = etree.SubElement(body, entry_name, {"id": concept.id})
        sub(entry, "descrip", _yes_no(concept.case_sensitive), type="x-caseSensitive")
        sub(entry, "descrip", _yes_no(concept.do_not_translate), type="x-doNotTranslate")
        if concept.note:
            sub(entry, "note", concept.note)
        for lang in dict.fromkeys([*concept.terms, *concept.variants]):
            forms = [(concept.terms[lang], True)] if lang in concept.terms else []
            forms += [(v, False) for v in concept.variants.get(lang, ())]
            lang_set = etree.SubElement(entry, lang_name, {_XML_LANG: lang})
            for form, preferred in forms:
                term = etree.SubElement(lang_set, term_name)
                sub(term, "term", form)
                status = "preferredTerm-admn-sts" if preferred else "admittedTerm-admn-sts"
                sub(term, "termNote", status, type="administrativeStatus")
                if item.pos:
                    sub(term, "termNote", item.pos, type="partOfSpeech")
                if concept.do_not_translate:
                    sub(term, "termNote", "no", type="translationNote")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# --- TBX → entries ---------------------------------------------------------------------------


def _parse_xml(data: bytes, path: str) -> etree._Element:
    """Parse untrusted XML: no DTD loading, no network, no entity expansion."""
    try:
        return parse_untrusted_xml(data)
    except UnsafeXMLError:
        raise GlossaryError(f"{path} {_ENTITY_REFUSED}") from None
    except etree.XMLSyntaxError as exc:
        raise GlossaryError(f"{path} is not well-formed XML: {exc}") from None


def _text(element: etree._Element) -> str:
    """The element's text, NFC, inline markup flattened and whitespace collapsed."""
    return unicodedata.normalize("NFC", " ".join("".join(element.itertext()).split()))


def _category(element: etree._Element) -> str:
    """The data category an element carries: its ``type`` (``<descrip type="…">``), or
    its own name in DCT style (``<basic:partOfSpeech>``)."""
    name = local_name(element)
    if name in ("descrip", "admin", "termNote", "adminNote", "transacNote"):
        return element.get("type", "")
    return name


def _flag_name(category: str) -> str | None:
    return _FLAG_NAMES.get(re.sub(r"[^a-z]", "", category.lower()).removeprefix("x"))


def _language_code(tag: str, columns: Sequence[str]) -> str:
    """A column for an ``xml:lang`` value: the exact column if the CSV has it, else
    the language with its script subtag (``en-US`` → ``en``, ``ku-Arab`` → ``ku-arab``)."""
    code = tag.strip().replace("_", "-").lower()
    if code in columns:
        return code
    parts = code.split("-")
    kept = [parts[0], *(p for p in parts[1:2] if len(p) == 4 and p.isalpha())]
    return "-".join(kept)


def parse_tbx(
    data: bytes, path: str | Path = "<tbx>", columns: Sequence[str] = ()
) -> tuple[list[Entry], list[str]]:
    """Entries of a TBX document and warnings about what was skipped.

    ``columns`` are the target CSV's language columns, to map ``xml:lang`` values.
    :class:`GlossaryError` if the document is unsafe, malformed, not TBX or empty.
    """
    path = str(path)
    root = _parse_xml(data, path)
    kind = local_name(root)
    if kind not in ("martif", "tbx"):
        raise GlossaryError(
            f"{path} is not TBX: its root element is <{kind or root.tag}>, "
            "expected <martif> (TBX v2) or <tbx> (TBX v3)"
        )
    warnings: list[str] = []
    entries: list[Entry] = []
    seen_ids: set[str] = set()
    for element in root.iter():
        if local_name(element) not in _ENTRIES:
            continue
        where = f"{path}:{element.sourceline}"
        entry = _read_entry(element, where, columns, warnings)
        if entry is None:
            continue
        concept = entry.concept
        if concept.id in seen_ids:
            new_id = _unique(concept.id, seen_ids)
            warnings.append(f"{where}: id {concept.id!r} is used twice; imported as {new_id!r}")
            entry = Entry(_with(concept, id=new_id), entry.pos, entry.stated)
        seen_ids.add(entry.concept.id)
        entries.append(entry)
    if not entries:
        raise GlossaryError(f"{path} has no usable <termEntry>/<conceptEntry> with a term in it")
    return entries, warnings


def _read_entry(
    element: etree._Element, where: str, columns: Sequence[str], warnings: list[str]
) -> Entry | None:
    stated: set[str] = set()
    flags = {"case_sensitive": False, "do_not_translate": False}
    notes: list[str] = []
    definitions: list[str] = []
    found: dict[str, list[tuple[str, str]]] = {}  # language -> [(term, status)]
    pos = ""
    for child in element:
        name, category = local_name(child), _category(child)
        if name in _LANG_CONTAINERS:
            continue
        if name == "note" and _text(child):
            notes.append(_text(child))
        elif category == "definition" and _text(child):
            definitions.append(_text(child))
        elif (flag := _flag_name(category)) is not None:
            value = _text(child).lower()
            if value in _TRUE or value in _FALSE:
                flags[flag] = value in _TRUE
                stated.add(flag)
            else:
                warnings.append(f"{where}: {category} is {value!r}; expected yes or no")
    for lang_set in element:
        if local_name(lang_set) not in _LANG_CONTAINERS:
            continue
        tag = lang_set.get(_XML_LANG) or lang_set.get("lang") or ""
        lang = _language_code(tag, columns) if tag else ""
        if not lang:
            warnings.append(f"{where}: a {local_name(lang_set)} without xml:lang was skipped")
            continue
        if lang in found and lang != tag.lower():
            warnings.append(f"{where}: {tag} is imported as {lang}, with the earlier {lang} terms")
        for child in lang_set:
            if _category(child) == "definition" and _text(child):
                definitions.append(_text(child))  # TBX-Basic puts definitions here
        for container in lang_set.iter():
            if local_name(container) not in _TERM_CONTAINERS:
                continue
            term_el = next((e for e in container.iter() if local_name(e) == "term"), None)
            form = _text(term_el) if term_el is not None else ""
            if not form:
                continue
            status = ""
            for note in container.iter():
                category = _category(note)
                value = _text(note)
                if category in ("administrativeStatus", "normativeAuthorization"):
                    status = value.lower()
                elif category == "partOfSpeech" and value and not pos:
                    pos = value
                elif category == "translationNote" and value.lower() == "no":
                    flags["do_not_translate"] = True
                    stated.add("do_not_translate")
                elif (flag := _flag_name(category)) is not None and value.lower() in _TRUE:
                    flags[flag] = True
                    stated.add(flag)
            found.setdefault(lang, []).append((form, status))
    terms, variants = _preferred_and_variants(found)
    if not terms:
        warnings.append(f"{where}: an entry without any term was skipped")
        return None
    clean_variants: dict[str, tuple[str, ...]] = {}
    for lang, forms in variants.items():
        kept = []
        for form in dict.fromkeys(forms):
            if VARIANT_SEPARATOR in form:
                warnings.append(
                    f"{where}: variant {form!r} contains {VARIANT_SEPARATOR!r}, which separates "
                    "variants in the CSV; skipped"
                )
            elif form != terms.get(lang):
                kept.append(form)
        if kept:
            clean_variants[lang] = tuple(kept)
    note = "; ".join(notes or definitions)
    if notes or definitions:
        stated.add("note")
    if pos:
        stated.add("pos")
    raw_id = (element.get("id") or "").strip()
    concept_id = raw_id.lstrip("#").strip() or _derived_id(terms)
    if raw_id.startswith("#"):
        warnings.append(
            f"{where}: id {raw_id!r} would make a comment row; imported as {concept_id!r}"
        )
    concept = Concept(
        id=concept_id,
        terms=terms,
        variants=clean_variants,
        note=note,
        case_sensitive=flags["case_sensitive"],
        do_not_translate=flags["do_not_translate"],
        pos=pos,
    )
    return Entry(concept, pos, frozenset(stated))


def _preferred_and_variants(
    found: dict[str, list[tuple[str, str]]],
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The preferred term and the variants of each language. A language whose terms
    all carry a status and none is preferred has variants only (a do-not-translate
    name recognised in French but written as in English); with no status at all, the
    first term is the preferred one."""
    terms: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    for lang, forms in found.items():
        preferred = [f for f, status in forms if status.startswith("preferred")]
        others = [f for f, status in forms if not status.startswith("preferred")]
        if preferred:
            terms[lang] = preferred[0]
            variants[lang] = preferred[1:] + others
        elif all(status for _, status in forms):
            variants[lang] = others
        else:
            terms[lang], variants[lang] = others[0], others[1:]
    if not terms:  # nothing preferred anywhere: take the first term of each language
        for lang, forms in variants.items():
            terms[lang], variants[lang] = forms[0], forms[1:]
    return terms, variants


def _derived_id(terms: dict[str, str]) -> str:
    # The same rule as a CSV row without an id (glossary._concept_id), so an id-less
    # TBX entry matches the row it came from.
    for lang in ("en", *terms):
        form = terms.get(lang, "")
        if form:
            slug = re.sub(r"[^\w]+", "-", fold(form)).strip("-")
            if slug:
                return slug
    return "concept"


def _unique(base: str, taken: set[str]) -> str:
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def read_tbx(path: str | Path, columns: Sequence[str] = ()) -> tuple[list[Entry], list[str]]:
    """:func:`parse_tbx` on a file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise GlossaryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_tbx(data, path, columns)


# --- entries → CSV ---------------------------------------------------------------------------


def _cells_writer(newline: str) -> tuple[io.StringIO, csv.writer]:
    buffer = io.StringIO()
    return buffer, csv.writer(buffer, lineterminator=newline)


def _serialise(cells: Sequence[str], newline: str) -> str:
    buffer, writer = _cells_writer(newline)
    writer.writerow(cells)
    return buffer.getvalue()


def _standard_header(entries: Sequence[Entry]) -> list[str]:
    languages = list(
        dict.fromkeys(lang for e in entries for lang in [*e.concept.terms, *e.concept.variants])
    )
    header = ["id", *languages, *(VARIANT_PREFIX + lang for lang in languages)]
    header += ["case_sensitive", "do_not_translate"]
    if any(e.pos for e in entries):
        header.append("pos")
    return [*header, "note"]


def _row(entry: Entry, header: Sequence[str]) -> list[str]:
    concept = entry.concept
    values = {
        "id": concept.id,
        "note": concept.note,
        "pos": entry.pos,
        "case_sensitive": "yes" if concept.case_sensitive else "",
        "do_not_translate": "yes" if concept.do_not_translate else "",
        **concept.terms,
        **{VARIANT_PREFIX + k: VARIANT_SEPARATOR.join(v) for k, v in concept.variants.items()},
    }
    return [values.get(name, "") for name in header]


def entries_to_csv(entries: Sequence[Entry], newline: str = "\n") -> str:
    """A new glossary CSV holding exactly ``entries``."""
    header = _standard_header(entries)
    buffer, writer = _cells_writer(newline)
    writer.writerow(header)
    for entry in entries:
        writer.writerow(_row(entry, header))
    return buffer.getvalue()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _flag_value(cell: str) -> bool:
    return cell.strip().lower() in {"1", "true", "yes", "y", "oui", "x", "نعم"}


def _merge(text: str, entries: Sequence[Entry], path: str, result: ImportResult) -> str:
    """``text`` with ``entries`` merged in (see the module docstring); counts and
    warnings go to ``result``."""
    records, csv_error = csv_records(text)
    if csv_error:
        raise GlossaryError(f"{path} cannot be read as CSV; fix it first", [f"{path}:{csv_error}"])
    content = [r for r in records if not r.is_blank]
    if not content:
        return entries_to_csv(entries)
    header = content[0]
    names = [h.strip().lower() for h in header.cells]
    languages = [
        n for n in names if n and n not in META_COLUMNS and not n.startswith(VARIANT_PREFIX)
    ]
    entries = [_only_languages(e, languages, path, result.warnings) for e in entries]
    entries = [e for e in entries if e.concept.terms]
    concepts, _ = parse_glossary(text, path)
    by_id: dict[str, Concept] = {}
    for concept in concepts:
        by_id.setdefault(concept.id, concept)
    by_end = {r.end: r for r in records}
    end_of = {r.start: r.end for r in records}

    columns = list(names)

    def need(name: str) -> None:
        if name not in columns:
            columns.append(name)

    for entry in entries:
        concept = entry.concept
        for lang, forms in concept.variants.items():
            if forms:
                need(VARIANT_PREFIX + lang)
        if concept.case_sensitive:
            need("case_sensitive")
        if concept.do_not_translate:
            need("do_not_translate")
        if concept.note and "note" in entry.stated:
            need("note")
        if entry.pos:
            need("pos")
        if concept.id not in by_id:
            need("id")
    index = {name: columns.index(name) for name in columns if name}

    replaced: dict[int, list[str]] = {}
    appended: list[list[str]] = []
    for entry in entries:
        existing = by_id.get(entry.concept.id)
        if existing is None:
            appended.append(_row(entry, columns))
            result.added += 1
            continue
        record = by_end[existing.line]
        old = list(record.cells)
        cells = old + [""] * (len(columns) - len(old))
        _update(cells, entry, index)
        if _trimmed(cells) == _trimmed(old):
            result.unchanged += 1
        else:
            replaced[record.start] = cells
            result.updated += 1
    mentioned = {e.concept.id for e in entries}
    result.kept = sum(1 for c in concepts if c.id not in mentioned)

    newline = "\r\n" if "\r\n" in text else "\n"
    lines = _LINE.findall(text)
    out: list[str] = []
    line_no = 1
    while line_no <= len(lines):
        if line_no == header.start and len(columns) > len(names):
            out.append(_serialise([*header.cells, *columns[len(names) :]], newline))
            line_no = header.end + 1
        elif line_no in replaced:
            out.append(_serialise(replaced[line_no], newline))
            line_no = end_of[line_no] + 1
        else:
            out.append(lines[line_no - 1])
            line_no += 1
    if appended and out and not out[-1].endswith(("\n", "\r")):
        out[-1] += newline
    out.extend(_serialise(cells, newline) for cells in appended)
    return "".join(out)


def _only_languages(entry: Entry, languages: list[str], path: str, warnings: list[str]) -> Entry:
    concept = entry.concept
    extra = sorted({*concept.terms, *concept.variants} - set(languages))
    if not extra:
        return entry
    warnings.append(
        f"{path}: {', '.join(extra)} term(s) of {concept.id!r} not imported: the glossary has "
        "no such column (add it to the header first)"
    )
    return Entry(
        _with(
            concept,
            terms={k: v for k, v in concept.terms.items() if k in languages},
            variants={k: v for k, v in concept.variants.items() if k in languages},
        ),
        entry.pos,
        entry.stated,
    )


def _update(cells: list[str], entry: Entry, index: dict[str, int]) -> None:
    concept = entry.concept
    for lang in dict.fromkeys([*concept.terms, *concept.variants]):
        if lang in concept.terms:
            cells[index[lang]] = concept.terms[lang]
        column = VARIANT_PREFIX + lang
        if column in index:
            cells[index[column]] = VARIANT_SEPARATOR.join(concept.variants.get(lang, ()))
    for flag in ("case_sensitive", "do_not_translate"):
        if flag in entry.stated and flag in index:
            value = getattr(concept, flag)
            if _flag_value(cells[index[flag]]) != value:
                cells[index[flag]] = "yes" if value else ""
    if "note" in entry.stated and "note" in index:
        cells[index["note"]] = concept.note
    if "pos" in entry.stated and "pos" in index:
        cells[index["pos"]] = entry.pos


def _trimmed(cells: list[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1]:
        out.pop()
    return out


def import_tbx(tbx_path: str | Path, into: str | Path, *, replace: bool = False) -> ImportResult:
    """Merge (or with ``replace``, write) the TBX file's concepts into the CSV ``into``.

    The CSV is replaced atomically and only if the result checks without errors;
    otherwise :class:`GlossaryError` lists them and nothing is written.
    """
    into = Path(into)
    result = ImportResult(path=into)
    # Keep a BOM the file had: Excel needs it to open UTF-8 CSV correctly.
    bom = "\ufeff" if into.is_file() and into.read_bytes()[:3] == b"\xef\xbb\xbf" else ""
    if replace or not into.exists():
        entries, result.warnings = read_tbx(tbx_path)
        new_text = entries_to_csv(entries)
        result.added = len(entries)
        old_text = None
    else:
        old_text = read_glossary_text(into)
        before = check_text(old_text, into)
        if before.errors:
            raise GlossaryError(
                f"{into} has {len(before.errors)} error(s); fix them before importing",
                before.errors,
            )
        records, _ = csv_records(old_text)
        content = [r for r in records if not r.is_blank]
        columns = [h.strip().lower() for h in content[0].cells] if content else []
        entries, result.warnings = read_tbx(tbx_path, columns)
        new_text = _merge(old_text, entries, str(into), result)
    check = check_text(new_text, into)
    if check.errors:
        raise GlossaryError(
            f"importing {tbx_path} would leave {into} with {len(check.errors)} error(s); "
            "nothing was written",
            check.errors,
        )
    if new_text != old_text:
        from translator_pipeline.files import write_atomic

        try:
            result.written = write_atomic(into, (bom + new_text).encode("utf-8"))
        except PublishError as exc:
            raise GlossaryError(str(exc)) from exc
    return result
