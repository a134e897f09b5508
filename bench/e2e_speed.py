"""Benchmark: the whole pipeline through the Prefect flow on a generated 500-article site.

The site is bench/crawl_speed.py's (~60 KB institutional pages: mega-menu,
inline scripts, sidebar; a title and 12 English paragraphs per article;
paginated listing pages), served by a real HTTP server on 127.0.0.1 that
answers ``If-Modified-Since`` like a static web server. Targets ar and fr.
Each engine gets its own copy of the site: the pseudo engine, and a tiny
random-weight Argos model (``translator_pipeline.testing.tiny_argos``: en↔fr,
en↔ar, SentencePiece trained on the site's sentences so a sentence costs about
as many tokens as with a real model; ``beam_size = 1``). Flows talk to one
``prefect server start`` (SQLite, no UI) started by the benchmark, as scheduled
runs would; ``--ephemeral`` gives each process Prefect's temporary server
instead, as ``translator-pipeline run`` without ``PREFECT_API_URL`` does.
Every measurement runs in its own process with a fresh state and output:

1. flow, N articles: the first run, the unchanged re-run, and a run after one
   paragraph was edited in ``--edits`` articles. Before the second and third,
   the benchmark waits (untimed, printed) until the server has digested the
   previous run — until a trivial flow costs what it costs on an idle server.
   Figures: articles/s of the first run; re-run time / first-run time (target
   < 10 %); segments re-translated after the edit, which must equal changed
   segments × target languages, counted twice: by a wrapper around the engine
   instance (every text given to ``translate_batch``; apart, those given to
   ``translate_alternatives``, the n-best retry for lost placeholders) and from
   the run report's ``ArticleOutcome.segments_translated``; peak RSS
   (``ru_maxrss`` of the flow's process; the server's process is not counted)
   after the first run.
2. flow, ``--small`` articles (the same site, lower ``max_articles``): peak RSS,
   for the growth ratio N vs small (target < 1.5×).
3. direct, N articles: the same run without Prefect — the library's run loop
   (``translator_pipeline.run.run_once``, the code the flow runs) with its
   stages on ``--direct-workers`` threads (default the flow's task-runner
   width). Flow first run / direct = Prefect's overhead (target ≤ 1.3×).

Prints a table per engine and lists the targets missed. The default run takes
about 10 minutes on 2 cores (the tiny model decoding ~12,000 paragraphs twice
is most of it); ``--quick`` (20 articles) about 1 minute; ``--engines pseudo``
about 3.

Usage: python bench/e2e_speed.py [--articles 500] [--small 100] [--edits 10]
       [--engines pseudo,argos] [--direct-workers 4] [--ephemeral] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from crawl_speed import PER_PAGE, build_site, serve  # noqa: E402
from news_corpus import news_sentences  # noqa: E402

TARGETS = ("ar", "fr", "en")
SOURCE_LANGUAGE = "en"  # every generated article is English
EDITED_BLOCK = 3  # the paragraph replaced in an edited article (0-based)
FLOW_WORKERS = 4  # translate_and_publish's ThreadPoolTaskRunner(max_workers=MAX_WORKERS)
ARGOS_PAIRS = (("en", "fr"), ("fr", "en"), ("en", "ar"), ("ar", "en"))
SETTLE_MAX = 300  # seconds to wait for the temporary server to catch up between runs
OLD_MTIME = 1_767_225_600  # 2026-01-01: generated pages are "old"; edited ones are newer


# --- the site, its edits and the config ---------------------------------------------


def make_site(root: Path, count: int) -> None:
    build_site(root, count)
    for path in root.rglob("*.html"):
        os.utime(path, (OLD_MTIME, OLD_MTIME))


def _letters(number: int) -> str:
    """A number spelled with letters only: digits would become protected placeholders."""
    out = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def edit_articles(root: Path, count: int, edits: int, tag: str) -> list[int]:
    """Replace paragraph EDITED_BLOCK of ``edits`` articles spread over the site with new,
    unique plain text, and give the files a newer modification time."""
    indices = sorted({i * count // edits for i in range(edits)})
    sentences = news_sentences(2 * len(indices), seed=len(tag) + 4242)
    stamp = max(time.time(), OLD_MTIME) + 5
    for n, i in enumerate(indices):
        path = root / "articles" / f"item-{i}.html"
        html = path.read_text(encoding="utf-8")
        body_start = html.index('<div class="body">')
        paragraphs = [m.start() for m in re.finditer("<p>", html[body_start:])]
        start = body_start + paragraphs[EDITED_BLOCK]
        end = html.index("</p>", start) + len("</p>")
        text = f"Update {tag} {_letters(i)}: {sentences[2 * n]} {sentences[2 * n + 1]}"
        path.write_text(html[:start] + f"<p>{text}</p>" + html[end:], encoding="utf-8")
        os.utime(path, (stamp, stamp))
    return indices


def write_config(
    directory: Path, base: str, engine: str, count: int, packages: Path | None
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    argos = f'\n[argos]\npackages_dir = "{packages}"\nbeam_size = 1\n' if packages else ""
    config = directory / "bench.toml"
    config.write_text(
        f"""
target_languages = {json.dumps(list(TARGETS))}
engine = "{engine}"
output_dir = "out"
state_path = "state/tp.sqlite3"

[fetch]
host_delay = 0
host_concurrency = {FLOW_WORKERS}
{argos}
[[sources]]
name = "bench"
start_urls = ["{base}/list-0.html"]
link_selector = "a.item"
next_selector = "a.next"
max_pages = {count // PER_PAGE + 2}
max_articles = {count}
title_selector = "h1.t"
body_selector = "div.body"
date_selector = "time"
""",
        encoding="utf-8",
    )
    return config


# --- in the worker processes ---------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class EngineCounter:
    """Counts what reaches the engine instance the run uses (it is cached per process,
    so wrapping the instance once covers the flow's tasks too)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batch = 0  # texts given to translate_batch
        self.alternatives = 0  # texts given to translate_alternatives (n-best retries)

    def install(self, config: Path) -> None:
        from translator_pipeline.config.settings import load_settings
        from translator_pipeline.engines import load_engine

        settings = load_settings(config)
        engine = load_engine(settings.engine, settings)
        for name, attr in (
            ("translate_batch", "batch"),
            ("translate_alternatives", "alternatives"),
        ):
            original = getattr(engine, name, None)
            if original is not None:
                setattr(engine, name, self._wrap(original, attr))

    def _wrap(self, original, attr):  # type: ignore[no-untyped-def]
        def counted(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
            with self.lock:
                setattr(self, attr, getattr(self, attr) + len(texts))
            return original(texts, *args, **kwargs)

        return counted

    def take(self) -> dict[str, int]:
        with self.lock:
            out = {"batch": self.batch, "alternatives": self.alternatives}
            self.batch = self.alternatives = 0
        return out


def _report_figures(report) -> dict:  # type: ignore[no-untyped-def]
    outcomes = report.outcomes
    return {
        "counts": {
            s: report.count(s) for s in ("published", "unchanged", "skipped", "failed", "withdrawn")
        },
        "report_translated": sum(o.segments_translated for o in outcomes),
        "report_from_memory": sum(o.segments_from_memory for o in outcomes),
        "stage_seconds": dict(report.stage_seconds),
    }


def worker_flow(config: Path, site: Path, count: int, edits: int, tag: str) -> dict:
    from prefect import flow

    from translator_pipeline.flows import translate_and_publish

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    def trivial_flow() -> float:
        start = time.perf_counter()
        warm_up()
        return time.perf_counter() - start

    server_seconds = trivial_flow()  # starts the temporary API server
    idle = min(trivial_flow(), trivial_flow())  # what a flow costs on an idle server
    counter = EngineCounter()
    counter.install(config)
    result: dict = {"server_seconds": server_seconds, "idle_flow": idle, "runs": {}}

    def settle() -> float:
        """Wait until the server has digested the previous run's task runs, events and
        logs: until a trivial flow costs what it costs on an idle server."""
        start = time.perf_counter()
        while trivial_flow() > max(1.5 * idle, idle + 0.5):
            if time.perf_counter() - start > SETTLE_MAX:
                break
        return time.perf_counter() - start

    def timed(name: str) -> None:
        if result["runs"]:
            result.setdefault("settle", {})[name] = settle()
        start = time.perf_counter()
        report = translate_and_publish(config_path=str(config))
        seconds = time.perf_counter() - start
        result["runs"][name] = {"seconds": seconds, **_report_figures(report), **counter.take()}

    timed("first")
    result["peak_mb"] = peak_rss_mb()
    if edits:
        timed("rerun")
        result["edited"] = edit_articles(site, count, edits, tag)
        timed("edit")
    return result


def worker_direct(config: Path, workers: int) -> dict:
    """The same run without Prefect: the library's run loop
    (:func:`translator_pipeline.run.run_once`) on ``workers`` threads — the code
    the flow runs, with the stages on a thread pool instead of Prefect tasks."""
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.run import run_once

    start = time.perf_counter()
    report = run_once(load_settings(config), workers=workers)
    seconds = time.perf_counter() - start
    counts: dict[str, int] = {}
    for o in report.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {
        "seconds": seconds,
        "counts": counts,
        "phases": dict(report.stage_seconds),
        "peak_mb": peak_rss_mb(),
    }


# --- the parent process ---------------------------------------------------------------


@contextmanager
def prefect_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """``prefect server start`` on a free 127.0.0.1 port (no UI); yields its API URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
               "--port", str(port), "--no-ui", "--analytics-off"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise SystemExit(f"prefect server exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"prefect server did not answer in 180 s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_worker(args: list[str], env: dict[str, str]) -> dict:
    cmd = [sys.executable, __file__, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"worker {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_packages(directory: Path) -> Path:
    """Tiny random-weight Argos packages whose SentencePiece model is trained on the
    site's sentences: ~2 pieces a word, near a real 32k-piece model's count (with the
    default 200-piece vocabulary, ~6: decoding would cost three times more)."""
    from translator_pipeline.testing.tiny_argos import DEFAULT_CORPUS, build_argos_package

    corpus = [*DEFAULT_CORPUS, *news_sentences(4000, seed=7)]
    for src, tgt in ARGOS_PAIRS:
        build_argos_package(directory, src, tgt, seed=11, corpus=corpus, vocab_size=1000)
    return directory


def bench_engine(
    engine: str, tmp: Path, site: Path, args: argparse.Namespace, env: dict[str, str]
) -> dict:
    root = tmp / f"site-{engine}"
    shutil.copytree(site, root)
    for path in root.rglob("*.html"):  # copytree keeps mtimes; be explicit anyway
        os.utime(path, (OLD_MTIME, OLD_MTIME))
    packages = build_packages(tmp / "argos") if engine == "argos" else None
    server, base = serve(root)
    try:

        def flow_worker(name: str, articles: int, edits: int) -> dict:
            config = write_config(tmp / engine / name, base, engine, articles, packages)
            return run_worker(
                ["--worker", "flow", "--config", str(config), "--site", str(root),
                 "--articles", str(articles), "--edits", str(edits), "--tag", engine],
                env,
            )  # fmt: skip

        flow = flow_worker("flow", args.articles, args.edits)
        little = flow_worker("small", args.small, 0)
        direct_config = write_config(tmp / engine / "direct", base, engine, args.articles, packages)
        direct = run_worker(
            [
                "--worker",
                "direct",
                "--config",
                str(direct_config),
                "--workers",
                str(args.direct_workers),
            ],
            env,
        )
    finally:
        server.shutdown()
    return {"flow": flow, "small": little, "direct": direct}


def _row(
    label: str, value: object = "", ratio: str = "", target: str = "", ok: object = None
) -> None:
    verdict = "" if ok is None else "ok" if ok else "MISSED"
    print(f"  {label:<50} {value!s:>18}  {ratio:>7}  {target:<8} {verdict}".rstrip())


def _stages(seconds: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()) if seconds else "n/a"


def print_results(engine: str, results: dict, args: argparse.Namespace) -> list[str]:
    """The engine's table; returns the targets it missed."""
    flow, small, direct = results["flow"], results["small"], results["direct"]
    first, rerun, edit = flow["runs"]["first"], flow["runs"]["rerun"], flow["runs"]["edit"]
    n, languages = args.articles, len(TARGETS) - 1
    missed = []

    def target(name: str, ok: bool) -> bool:
        if not ok:
            missed.append(f"{engine}: {name}")
        return ok

    print(f"\n{engine} engine — {n} articles, en → {languages} languages")
    _row("figure", "value", "ratio", "target")
    _row("first trivial flow of the process (excluded)", f"{flow['server_seconds']:.1f} s")
    _row("a trivial flow on the idle server (excluded)", f"{flow['idle_flow']:.2f} s")
    _row("flow, first run", f"{first['seconds']:.1f} s")
    _row("  articles/s", f"{n / first['seconds']:.1f}")
    counts = first["counts"]
    _row("  published / skipped / failed", f"{counts['published']} / {counts['skipped']} / "
         f"{counts['failed']}")  # fmt: skip
    _row("  engine inputs: translate_batch / n-best", f"{first['batch']} / {first['alternatives']}")
    _row("  seconds per stage (run report)", _stages(first["stage_seconds"]))
    _row("server catching up after it (excluded)", f"{flow['settle']['rerun']:.1f} s")
    ratio = rerun["seconds"] / first["seconds"]
    _row("flow, unchanged re-run", f"{rerun['seconds']:.2f} s", f"{ratio:.3f}", "< 0.10",
         target(f"re-run/first {ratio:.3f}", ratio < 0.10))  # fmt: skip
    _row("  unchanged articles / engine inputs", f"{rerun['counts']['unchanged']} / "
         f"{rerun['batch'] + rerun['alternatives']}")  # fmt: skip
    _row("  seconds per stage (run report)", _stages(rerun["stage_seconds"]))
    changed = len(flow["edited"])
    expected = changed * languages
    _row("server catching up (excluded)", f"{flow['settle']['edit']:.1f} s")
    _row(f"flow, 1 paragraph edited in {changed} articles", f"{edit['seconds']:.2f} s")
    _row("  republished articles", edit["counts"]["published"])
    _row("  changed segments × languages", f"{changed} × {languages} = {expected}")
    _row("  engine wrapper: texts to translate_batch", edit["batch"], "", "exact",
         target(f"{edit['batch']} texts re-translated, not {expected}",
                edit["batch"] == expected))  # fmt: skip
    _row("  engine wrapper: texts to translate_alternatives", edit["alternatives"])
    _row("  run report: segments_translated", edit["report_translated"], "", "exact",
         target(f"report says {edit['report_translated']} re-translated, not {expected}",
                edit["report_translated"] == expected))  # fmt: skip
    _row("  run report: segments_from_memory", edit["report_from_memory"])
    growth = flow["peak_mb"] / small["peak_mb"]
    _row(f"peak RSS of the flow's process, {args.small} articles", f"{small['peak_mb']:.0f} MB")
    _row(f"peak RSS of the flow's process, {n} articles", f"{flow['peak_mb']:.0f} MB",
         f"{growth:.2f}x", "< 1.5x", target(f"RSS growth {growth:.2f}x", growth < 1.5))  # fmt: skip
    _row(f"direct stages ({args.direct_workers} threads), first run", f"{direct['seconds']:.1f} s")
    _row("  articles/s", f"{n / direct['seconds']:.1f}")
    _row("  seconds per phase", _stages(direct["phases"]))
    _row("  peak RSS", f"{direct['peak_mb']:.0f} MB")
    overhead = first["seconds"] / direct["seconds"]
    _row("flow / direct (Prefect overhead)", "", f"{overhead:.2f}x", "<= 1.3x",
         target(f"Prefect overhead {overhead:.2f}x", overhead <= 1.3))  # fmt: skip
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--small", type=int, default=100, help="articles of the RSS baseline")
    parser.add_argument("--edits", type=int, default=10, help="articles with an edited paragraph")
    parser.add_argument("--engines", default="pseudo,argos")
    parser.add_argument("--direct-workers", type=int, default=FLOW_WORKERS)
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 20 articles, 5 small, 3 edits"
    )
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        help="each process starts Prefect's temporary server (as without PREFECT_API_URL) "
        "instead of sharing one `prefect server start`",
    )
    parser.add_argument("--worker", choices=["flow", "direct"], help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--site", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=FLOW_WORKERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "flow":
        out = worker_flow(args.config, args.site, args.articles, args.edits, args.tag)
        print(json.dumps(out))
        return
    if args.worker == "direct":
        print(json.dumps(worker_direct(args.config, args.workers)))
        return
    if args.quick:
        args.articles, args.small, args.edits = 20, 5, 3
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tp-e2e-") as name, ExitStack() as stack:
        tmp = Path(name)
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)  # never someone's real server
        env.update(
            PREFECT_HOME=str(tmp / "prefect"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
            XDG_DATA_HOME=str(tmp / "xdg-data"),  # argostranslate creates directories on import
            XDG_CONFIG_HOME=str(tmp / "xdg-config"),
            XDG_CACHE_HOME=str(tmp / "xdg-cache"),
        )
        for key in [k for k in env if k.startswith("TP_")]:
            del env[key]
        print(
            f"e2e benchmark: {args.articles} articles ({args.small} for the RSS baseline), "
            f"{args.edits} edited; engines {', '.join(engines)}; {os.cpu_count()} CPU(s)"
        )
        if args.ephemeral:
            print("Prefect: a temporary server per process (start time excluded)")
        else:
            start = time.perf_counter()
            env["PREFECT_API_URL"] = stack.enter_context(prefect_server(env, tmp / "server.log"))
            print(
                f"Prefect: one `prefect server start` on 127.0.0.1 (SQLite) for every run, "
                f"ready in {time.perf_counter() - start:.1f} s"
            )
        site = tmp / "site"
        make_site(site, args.articles)
        missed: list[str] = []
        for engine in engines:
            results = bench_engine(engine, tmp, site, args, env)
            missed += print_results(engine, results, args)
    print(f"\ntotal benchmark time {time.perf_counter() - started:.0f} s")
    if missed:
        print("below target: " + "; ".join(missed))


if __name__ == "__main__":
    main()
