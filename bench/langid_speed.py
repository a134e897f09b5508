"""Benchmark: language identification, accuracy and speed, ours vs naive langdetect.

Runs on tests/data/langid_eval.jsonl (titles, sentences, paragraphs and interface
strings in ar/fr/en, and confuser sentences in es/it/pt/de/tr/fa/ur):

- accuracy per category, on the set once: for ar/fr/en a guess is right only when
  it is the labelled language (``und`` is a miss); for confusers, the share
  labelled with their own language and the share kept off ar/fr/en;
- speed in blocks/s, single-threaded, on the set repeated to ~20,000 blocks;
- the same on the same blocks for the baseline measured in the same run: plain
  ``langdetect.detect`` with ``DetectorFactory.seed = 0`` (the naive approach).

Both are warmed up first (profiles loaded) on text outside the set. A rate on the
repeated blocks far above the rate on one pass over the distinct texts means the
detector caches results, and the repeated figure overstates it.
Target: ≥ 2,000 blocks/s.
Usage: python bench/langid_speed.py [--blocks 20000] [--config deployment|default] [--pin]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "langid_eval.jsonl"
DEPLOYMENT = ("ar", "fr", "en")
CATEGORIES = ("paragraph", "sentence", "title", "ui")
TARGET = 2000.0  # blocks/s
WARM_UP = (
    "Warm-up text that is not in the evaluation set.",
    "Un texte de mise en route qui ne fait pas partie du jeu d'évaluation.",
    "نص للإحماء لا يوجد في مجموعة التقييم.",
    "Un testo di prova che non fa parte del corpus di valutazione.",
)

Detect = Callable[[str], str]


def load_items(path: Path = EVAL_SET) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def our_detector(config: str) -> tuple[Detect, str]:
    from translator_pipeline.language.langid import LanguageDetector

    if config == "deployment" and "languages" in inspect.signature(LanguageDetector).parameters:
        detector = LanguageDetector(languages=DEPLOYMENT)
        label = f"LanguageDetector(languages={DEPLOYMENT})"
    else:
        detector = LanguageDetector()
        label = "LanguageDetector()"
    return (lambda text: detector.detect(text).language), label


def baseline_detector() -> tuple[Detect, str]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def naive(text: str) -> str:
        try:
            return detect(text)
        except LangDetectException:
            return "und"

    return naive, "langdetect.detect, DetectorFactory.seed = 0"


def accuracy(detect: Detect, items: Sequence[dict[str, str]]) -> dict[str, str]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    kept_off: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    for item in items:
        category, lang = item["category"], item["lang"]
        guess = detect(item["text"])
        total[category] += 1
        right[category] += guess == lang
        if guess != lang:
            misses[category].append(guess)
        if category == "confuser":
            kept_off[category] += guess not in DEPLOYMENT

    def share(n: int, d: int) -> str:
        return f"{n / d:7.1%} ({n}/{d})"

    report = {c: share(right[c], total[c]) for c in CATEGORIES if total[c]}
    if total["confuser"]:
        report["confuser (own language)"] = share(right["confuser"], total["confuser"])
        report["confuser (not ar/fr/en)"] = share(kept_off["confuser"], total["confuser"])
    report["overall"] = share(sum(right.values()), sum(total.values()))
    for category in ("title", "ui"):
        if misses[category]:
            report[f"  {category} misses"] = str(dict(Counter(misses[category])))
    return report


def rate(detect: Detect, blocks: Sequence[str]) -> tuple[float, float]:
    """Blocks per second, wall clock and CPU time of this thread."""
    wall, cpu = time.perf_counter(), time.thread_time()
    for text in blocks:
        detect(text)
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    return len(blocks) / wall, len(blocks) / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=20_000)
    parser.add_argument("--config", choices=("deployment", "default"), default="deployment")
    parser.add_argument("--pin", action="store_true", help="pin the process to one CPU")
    args = parser.parse_args()
    if args.pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    items = load_items()
    texts = [item["text"] for item in items]
    blocks = (texts * (args.blocks // len(texts) + 1))[: args.blocks]
    ours, ours_label = our_detector(args.config)
    naive, naive_label = baseline_detector()
    for detect in (ours, naive):
        for text in WARM_UP:
            detect(text)

    print(f"eval set: {len(items)} items {dict(Counter(i['category'] for i in items))}")
    print(f"blocks: {len(blocks)} (the set repeated), {sum(map(len, blocks)):,} characters")
    print(f"ours:     {ours_label}")
    print(f"baseline: {naive_label}\n")

    print("accuracy (ar/fr/en: right language, und is a miss)")
    ours_acc, naive_acc = accuracy(ours, items), accuracy(naive, items)
    print(f"  {'category':26} {'ours':>20}   {'baseline':>20}")
    for key in ours_acc:
        if key.startswith("  "):
            continue
        print(f"  {key:26} {ours_acc[key]:>20}   {naive_acc.get(key, '-'):>20}")
    for label, report in (("ours", ours_acc), ("baseline", naive_acc)):
        for key, value in report.items():
            if key.startswith("  "):
                print(f"  {label} {key.strip()}: {value}")

    unique_wall, _ = rate(ours, texts)
    ours_wall, ours_cpu = rate(ours, blocks)
    naive_wall, naive_cpu = rate(naive, blocks)
    ratio = ours_wall / naive_wall
    print("\nspeed (single thread)")
    print(f"  ours, one pass over the {len(texts)} distinct texts: {unique_wall:,.0f} blocks/s")
    print(f"  ours, CPU time: {ours_cpu:,.0f} blocks/s; baseline, CPU time: {naive_cpu:,.0f}")
    print(
        f"ours: {ours_wall:,.0f} blocks/s, baseline: {naive_wall:,.0f} blocks/s, ratio {ratio:.1f}"
    )
    verdict = "met" if ours_wall >= TARGET else "NOT met"
    print(f"target: ≥ {TARGET:,.0f} blocks/s: {verdict}")


if __name__ == "__main__":
    main()
