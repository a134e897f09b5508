"""Benchmark: segmentation + reassembly + sanitising cost relative to the engine's time.

Builds a 40-paragraph English news article (inline markup, links, a list, a
table, numbers, URLs) and two random-weight Argos packages: an Argos-size one
(Transformer-base 6+6 layers, d_model 512, 32k vocabulary, int8) and a tiny
one (``build_argos_package`` defaults). For each model it times

- (a) the engine alone: ``ArgosTranslator.translate_batch`` on exactly the
      batches ``translate_articles`` sends (recorded from a real run: the
      first pass and, since random weights mangle placeholders, the piecewise
      retry pass too);
- (b) the whole ``translate_articles([article], ["fr"], engine)`` followed by
      ``render.sanitise`` on the translated body;

and prints our overhead = (b - a) / b. Best of 3 runs each. The engine time
measured inside (b) (through a timing proxy) is printed too, as a cross-check.

Usage: python bench/html_overhead.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TARGET = 0.10  # overhead goal with the Argos-size model

PARAGRAPHS = [
    "The government announced on Monday a {n} % increase in the education budget, "
    'according to <a href="https://news.example.org/budget-{i}">a statement</a> '
    "published by the ministry.",
    "<strong>Officials</strong> said the plan would create <em>about {n} 000 jobs</em> "
    "over the next three years, mainly in rural regions.",
    "Speaking to reporters in the capital, the minister described the measure as "
    '"<q>a historic step</q>" and promised further details at www.example.gov/plan{i}.',
    "Critics argued that the figures, first reported on 12/03/2026, were "
    '<a href="https://example.com/analysis?id={i}"><b>overly optimistic</b></a> '
    "and did not account for inflation of {n}.5 %.",
    "The opposition leader, reached by e-mail at press{i}@example.org, said her party "
    "would examine the text <i>line by line</i> before the vote.",
    'According to the <abbr title="International Monetary Fund">IMF</abbr>, growth is '
    "expected to reach {n}.2 % this year, up from 1.8 % in 2025.<sup>{i}</sup>",
    "Several regional newspapers reported long queues outside polling stations, "
    "with turnout estimated at <span>{n} %</span> by mid-afternoon.",
    "The report, reference ALECSO/2026/REF-{i}, also recommends investment in teacher "
    "training and <small>digital infrastructure</small>.",
]


def article_body() -> str:
    """A 40-paragraph English news article body with a list and a table mixed in."""
    parts = ["<h2>Budget plan sparks debate</h2>"]
    for i in range(40):
        parts.append(f"<p>{PARAGRAPHS[i % len(PARAGRAPHS)].format(i=i, n=10 + i)}</p>")
        if i == 12:
            parts.append(
                "<ul>"
                + "".join(
                    f'<li>Measure {k}: <a href="https://example.org/m/{k}">details</a> '
                    f"and a cost of {k * 120} million euros.</li>"
                    for k in range(1, 6)
                )
                + "</ul>"
            )
        if i == 25:
            rows = "".join(
                f"<tr><td>Region {k}</td><td>{k * 3}.{k} %</td><td>Rising sharply</td></tr>"
                for k in range(1, 7)
            )
            parts.append(
                "<table><thead><tr><th>Region</th><th>Growth</th><th>Trend</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
        if i == 30:
            parts.append(
                '<figure><img src="https://cdn.example.org/photo.jpg" alt="The minister '
                'speaking in parliament"><figcaption>The minister on Monday.</figcaption></figure>'
            )
    return "".join(parts)


def make_article(body: str):
    from bs4 import BeautifulSoup

    from translator_pipeline.html.segment import blocks_from_units, mark_blocks
    from translator_pipeline.models import Article

    soup = BeautifulSoup(f"<div>{body}</div>", "html.parser")
    units = mark_blocks(soup.div, soup)
    return Article(
        url="https://news.example.org/budget",
        source="bench",
        title="Budget plan sparks debate in parliament",
        body_html=str(soup.div),
        blocks=blocks_from_units(units),
        language="en",
    )


class TimedEngine:
    """Delegates to an engine, recording each batch and the time spent in it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.name = engine.name
        self.pseudo = engine.pseudo
        self.calls: list[tuple[list[str], str, str]] = []
        self.seconds = 0.0

    def supports(self, source: str, target: str) -> bool:
        return self.engine.supports(source, target)

    def signature(self, source: str, target: str):
        return self.engine.signature(source, target)

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.calls.append((list(texts), source, target))
        start = time.perf_counter()
        out = self.engine.translate_batch(texts, source, target)
        self.seconds += time.perf_counter() - start
        return out


def measure(packages_dir: Path, article, repeat: int) -> dict:
    from translator_pipeline.config.settings import ArgosSettings
    from translator_pipeline.engines.argos import ArgosTranslator
    from translator_pipeline.publishing.render import sanitise
    from translator_pipeline.translate.articles import translate_articles

    engine = ArgosTranslator(ArgosSettings(packages_dir=packages_dir, beam_size=2))
    engine.translate_batch(["Warm up."], "en", "fr")  # load the model

    # Record the batches translate_articles sends (one warm-up run of the whole thing).
    recorder = TimedEngine(engine)
    [fr] = translate_articles([article], ["fr"], recorder)[article.url]
    calls = recorder.calls

    engine_alone, whole, inside = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for texts, src, tgt in calls:
            engine.translate_batch(texts, src, tgt)
        engine_alone.append(time.perf_counter() - start)

        timed = TimedEngine(engine)
        start = time.perf_counter()
        [fr] = translate_articles([article], ["fr"], timed)[article.url]
        sanitise(fr.body_html)
        whole.append(time.perf_counter() - start)
        inside.append(timed.seconds)
    a, b = min(engine_alone), min(whole)
    return {
        "batches": [len(texts) for texts, _, _ in calls],
        "fallbacks": fr.fallbacks,
        "engine": a,
        "whole": b,
        "inside": min(inside),
        "overhead": (b - a) / b,
        "overhead_inside": (b - min(inside)) / b,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; best is kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tp-bench-") as tmp:
        tmp_path = Path(tmp)
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(tmp_path / var.lower())  # before argostranslate is imported
        from translator_pipeline.testing.tiny_argos import build_argos_package

        start = time.perf_counter()
        build_argos_package(
            tmp_path / "big",
            "en",
            "fr",
            layers=6,
            d_model=512,
            heads=8,
            ffn=2048,
            vocab_size=32000,
            quantization="int8",
        )
        print(f"built Argos-size en→fr package in {time.perf_counter() - start:.1f} s")
        build_argos_package(tmp_path / "tiny", "en", "fr")

        article = make_article(article_body())
        print(f"article: {len(article.blocks)} blocks, best of {args.repeat} runs each\n")
        results = {
            "Argos-size": measure(tmp_path / "big", article, args.repeat),
            "tiny": measure(tmp_path / "tiny", article, args.repeat),
        }
        for name, r in results.items():
            print(
                f"{name:<11} batches {r['batches']} (fallbacks {r['fallbacks']})\n"
                f"            engine alone {r['engine']:7.3f} s   whole+sanitise "
                f"{r['whole']:7.3f} s   engine inside {r['inside']:7.3f} s\n"
                f"            overhead (b-a)/b {r['overhead']:6.1%}   "
                f"(vs engine time inside the run: {r['overhead_inside']:6.1%})"
            )
        big = results["Argos-size"]["overhead"]
        verdict = "OK" if big < TARGET else "ABOVE TARGET"
        print(f"\nArgos-size overhead {big:.1%} (target < {TARGET:.0%}): {verdict}")


if __name__ == "__main__":
    sys.exit(main())
