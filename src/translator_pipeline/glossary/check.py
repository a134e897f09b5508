"""Checks of a glossary file as a whole (``translator-pipeline glossary check``).

:func:`~.glossary.parse_glossary` turns rows into concepts; this module looks
at what a single row cannot tell: the header, duplicates, one source term with
two meanings, terms that hide each other under longest-match-first matching,
and cells that look like mistakes. It never raises for a bad file: everything
is reported as ``path:line: message`` (line 1 is the header), with what to do.

*Errors* make :func:`~.glossary.load_glossary` refuse the file. *Warnings*
are likely mistakes the run can live with. *Info* notes (``--verbose``) say
how overlapping terms will be resolved.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.model import (
    META_COLUMNS,
    VARIANT_PREFIX,
    VARIANT_SEPARATOR,
    Concept,
    fold,
    parse_glossary,
    read_glossary_text,
)
from translator_pipeline.language.facts import is_arabic_letter, uses_arabic_script

__all__ = ["CheckResult", "check_glossary", "check_text", "csv_records"]

# A language code: 2–3 letters, optionally a script (ku-arab) and/or a region
# (fr-ca, es-419). Anything longer is almost certainly not a language column.
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?$")
_TOKEN = re.compile(r"\w+|[^\w\s]")  # the matcher's tokens: words, single punctuation
_SHORT = 2  # a case-insensitive term of this many letters or fewer matches ordinary words

_LEGACY_ENCODINGS = ["cp1256", "iso8859_6", "cp1252", "latin_1"]
_ENCODING_NAMES = {  # as people and iconv know them
    "cp1256": "windows-1256",
    "iso8859_6": "ISO-8859-6",
    "cp1252": "windows-1252",
    "latin_1": "ISO-8859-1",
}

# The same few forms are folded several times per check; folding is the slow part.
_folded = functools.lru_cache(maxsize=1 << 16)(fold)


@dataclass
class CheckResult:
    """What :func:`check_glossary` found. ``concepts`` are usable only without ``errors``."""

    concepts: list[Concept] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "path:line: message"
    warnings: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CsvRecord:
    """One CSV record as written: its physical lines (``start``–``end``) and cells."""

    start: int
    end: int
    cells: list[str]

    @property
    def is_comment(self) -> bool:
        return bool(self.cells) and self.cells[0].lstrip().startswith("#")

    @property
    def is_blank(self) -> bool:
        return not any(c.strip() for c in self.cells)


def csv_records(text: str) -> tuple[list[CsvRecord], str | None]:
    """Every record of ``text`` with its line span, and the CSV error that stopped
    reading (``None`` if it read to the end). Strict, unlike the loader: a quote in
    the wrong place is reported instead of silently swallowing the following lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[CsvRecord] = []
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records, None
        except csv.Error as exc:
            start = last + 1
            if "unexpected end of data" in str(exc):
                return records, (
                    f"{start}: a quoted cell opened on line {start} is never closed, so "
                    "everything after it reads as one cell; close the quote or remove it"
                )
            return records, (
                f"{start}: unreadable CSV ({exc}); a cell containing a quote must be "
                'quoted as a whole and the quote doubled: "say ""this"""'
            )
        records.append(CsvRecord(last + 1, reader.line_num, cells))
        last = reader.line_num


class _Report:
    """Collects messages by line, formats them ``path:line: message`` in line order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: dict[str, list[tuple[int, str]]] = {"error": [], "warning": [], "info": []}

    def add(self, kind: str, line: int, message: str) -> None:
        self.items[kind].append((line, message))

    def error(self, line: int, message: str) -> None:
        self.add("error", line, message)

    def warning(self, line: int, message: str) -> None:
        self.add("warning", line, message)

    def info(self, line: int, message: str) -> None:
        self.add("info", line, message)

    def cut(self, line: int) -> None:
        """Forget everything said about ``line`` and the lines after it."""
        for kind, items in self.items.items():
            self.items[kind] = [item for item in items if item[0] < line]

    def formatted(self, kind: str) -> list[str]:
        out = []
        for line, message in sorted(self.items[kind], key=lambda item: item[0]):
            where = f"{self.path}:{line}" if line else self.path
            out.append(f"{where}: {message}")
        return out


def check_glossary(path: str | Path) -> CheckResult:
    """Check the glossary file at ``path``. Never raises for a bad or missing file."""
    try:
        text = read_glossary_text(path)
    except GlossaryError as exc:
        if exc.problems:
            return CheckResult(errors=[p + _encoding_hint(Path(path)) for p in exc.problems])
        cause = exc.__cause__
        reason = getattr(cause, "strerror", None) or exc.message.splitlines()[0]
        return CheckResult(errors=[f"{path}: cannot read the file: {reason}"])
    return check_text(text, path)


def _encoding_hint(path: Path) -> str:
    """What the file probably is, so the fix can be specific."""
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return ""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "; the file is UTF-16 (Excel 'Unicode Text'): save it as 'CSV UTF-8' instead"
    try:
        from charset_normalizer import from_bytes

        # The encodings Arabic and French spreadsheets are saved in; guessing among
        # all of them on a few bytes is unreliable.
        best = from_bytes(head, cp_isolation=_LEGACY_ENCODINGS).best()
    except Exception:  # a hint only; never let it break the check
        best = None
    if best is None or best.encoding in ("utf_8", "ascii"):
        return ""
    name = _ENCODING_NAMES.get(best.encoding, best.encoding)
    return f"; it looks like {name}: convert it, e.g. `iconv -f {name} -t UTF-8`"


def check_text(text: str, path: str | Path = "<glossary>") -> CheckResult:
    """Check glossary CSV ``text`` (as read from ``path``, used in messages)."""
    path = str(path)
    report = _Report(path)
    records, csv_error = csv_records(text)
    concepts, problems = parse_glossary(text, path)
    content = [r for r in records if not r.is_blank]
    if not content:
        return CheckResult(concepts, problems or [f"{path}:1: the file has no header"])
    fatal = _unusable_header(content[0])
    if fatal:  # nothing below it can be read meaningfully
        return CheckResult([], [f"{path}:{content[0].start}: {fatal}"])
    for problem in problems:
        report.error(*_split_problem(problem, path))
    header_record, rows = content[0], [r for r in content[1:] if not r.is_comment]
    columns = _check_header(header_record, rows, report)
    by_line = {r.end: r for r in rows}
    _check_cells(concepts, by_line, columns, report)
    _check_concepts(concepts, by_line, columns, report)
    _check_across(concepts, columns, report)
    if csv_error:
        # From the broken record on, the rows are garbled: report the cause only.
        line, message = csv_error.split(": ", 1)
        report.cut(int(line))
        report.error(int(line), message)
    return CheckResult(
        concepts, report.formatted("error"), report.formatted("warning"), report.formatted("info")
    )


def _unusable_header(header: CsvRecord) -> str:
    if header.is_comment:
        return (
            "the first row must be the header (e.g. id,en,fr,ar,note); "
            "comment rows (#…) may only follow it"
        )
    if len(header.cells) == 1 and (";" in header.cells[0] or "\t" in header.cells[0]):
        separator = "';'" if ";" in header.cells[0] else "tabs"
        return (
            f"the file separates cells with {separator}, not commas; "
            "save it as CSV with commas ('CSV UTF-8' in Excel)"
        )
    return ""


def _split_problem(problem: str, path: str) -> tuple[int, str]:
    rest = problem[len(path) + 1 :] if problem.startswith(path + ":") else problem
    number, sep, message = rest.partition(": ")
    return (int(number), message) if sep and number.isdigit() else (0, rest)


# --- header ---------------------------------------------------------------------------------


@dataclass
class _Columns:
    names: list[str]  # normalised header cells, by position
    languages: list[str]  # valid language columns, in order (the required cells)
    variant_languages: list[str]
    has_id: bool


def _is_language(code: str) -> bool:
    return bool(_LANGUAGE_CODE.match(code))


def _check_header(header: CsvRecord, rows: list[CsvRecord], report: _Report) -> _Columns:
    names = [h.strip().lower() for h in header.cells]
    line = header.start
    seen: dict[str, int] = {}
    languages: list[str] = []
    variant_languages: list[str] = []
    for index, name in enumerate(names, 1):
        if not name:
            used = next((r.end for r in rows if len(r.cells) >= index and r.cells[index - 1]), 0)
            if used:
                report.error(
                    line,
                    f"column {index} has no name but line {used} has a value in it; "
                    "name the column or delete it",
                )
            continue
        if name in seen:
            report.error(
                line,
                f"column {name!r} appears twice (columns {seen[name]} and {index}); "
                "only one would be read: merge them",
            )
            continue
        seen[name] = index
        if name in META_COLUMNS:
            continue
        if name.startswith(VARIANT_PREFIX):
            lang = name[len(VARIANT_PREFIX) :]
            if not _is_language(lang):
                report.error(
                    line,
                    f"column {name!r} does not name a language after {VARIANT_PREFIX!r}; "
                    "use e.g. variants_en, variants_fr, variants_ar",
                )
            else:
                variant_languages.append(lang)
            continue
        if _is_language(name):
            languages.append(name)
            near = difflib.get_close_matches(name, META_COLUMNS, n=1, cutoff=0.75)
            if near:
                report.warning(
                    line,
                    f"column {name!r} is read as a language code; did you mean {near[0]!r}?",
                )
            continue
        report.error(line, _unknown_column(name))
    for lang in variant_languages:
        if lang not in languages:
            report.warning(
                line,
                f"column {VARIANT_PREFIX}{lang} has no {lang!r} column beside it: its forms are "
                f"recognised in {lang} texts but nothing can be written in {lang}; "
                f"add a column named {lang} or rename this one",
            )
    if not languages:
        report.error(line, "no language column; the header needs e.g. en,fr,ar")
    elif len(languages) == 1:
        report.warning(line, f"only one language column ({languages[0]}): nothing to translate to")
    return _Columns(names, languages, variant_languages, "id" in seen)


def _unknown_column(name: str) -> str:
    choices = [*META_COLUMNS, "variants_en", "variants_fr", "variants_ar"]
    near = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return (
        f"unknown column {name!r}: {hint}columns are language codes (en, fr, ar, ku-arab …), "
        f"variants_<lang>, or one of {', '.join(META_COLUMNS)}"
    )


# --- single rows ----------------------------------------------------------------------------


def _script(text: str) -> tuple[bool, bool]:
    """(has Arabic letters, has letters of another script)."""
    arabic = other = False
    for ch in text:
        if ch.isalpha():
            if is_arabic_letter(ch):
                arabic = True
            else:
                other = True
    return arabic, other


def _check_cells(
    concepts: list[Concept], rows: dict[int, CsvRecord], columns: _Columns, report: _Report
) -> None:
    """Spacing and script of every term cell, as written."""
    term_columns = {lang: lang for lang in columns.languages}
    term_columns.update({VARIANT_PREFIX + lang: lang for lang in columns.variant_languages})
    positions = {name: i for i, name in reversed(list(enumerate(columns.names)))}
    for concept in concepts:
        row = rows.get(concept.line)
        if row is None:
            continue
        for column, lang in term_columns.items():
            i = positions[column]
            if i >= len(row.cells) or not row.cells[i].strip():
                continue
            cell = row.cells[i]
            is_variant = column != lang
            items = cell.split(VARIANT_SEPARATOR) if is_variant else [cell]
            if is_variant and any(not item.strip() for item in items):
                report.warning(
                    concept.line,
                    f"{column} {cell!r} has an empty item (a stray {VARIANT_SEPARATOR!r}); "
                    "remove it",
                )
            for item in items:
                if item.strip():
                    _check_term_cell(concept, column, lang, item, report)


def _check_term_cell(concept: Concept, column: str, lang: str, raw: str, report: _Report) -> None:
    line = concept.line
    term = raw.strip()
    if raw != term and column == lang:
        report.warning(line, f"{column} {raw!r} has spaces at its start or end; remove them")
    if "  " in term or any(ch in term for ch in "\t\n\r"):
        report.warning(
            line, f"{column} {term!r} has doubled spaces or line breaks; use single spaces"
        )
    arabic, other = _script(term)
    if uses_arabic_script(lang) and other and not arabic:
        hint = (
            f"; leave the {lang} cell empty to keep the name as written"
            if concept.do_not_translate
            else ""
        )
        report.warning(
            line,
            f"{column} {term!r} has no Arabic letters: is it in the wrong column?{hint}",
        )
    elif not uses_arabic_script(lang) and arabic and not other:
        report.warning(line, f"{column} {term!r} is in Arabic script: is it in the wrong column?")


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _has_case(text: str) -> bool:
    return any(ch.lower() != ch.upper() for ch in text)


def _check_concepts(
    concepts: list[Concept], rows: dict[int, CsvRecord], columns: _Columns, report: _Report
) -> None:
    for concept in concepts:
        line = concept.line
        if not concept.do_not_translate:
            for lang in columns.languages:
                if lang not in concept.terms:
                    name = next(iter(concept.terms.values()))
                    report.error(
                        line,
                        f"no {lang} term for {name!r}: fill in the {lang} cell, or set "
                        "do_not_translate=yes if the term is kept as written",
                    )
        own_forms = [
            (lang, form)
            for lang in dict.fromkeys([*concept.terms, *concept.variants])
            for form in (
                ([concept.terms[lang]] if lang in concept.terms else [])
                + list(concept.variants.get(lang, ()))
            )
        ]
        if concept.case_sensitive and not any(_has_case(f) for _, f in own_forms):
            report.warning(
                line,
                "case_sensitive=yes has no effect: none of the terms has upper- or lower-case "
                "letters; remove it",
            )
        for lang, form in own_forms:
            if _letters(form) <= _SHORT and not concept.case_sensitive:
                if _has_case(form):
                    report.warning(
                        line,
                        f"{lang} term {form!r} is short and matched regardless of case, so it "
                        f"also matches the ordinary word {form.lower()!r}; set case_sensitive=yes",
                    )
                else:
                    report.warning(
                        line,
                        f"{lang} term {form!r} has {_letters(form)} letter(s) and will match "
                        "ordinary words; use a longer form",
                    )
        row = rows.get(line)
        given_id = (
            row.cells[columns.names.index("id")].strip()
            if row is not None and columns.has_id and columns.names.index("id") < len(row.cells)
            else ""
        )
        if given_id and re.search(r"\s", given_id):
            report.warning(
                line,
                f"id {given_id!r} contains spaces; use letters, digits, '-' and '_' "
                "(ids also go into TBX files)",
            )


# --- across rows ----------------------------------------------------------------------------


def _targets(concept: Concept, languages: list[str]) -> dict[str, str | None]:
    return {lang: concept.target(lang) for lang in languages}


def _key(form: str, lang: str) -> str:
    """What a form collides on: case-folded, and in Arabic without a leading ال
    (the matcher lets a bare form match with the article, and vice versa)."""
    key = _folded(form, False).strip()
    if uses_arabic_script(lang) and key.startswith("ال") and len(key) > 3:
        key = key[2:]
    return key


def _forms(concept: Concept, languages: list[str]) -> Iterator[tuple[str, str]]:
    for lang in languages:
        for form in concept.forms(lang):
            if form.strip():
                yield lang, form


def _check_across(concepts: list[Concept], columns: _Columns, report: _Report) -> None:
    languages = list(dict.fromkeys([*columns.languages, *columns.variant_languages]))
    reported: set[tuple[int, int]] = set()
    duplicates: set[int] = set()  # rows already reported as copies of another

    first_by_id: dict[str, Concept] = {}
    first_by_terms: dict[frozenset, Concept] = {}
    for concept in concepts:
        other = first_by_id.setdefault(concept.id, concept)
        if other is not concept:
            derived = "" if columns.has_id else " (derived from its first term)"
            report.error(
                concept.line,
                f"id {concept.id!r}{derived} is already used on line {other.line}; "
                "every concept needs its own id: give this row a different one",
            )
        terms = frozenset(
            (lang, _folded(term, concept.case_sensitive)) for lang, term in concept.terms.items()
        )
        other = first_by_terms.setdefault(terms, concept)
        if other is not concept:
            duplicates.add(concept.line)
            report.error(
                concept.line,
                f"duplicate concept: the same terms as line {other.line}; delete one row "
                "(move its variants or note to the other first)",
            )

    # One source form, two concepts: the matcher would silently use the first row.
    by_key: dict[tuple[str, str], list[tuple[Concept, str]]] = defaultdict(list)
    concepts = [c for c in concepts if c.line not in duplicates]
    for concept in concepts:
        for lang, form in _forms(concept, languages):
            by_key[(lang, _key(form, lang))].append((concept, form))
    for (lang, _), owners in by_key.items():
        for i, (first, form1) in enumerate(owners):
            for second, form2 in owners[i + 1 :]:
                pair = (first.line, second.line)
                if first is second or pair in reported:
                    continue
                if (
                    first.case_sensitive
                    and second.case_sensitive
                    and _folded(form1, True) != _folded(form2, True)
                ):
                    continue  # "US" and "Us" stay apart when both are case-sensitive
                reported.add(pair)
                _same_form(first, second, form2, lang, columns.languages, report)

    _check_overlaps(concepts, languages, report)


def _same_form(
    first: Concept,
    second: Concept,
    form: str,
    lang: str,
    targets: list[str],
    report: _Report,
) -> None:
    one, two = _targets(first, targets), _targets(second, targets)
    differ = [t for t in targets if t != lang and one[t] != two[t]]
    if differ:
        t = differ[0]
        report.error(
            second.line,
            f"{lang} term {form!r} is also a term of line {first.line} but they translate "
            f"differently ({t}: {two[t] or '(nothing)'!r} here, {one[t] or '(nothing)'!r} "
            f"there); a source term may belong to one concept only",
        )
    else:
        report.warning(
            second.line,
            f"{lang} term {form!r} is also a term of line {first.line}, with the same "
            "translations; merge the two rows",
        )


def _check_overlaps(concepts: list[Concept], languages: list[str], report: _Report) -> None:
    """Terms that take each other's place. The matcher finds, at every word, the longest
    form starting there, then keeps the longest of overlapping finds (the leftmost on a
    tie). So where one term runs into another ("Director-General" + "General
    Conference" in "Director-General Conference") only one of them is applied: that is
    a warning. A term wholly inside a longer one ("Director-General" in "Deputy
    Director-General") is what longest-first is for: reported as info only."""
    for lang in languages:
        entries: dict[tuple[str, ...], tuple[Concept, str]] = {}
        for concept in concepts:
            for form in concept.forms(lang):
                # Case folded even for case-sensitive concepts: overlaps are resolved
                # across both kinds, and "can overlap" is what a warning needs.
                tokens = tuple(_TOKEN.findall(_folded(form, False)))
                if tokens:
                    entries.setdefault(tokens, (concept, form))
        _overlaps_in(entries, lang, report)


def _after_tokens(form: str, count: int) -> str:
    """What follows the first ``count`` tokens of ``form`` (for an example phrase)."""
    folded = _folded(form, False)
    ends = [m.end() for m in _TOKEN.finditer(folded)]
    rest = folded[ends[count - 1] :] if count <= len(ends) else ""
    # Show the term as written when folding did not change its length (the usual case).
    return form[len(form) - len(rest) :] if len(folded) == len(form) else rest


def _overlaps_in(
    entries: dict[tuple[str, ...], tuple[Concept, str]], lang: str, report: _Report
) -> None:
    prefixes: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    longest = 0
    for tokens in entries:
        longest = max(longest, len(tokens))
        for k in range(1, len(tokens)):
            prefixes[tokens[:k]].append(tokens)
    seen: set[tuple[int, int]] = set()
    for tokens, (concept, form) in entries.items():
        n = len(tokens)
        # A proper suffix of this term that is a proper prefix of another: they overlap.
        for j in range(1, n):
            for later in prefixes.get(tokens[j:], ()):
                other, other_form = entries[later]
                if other is concept or (concept.line, other.line) in seen:
                    continue
                seen.add((concept.line, other.line))
                joined = form + _after_tokens(other_form, n - j)
                first_wins = len(_folded(form, False)) >= len(_folded(other_form, False))
                (loser, loser_form), (winner, winner_form) = (
                    ((other, other_form), (concept, form))
                    if first_wins
                    else ((concept, form), (other, other_form))
                )
                report.warning(
                    loser.line,
                    f"{lang} term {loser_form!r} overlaps {winner_form!r} (line {winner.line}) "
                    f"in a text such as {joined!r}, where only the longer one is applied; "
                    "if such text occurs, add the whole phrase as a concept",
                )
        # Containment (info): every run of tokens inside this term that is a term itself.
        inside: set[tuple[str, ...]] = set()
        for i in range(n):
            for k in range(i + 1, min(n, i + longest) + 1):
                if (i, k) == (0, n) or tokens[i:k] in inside:
                    continue
                inner = entries.get(tokens[i:k])
                if inner is not None and inner[0] is not concept:
                    inside.add(tokens[i:k])
                    report.info(
                        inner[0].line,
                        f"{lang} term {inner[1]!r} also occurs inside {form!r} "
                        f"(line {concept.line}); the longer term wins where both match",
                    )
