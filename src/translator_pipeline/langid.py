"""Language of an article and of its blocks.

Script decides first (Arabic script is never guessed by n-grams, which confuse
it with Persian and Urdu on short strings); Latin-script text goes to
langdetect with a fixed seed, so the same text always gets the same answer.
Too-short or low-confidence text is ``und``. A page's ``lang`` attribute is a
hint for ties only: templates and machine-translated pages lie.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from .models import Article, LanguageGuess

__all__ = ["LanguageDetector", "detect_article", "script_of"]

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.70
_PERSIAN = set("پچژگکی")
_URDU = set("ٹڈڑںےھہ")


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    cp = ord(char)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF:
        return "Arab"
    if 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return "Arab"
    if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
        return "Latn"
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0].title()[:4] if name else None


def script_of(text: str) -> tuple[str, Counter[str]]:
    """Dominant script of ``text`` (ISO 15924 style) and the letter counts per script."""
    counts: Counter[str] = Counter(s for s in map(_script, text) if s)
    if not counts:
        return "Zyyy", counts
    return counts.most_common(1)[0][0], counts


class LanguageDetector:
    """Deterministic detector. One instance can be shared by threads."""

    def __init__(self, min_confidence: float = MIN_CONFIDENCE, seed: int = 0) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        self.min_confidence = min_confidence
        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.seed = seed
        self._lock = threading.Lock()  # Detector objects are cheap but the factory is shared

    def detect(self, text: str, hint: str | None = None) -> LanguageGuess:
        script, counts = script_of(text)
        letters = sum(counts.values())
        if letters < MIN_LETTERS:
            return LanguageGuess("und", 0.0, script)
        if script == "Arab":
            share = counts["Arab"] / letters
            persian = sum(text.count(c) for c in _PERSIAN)
            urdu = sum(text.count(c) for c in _URDU)
            if urdu >= 2 and urdu * 20 >= counts["Arab"]:
                return LanguageGuess("ur", round(share, 3), script)
            if persian >= 2 and persian * 25 >= counts["Arab"]:
                return LanguageGuess("fa", round(share, 3), script)
            return LanguageGuess("ar", round(share, 3), script)
        if script != "Latn":
            return LanguageGuess("und", 0.0, script)
        from langdetect.lang_detect_exception import LangDetectException

        with self._lock:
            detector = self._factory.create()
            detector.append(text)
            try:
                ranked = detector.get_probabilities()
            except LangDetectException:
                return LanguageGuess("und", 0.0, script)
        if not ranked:
            return LanguageGuess("und", 0.0, script)
        top = ranked[0]
        if hint and top.prob < self.min_confidence:
            for candidate in ranked:
                if candidate.lang == hint and candidate.prob >= self.min_confidence / 2:
                    return LanguageGuess(hint, round(candidate.prob, 3), script)
        if top.prob < self.min_confidence:
            return LanguageGuess("und", round(top.prob, 3), script)
        return LanguageGuess(top.lang.split("-")[0], round(top.prob, 3), script)


def _hint(code: str | None) -> str | None:
    return code.replace("_", "-").split("-")[0].lower() if code else None


def detect_article(
    article: Article, detector: LanguageDetector, supported: Iterable[str] = ()
) -> Article:
    """Return ``article`` with its language, confidence and per-block languages set.

    A block is given its own language only when it is confidently one of
    ``supported`` and differs from the article's; otherwise it inherits.
    """
    text = " ".join([article.title, *(b.text for b in article.blocks)])
    guess = detector.detect(text, hint=_hint(article.declared_lang))
    supported = set(supported)
    block_languages: list[str | None] = []
    for block in article.blocks:
        own = detector.detect(block.text, hint=_hint(block.declared_lang))
        keep = (
            own.known
            and own.language != guess.language
            and own.language in supported
            and len(block.text) >= 40
        )
        block_languages.append(own.language if keep else None)
    return replace(
        article,
        language=guess.language,
        language_confidence=guess.confidence,
        block_languages=tuple(block_languages),
    )
