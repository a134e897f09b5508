"""Benchmark: discovery + fetch + extraction on a generated 1,000-article site.

A site of N articles (~60 KB pages: a mega-menu, inline scripts and styles, a
sidebar, a footer, and ~6 KB of article text) and paginated listing pages is served from a real
HTTP server on 127.0.0.1 (Last-Modified / If-Modified-Since like a static web
server). Each measurement runs in its own process:

- first run: discover all listing pages, fetch and extract every article;
- unchanged re-run: the same with the validators remembered from the first
  run, so unchanged pages answer 304 and cost no extraction.

Prints articles/s for both, the re-run's time as a ratio of the first run's
(target: under 10 %), and peak memory at 100 and 1,000 articles (target: flat).
Usage: python bench/crawl_speed.py [--articles 1000] [--workers 4]
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from news_corpus import news_sentences

PER_PAGE = 50


def build_site(root: Path, count: int) -> None:
    sentences = news_sentences(4000, seed=7)
    # Institutional CMS pages carry far more chrome than article: a mega-menu,
    # inline scripts and styles, a related-articles sidebar and a big footer.
    # ~60 KB a page, the low end of what such sites serve.
    menu = "".join(
        f'<li><a href="/section-{i}/page-{j}.html">Section {i} page {j}</a></li>'
        for i in range(12)
        for j in range(15)
    )
    script = "<script>" + "var tracking = {id: 1, events: []};" * 300 + "</script>"
    style = "<style>" + ".menu li a { color: #123; padding: 4px; }" * 200 + "</style>"
    sidebar = "".join(
        f'<li><a href="/articles/item-{k}.html">{sentences[k][:80]}</a></li>' for k in range(40)
    )
    chrome_top = (
        f"{style}{script}<header><nav><ul>{menu}</ul></nav></header>"
        '<div class="cookie-banner">We use cookies. <button>OK</button></div>'
    )
    chrome_bottom = (
        f'<aside class="related"><ul>{sidebar}</ul></aside>'
        f"<footer><ul>{menu}</ul><p>© Demo organisation</p></footer>"
    )
    (root / "articles").mkdir(parents=True)
    for i in range(count):
        body = "".join(
            f"<p>{sentences[(i * 7 + k) % len(sentences)]} "
            f"{sentences[(i * 11 + k) % len(sentences)]}</p>"
            for k in range(12)
        )
        page = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Article {i}</title><script>var analytics = {i};</script></head><body>"
            f'{chrome_top}<article><h1 class="t">News item number {i}</h1>'
            f'<time datetime="2026-01-{i % 28 + 1:02d}">date</time>'
            f'<div class="body">{body}</div></article>{chrome_bottom}</body></html>'
        )
        (root / "articles" / f"item-{i}.html").write_text(page, encoding="utf-8")
    pages = (count + PER_PAGE - 1) // PER_PAGE
    for p in range(pages):
        links = "".join(
            f'<li><a class="item" href="/articles/item-{i}.html?utm_source=list">Item {i}</a></li>'
            for i in range(p * PER_PAGE, min(count, (p + 1) * PER_PAGE))
        )
        nxt = f'<a class="next" href="/list-{p + 1}.html">Next</a>' if p + 1 < pages else ""
        (root / f"list-{p}.html").write_text(
            f"<html><body>{chrome_top}<ul>{links}</ul>{nxt}{chrome_bottom}</body></html>",
            encoding="utf-8",
        )


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def worker(base: str, count: int, workers: int, validators_file: Path, rerun: bool) -> dict:
    from translator_pipeline.config.settings import FetchSettings, SourceSettings
    from translator_pipeline.crawl.discover import discover
    from translator_pipeline.crawl.fetch import Fetcher
    from translator_pipeline.run.stages import fetch_candidate

    source = SourceSettings(
        name="bench",
        start_urls=[f"{base}/list-0.html"],
        link_selector="a.item",
        next_selector="a.next",
        max_pages=count // PER_PAGE + 1,
        max_articles=count,
        title_selector="h1.t",
        body_selector="div.body",
    )
    fetch = FetchSettings(host_delay=0, host_concurrency=workers, respect_robots=True)
    remembered = json.loads(validators_file.read_text()) if rerun else {}
    start = time.perf_counter()
    with Fetcher(fetch) as fetcher:
        found = discover(source, fetcher)

        def one(candidate):
            # Keep only what a run needs afterwards, as a streaming pipeline would.
            etag, modified = remembered.get(candidate.url, (None, None))
            result = fetch_candidate(candidate, source, fetcher, etag, modified)
            kind = type(result).__name__ + (
                f":{result.status}" if hasattr(result, "status") else ""
            )
            kept = (result.etag, result.last_modified) if hasattr(result, "etag") else None
            return candidate.url, kind, kept

        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(one, found.candidates))
    seconds = time.perf_counter() - start
    kinds: dict[str, int] = {}
    new_validators = {}
    for url, kind, kept in results:
        kinds[kind] = kinds.get(kind, 0) + 1
        if kept is not None:
            new_validators[url] = kept
    if not rerun:
        validators_file.write_text(json.dumps(new_validators))
    peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return {"seconds": seconds, "articles": len(results), "kinds": kinds, "peak_mb": peak}


def run(base: str, count: int, workers: int, vfile: Path, rerun: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        base,
        "--articles",
        str(count),
        "--workers",
        str(workers),
        "--validators",
        str(vfile),
    ] + (["--rerun"] if rerun else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker")
    parser.add_argument("--validators")
    parser.add_argument("--rerun", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(
            json.dumps(
                worker(args.worker, args.articles, args.workers, Path(args.validators), args.rerun)
            )
        )
        return
    with tempfile.TemporaryDirectory(prefix="tp-crawl-") as tmp:
        results = {}
        for count in sorted({100, args.articles}):
            root = Path(tmp) / f"site-{count}"
            build_site(root, count)
            server, base = serve(root)
            vfile = Path(tmp) / f"validators-{count}.json"
            try:
                first = run(base, count, args.workers, vfile, rerun=False)
                again = run(base, count, args.workers, vfile, rerun=True)
            finally:
                server.shutdown()
            results[count] = (first, again)
            print(
                f"{count} articles: first run {first['seconds']:.2f} s "
                f"({first['articles'] / first['seconds']:.0f} articles/s, {first['kinds']}), "
                f"re-run {again['seconds']:.2f} s ({again['kinds']})"
            )
        first, again = results[args.articles]
        print()
        print(
            f"unchanged re-run / first run: {again['seconds'] / first['seconds']:.3f} "
            f"(target < 0.10)"
        )
        small = results[100][0]["peak_mb"]
        big = first["peak_mb"]
        print(
            f"peak memory: 100 articles {small:.0f} MB, {args.articles} articles {big:.0f} MB "
            f"({big / small:.2f}x; target: flat)"
        )


if __name__ == "__main__":
    main()
