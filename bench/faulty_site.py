"""Benchmark: a site whose backend fails, against the same site healthy.

The generated site of bench/crawl_speed.py (CMS-sized pages, paginated
listings, Last-Modified / 304 like a static server) is served twice from
127.0.0.1: once healthy, once with 5 % of its articles slower than the fetch
timeout and 5 % answering 500. Each is run with the library's run loop
(``run_once``: discovery, concurrent fetching, extraction, the pseudo engine,
publication), twice: a first run and an unchanged re-run. The figure is the
discover + fetch time (the run report's stage seconds), the part a broken
backend costs; the other stages do the same work on both sites.

Prints, for the faulty site, the first-run and re-run times as ratios of the
healthy site's (goal: re-run ≤ 1.3×: URLs that failed back off instead of
costing their timeouts on every run), and the re-run with the backoff off
(``failure_backoff = 0``) to show what the backoff saves.

Usage: python bench/faulty_site.py [--articles 200] [--timeout 2] [--workers 4]
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crawl_speed import PER_PAGE, build_site


def serve(root: Path, slow: set[str], broken: set[str], delay: float):
    class Faulty(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path in broken:
                self.send_error(500, "Internal Server Error")
                return
            if path in slow:
                time.sleep(delay)  # longer than the fetch timeout: the client gives up first
            super().do_GET()

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address) -> None:
            pass  # the client gave up on a slow page: a broken pipe is the point

    handler = functools.partial(Faulty, directory=str(root))
    server = Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def settings_for(base: str, out: Path, count: int, timeout: float, backoff: float):
    from translator_pipeline.config.settings import Settings

    return Settings(
        source_languages=["en"],
        target_languages=["fr"],
        engine="pseudo",
        output_dir=str(out / "out"),
        state_path=str(out / "state.sqlite3"),
        sources=[
            {
                "name": "bench",
                "start_urls": [f"{base}/list-0.html"],
                "link_selector": "a.item",
                "next_selector": "a.next",
                "max_pages": count // PER_PAGE + 1,
                "max_articles": count,
                "title_selector": "h1.t",
                "body_selector": "div.body",
            }
        ],
        fetch={
            "host_delay": 0,
            "host_concurrency": 4,
            "timeout": timeout,
            "respect_robots": False,
            "failure_backoff": backoff,
        },
    )


def crawl_seconds(settings, workers: int) -> tuple[float, dict[str, int]]:
    from translator_pipeline.run.loop import run_once

    report = run_once(settings, workers=workers)
    seconds = report.stage_seconds.get("discover", 0.0) + report.stage_seconds.get("fetch", 0.0)
    counts = {s: report.count(s) for s in ("published", "unchanged", "skipped", "failed")}
    return seconds, {k: v for k, v in counts.items() if v}


def main() -> None:
    logging.getLogger("translator_pipeline").setLevel(logging.CRITICAL)  # the figures only
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    n = args.articles
    every = 20  # 5 %
    slow = {f"/articles/item-{i}.html" for i in range(3, n, every)}
    broken = {f"/articles/item-{i}.html" for i in range(13, n, every)}

    with tempfile.TemporaryDirectory(prefix="tp-faulty-") as tmp:
        root = Path(tmp) / "site"
        build_site(root, n)
        rows = {}
        cases = [
            ("healthy", set(), set(), 600.0),
            ("faulty", slow, broken, 600.0),
            ("faulty, backoff off", slow, broken, 0.0),
        ]
        for name, slow_paths, broken_paths, backoff in cases:
            server, base = serve(root, slow_paths, broken_paths, args.timeout * 1.5)
            try:
                work = Path(tmp) / name.replace(" ", "").replace(",", "-")
                settings = settings_for(base, work, n, args.timeout, backoff)
                first = crawl_seconds(settings, args.workers)
                again = crawl_seconds(settings, args.workers)
            finally:
                server.shutdown()
            rows[name] = (first, again)
            print(f"{name:>20}: first run {first[0]:6.2f} s {first[1]}")
            print(f"{'':>20}  re-run    {again[0]:6.2f} s {again[1]}")

    (clean_first, _), (clean_again, _) = rows["healthy"]
    (bad_first, _), (bad_again, _) = rows["faulty"]
    (_, _), (off_again, _) = rows["faulty, backoff off"]
    print()
    print(f"{n} articles, {len(slow)} slow (> {args.timeout:g} s timeout), {len(broken)} HTTP 500")
    print(f"first run, faulty / healthy:              {bad_first / clean_first:6.2f}x")
    print(f"unchanged re-run, faulty / healthy:       {bad_again / clean_again:6.2f}x (goal ≤ 1.3)")
    print(f"unchanged re-run without backoff / healthy: {off_again / clean_again:4.2f}x")


if __name__ == "__main__":
    main()
