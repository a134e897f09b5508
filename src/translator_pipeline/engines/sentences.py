"""Sentence splitting before neural MT, lossless and placeholder-aware.

Argos/CTranslate2 models are trained on single sentences and degrade (or
truncate) on long inputs, so a segment is cut into sentences, translated one
by one and put back together with the whitespace that separated them.

How a boundary is found:

* candidates are terminal punctuation (plus closing quotes/brackets) followed
  by whitespace, CJK full stops even without whitespace, and line breaks;
* cheap rules settle almost every candidate: a plain word before the period
  and a capital after it is a boundary, titles, initials, ``e.g.`` and
  ``p. 12`` are not, a lowercase continuation never is;
* the few candidates the rules cannot settle (``Inc. The``, ``p.m. Monday``,
  ``He scored 3. The``) are handed to pysbd (``clean=False``) on just the
  stretch of text around them. Running pysbd on everything would be correct
  but 5-20x too slow (about 1 ms per call), and pysbd also splits where we
  must not (Arabic ``،`` and ``:``, French ``Dr.``, ``av. J.-C.``, placeholders).

Without pysbd installed, or for a language it does not know, the undecided
candidates fall back to "split" (the generic rule).

Pipeline placeholders (``<g1>…</g1>``, ``<x2/>``) are taken out before the
rules run and the boundaries are mapped back, so a cut never lands inside
one, and closing tags right after a sentence's end stay with that sentence.
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from translator_pipeline.html.placeholders import CLOSING_PATTERN
from translator_pipeline.html.placeholders import PLACEHOLDER as _PLACEHOLDER
from translator_pipeline.language.facts import normalise_code

__all__ = [
    "split_sentences",
    "split_with_spacing",
]

log = logging.getLogger(__name__)

# Same shapes as segment.PLACEHOLDER; kept local so this module has no
# dependency on the HTML side of the pipeline.
# Closing/void tags that belong to the sentence just ended: "First.</g1> Next".
_TRAILING_TAGS = re.compile(rf"(?:\s*{CLOSING_PATTERN})*")
_WS = re.compile(r"\s*")

_STRONG = "!?؟‼⁇⁈⁉！？。।॥۔።։။"  # unambiguous sentence ends
_WEAK = ".…．"  # period and ellipsis need rules
_CJK_STOPS = "。！？"  # end sentences even with no space after
_CLOSERS = "\"'”’»›)]}」』）】〕"
_OPENERS = "\"'“‘„«‹([{¿¡「『（【〔—–-•*"  # skipped to find the next word's first letter

_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.-?)+[^\W\d_]{1,3}")  # U.S, J.-C, p.m, Ph.D, أ.د
_ELISION = re.compile(r"[^\W\d_]{1,4}['’](?=\w)")  # French/Italian l', qu', dell'
_NEXT_WORD = re.compile(r"[^\W\d_]+")
_LINE_BREAK = re.compile(r"[^\S\n]*\n\s*")


class _V(Enum):
    YES = 1
    NO = 2
    ASK = 3  # let pysbd decide (or the generic rule without it)


# --- per-language knowledge -------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Titles and Latin abbreviations that never end a sentence in any language.
_UNIVERSAL_NEVER = frozenset({"dr", "prof", "mr", "mrs", "ms", "st", "e.g", "i.e", "cf", "vs"})
_UNIVERSAL_NUMBER = frozenset({"no", "nos", "nr", "p", "pp", "art", "vol", "fig", "ch", "chap"})

_EN_NEVER = _words(
    """mr mrs ms messrs mssrs dr drs prof st mt ste gen sen sens rep reps gov lt col
    capt cmdr adm maj sgt cpl pvt brig det insp supt rev hon pres msgr mgr
    e.g i.e cf viz vs v approx ca"""
)
_EN_NUMBER = _words("no nos nr p pp art ext vol fig figs ch chap sec sect para paras op tab eq ed")
_EN_ABBR = _words(
    """etc inc ltd co corp bros jr sr esq dept univ assn a.m p.m u.s u.k u.n
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    ave blvd rd al"""
)
_EN_STARTERS = _words(
    """A An The This That These Those It Its He She We They I In On At For From By
    As But And Or If When While After Before However Meanwhile Last Next Since
    There Here What Who Why How According Under"""
)

_FR_NEVER = _words(
    "m mm mme mmes mlle mlles me mgr dr pr st ste av apr cf p.ex c.-à-d e.g i.e vs env ca"
)
_FR_NUMBER = _words("p pp n no nos nº art al vol chap ch fig t sect éd")
_FR_ABBR = _words("etc cie ibid janv févr avr juil sept oct nov déc bd boul env")
_FR_STARTERS = _words(
    """Le La Les L Un Une Des De Du D Il Elle Ils Elles On Nous Vous Je Ce Cet Cette
    Ces C Cela Dans En Selon Pour Par Mais Et Or Au Aux Lors Depuis Après Avant Sur
    Ainsi Toutefois Cependant Enfin Pourtant Quant"""
)

_AR_NEVER = frozenset({"د", "أ.د", "ا.د", "م.م", "ج.م.ع", "ص.ب"})
_AR_ABBR = frozenset({"إلخ", "الخ", "كلم", "كجم", "كغ", "سم", "جم", "ت"})
_AR_YEAR_MARKS = frozenset({"م", "ه", "هـ"})  # "2022 م." (AD/AH) does end sentences

_FINAL_OK = frozenset({"etc"})  # "etc." + capital is a boundary (etc. + lowercase is not)


@dataclass(frozen=True, slots=True)
class _Profile:
    never_final: frozenset[str]
    number_abbr: frozenset[str]
    abbreviations: frozenset[str]
    starters: frozenset[str]
    extra_strong: str = ""
    arabic: bool = False


_OWN_PROFILES: dict[str, _Profile] = {
    "en": _Profile(_EN_NEVER, _EN_NUMBER, _EN_ABBR, _EN_STARTERS),
    "fr": _Profile(_FR_NEVER, _FR_NUMBER, _FR_ABBR, _FR_STARTERS),
    "ar": _Profile(_AR_NEVER, frozenset(), _AR_ABBR, frozenset(), arabic=True),
    "fa": _Profile(frozenset(), frozenset(), frozenset(), frozenset(), arabic=True),
    "ur": _Profile(frozenset(), frozenset(), frozenset(), frozenset(), arabic=True),
    "el": _Profile(frozenset(), frozenset(), frozenset(), frozenset(), extra_strong=";"),
}
_EMPTY = _Profile(frozenset(), frozenset(), frozenset(), frozenset())
_THREE_LETTER = {"ara": "ar", "eng": "en", "fra": "fr", "fre": "fr"}


def _pysbd_module(lang: str) -> Any | None:
    """pysbd's language module for ``lang``, or None (not installed / not supported)."""
    try:
        from pysbd.languages import LANGUAGE_CODES
    except ImportError:
        _warn_no_pysbd()
        return None
    return LANGUAGE_CODES.get(lang)


@lru_cache(maxsize=1)
def _warn_no_pysbd() -> None:
    log.warning("pysbd is not installed: sentence splitting uses rules only")


def _keys(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w.strip().strip(".").lower() for w in words if w.strip(" ."))


def _build_profile(lang: str, module: Any | None) -> _Profile:
    own = _OWN_PROFILES.get(lang, _EMPTY)
    never = own.never_final | _UNIVERSAL_NEVER
    number = own.number_abbr | _UNIVERSAL_NUMBER
    abbr = own.abbreviations
    starters = own.starters
    if module is not None:  # pysbd's lists are good data even where its splitting is not
        a = module.Abbreviation
        never |= _keys(getattr(a, "PREPOSITIVE_ABBREVIATIONS", ()))
        number |= _keys(getattr(a, "NUMBER_ABBREVIATIONS", ()))
        abbr |= _keys(getattr(a, "ABBREVIATIONS", ()))
        replacer = getattr(module, "AbbreviationReplacer", None)
        starters |= frozenset(getattr(replacer, "SENTENCE_STARTERS", ()) or ())
    return _Profile(never, number, abbr - never, starters, own.extra_strong, own.arabic)


# --- the splitter -----------------------------------------------------------


@dataclass(slots=True)
class _Cand:
    bound: int  # end of punctuation + closers (plain offset)
    punct_end: int  # end of the punctuation itself
    next_start: int  # first character of the next sentence
    verdict: _V


class _Splitter:
    """Boundary finder for one language; built once and cached."""

    _MAX_PYSBD_CHUNK = 3000  # pysbd is super-linear; larger stretches go in windows
    _WINDOW = 500

    def __init__(self, lang: str) -> None:
        module = _pysbd_module(lang)
        self.profile = _build_profile(lang, module)
        self._segmenter: Any | None = None
        if module is not None:
            import pysbd

            self._segmenter = pysbd.Segmenter(language=lang, clean=False)
        # pysbd.Segmenter keeps per-call state on the instance: not thread-safe.
        self._lock = threading.Lock()
        terms = re.escape(_STRONG + _WEAK + self.profile.extra_strong)
        cjk = re.escape(_CJK_STOPS)
        closers = re.escape(_CLOSERS)
        # The word before the punctuation never ends in punctuation and the run
        # of punctuation is possessive: "....." x 10k would backtrack quadratically.
        self._candidate = re.compile(
            rf"(?<!\S)(?P<word>(?:[^\s{cjk}]*?[^\s{cjk}{terms}])?)(?P<punct>[{terms}]++)"
            rf"(?P<close>(?:[{closers}]|[ \u00a0\u202f][»›])*)(?P<ws>\s+)(?=\S)"
            rf"|(?P<cjk>[{cjk}]+)(?P<cjkclose>[{closers}]*)\s*(?=\S)"
        )
        self._strong = frozenset(_STRONG + self.profile.extra_strong)

    # One candidate at a time; the order of the checks is the priority.
    def _decide(self, text: str, m: re.Match[str]) -> _V:
        word, punct = m["word"], m["punct"]
        j = m.end()
        n = len(text)
        while j < n and (text[j] in _OPENERS or text[j].isspace()):
            j += 1  # "« C'est" has a space after the guillemet
        c = text[j] if j < n else ""
        if not c.isalnum() or c.islower():
            return _V.NO  # "etc. et", "« Prêts. » a-t-il dit", "5. $10"
        if any(ch in self._strong for ch in punct):
            return _V.YES
        if punct != ".":  # ellipsis: a boundary before a capital, unless "[…]"
            return _V.NO if word.endswith(("(", "[")) else _V.YES

        p = self.profile
        bare = word.lstrip(_OPENERS)
        if not bare:
            return _V.YES
        key = bare.lower()
        elided = _ELISION.match(key)
        if elided:
            key = key[elided.end() :]  # "l'art." -> "art"
        if key in p.never_final:
            return _V.NO
        if c.isdigit() and (key in p.number_abbr or key in p.abbreviations):
            return _V.NO  # "No. 10", "p. 12", "Jan. 5"
        if len(bare) == 1 or (p.arabic and key in _AR_YEAR_MARKS):
            if p.arabic and key in _AR_YEAR_MARKS and _number_before(text, m.start("word")):
                return _V.YES  # "في عام 2022 م. وقال"
            if bare.isupper() or (bare.isalpha() and not bare.islower()):
                return _V.NO  # initial "Salim M. AlMalik", Arabic "سالم م. المالك"
        if bare.isdigit():
            if _at_sentence_start(text, m.start("word")):
                return _V.NO  # "1. Introduction"
            return _V.ASK if len(bare) <= 2 else _V.YES  # German "am 3. Oktober"
        if "." in bare and _DOTTED.fullmatch(bare):
            nxt = _NEXT_WORD.match(text, j)
            if nxt and nxt.group() in p.starters:
                return _V.YES  # "in the U.S. The", "av. J.-C. La ville"
            if not any(ch.isupper() or ch.islower() for ch in bare):
                return _V.NO  # Arabic "أ.د. محمد"
            if c.isupper() and bare[0].isupper():
                return _V.NO  # "U.S. Congress"
            if not c.isupper() and not c.isdigit():
                return _V.NO  # caseless script after a Latin acronym: "(U.N.) بأن"
            return _V.ASK
        if key in p.abbreviations or key in p.number_abbr:
            return _V.YES if key in _FINAL_OK else _V.ASK
        return _V.YES

    def candidates(self, text: str) -> list[_Cand]:
        found: dict[int, _Cand] = {}
        for m in self._candidate.finditer(text):
            if m["cjk"] is not None:  # CJK full stops need no space after them
                bound = m.end("cjkclose")
                found[bound] = _Cand(bound, m.end("cjk"), m.end(), _V.YES)
                continue
            bound, ws = m.end("close"), m["ws"]
            if "\n" in ws and (ws.count("\n") > 1 or not text[m.end()].islower()):
                verdict = _V.YES  # same rule as a bare line break
            else:
                verdict = self._decide(text, m)
            found[bound] = _Cand(bound, m.end("punct"), m.end(), verdict)
        if "\n" in text:
            self._line_breaks(text, found)
        return [found[k] for k in sorted(found)]

    @staticmethod
    def _line_breaks(text: str, found: dict[int, _Cand]) -> None:
        """A line break ends a sentence, unless the next line is a lowercase continuation."""
        n = len(text)
        for m in _LINE_BREAK.finditer(text):
            start, end = m.start(), m.end()
            if start == 0 or end >= n or start in found:
                continue
            if text[end].islower() and m.group().count("\n") == 1:
                continue
            found[start] = _Cand(start, start, end, _V.YES)

    def boundaries(self, text: str) -> list[tuple[int, int]]:
        """(end of sentence, start of next) pairs, in plain-text offsets."""
        cands = self.candidates(text)
        out: list[tuple[int, int]] = []
        i, total = 0, len(cands)
        while i < total:
            cand = cands[i]
            if cand.verdict is _V.YES:
                out.append((cand.bound, cand.next_start))
            if cand.verdict is not _V.ASK:
                i += 1
                continue
            j = i  # the undecided run reaches up to the next sure boundary
            while j < total and cands[j].verdict is not _V.YES:
                j += 1
            start = out[-1][1] if out else 0
            end = cands[j].bound if j < total else len(text)
            asked = [c for c in cands[i:j] if c.verdict is _V.ASK]
            out.extend((c.bound, c.next_start) for c in self._ask(text, start, end, asked))
            i = j
        return out

    def _ask(self, text: str, start: int, end: int, asked: list[_Cand]) -> list[_Cand]:
        """The undecided candidates of ``text[start:end]`` that pysbd makes boundaries."""
        if self._segmenter is None:
            return asked  # the generic rule: punctuation + capital is a boundary
        if end - start <= self._MAX_PYSBD_CHUNK:
            ends = self._pysbd_ends(text, start, end)
            return [c for c in asked if any(c.punct_end <= e <= c.bound for e in ends)]
        # A long undecided stretch: pysbd on overlapping windows with some context
        # on both sides of each candidate, one call serving every candidate inside.
        yes: list[_Cand] = []
        w_start = w_end = -1
        ends: frozenset[int] = frozenset()
        for c in asked:
            # the stretch's own edges are true edges: no context needed beyond them
            left_ok = w_start == start or c.punct_end - self._WINDOW >= w_start
            right_ok = w_end == end or c.next_start + self._WINDOW <= w_end
            if w_start < 0 or not (left_ok and right_ok):
                space = text.rfind(" ", start, c.punct_end - self._WINDOW)
                w_start = space + 1 if space >= 0 else max(start, c.punct_end - self._WINDOW)
                w_end = min(end, w_start + self._MAX_PYSBD_CHUNK)
                ends = self._pysbd_ends(text, w_start, w_end)
            if any(c.punct_end <= e <= c.bound for e in ends):
                yes.append(c)
        return yes

    def _pysbd_ends(self, text: str, start: int, end: int) -> frozenset[int]:
        return self._pysbd_ends_cached(text[start:end], start)

    @lru_cache(maxsize=256)  # noqa: B019 - splitters live as long as the process anyway
    def _pysbd_ends_cached(self, chunk: str, offset: int) -> frozenset[int]:
        assert self._segmenter is not None
        with self._lock:
            sentences = self._segmenter.segment(chunk)
        ends: set[int] = set()
        pos = 0
        for sentence in sentences:
            body = sentence.strip()
            found = chunk.find(body, pos) if body else -1
            if found < 0:
                continue  # pysbd rewrote something; ignore that piece
            pos = found + len(body)
            ends.add(offset + pos)
        return frozenset(ends)


def _number_before(text: str, pos: int) -> bool:
    before = text[max(0, pos - 16) : pos].split()
    return bool(before) and before[-1][-1:].isdigit()


def _at_sentence_start(text: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and text[k] in " \t\u00a0":
        k -= 1
    return k < 0 or text[k] in '\n.!?:;؟»"”)'


@lru_cache(maxsize=64)
def _splitter(lang: str) -> _Splitter:
    return _Splitter(lang)


def _language_key(language: str) -> str:
    code = normalise_code(language or "")
    return _THREE_LETTER.get(code, code) or "xx"


# --- placeholders -----------------------------------------------------------


class _PlainMap:
    """Text with placeholders removed, and the way back to original offsets."""

    __slots__ = ("orig_starts", "plain", "plain_starts")

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        self.plain_starts: list[int] = []
        self.orig_starts: list[int] = []
        pos = size = 0
        for m in _PLACEHOLDER.finditer(text):
            if m.start() > pos:
                self._add(parts, text, pos, m.start(), size)
                size += m.start() - pos
            pos = m.end()
        if pos < len(text):
            self._add(parts, text, pos, len(text), size)
        self.plain = "".join(parts)

    def _add(self, parts: list[str], text: str, a: int, b: int, size: int) -> None:
        parts.append(text[a:b])
        self.plain_starts.append(size)
        self.orig_starts.append(a)

    def end(self, p: int) -> int:
        """Original offset just after the plain character at ``p - 1``."""
        i = bisect_right(self.plain_starts, p - 1) - 1
        return self.orig_starts[i] + (p - 1 - self.plain_starts[i]) + 1


# --- public API -------------------------------------------------------------


def split_with_spacing(text: str, language: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(sentence, whitespace after it)`` pairs.

    ``"".join(s + ws for s, ws in pairs) == text`` always holds. Sentences
    carry no outer whitespace; leading whitespace of ``text`` comes back as a
    first pair with an empty sentence (so whitespace-only text gives one such
    pair, and ``""`` gives ``[]``). Callers translate only non-empty sentences.
    """
    if not text:
        return []
    lead = len(text) - len(text.lstrip())
    pairs: list[tuple[str, str]] = [("", text[:lead])] if lead else []
    if lead == len(text):
        return pairs
    stop = len(text.rstrip())
    splitter = _splitter(_language_key(language))

    cuts: Iterable[tuple[int, int]]
    if "<" in text and _PLACEHOLDER.search(text):
        mapping = _PlainMap(text)
        cuts = _map_cuts(text, mapping, splitter.boundaries(mapping.plain))
    else:
        cuts = splitter.boundaries(text)

    start = lead
    for end, nxt in cuts:
        if end <= start or nxt >= stop:
            continue
        pairs.append((text[start:end], text[end:nxt]))
        start = nxt
    pairs.append((text[start:stop], text[stop:]))
    return pairs


def _map_cuts(text: str, mapping: _PlainMap, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for end, _ in cuts:
        orig = mapping.end(end)
        orig = _TRAILING_TAGS.match(text, orig).end()  # "First.</g1>" keeps its tag
        out.append((orig, _WS.match(text, orig).end()))
    return out


def split_sentences(text: str, language: str) -> list[str]:
    """Sentences of ``text`` (no outer whitespace); ``[]`` for blank text."""
    return [s for s, _ in split_with_spacing(text, language) if s]
