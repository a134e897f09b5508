"""Cheap signals that a segment's machine translation is wrong, without a reference.

Each check looks at one segment (its source text and the published target) and
says what is off: the engine's own doubt (``low-score``), an answer in another
language or script, the source copied through, phrases repeated (the classic
hallucination loop), a length far from the language pair's norm, numbers or
addresses of the source missing, placeholders the engine lost, glossary terms
missed. A signal is ``severe`` when the segment is broken rather than doubtful.
Approved (pinned) segments are a translator's, and are not judged.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from html import unescape
from typing import TYPE_CHECKING

from translator_pipeline.language.facts import normalise_code, uses_arabic_script
from translator_pipeline.language.langid import script_of
from translator_pipeline.models import LanguageGuess, QualitySignal, SegmentRecord

if TYPE_CHECKING:
    from translator_pipeline.config.quality import QualitySettings
    from translator_pipeline.language.langid import LanguageDetector

__all__ = [
    "KINDS",
    "KIND_RANK",
    "SegmentTexts",
    "expected_script",
    "in_kind_order",
    "language_signals",
    "segment_signals",
]

#: Every kind of signal, most serious first: the order reasons are given in.
KINDS = (
    "wrong-script",
    "wrong-language",
    "identical",
    "repetition",
    "missing-number",
    "missing-link",
    "low-score",
    "length-ratio",
    "placeholders-lost",
    "glossary-miss",
)
KIND_RANK = {kind: i for i, kind in enumerate(KINDS)}

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_URL = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_HINT = re.compile(r"@|https?:|www\.")  # in every match of _URL: a cheap first look


def _no_urls(text: str) -> str:
    return _URL.sub(" ", text) if _URL_HINT.search(text) else text


# A number with its group and decimal separators (1,000.5 · 1 000,5 · 2026-03-05 is three).
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f\u066b\u066c ]\d+)*")
_DIGITS = str.maketrans(
    {
        **{chr(0x660 + i): str(i) for i in range(10)},  # Arabic-Indic
        **{chr(0x6F0 + i): str(i) for i in range(10)},  # Extended (Persian, Urdu)
        **{chr(0x966 + i): str(i) for i in range(10)},  # Devanagari
    }
)

# Scripts by language (ISO 15924 as language/langid.py's script_of names them: the
# first four letters of the Unicode script name). Unlisted languages are not checked.
_SCRIPTS = {
    "Cyri": "ru uk bg sr mk be kk ky tg mn",
    "Gree": "el",
    "Hebr": "he yi",
    "Deva": "hi mr ne sa",
    "Beng": "bn as",
    "Thai": "th",
    "Geor": "ka",
    "Arme": "hy",
    "Ethi": "am ti",
    "Hang": "ko",
    "Cjk ": "zh",
    "Latn": "en fr es pt it de nl ca ro pl cs sk sl hr bs sq hu fi et lv lt sv da no nb nn "
    "is ga cy eu gl tr az uz tk id ms tl vi sw ha yo ig so om wo ff rw mg zu xh af mt lb",
}
_SCRIPT_OF_LANGUAGE = {lang: s for s, langs in _SCRIPTS.items() for lang in langs.split()}
# Characters per word-of-meaning relative to Latin script, so a length ratio can be
# judged for any pair: Arabic writes short vowels as marks, CJK a word in one or two.
_DENSITY = {"Latn": 1.0, "Arab": 0.85, "Cyri": 1.05, "Hang": 0.45, "Cjk ": 0.3, "Hira": 0.35}
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&.-]+\b")
_MIN_RATIO_CHARS = 20  # shorter segments ("Home", a date) vary too much to judge
_SAMPLE = 1000  # characters of a group of segments the n-gram detector reads
_SURE = 0.8  # detector confidence from which another language is a fault


def expected_script(language: str) -> str | None:
    """The script ``language`` is written in, when known."""
    code = normalise_code(language).split("-")[0]
    if uses_arabic_script(code):
        return "Arab"
    if code == "ja":
        return None  # kanji and kana mixed: either may dominate
    return _SCRIPT_OF_LANGUAGE.get(code)


@dataclass(frozen=True)
class SegmentTexts:
    """A segment's source and published target as plain text."""

    source: str
    target: str

    @classmethod
    def of(cls, record: SegmentRecord) -> SegmentTexts:
        target = unescape(_TAG.sub(" ", record.target_html))
        return cls(_plain(record.source_text), _plain(target))

    @cached_property
    def source_words(self) -> list[str]:
        return _words(self.source)

    @cached_property
    def target_words(self) -> list[str]:
        return _words(self.target)


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(_no_urls(text)) if not w.isdigit()]


def _numbers(text: str) -> Counter[str]:
    """Numbers as digit strings: separators and leading zeros do not matter (3,5 = 3.5;
    03 = 3), nor the digits used (٣ = 3)."""
    found: Counter[str] = Counter()
    for match in _NUMBER.finditer(text.translate(_DIGITS)):
        digits = re.sub(r"\D", "", match.group()).lstrip("0") or "0"
        found[digits] += 1
    return found


def _links(text: str) -> set[str]:
    return {m.group().rstrip(".,;:!?)»").casefold() for m in _URL.finditer(text)}


def segment_signals(
    record: SegmentRecord,
    settings: QualitySettings,
    detector: LanguageDetector | None = None,
    pending: list[tuple[SegmentRecord, str, str]] | None = None,
) -> tuple[QualitySignal, ...]:
    """What looks wrong with one segment's translation, in :data:`KINDS` order.

    With ``pending``, a segment whose language only the n-gram detector can tell
    is added to it (with its text) instead: :func:`language_signals` then settles
    a whole variant's such segments at once."""
    if record.approved:
        return ()
    texts = SegmentTexts.of(record)
    found = [
        *_script_and_language(record, texts, settings, detector, pending),
        *_identical(texts, settings),
        *_repetition(texts),
        *_missing(texts),
        *_score(record, settings),
        *_length(record, texts, settings),
    ]
    if record.placeholders_lost:
        found.append(
            QualitySignal("placeholders-lost", "the engine lost inline markup; it was rebuilt")
        )
    if record.glossary_missed:
        found.append(
            QualitySignal("glossary-miss", f"{record.glossary_missed} glossary term(s) missing")
        )
    return in_kind_order(found)


def in_kind_order(signals: Iterable[QualitySignal]) -> tuple[QualitySignal, ...]:
    """``signals`` sorted as :data:`KINDS` lists their kinds, most serious first."""
    return tuple(sorted(signals, key=lambda s: KIND_RANK[s.kind]))


def _script_and_language(
    record: SegmentRecord,
    texts: SegmentTexts,
    settings: QualitySettings,
    detector: LanguageDetector | None,
    pending: list[tuple[SegmentRecord, str, str]] | None = None,
) -> Iterable[QualitySignal]:
    # Acronyms and addresses (UNESCO, www.icesco.org) stay Latin in any script.
    target = normalise_code(record.target_language).split("-")[0]
    letters_only = _ACRONYM.sub(" ", _no_urls(texts.target))
    script, counts = script_of(letters_only)
    letters = sum(counts.values())
    want = expected_script(record.target_language)
    if want is not None and letters >= 8 and counts[want] < letters / 2:
        yield QualitySignal(
            "wrong-script",
            f"{counts[want] * 100 // letters}% of its letters are {want}, "
            f"the script of {record.target_language}; mostly {script.strip()}",
            severe=True,
        )
        return
    if detector is None or len(texts.target_words) < settings.min_words:
        return
    if want == "Arab":
        return  # the script check said it
    words, leaning = detector.function_words(letters_only, target)
    if words == "plainly":
        return
    if words == "none":
        # No candidate language's function words: word salad or a string of names,
        # where an n-gram guess would be noise (and the slow part of the gate).
        return
    if pending is not None:
        pending.append((record, letters_only, leaning))
        return
    signal = _wrong_language(record, detector.detect(letters_only, hint=target))
    if signal is not None:
        yield signal


def _wrong_language(record: SegmentRecord, guess: LanguageGuess) -> QualitySignal | None:
    target = normalise_code(record.target_language).split("-")[0]
    if not (guess.known and guess.language != target and guess.confidence >= _SURE):
        return None
    untranslated = guess.language == normalise_code(record.source_language).split("-")[0]
    return QualitySignal(
        "wrong-language",
        f"reads as {guess.language} ({guess.confidence:.2f})"
        + (", the source language" if untranslated else ""),
        severe=True,
    )


def language_signals(
    pending: Sequence[tuple[SegmentRecord, str, str]], detector: LanguageDetector
) -> dict[str, QualitySignal]:
    """``wrong-language`` signals (by segment id) for one variant's segments whose
    language function words could not settle.

    The n-gram detector is the slow part of the gate, so it reads the segments
    together: grouped by the language their function words lean to, one guess
    per group (a group's text is longer, so its guess is also surer). A single
    segment is read alone, as before.
    """
    groups: dict[str, list[tuple[SegmentRecord, str]]] = defaultdict(list)
    for record, text, leaning in pending:
        groups[leaning].append((record, text))
    out: dict[str, QualitySignal] = {}
    for members in groups.values():
        hint = normalise_code(members[0][0].target_language)
        # n-gram extraction costs as the text is long; a thousand letters are plenty.
        sample = " ".join(text for _, text in members)[:_SAMPLE]
        guess = detector.detect(sample, hint=hint)
        for record, _ in members:
            signal = _wrong_language(record, guess)
            if signal is not None:
                out[record.id] = signal
    return out


def _identical(texts: SegmentTexts, settings: QualitySettings) -> Iterable[QualitySignal]:
    words = texts.source_words
    if len(words) >= settings.min_words and words == texts.target_words:
        yield QualitySignal("identical", "the translation is the source text", severe=True)


def _repetition(texts: SegmentTexts) -> Iterable[QualitySignal]:
    """A phrase repeated far more often than in the source: the decoder looping."""
    words, source = texts.target_words, texts.source_words
    for n in (4, 3, 2, 1):
        if len(words) < n * 3:
            continue
        grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        gram, count = grams.most_common(1)[0]
        if n == 1 and len(gram[0]) < 4:
            continue  # "the", "de", "و" recur by nature
        # A word repeated alone must come back in runs; longer phrases anywhere.
        if n == 1 and not _consecutive(words, gram[0], 3):
            continue
        limit = 3 if n > 1 else 4
        had = Counter(tuple(source[i : i + n]) for i in range(len(source) - n + 1))
        if count >= limit and count > 2 * max(1, max(had.values(), default=1)):
            phrase = " ".join(gram)
            yield QualitySignal("repetition", f"“{phrase}” {count} times", severe=True)
            return


def _consecutive(words: list[str], word: str, times: int) -> bool:
    run = 0
    for w in words:
        run = run + 1 if w == word else 0
        if run >= times:
            return True
    return False


def _missing(texts: SegmentTexts) -> Iterable[QualitySignal]:
    numbers, have = _numbers(texts.source), _numbers(texts.target)
    lost = sorted(set(numbers) - set(have), key=lambda d: (len(d), d))
    if lost:
        shown = ", ".join(lost[:5]) + (" …" if len(lost) > 5 else "")
        yield QualitySignal("missing-number", f"number(s) {shown} not in the output", True)
    links = _links(texts.source) - _links(texts.target)
    if links:
        yield QualitySignal(
            "missing-link", f"{', '.join(sorted(links)[:3])} not in the output", True
        )


def _score(record: SegmentRecord, settings: QualitySettings) -> Iterable[QualitySignal]:
    if record.score is None or record.score >= settings.min_score:
        return
    yield QualitySignal(
        "low-score",
        f"engine log-probability {record.score:.2f} per token",
        severe=record.score < settings.severe_score,
    )


def _length(
    record: SegmentRecord, texts: SegmentTexts, settings: QualitySettings
) -> Iterable[QualitySignal]:
    if len(texts.source) < _MIN_RATIO_CHARS:
        return
    want = expected_script(record.target_language) or script_of(texts.target)[0]
    have = expected_script(record.source_language) or script_of(texts.source)[0]
    norm = _DENSITY.get(want, 1.0) / _DENSITY.get(have, 1.0)
    ratio = len(texts.target) / len(texts.source) / norm
    off = max(ratio, 1 / ratio) if ratio > 0 else float("inf")
    if off > settings.length_ratio:
        shape = "longer" if ratio > 1 else "shorter"
        factor = "∞" if off == float("inf") else f"{off:.1f}"
        yield QualitySignal(
            "length-ratio",
            f"{factor}× {shape} than usual for {record.source_language}→{record.target_language}",
            severe=off > 2 * settings.length_ratio,
        )
