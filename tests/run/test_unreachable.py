"""A site whose backend fails: unreachable pages are *failed* (not skipped) with
their attempts, back off across runs, never hold up the rest of their chunk,
and the run's exit code says so. Against a real HTTP server on 127.0.0.1: a
small municipal news site with a crashing CMS page, a page that never answers
in time, a dead port and a few pages that are simply bad."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.factories import closed_port
from tests.support.server import Request, Response
from translator_pipeline.cli.main import EXIT_ARTICLES_FAILED, main
from translator_pipeline.config.settings import load_settings
from translator_pipeline.models import RunReport
from translator_pipeline.run.loop import run_once
from translator_pipeline.run.report import format_summary, run_report_dict
from translator_pipeline.store.state import StateStore

if TYPE_CHECKING:  # imported by name at run time, pytest would try to collect it
    from tests.support.server import TestServer

HTML = {"Content-Type": "text/html; charset=utf-8"}
STORY = (
    "<!doctype html><html lang='en'><head><title>{title} — Riverside Council</title></head>"
    "<body><header>Riverside Council</header><main><h2 class='headline'>{title}</h2>"
    "<section class='story'><p>{text}</p><p>The council will publish the minutes of the "
    "meeting on its website next week, together with the budget tables.</p></section>"
    "</main></body></html>"
)
TOPICS = {
    "bridge": "The council approved the repair of the old river bridge this morning.",
    "library": "The public library extends its opening hours during the winter months.",
    "market": "The farmers market moves to the town square from the first of March.",
}


def story(title: str, text: str) -> Response:
    return Response(STORY.format(title=title, text=text).encode(), headers=HTML)


def write_site_config(tmp_path: Path, server: TestServer, links: list[str], **fetch) -> Path:
    listing = "".join(f'<li><a class="item" href="{href}">{href}</a></li>' for href in links)
    server.route("/news/", Response(f"<ul class='items'>{listing}</ul>".encode(), headers=HTML))
    options = {"host_delay": 0, "timeout": 0.5, "retries": 1, "backoff_base": 0.01,
               "backoff_max": 0.02, "respect_robots": "false", **fetch}  # fmt: skip
    fetch_table = "\n".join(f"{key} = {value}" for key, value in options.items())
    config = tmp_path / "council.toml"
    config.write_text(
        f"""
source_languages = ["en"]
target_languages = ["fr"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[[sources]]
name = "council"
start_urls = ["{server.url("/news/")}"]
link_selector = "ul.items a.item"
title_selector = "h2.headline"
body_selector = "section.story"

[fetch]
{fetch_table}
""",
        encoding="utf-8",
    )
    return config


def outcomes_by_path(report: RunReport, server: TestServer) -> dict:
    return {o.url.removeprefix(server.base_url.rstrip("/")): o for o in report.outcomes}


@pytest.fixture
def council(server: TestServer) -> TestServer:
    for slug, text in TOPICS.items():
        server.route(f"/news/{slug}.html", story(slug.title(), text))
    server.route("/news/budget.html", Response(b"<h1>Fatal error</h1>", status=500, headers=HTML))
    server.route("/news/tenders.html", Response(b"<p>late</p>", delay=2.0, headers=HTML))
    server.route(
        "/news/agenda.pdf", Response(b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    )
    server.route(
        "/news/old.html", Response(b"", status=301, headers={"Location": "/news/older.html"})
    )
    server.route(
        "/news/older.html", Response(b"", status=302, headers={"Location": "/news/old.html"})
    )
    return server


def council_links(server: TestServer) -> list[str]:
    dead = f"http://127.0.0.1:{closed_port()}/news/archive.html"
    bad = ["/news/budget.html", "/news/tenders.html", "/news/agenda.pdf", "/news/old.html"]
    return [*(f"/news/{s}.html" for s in TOPICS), *bad, dead, "file:///var/www/council/news.html"]


def test_unreachable_pages_fail_with_their_attempts_and_bad_pages_are_skipped(council, tmp_path):
    links = council_links(council)
    report = run_once(load_settings(write_site_config(tmp_path, council, links)))
    out = outcomes_by_path(report, council)

    for slug in TOPICS:
        assert out[f"/news/{slug}.html"].status == "published"
    budget, tenders = out["/news/budget.html"], out["/news/tenders.html"]
    assert (budget.status, budget.http_status, budget.attempts) == ("failed", 500, 2)
    assert budget.reason == "ServerError: HTTP 500 Internal Server Error after 2 attempts"
    assert (tenders.status, tenders.attempts) == ("failed", 2)
    assert tenders.reason.startswith("UnreachableError: timed out after 0.5 s, 2 attempts")
    dead = next(o for o in report.outcomes if o.url.endswith("/archive.html"))
    assert (dead.status, dead.attempts) == ("failed", 2)
    assert dead.reason.startswith("UnreachableError: connection failed after 2 attempts")
    assert all(o.next_attempt for o in (budget, tenders, dead))  # backing off from now on

    pdf, loop = out["/news/agenda.pdf"], out["/news/old.html"]
    assert (pdf.status, pdf.http_status) == ("skipped", 200)
    assert "not HTML" in pdf.reason
    assert loop.status == "skipped"
    old, older = council.url("/news/old.html"), council.url("/news/older.html")
    assert loop.reason.endswith(f"redirect loop: {old} → {older} → {old}")

    assert report.count("failed") == 3 and report.count("skipped") == 2
    refused = {url: reason for _, url, reason in report.refused_links}
    assert refused["file:///var/www/council/news.html"].startswith("file: URLs are never fetched")
    summary = format_summary(report)
    assert "      file:///var/www/council/news.html" in summary  # the link, not only a count
    assert "failed: " + council.url("/news/budget.html") in summary
    articles = {a["url"]: a for a in run_report_dict(report)["articles"]}
    assert articles[council.url("/news/budget.html")]["attempts"] == 2


def test_an_unreachable_url_backs_off_across_runs_and_is_cleared_once_it_answers(council, tmp_path):
    config = write_site_config(tmp_path, council, ["/news/bridge.html", "/news/budget.html"])
    settings = load_settings(config)
    budget = council.url("/news/budget.html")

    first = outcomes_by_path(run_once(settings), council)
    assert first["/news/budget.html"].attempts == 2 and council.hits("/news/budget.html") == 2

    second = outcomes_by_path(run_once(settings), council)
    assert council.hits("/news/budget.html") == 2  # not requested again
    waiting = second["/news/budget.html"]
    assert (waiting.status, waiting.attempts, waiting.http_status) == ("failed", 0, 500)
    assert "backing off" in waiting.reason and "HTTP 500" in waiting.reason
    assert waiting.next_attempt == first["/news/budget.html"].next_attempt
    assert second["/news/bridge.html"].status == "unchanged"

    state = StateStore(tmp_path / "state.sqlite3")
    [(failures, wait)] = (
        sqlite3.connect(tmp_path / "state.sqlite3")
        .execute(
            "SELECT failures, next_attempt - strftime('%s', last_failed_at) FROM fetch_failures"
        )
        .fetchall()
    )
    assert failures == 1 and wait == pytest.approx(600, abs=2)  # failure_backoff's default

    # Time passes (the backoff is over) and the CMS is fixed: fetched, published, forgotten.
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        db.execute("UPDATE fetch_failures SET next_attempt = 0")
    council.route("/news/budget.html", story("Budget", "The budget for next year is balanced."))
    third = outcomes_by_path(run_once(settings), council)
    assert third["/news/budget.html"].status == "published"
    assert state.fetch_failures([budget]) == {}


def test_each_failed_run_doubles_the_wait_up_to_the_cap(tmp_path):
    from tests.support.clock import FakeClock

    clock = FakeClock()
    state = StateStore(tmp_path / "state.sqlite3", clock=clock)
    waits = []
    for _ in range(6):
        failure = state.record_fetch_failure("https://x.org/a", "HTTP 503", 503, base=60, cap=500)
        waits.append(failure.next_attempt - clock.time())
    assert waits == [60, 120, 240, 480, 500, 500]
    assert state.fetch_failures(["https://x.org/a"])["https://x.org/a"].failures == 6


def test_backoff_off_fetches_the_url_on_every_run(council, tmp_path):
    links = ["/news/market.html", "/news/budget.html"]
    settings = load_settings(write_site_config(tmp_path, council, links, failure_backoff=0))
    run_once(settings)
    budget = outcomes_by_path(run_once(settings), council)["/news/budget.html"]
    assert council.hits("/news/budget.html") == 4
    assert (budget.status, budget.attempts, budget.next_attempt) == ("failed", 2, None)


def test_a_slow_page_does_not_hold_up_the_rest_of_its_chunk(server, tmp_path):
    other_requested = threading.Event()
    held_until_others_came: list[bool] = []

    def slow(_request: Request) -> Response:
        # Sequential fetching would ask for nothing else until this answers.
        held_until_others_came.append(other_requested.wait(timeout=5))
        return story("Slow", "The slow page arrived at last, after everyone else.")

    def quick(slug: str):
        def respond(_request: Request) -> Response:
            other_requested.set()
            return story(slug.title(), TOPICS[slug])

        return respond

    server.route("/news/slow.html", slow)
    for slug in TOPICS:
        server.route(f"/news/{slug}.html", quick(slug))
    links = ["/news/slow.html", *(f"/news/{s}.html" for s in TOPICS)]
    config = write_site_config(tmp_path, server, links, timeout=10, host_concurrency=2)

    report = run_once(load_settings(config), workers=1)  # one worker: one chunk

    assert held_until_others_came == [True]
    assert report.count("published") == 4


def test_run_exits_3_when_articles_failed_and_0_when_all_is_well(
    prefect_harness, council, tmp_path, capsys
):
    config = write_site_config(
        tmp_path, council, ["/news/bridge.html", "/news/budget.html"], failure_backoff=0
    )
    assert main(["run", "--config", str(config), "--quiet"]) == EXIT_ARTICLES_FAILED == 3
    council.route("/news/budget.html", story("Budget", "The budget for next year is balanced."))
    assert main(["run", "--config", str(config), "--quiet"]) == 0
