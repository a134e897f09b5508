"""The institutional glossary: concepts, their forms per language, and matching.

A glossary is a CSV file (``glossaries/institutional.csv``) with one row per
*concept* and one column per language (``en,fr,ar`` …) plus optional
``id``, ``note``, ``case_sensitive``, ``do_not_translate`` and
``variants_<lang>`` (other forms recognised in the source, ``|``-separated:
acronyms, old names). The CSV is canonical; :mod:`.tbx` converts to and from
TBX for CAT tools, :mod:`.glossary_check` lists its problems with line numbers.

Matching (:meth:`Glossary.find`) is longest-first over Unicode-normalised text:
case-insensitive unless the concept says otherwise; apostrophes and hyphens in
their typographic forms count as the ASCII ones; in Arabic, tashkeel, tatweel
and alef variants are ignored and the proclitics و ف ب ك ل (and ال, and the
contracted لل) are recognised in front of a term; in French, a term listed with
its article is found after du, au, des, aux, and its article in any case.
:mod:`.orthography` has the rules. Offsets always refer to the original text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.orthography import FR_ARTICLES, FR_CONTRACTIONS, arabic_readings
from translator_pipeline.language.facts import normalise_code, uses_arabic_script

__all__ = [
    "Concept",
    "Glossary",
    "Match",
    "fold",
    "parse_glossary",
    "read_glossary_text",
]

# Columns that are not languages.
META_COLUMNS = ("id", "note", "case_sensitive", "do_not_translate", "pos")
VARIANT_PREFIX = "variants_"
VARIANT_SEPARATOR = "|"
_TRUE = {"1", "true", "yes", "y", "oui", "x", "نعم"}
_FALSE = {"", "0", "false", "no", "n", "non", "لا"}

# --- normalisation ---------------------------------------------------------------

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_CHAR_MAP = {
    # alef variants → bare alef
    "\u0622": "\u0627",
    "\u0623": "\u0627",
    "\u0625": "\u0627",
    "\u0671": "\u0627",
    # apostrophes and quotes used as apostrophes
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u2032": "'",
    # hyphens and dashes used inside names
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u00ad": "",  # soft hyphen: invisible, never part of a match
    "\u0640": "",  # tatweel
    "\u200c": "",
    "\u200d": "",
    "\u200e": "",
    "\u200f": "",
}
_SPACE = re.compile(r"\s+")


def fold(text: str, case_sensitive: bool = False) -> str:
    """The form a term or text is compared in (see :func:`_normalise`)."""
    return _normalise(text, case_sensitive)[0]


def _normalise(text: str, case_sensitive: bool) -> tuple[str, list[int], list[int]]:
    """Normalised text and, for each of its characters, the span it came from in
    ``text`` (start and end offsets).

    Each base character with its combining marks is composed (NFC) on its own, so
    offsets stay exact for decomposed input; then per character: drop tashkeel,
    tatweel and joiners, map alef variants, apostrophes and hyphens, collapse
    whitespace to one space, and (unless ``case_sensitive``) lower-case when that
    keeps one character.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    prev_space = False
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i] if j == i + 1 else unicodedata.normalize("NFC", text[i:j])
        for ch in cluster:
            if _TASHKEEL.match(ch):
                continue
            ch = _CHAR_MAP.get(ch, ch)
            if not ch:
                continue
            if ch.isspace():
                if prev_space:
                    continue
                ch, prev_space = " ", True
            else:
                prev_space = False
            if not case_sensitive:
                low = ch.lower()
                if len(low) == 1:
                    ch = low
            out.append(ch)
            starts.append(i)
            ends.append(j)
        i = j
    return "".join(out), starts, ends


# --- data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    """One glossary row: a concept and how each language says it."""

    id: str
    terms: Mapping[str, str]  # language -> preferred form (empty cells absent)
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""
    case_sensitive: bool = False
    do_not_translate: bool = False
    line: int = 0  # line in the CSV (1 = header), for messages
    pos: str = ""  # part of speech as the translators wrote it ("noun", "noun pl" …)

    def forms(self, language: str) -> tuple[str, ...]:
        """Every form recognised in a ``language`` source: preferred, then variants."""
        preferred = self.terms.get(language)
        own = ((preferred,) if preferred else ()) + tuple(self.variants.get(language, ()))
        if self.do_not_translate:
            # A name kept as written is recognised in its written forms in any text of
            # the same script (a Latin name inside a French or English article).
            script = uses_arabic_script(language)
            for lang in {*self.terms, *self.variants} - {language}:
                if uses_arabic_script(lang) == script:
                    own += tuple(filter(None, (self.terms.get(lang), *self.variants.get(lang, ()))))
        return tuple(dict.fromkeys(own))

    def target(self, language: str, surface: str = "") -> str | None:
        """The form to publish in ``language``; for a do-not-translate concept without a
        cell in that language, its form in a language of the same script, else the
        source ``surface``. ``None`` if the glossary says nothing for ``language``."""
        form = self.terms.get(language)
        if form:
            return form
        if not self.do_not_translate:
            return None
        for lang, other in self.terms.items():
            if uses_arabic_script(lang) == uses_arabic_script(language):
                return other
        return surface or None

    @cached_property
    def digest(self) -> str:
        """Hash of everything that changes how this concept is matched or rendered."""
        parts = [
            self.id,
            *(f"{k}={v}" for k, v in sorted(self.terms.items())),
            *(f"{k}~{'|'.join(v)}" for k, v in sorted(self.variants.items())),
            f"cs={int(self.case_sensitive)}",
            f"dnt={int(self.do_not_translate)}",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Match:
    """A concept found in a source text. ``start:end`` covers the term itself
    (an absorbed article ال included); ``clitic`` is the proclitic in front of it
    (``و``, ``بال``'s ``ب`` …), which is left in the text.

    A French term listed with its article and found after a contraction (du, au,
    des, aux) has the contraction inside ``start:end``; ``preposition`` is the one
    the contraction carried (``de``, ``à``, capitalised as written), to be left in
    the text, and ``surface`` the term with its article restored
    (``du Premier ministre`` → ``le Premier ministre``), so the term stands alone."""

    start: int
    end: int
    concept: Concept
    surface: str
    clitic: str = ""
    preposition: str = ""


_TOKEN = re.compile(r"\w+|[^\w\s]")
_FR_ARTICLE_TOKENS = {a.rstrip("'") for a in FR_ARTICLES}


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    concept: Concept | None = None  # set where a form ends


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


class _Matcher:
    """Every form of every concept for one source language, in a token trie.

    Forms and text are cut into the same tokens (words and single punctuation
    marks), so matching costs one trie walk per text position whatever the
    glossary's size, and a match always covers whole words. Arabic tokens are
    also tried without their proclitics.
    """

    def __init__(self, concepts: Sequence[Concept], language: str) -> None:
        self.language = language
        self.arabic = uses_arabic_script(language)
        self.french = normalise_code(language) == "fr"
        self.roots: list[tuple[bool, _Node]] = []
        for case_sensitive in (False, True):
            root = _Node()
            for concept in concepts:
                if concept.case_sensitive != case_sensitive:
                    continue
                for form in concept.forms(language):
                    words = [m.group() for m in _tokens(fold(form, case_sensitive))]
                    if not words:
                        continue
                    if self.french and _is_french_article(words):
                        # A sentence capitalises the article, or contracts it (du, au).
                        words[0] = words[0].lower()
                    node = root
                    for word in words:
                        node = node.children.setdefault(word, _Node())
                    if node.concept is None:  # the first concept to claim a form keeps it
                        node.concept = concept
            if root.children:
                self.roots.append((case_sensitive, root))

    def _first_words(self, words: list[str], i: int) -> list[tuple[int, str, str]]:
        """(proclitic length, word to look up, preposition) for the token that may
        begin a term: Arabic proclitics taken off; a French article in any case, and
        a contracted one (du → de + le)."""
        word = words[i]
        if self.arabic:
            return [(n, w, "") for n, w in arabic_readings(word)]
        out = [(0, word, "")]
        if self.french:
            low = word.lower()
            if low != word and _is_french_article(words[i : i + 2]):
                out.append((0, low, ""))
            elif low in FR_CONTRACTIONS and i + 1 < len(words):
                preposition, article = FR_CONTRACTIONS[low]
                out.append((0, article, preposition))
        return out

    def find(self, text: str) -> list[Match]:
        found: list[Match] = []
        for case_sensitive, root in self.roots:
            norm, starts, ends = _normalise(text, case_sensitive)
            toks = _tokens(norm)
            words = [t.group() for t in toks]
            for i, tok in enumerate(toks):
                # Every form ending anywhere from here: a shorter one may survive where
                # the longest overlaps a longer match further on (see _resolve).
                # end token -> (clitic, concept, first word looked up, preposition)
                ending: dict[int, tuple[int, Concept, str, str]] = {}
                for clitic_len, first, preposition in self._first_words(words, i):
                    node = root.children.get(first)
                    j = i
                    while node is not None:
                        if node.concept is not None:
                            ending.setdefault(j, (clitic_len, node.concept, first, preposition))
                        j += 1
                        if j >= len(toks):
                            break
                        node = node.children.get(words[j])
                for last, (clitic_len, concept, first, preposition) in ending.items():
                    lo = starts[tok.start()]
                    start = starts[tok.start() + clitic_len]
                    end = ends[toks[last].end() - 1]
                    surface = text[start:end]
                    if preposition:
                        # The contraction stands for the preposition + the article
                        # the term is listed with: give the term its article back.
                        rest = text[starts[toks[i + 1].start()] : end] if last > i else ""
                        surface = f"{first} {rest}".strip()
                        if text[start : start + 1].isupper():
                            preposition = preposition[:1].upper() + preposition[1:]
                    found.append(Match(start, end, concept, surface, text[lo:start], preposition))
        return _resolve(found)


def _is_french_article(words: Sequence[str]) -> bool:
    """Whether folded tokens begin with a definite article (le, la, les, l')."""
    if not words:
        return False
    low = words[0].lower()
    if low == "l":
        return len(words) > 1 and words[1] == "'"
    return low in _FR_ARTICLE_TOKENS


def _resolve(found: list[Match]) -> list[Match]:
    """Non-overlapping matches, longest (then leftmost) first."""
    found.sort(key=lambda m: (-(m.end - m.start + len(m.clitic)), m.start))
    taken: list[Match] = []
    for m in found:
        lo = m.start - len(m.clitic)
        if all(m.end <= t.start - len(t.clitic) or lo >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


class Glossary:
    """A loaded glossary: its concepts, a content hash, and matchers per language."""

    def __init__(self, concepts: Iterable[Concept], path: str | Path | None = None) -> None:
        self.concepts = tuple(concepts)
        self.path = Path(path) if path else None
        self.by_id = {c.id: c for c in self.concepts}
        self._matchers: dict[str, _Matcher] = {}

    def __len__(self) -> int:
        return len(self.concepts)

    def __bool__(self) -> bool:
        return bool(self.concepts)

    @cached_property
    def version(self) -> str:
        """Content hash of the whole glossary (order of rows does not matter)."""
        digests = sorted(c.digest for c in self.concepts)
        return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]

    @property
    def languages(self) -> list[str]:
        return sorted({lang for c in self.concepts for lang in c.terms})

    def find(self, text: str, language: str) -> list[Match]:
        """Concepts in ``text`` (written in ``language``), non-overlapping, in order."""
        if not self.concepts or not text:
            return []
        matcher = self._matchers.get(language)
        if matcher is None:
            matcher = self._matchers[language] = _Matcher(self.concepts, language)
        return matcher.find(text)

    def fingerprint(self, concept_ids: Iterable[str]) -> str:
        """Hash of the named concepts' content: what a translation depended on."""
        digests = sorted({self.by_id[i].digest for i in concept_ids if i in self.by_id})
        if not digests:
            return ""
        return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]


EMPTY = Glossary(())


# --- reading ---------------------------------------------------------------------


def read_glossary_text(path: str | Path) -> str:
    """The file's text: UTF-8 with or without a BOM; anything else is an error."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"cannot read glossary {path}: {exc.strerror or exc}") from exc
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # so error offsets count from the text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GlossaryError(
            f"glossary {path} is not UTF-8",
            [f"{path}:{line}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 (save as UTF-8)"],
        ) from exc


def _flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


def _concept_id(row: Mapping[str, str], languages: Sequence[str], line: int) -> str:
    given = (row.get("id") or "").strip()
    if given:
        return given
    for lang in ("en", *languages):
        form = (row.get(lang) or "").strip()
        if form:
            slug = re.sub(r"[^\w]+", "-", fold(form)).strip("-")
            return slug or f"line-{line}"
    return f"line-{line}"


def parse_glossary(text: str, path: str | Path = "<glossary>") -> tuple[list[Concept], list[str]]:
    """Concepts from CSV text, and the rows' own problems (``path:line: …``).

    Structural problems only (unreadable CSV, a row without any term, a bad
    flag); :mod:`.glossary_check` looks across rows.
    """
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [f"{path}:1: the file is empty (expected a header such as en,fr,ar)"]
    except csv.Error as exc:
        return [], [f"{path}:1: {exc}"]
    header = [h.strip().lower() for h in header]
    languages = [
        h for h in header if h and h not in META_COLUMNS and not h.startswith(VARIANT_PREFIX)
    ]
    concepts: list[Concept] = []
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if cells[0].lstrip().startswith("#"):
                continue  # a comment row
            if len(cells) > len(header):
                problems.append(
                    f"{path}:{line}: {len(cells)} cells but the header has {len(header)} columns"
                )
                continue
            row = {
                h: unicodedata.normalize("NFC", c.strip())
                for h, c in zip(header, cells, strict=False)
            }
            terms = {lang: row[lang] for lang in languages if row.get(lang)}
            if not terms:
                problems.append(f"{path}:{line}: no term in any language column")
                continue
            variants = {
                h[len(VARIANT_PREFIX) :]: tuple(
                    v.strip() for v in row[h].split(VARIANT_SEPARATOR) if v.strip()
                )
                for h in header
                if h.startswith(VARIANT_PREFIX) and row.get(h)
            }
            flags = {}
            for name in ("case_sensitive", "do_not_translate"):
                value = _flag(row.get(name, ""))
                if value is None:
                    problems.append(
                        f"{path}:{line}: {name} is {row[name]!r}; use yes/no (or true/false, 1/0)"
                    )
                    value = False
                flags[name] = value
            concepts.append(
                Concept(
                    id=_concept_id(row, languages, line),
                    terms=terms,
                    variants={k: v for k, v in variants.items() if v},
                    note=row.get("note", ""),
                    line=line,
                    pos=row.get("pos", "").strip(),
                    **flags,
                )
            )
    except csv.Error as exc:
        problems.append(f"{path}:{line}: {exc}")
    return concepts, problems
