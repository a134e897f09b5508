"""Language of an article and of its blocks.

Decisions, in order:

1. **Script.** Arabic script is decided by letters, never by n-grams (which
   confuse Arabic, Persian and Urdu on short strings): Persian and Urdu have
   letters Arabic does not use. Other non-Latin scripts are ``und`` unless a
   configured language is written in them.
2. **Function words.** Latin-script text with enough of one language's most
   frequent words (articles, prepositions, interface words) and a clear margin
   is decided without n-grams: fast, and right on the short strings where
   n-gram models guess wildly.
3. **langdetect**, seeded (deterministic) and restricted to the deployment's
   languages plus the usual confusers, so "Paris" cannot come out as
   Indonesian; short texts mix its probabilities with the word evidence.

Too-short or low-confidence text is ``und`` (a block then inherits the
article's language). A page's ``lang`` attribute only breaks near-ties:
templates and machine-translated pages lie.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from translator_pipeline.language.facts import ARABIC_SCRIPT_LANGUAGES, is_arabic_letter
from translator_pipeline.models import Article, LanguageGuess

__all__ = ["LanguageDetector", "detect_article", "script_of"]

MIN_LETTERS = 3
MIN_CONFIDENCE = 0.70
# Languages always among the candidates, whatever the deployment translates: the
# ones institutional sites publish most (so an article a deployment does not
# translate from is named right: a French page on an es/de/pt site is "fr", not
# its nearest neighbour) and those that share script and vocabulary with them.
CONFUSERS = ("en", "fr", "ar", "es", "it", "pt", "de", "nl", "ro", "ca", "tr", "fa", "ur")
_PERSIAN = set("پچژگکی")
_URDU = set("ٹڈڑںےھہ")

# The most frequent function words of each language, plus the words of site
# chrome ("Read more", "Lire la suite"). A word listed for two languages counts
# for both; the margin rule below makes it neutral.
_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is was for on that with as by at from are this be has have will "
        "which their its it an were been more about after said new also who not or than into "
        "read share search contact us home news next previous menu sign login accept cookies "
        "privacy terms all rights reserved subscribe follow back top our your page",
        "fr": "l' d' qu' n' s' c' j' le la les des du de et est une un dans pour que qui sur par "
        "à se en sous sans chez depuis vers selon sera était "
        "avec au aux ce cette "
        "ont été sont il elle ses leur leurs plus ne pas entre lors ainsi être sa son nous vous "
        "où lire suite partager rechercher contactez contacter accueil actualités suivante "
        "précédente connexion mentions légales accepter tous droits réservés retour haut page "
        "notre votre abonnez",
        "es": "el los las del y en por para con una que es se su sus al como más fue entre sobre "
        "este esta también ha han muy sin ser leer compartir buscar inicio",
        "it": "l' il lo gli della delle degli di e che per con una un sono è nel nella alla dal si "
        "anche più questo questa tra ha leggi condividi cerca",
        "pt": "o os as do da dos das e em para com uma um que não no na ao à pela pelo também mais "
        "se "
        "foi são entre sua seu ler compartilhar pesquisar",
        "de": "der die das und ist nicht mit von zu den dem ein eine für auf im auch sich des wird "
        "wurde bei nach aus sind hat weiterlesen teilen suche",
        "nl": "de het een van en is dat op te in voor met zijn niet ook bij door naar",
        "ro": "și în de la cu pe este un o care din pentru mai sau au fost",
        "ca": "l' d' el els la les de que per amb un una és del als",
        "tr": "ve bir bu için ile da de olarak olan daha çok gibi en ama kadar sonra ise",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ELISION = re.compile(r"^(?:l|d|qu|j|n|s|c|m|t)['’]", re.IGNORECASE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\S*\d\S*")
# What any match of _NOISE contains: most texts have none, and the scan is cheap.
_NOISE_HINT = re.compile(r"[@\d]|https?:|www\.")


def _denoise(text: str) -> str:
    return _NOISE.sub(" ", text) if _NOISE_HINT.search(text) else text


@lru_cache(maxsize=8192)  # a page uses few distinct characters; this runs on each one
def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    if is_arabic_letter(char):
        return "Arab"
    cp = ord(char)
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


@lru_cache(maxsize=8)
def _factory(languages: tuple[str, ...], seed: int):
    """A langdetect factory holding only ``languages`` (at least two)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    available = {p.name for p in Path(PROFILES_DIRECTORY).iterdir()}
    chosen = [lang for lang in languages if lang in available]
    for filler in ("en", "fr"):  # langdetect refuses fewer than two profiles
        if len(chosen) < 2 and filler not in chosen:
            chosen.append(filler)
    factory = DetectorFactory()
    factory.load_json_profile(
        [(Path(PROFILES_DIRECTORY) / lang).read_text(encoding="utf-8") for lang in chosen]
    )
    factory.seed = seed
    return factory


def _words(text: str) -> list[str]:
    words = []
    for word in _WORD.findall(_denoise(text)):
        if len(word) > 1 and word.isupper() and not text.isupper():
            continue  # acronyms (ICESCO, UNESCO) say nothing about the language
        word = word.lower()
        if _ELISION.match(word):  # l'éducation → l' + éducation
            words.append(word[:2].replace("’", "'"))
            word = word[2:]
        words.append(word)
    return words


class LanguageDetector:
    """Deterministic detector for a deployment's ``languages``. Thread-safe."""

    def __init__(
        self,
        languages: Sequence[str] = ("ar", "fr", "en"),
        *,
        confusers: Sequence[str] = CONFUSERS,
        min_confidence: float = MIN_CONFIDENCE,
        seed: int = 0,
    ) -> None:
        self.languages = tuple(dict.fromkeys(languages))
        self.candidates = tuple(dict.fromkeys([*self.languages, *confusers]))
        self.latin = tuple(c for c in self.candidates if c not in ARABIC_SCRIPT_LANGUAGES)
        self.min_confidence = min_confidence
        self.seed = seed
        self._lock = threading.Lock()

    # --- public ------------------------------------------------------------

    def detect(self, text: str, hint: str | None = None) -> LanguageGuess:
        script, counts = script_of(text)
        letters = sum(counts.values())
        if letters < MIN_LETTERS:
            return LanguageGuess("und", 0.0, script)
        if script == "Arab":
            return self._arabic_script(text, counts, letters)
        if script != "Latn":
            return LanguageGuess("und", 0.0, script)
        return self._latin(text, hint)

    def function_words(
        self, text: str, language: str
    ) -> tuple[Literal["plainly", "other", "none"], str]:
        """What function words alone say of ``text`` being in ``language`` (a cheap
        check before :meth:`detect`), and the candidate they lean to most ("" for
        none): ``plainly`` it is (at least three words only it has, twice as many as
        any other's); ``other``: some are another candidate's; ``none``: no other
        candidate's function word at all."""
        scores, exclusive = self._word_scores(_words(text))
        leaning = max(scores, key=lambda lang: (scores[lang], lang)) if scores else ""
        if language in self.latin:
            mine = exclusive[language]
            others = max((n for lang, n in exclusive.items() if lang != language), default=0)
            if mine >= 3 and mine >= 2 * others + 1:
                return "plainly", leaning
        if any(n for lang, n in scores.items() if lang != language):
            return "other", leaning
        return "none", leaning

    def plainly(self, text: str, language: str) -> bool:
        """Whether function words alone show ``text`` is in ``language``."""
        return self.function_words(text, language)[0] == "plainly"

    # --- internals -----------------------------------------------------------

    def _arabic_script(self, text: str, counts: Counter[str], letters: int) -> LanguageGuess:
        share = round(counts["Arab"] / letters, 3)
        arabic = counts["Arab"]
        urdu = sum(text.count(c) for c in _URDU)
        persian = sum(text.count(c) for c in _PERSIAN)
        # Urdu and Persian letters: a couple in a long Arabic text can be names or
        # typos; a steady share cannot.
        if urdu >= 2 and urdu * 20 >= arabic:
            return LanguageGuess("ur", share, "Arab")
        if persian >= 2 and persian * 25 >= arabic:
            return LanguageGuess("fa", share, "Arab")
        return LanguageGuess("ar", share, "Arab")

    def _word_scores(self, words: list[str]) -> tuple[Counter[str], Counter[str]]:
        """Function-word evidence per language: a word shared by k languages counts
        1/k; and the count of words only one language has."""
        scores: Counter[str] = Counter()
        exclusive: Counter[str] = Counter()
        for word in words:
            owners = [lang for lang in self.latin if word in _WORDS.get(lang, ())]
            for lang in owners:
                scores[lang] += 1 / len(owners)
            if len(owners) == 1:
                exclusive[owners[0]] += 1
        return scores, exclusive

    def _latin(self, text: str, hint: str | None) -> LanguageGuess:
        words = _words(text)
        if not words:
            return LanguageGuess("und", 0.0, "Latn")
        scores, exclusive = self._word_scores(words)
        ranked = scores.most_common()
        top = ranked[0][0] if ranked else ""
        top_n = exclusive[top]
        second_n = max((n for lang, n in exclusive.items() if lang != top), default=0)
        # Fast path: many words only one language has, and a clear lead.
        if top_n >= 3 and top_n >= 2 * second_n + 1 and top_n / len(words) >= 0.1:
            # From 0.8 at the threshold to 0.99 with eight or more such words, almost
            # all pointing the same way.
            purity = (top_n / (top_n + second_n) - 0.5) / 0.3
            confidence = 0.8 + 0.19 * min(1.0, top_n / 8) * min(1.0, purity)
            return LanguageGuess(top, round(confidence, 3), "Latn")

        # On one to three words n-gram models guess wildly among many languages
        # ("Culture" → Romanian, 1.0); there the only question worth asking is
        # which of the deployment's languages it is.
        short = len(words) <= 3
        own = tuple(lang for lang in self.languages if lang in self.latin)
        probs = self._ngram_probabilities(text, own if short and own else self.latin)
        if len(words) <= 6 and scores:
            # Short text: n-grams alone are unreliable; known words decide when
            # they mostly point one way.
            total = sum(scores.values())
            shares = [*sorted((v / total for v in scores.values()), reverse=True), 0.0]
            if shares[0] >= 0.6:
                confidence = 0.7 + 0.29 * (shares[0] - shares[1])
                return LanguageGuess(top, round(confidence, 3), "Latn")
        if short and not scores:
            raw = [w for w in _WORD.findall(_denoise(text)) if len(w) > 1]
            if raw and all(w[0].isupper() for w in raw) and not text.isupper():
                # Only capitalised words and no function word: names of places and
                # people ("Rabat", "Bamako") have no language of their own.
                return LanguageGuess("und", 0.0, "Latn")
            # n-grams choosing between two or three profiles are overconfident: keep
            # their answer only if the wider candidate set agrees, and never as sure.
            wide = self._ngram_probabilities(text, self.latin)
            agreed = max(wide, key=lambda lang: wide[lang]) if wide else None
            probs = {
                lang: min(p, 0.85) if lang == agreed else min(p, 0.5) for lang, p in probs.items()
            }
        if scores and probs:
            # Otherwise both kinds of evidence vote: n-gram log-probabilities plus a
            # bonus per function word (shared words split theirs), renormalised.
            votes = {
                lang: math.log(probs.get(lang, 0.0) + 0.01) + 1.5 * scores.get(lang, 0.0)
                for lang in set(probs) | set(scores)
            }
            peak = max(votes.values())
            weights = {lang: math.exp(v - peak) for lang, v in votes.items()}
            norm = sum(weights.values())
            probs = {lang: w / norm for lang, w in weights.items()}
        if not probs:
            return LanguageGuess("und", 0.0, "Latn")
        best = max(probs, key=lambda lang: probs[lang])
        confidence = probs[best]
        # A near-tie: the page's own declaration decides, and half the usual
        # confidence is enough when it agrees with the text.
        if (
            hint in probs
            and probs[hint] >= confidence - 0.1
            and probs[hint] >= self.min_confidence / 2
        ):
            return LanguageGuess(hint, round(probs[hint], 3), "Latn")
        if confidence < self.min_confidence:
            return LanguageGuess("und", round(confidence, 3), "Latn")
        return LanguageGuess(best, round(confidence, 3), "Latn")

    def _ngram_probabilities(self, text: str, languages: tuple[str, ...]) -> dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        sample = text.lower() if text.isupper() else text  # profiles are mostly lower case
        factory = _factory(languages, self.seed)
        with self._lock:
            detector = factory.create()
            detector.append(_denoise(sample))
            try:
                ranked = detector.get_probabilities()
            except LangDetectException:
                return {}
        return {r.lang.split("-")[0]: r.prob for r in ranked}


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
