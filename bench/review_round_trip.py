"""Benchmark: exporting and importing review files of ~1,000 segments.

Realistic English news articles (bench/news_corpus.py) are translated en → fr
by the pipeline's translate stage with the pseudo engine (fast, and its
output keeps the markup), judged by the quality gate, and recorded in a
SQLite state file as a run records them. Then, in the same process:

- baseline: reading that run's ``run-report.json`` (what translators were
  given before: json.loads of the file);
- export: the state's variant reviews → review units → XLIFF 1.2 → file;
- import: file → XLIFF parsed and checked against the state → approved
  segments stored (every unit taken, ``accept_all``);
- import again: the same file, every unit found unchanged.

Figures are seconds, ms per segment and ratios against the baseline.

Usage: python bench/review_round_trip.py [--articles 100] [--paragraphs 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from news_corpus import news_articles

from translator_pipeline.config.quality import QualitySettings
from translator_pipeline.engines.pseudo import PseudoTranslator
from translator_pipeline.glossary.pinned import segment_key
from translator_pipeline.language.langid import LanguageDetector
from translator_pipeline.models import ArticleOutcome, RunReport, Variant
from translator_pipeline.quality.judge import judge
from translator_pipeline.review.apply import check_review_files
from translator_pipeline.review.export import review_files
from translator_pipeline.review.xliff import read_xliff, write_xliff
from translator_pipeline.run.report import run_report_bytes
from translator_pipeline.store.state import StateStore
from translator_pipeline.translate.articles import translate_articles


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--paragraphs", type=int, default=9)
    args = parser.parse_args()
    articles = news_articles(args.articles, args.paragraphs, 2, links=True)
    results = translate_articles(articles, ["fr"], PseudoTranslator())
    settings, detector = QualitySettings(action="report"), LanguageDetector(("ar", "fr", "en"))
    with tempfile.TemporaryDirectory() as tmp:
        state = StateStore(Path(tmp) / "state.sqlite3")
        report = RunReport(started_at="2026-12-07T00:00:00+00:00")
        segments = 0
        for article in articles:
            [t] = results[article.url]  # type: ignore[misc]
            records, decision = judge(t.segments, settings, detector, pseudo=False)
            segments += len(records)
            variant = Variant(
                article_url=article.url,
                source_language="en",
                language="fr",
                direction="ltr",
                slug=str(article.url.rsplit("/", 1)[1]),
                title=t.title,
                page_html="",
                fragment_html="",
                signature=t.signature,
                segments=records,
                quality=decision,
            )
            state.record_reviews(article.url, article.content_hash, [variant], "", "")
            report.outcomes.append(
                ArticleOutcome(article.url, "published", languages=("fr",), source_language="en")
            )
            report.glossary_events.extend(t.glossary_events)
        run_report = Path(tmp) / "run-report.json"
        run_report.write_bytes(run_report_bytes(report))
        xliff = Path(tmp) / "review-fr.xlf"

        _, baseline = timed(lambda: json.loads(run_report.read_bytes()))

        def export() -> int:
            files = review_files(state.reviews(language="fr", with_records=True))
            xliff.write_bytes(write_xliff(files))
            return sum(len(f.units) for f in files)

        def import_() -> tuple[int, int]:
            files = read_xliff(xliff.read_bytes())
            variants = {(r.article_url, r.language): r for r in state.reviews(with_records=True)}
            approved = {
                (p.source_language, p.target_language, segment_key(p.source)): p.target
                for p in state.approved_segments()
            }
            check = check_review_files(files, variants, approved, origin="b", accept_all=True)
            return (
                state.approve_segments(check.approvals)
                if check.approvals
                else (
                    0,
                    check.total("unchanged"),
                )
            )

        units, export_s = timed(export)
        (stored, _), import_s = timed(import_)
        (_, unchanged), again_s = timed(import_)
        size = xliff.stat().st_size
    print(
        f"articles {len(articles)}, segments {segments} ({units} exported), "
        f"XLIFF {size / 1e6:.2f} MB; run-report.json as the baseline"
    )
    print(f"  read run-report.json (baseline) {baseline:8.4f} s")
    for name, seconds in (
        ("export (state → XLIFF)", export_s),
        (f"import ({stored} approved)", import_s),
        (f"import again ({unchanged} unchanged)", again_s),
    ):
        print(
            f"  {name:<32}{seconds:8.3f} s   {seconds / units * 1e3:6.3f} ms/segment   "
            f"{seconds / baseline:7.1f}× the baseline"
        )


if __name__ == "__main__":
    main()
