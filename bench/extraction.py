"""Benchmark: extraction without selectors vs trafilatura (and readability-lxml).

On trafilatura's own evaluation set (990 real pages; ``../shared/corpora/
trafilatura-eval`` beside the repository by default), in one run, the same
decoded pages go through:

- **project**: ``extract_article`` with a source that sets no selector (body,
  title and date, blocks marked for translation), its listing check off; the
  pages that check would skip as listings are counted apart at the end (nearly
  all of the set's pages are articles);
- **trafilatura**: ``bare_extraction(with_metadata=True, include_comments=False)``,
  the same job (body text, title, date);
- **readability**: readability-lxml's ``Document.summary()`` and ``short_title()``
  (no date), when it is installed (a dev dependency).

Scoring is the corpus README's, i.e. trafilatura's ``tests/eval_common.py``: each
``with``/``without`` snippet is an exact, case-sensitive substring test on the
extracted text with whitespace collapsed; TP/FN/FP/TN summed over all pages (an
extractor that fails on a page misses all its ``with`` snippets). Titles count
when equal after whitespace collapsing; dates when the first ten characters equal
the page's ``date``. Pages are also scored apart for the non-English ones (language
of their ``with`` snippets by langdetect, seeded). ms/page is wall time of the
extraction call alone (decoding excluded), summed over pages; the extractors take
turns page by page, so a machine busy with something else slows them alike.

Usage: python bench/extraction.py [CORPUS] [--limit N] [--sample N] [--no-readability]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "trafilatura-eval"
_WS = re.compile(r"\s+")


@dataclass
class Page:
    url: str
    html: str
    with_: list[str]
    without: list[str]
    title: str | None
    date: str | None
    lang: str = "?"


@dataclass(frozen=True)
class Result:
    """What one extractor gives for one page (None where it gives nothing)."""

    text: str | None
    title: str | None = None
    date: str | None = None


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    titles: int = 0
    titles_right: int = 0
    dates: int = 0
    dates_right: int = 0
    failures: int = 0
    seconds: float = 0.0
    pages: int = 0
    failed_urls: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0

    @property
    def title_rate(self) -> float:
        return self.titles_right / self.titles if self.titles else 0.0

    @property
    def date_rate(self) -> float:
        return self.dates_right / self.dates if self.dates else 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


def load_corpus(corpus: Path, limit: int | None = None, sample: int | None = None) -> list[Page]:
    """The corpus's pages, decoded as the pipeline decodes a fetched page. ``sample``
    picks that many pages with a fixed seed (the same ones every run)."""
    from translator_pipeline.crawl.decode import decode_html

    data = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(data.items())
    if sample is not None and sample < len(items):
        items = sorted(random.Random(27).sample(items, sample))
    if limit is not None:
        items = items[:limit]
    pages = []
    for url, entry in items:
        text, _, _ = decode_html((corpus / "pages" / entry["file"]).read_bytes())
        pages.append(
            Page(
                url=url if url.startswith("http") else f"https://example.org/{entry['file']}",
                html=text,
                with_=list(entry.get("with") or []),
                without=list(entry.get("without") or []),
                title=entry.get("title") or None,
                date=entry.get("date") or None,
            )
        )
    return pages


def detect_languages(pages: Iterable[Page]) -> None:
    """Each page's language, from its ``with`` snippets (the article's own words)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    for page in pages:
        try:
            page.lang = detect(" ".join(page.with_)) if page.with_ else "?"
        except LangDetectException:
            page.lang = "?"


def run_extractor(
    extractor: Callable[[Page], Result], pages: Iterable[Page]
) -> list[tuple[Page, Result, float]]:
    """Each page with what the extractor gave and the seconds it took."""
    out = []
    for page in pages:
        start = time.perf_counter()
        try:
            result = extractor(page)
        except Exception:  # a failure counts as an empty extraction
            result = Result(None)
        out.append((page, result, time.perf_counter() - start))
    return out


def score(runs: Iterable[tuple[Page, Result, float]], keep: Callable[[Page], bool]) -> Score:
    """Totals over the pages ``keep`` accepts, scored as the corpus README says."""
    out = Score()
    for page, result, seconds in runs:
        if not keep(page):
            continue
        out.seconds += seconds
        out.pages += 1
        text = _WS.sub(" ", result.text or "")
        if result.text is None:
            out.failures += 1
            out.failed_urls.append(page.url)
        for snippet in page.with_:
            if snippet in text:
                out.tp += 1
            else:
                out.fn += 1
        for snippet in page.without:
            if snippet in text:
                out.fp += 1
            else:
                out.tn += 1
        if page.title:
            out.titles += 1
            got = _WS.sub(" ", result.title or "").strip()
            out.titles_right += got == _WS.sub(" ", page.title).strip()
        if page.date:
            out.dates += 1
            out.dates_right += bool(result.date) and result.date[:10] == page.date[:10]
    return out


# --- the extractors -----------------------------------------------------------------------


def project_extractor() -> Callable[[Page], Result]:
    from translator_pipeline.config.settings import SourceSettings
    from translator_pipeline.crawl.extract import extract_article
    from translator_pipeline.errors import ExtractionError
    from translator_pipeline.models import FetchedPage

    source = SourceSettings(name="eval", start_urls=["https://example.org/"])

    def run(page: Page) -> Result:
        fetched = FetchedPage(page.url, page.url, 200, "text/html", "utf-8", "header", page.html)
        try:
            article = extract_article(fetched, source, only_articles=False)
        except ExtractionError:
            return Result(None)
        return Result(published_text(article), article.title, article.published)

    return run


_BLOCKS = ("p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br",
           "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "tp-run")  # fmt: skip


def _html_text(markup: str) -> str:
    """The text a reader sees in an HTML fragment, blocks on their own lines."""
    import lxml.html

    tree = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return tree.text_content()


def published_text(article: object) -> str:
    """What the pipeline publishes of an article: its title, then its body (code and
    other blocks kept verbatim included)."""
    return f"{article.title}\n{_html_text(article.body_html)}"  # type: ignore[attr-defined]


def listing_refusals(pages: Iterable[Page]) -> list[tuple[str, str]]:
    """(URL, reason) of the pages the pipeline would skip as listings, not articles."""
    from translator_pipeline.config.settings import SourceSettings
    from translator_pipeline.crawl.extract import extract_article
    from translator_pipeline.errors import ExtractionError, NotAnArticleError
    from translator_pipeline.models import FetchedPage

    source = SourceSettings(name="eval", start_urls=["https://example.org/"])
    refused = []
    for page in pages:
        fetched = FetchedPage(page.url, page.url, 200, "text/html", "utf-8", "header", page.html)
        try:
            extract_article(fetched, source)
        except NotAnArticleError as exc:
            refused.append((page.url, exc.message))
        except ExtractionError:
            pass
    return refused


def trafilatura_extractor() -> Callable[[Page], Result]:
    import trafilatura

    def run(page: Page) -> Result:
        doc = trafilatura.bare_extraction(
            page.html, url=page.url, with_metadata=True, include_comments=False
        )
        if doc is None:
            return Result(None)
        return Result(doc.text, doc.title, doc.date)

    return run


def readability_extractor() -> Callable[[Page], Result] | None:
    try:
        import lxml.html
        from readability import Document
    except ImportError:
        return None

    def run(page: Page) -> Result:
        document = Document(page.html)
        summary = document.summary(html_partial=True)
        tree = lxml.html.fragment_fromstring(summary, create_parent="div")
        for element in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "td", "br"):
            element.tail = "\n" + (element.tail or "")
        return Result(tree.text_content(), document.short_title(), None)

    return run


# --- report -------------------------------------------------------------------------------


def _row(name: str, s: Score, base: Score | None) -> str:
    line = (
        f"{name:<12} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
        f"title {100 * s.title_rate:5.1f}% ({s.titles_right}/{s.titles})  "
        f"date {100 * s.date_rate:5.1f}% ({s.dates_right}/{s.dates})  "
        f"{s.ms_per_page:6.1f} ms/page  failed {s.failures}"
    )
    if base is not None and base is not s:
        f1 = s.f1 / base.f1 if base.f1 else 0.0
        speed = s.ms_per_page / base.ms_per_page if base.ms_per_page else 0.0
        line += f"  | vs trafilatura: F1 ×{f1:.3f}, time ×{speed:.2f}"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N pages (sorted by URL)")
    parser.add_argument("--sample", type=int, help="N pages drawn with a fixed seed")
    parser.add_argument("--no-readability", action="store_true")
    args = parser.parse_args(argv)
    if not (args.corpus / "evaldata.json").is_file():
        print(f"no corpus at {args.corpus} (evaldata.json missing)", file=sys.stderr)
        return 2
    pages = load_corpus(args.corpus, args.limit, args.sample)
    detect_languages(pages)
    extractors: dict[str, Callable[[Page], Result]] = {
        "trafilatura": trafilatura_extractor(),
        "project": project_extractor(),
    }
    readability = None if args.no_readability else readability_extractor()
    if readability is not None:
        extractors["readability"] = readability
    # Warm-up: imports and lazy set-up are not per-page costs.
    for extractor in extractors.values():
        run_extractor(extractor, pages[:3])
    # Page by page, each extractor in turn: a machine busy with something else for a
    # while slows them all alike, so the ratios hold.
    runs: dict[str, list[tuple[Page, Result, float]]] = {name: [] for name in extractors}
    for page in pages:
        for name, extractor in extractors.items():
            runs[name].extend(run_extractor(extractor, [page]))
    non_english = sum(p.lang != "en" for p in pages)
    print(f"{len(pages)} pages ({non_english} not in English) from {args.corpus}")
    for label, keep in (("all pages", lambda p: True), ("not English", lambda p: p.lang != "en")):
        results = {name: score(run, keep) for name, run in runs.items()}
        base = results["trafilatura"]
        print(f"\n{label}:")
        for name, result in results.items():
            print(_row(name, result, base))
    refused = listing_refusals(pages)
    print(f"\nskipped as not an article (listing): {len(refused)} of {len(pages)} pages")
    for url, reason in refused[:20]:
        print(f"  {url}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
