"""Quality gate for language identification, on tests/data/langid_eval.jsonl.

The set holds institutional news text in the deployment's languages (ar, fr, en),
by kind of block: titles, sentences, paragraphs and short interface strings
("ui"); and full sentences in languages that share a script or vocabulary with
them ("confuser": es, it, pt, de, tr, fa, ur), labelled with their real language.

Floors, per kind of block and per detector configuration:

- paragraphs 100 %, sentences ≥ 99 %, titles ≥ 97 %, ui strings ≥ 97 %;
  a guess is right only when it is the labelled language: ``und`` counts as a miss;
- confusers are never labelled ar, fr or en (their own language or ``und`` is fine).

The detector is run as built with no arguments and, when its constructor takes
``languages``, restricted to the deployment's languages. Every failing test lists
the items it missed. This is a quality gate, not a timing test (see
bench/langid_speed.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from functools import cache

import pytest

from tests.factories import FIXTURES
from translator_pipeline.language.langid import LanguageDetector

EVAL_SET = FIXTURES / "langid_eval.jsonl"

DEPLOYMENT = ("ar", "fr", "en")
CONFUSER_LANGUAGES = ("es", "it", "pt", "de", "tr", "fa", "ur")
CATEGORIES = ("title", "sentence", "paragraph", "ui", "confuser")

FLOORS = {"paragraph": 1.0, "sentence": 0.99, "title": 0.97, "ui": 0.97}

# Minimum composition of the set.
MIN_ITEMS = 300
MIN_PER_DEPLOYMENT_LANGUAGE = {"title": 30, "sentence": 30, "paragraph": 15, "ui": 12}
MIN_CONFUSERS_PER_LANGUAGE = 10

_SENTENCE_END = re.compile(r"[.!?؟۔](?=\s|$)")
_PERSIAN_LETTERS = set("پچژگکی")
_URDU_LETTERS = set("ٹڈڑںےھ")
_FRENCH_ACCENTS = set("àâäçéèêëîïôöùûüÿœÀÂÇÉÈÊËÎÏÔÖÙÛÜŸŒ")
_UNACCENTED = re.compile(
    r"\b(?:a|education|reunion|securite|debats|energies|musees|journee|conference)\b", re.I
)

Item = dict[str, str]
Result = tuple[str, float, str]  # language, confidence, script


# --- the set ---------------------------------------------------------------------------


@cache
def load_items() -> tuple[Item, ...]:
    items = []
    with EVAL_SET.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                item = json.loads(line)
                item["line"] = str(number)
                items.append(item)
    return tuple(items)


def _words(text: str) -> list[str]:
    return [token for token in text.split() if any(c.isalnum() for c in token)]


# --- detectors -------------------------------------------------------------------------


CONFIGS: dict[str, Callable[[], LanguageDetector]] = {
    "default": LanguageDetector,
    "deployment": lambda: LanguageDetector(languages=DEPLOYMENT),
}


def make_detector(config: str) -> LanguageDetector:
    return CONFIGS[config]()


def detect_all(detector: LanguageDetector, items: tuple[Item, ...]) -> list[Result]:
    results = []
    for item in items:
        guess = detector.detect(item["text"])
        results.append((guess.language, guess.confidence, guess.script))
    return results


@cache
def _results(config: str) -> tuple[Result, ...]:
    return tuple(detect_all(make_detector(config), load_items()))


@pytest.fixture(params=list(CONFIGS), scope="module")
def results(request: pytest.FixtureRequest) -> tuple[str, tuple[Result, ...]]:
    config = request.param
    return config, _results(config)


def _describe(item: Item, result: Result) -> str:
    language, confidence, script = result
    text = item["text"] if len(item["text"]) <= 90 else item["text"][:87] + "..."
    return (
        f"  line {item['line']}: expected {item['lang']}, got {language} "
        f"({confidence:.2f}, {script}): {text!r}"
    )


# --- composition -----------------------------------------------------------------------


def test_eval_set_composition() -> None:
    items = load_items()
    assert len(items) >= MIN_ITEMS

    problems = []
    for item in items:
        lang, category, text = item.get("lang"), item.get("category"), item.get("text")
        where = f"line {item['line']}"
        if set(item) - {"line"} != {"text", "lang", "category"}:
            problems.append(f"{where}: keys {sorted(set(item) - {'line'})}")
        if not isinstance(text, str) or text != text.strip() or not text:
            problems.append(f"{where}: empty or padded text")
            continue
        if lang not in (*DEPLOYMENT, *CONFUSER_LANGUAGES):
            problems.append(f"{where}: language {lang!r}")
        if category not in CATEGORIES:
            problems.append(f"{where}: category {category!r}")
        if (category == "confuser") != (lang in CONFUSER_LANGUAGES):
            problems.append(f"{where}: {lang} item in category {category}")
        words = _words(text)
        if category == "title" and not 3 <= len(words) <= 10:
            problems.append(f"{where}: a title of {len(words)} words")
        sentences = len(_SENTENCE_END.findall(text))
        if category == "paragraph" and not 3 <= sentences <= 6:
            problems.append(f"{where}: a paragraph of {sentences} sentences")
        if category == "confuser" and len(words) < 8:
            problems.append(f"{where}: a confuser of {len(words)} words")
        if lang == "fa" and not _PERSIAN_LETTERS & set(text):
            problems.append(f"{where}: Persian without Persian letters")
        if lang == "ur" and not _URDU_LETTERS & set(text):
            problems.append(f"{where}: Urdu without Urdu letters")
    assert not problems, "\n".join(problems)

    texts = Counter(item["text"] for item in items)
    assert not [t for t, n in texts.items() if n > 1], "duplicate items"

    counts = Counter((item["lang"], item["category"]) for item in items)
    short = [
        f"{lang}/{category}: {counts[lang, category]} < {minimum}"
        for lang in DEPLOYMENT
        for category, minimum in MIN_PER_DEPLOYMENT_LANGUAGE.items()
        if counts[lang, category] < minimum
    ] + [
        f"{lang}/confuser: {counts[lang, 'confuser']} < {MIN_CONFUSERS_PER_LANGUAGE}"
        for lang in CONFUSER_LANGUAGES
        if counts[lang, "confuser"] < MIN_CONFUSERS_PER_LANGUAGE
    ]
    assert not short, "\n".join(short)


def test_eval_set_has_the_required_kinds_of_titles() -> None:
    titles = [i for i in load_items() if i["category"] == "title"]
    latin = [i for i in titles if i["lang"] in ("fr", "en")]
    acronyms = re.compile(r"\b(?:ICESCO|ISESCO|ALECSO|UNESCO|OIC|OCI)\b")

    for lang in ("fr", "en"):
        own = [i["text"] for i in latin if i["lang"] == lang]
        assert any(t.isupper() for t in own), f"no ALL-CAPS {lang} title"
        assert any(acronyms.search(t) for t in own), f"no {lang} title with an acronym"
        assert any(re.search(r"\d", t) for t in own), f"no {lang} title with a number"
    french = [i["text"] for i in latin if i["lang"] == "fr"]
    assert any(_FRENCH_ACCENTS & set(t) for t in french), "no French title with accents"
    # Sites that drop accents: "Reunion des ministres de l'education a Rabat".
    assert any(not _FRENCH_ACCENTS & set(t) and _UNACCENTED.search(t) for t in french), (
        "no French title written without its accents"
    )


# --- floors ----------------------------------------------------------------------------


@pytest.mark.parametrize("category", list(FLOORS))
def test_accuracy_floor(results: tuple[str, tuple[Result, ...]], category: str) -> None:
    config, found = results
    pairs = [
        (item, result)
        for item, result in zip(load_items(), found, strict=True)
        if item["category"] == category and item["lang"] in DEPLOYMENT
    ]
    assert pairs
    misses = [(item, result) for item, result in pairs if result[0] != item["lang"]]
    accuracy = 1 - len(misses) / len(pairs)
    per_language = {
        lang: sum(1 for item, result in pairs if item["lang"] == lang and result[0] == lang)
        for lang in DEPLOYMENT
    }
    assert accuracy >= FLOORS[category], (
        f"[{config}] {category}: accuracy {accuracy:.1%} < floor {FLOORS[category]:.0%} "
        f"({len(pairs) - len(misses)}/{len(pairs)}; right per language {per_language}); "
        f"{len(misses)} misses:\n" + "\n".join(_describe(i, r) for i, r in misses)
    )


def test_confusers_are_never_a_deployment_language(
    results: tuple[str, tuple[Result, ...]],
) -> None:
    config, found = results
    pairs = [
        (item, result)
        for item, result in zip(load_items(), found, strict=True)
        if item["category"] == "confuser"
    ]
    assert pairs
    wrong = [(item, result) for item, result in pairs if result[0] in DEPLOYMENT]
    assert not wrong, (
        f"[{config}] {len(wrong)}/{len(pairs)} confusers labelled ar/fr/en:\n"
        + "\n".join(_describe(i, r) for i, r in wrong)
    )


# --- determinism -----------------------------------------------------------------------


@pytest.mark.parametrize("config", list(CONFIGS))
def test_detection_is_deterministic(config: str) -> None:
    items = load_items()
    detector = make_detector(config)
    first = detect_all(detector, items)
    again = detect_all(detector, items)
    # A fresh detector, fed the set backwards: no state carried from one text to the next.
    backwards = detect_all(make_detector(config), items[::-1])[::-1]

    for label, other in (("second pass", again), ("fresh detector, reversed order", backwards)):
        differ = [
            f"  line {item['line']}: {a} vs {b}: {item['text'][:60]!r}"
            for item, a, b in zip(items, first, other, strict=True)
            if a != b
        ]
        assert not differ, f"[{config}] {label} differs on {len(differ)} items:\n" + "\n".join(
            differ
        )
