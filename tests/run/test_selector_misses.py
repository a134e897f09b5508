"""A configured selector that matches nothing on any article a run fetched is a
problem of its source, reported once in the run report and the summaries, not
hidden in every article. Real runs over a real HTTP server (static files with
ETags, so a second run gets 304s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.server import TestServer, serve
from translator_pipeline import load_settings, run_once
from translator_pipeline.run.progress import summary_table
from translator_pipeline.run.report import format_summary

PARISH = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} - Parish Gazette</title></head><body>
<nav>Home | Events | Contact</nav>
<h1 class="headline">{title}</h1>{date}
<div class="story"><p>{text}</p>
<p>Everyone is welcome; the parish hall has step-free access from the car park.</p>
<div class="share-tools">Print this page</div></div>
<footer>Parish Gazette, printed monthly</footer></body></html>"""
GAZETTE = {
    "choir.html": ("Choir rehearsals resume", "<time class='published'>2026-02-01</time>",
                   "The parish choir resumes its Thursday rehearsals after the winter break."),
    "fete.html": ("Summer fete planning meeting", "",
                  "Volunteers meet on Monday evening to plan stalls for the summer fete."),
    "bells.html": ("Bell tower repairs finished", "<time class='published'>2026-03-04</time>",
                   "The bell tower repairs are finished and the bells ring again on Sunday."),
}  # fmt: skip
NOTE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<article><h2 class="note-title">{title}</h2><section class="note"><p>{text}</p>
<aside class="tip">Tip: bring a reusable cup.</aside></section></article></body></html>"""
NOTES = {
    "cups.html": ("Reusable cups at the market",
                  "The Saturday market asks visitors to bring their own cups from April."),
    "trees.html": ("New trees along the canal",
                   "Thirty young trees were planted along the canal path this week."),
}  # fmt: skip
# A redesigned site: its articles no longer have the body the config names.
ARCHIVE = """<!doctype html><html lang="en"><head><title>Old story</title></head><body>
<main><h1>Old story {n}</h1><div class="content-v2"><p>Archived text number {n} about the
village.</p></div></main></body></html>"""


def build_site(root: Path) -> None:
    def write(path: str, text: str) -> None:
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def listing(folder: str, names: list[str]) -> None:
        items = "".join(f'<li><a class="item" href="/{folder}/{n}">{n}</a></li>' for n in names)
        write(f"{folder}/index.html", f"<html><body><ul class='items'>{items}</ul></body></html>")

    for name, (title, date, text) in GAZETTE.items():
        write(f"gazette/{name}", PARISH.format(title=title, date=date, text=text))
    listing("gazette", [*GAZETTE, "moved-away.html"])  # a 404: no page, not counted
    for name, (title, text) in NOTES.items():
        write(f"notes/{name}", NOTE.format(title=title, text=text))
    listing("notes", list(NOTES))
    for n in (1, 2):
        write(f"archive/{n}.html", ARCHIVE.format(n=n))
    listing("archive", ["1.html", "2.html"])


def write_config(tmp_path: Path, server: TestServer) -> Path:
    config = tmp_path / "village.toml"
    config.write_text(
        f"""
source_languages = ["en"]
target_languages = ["fr"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[[sources]]
name = "gazette"
start_urls = ["{server.url("/gazette/index.html")}"]
link_selector = "ul.items a.item"
title_selector = "h1.headline"
body_selector = "div.story"
date_selector = "time.published"
author_selector = ".byline"
remove_selectors = [".share-tools", ".promo-box"]

[[sources]]
name = "notes"
start_urls = ["{server.url("/notes/index.html")}"]
link_selector = "ul.items a.item"
title_selector = "h2.note-title"
body_selector = "section.note"
remove_selectors = ["aside.tip"]

[[sources]]
name = "archive"
start_urls = ["{server.url("/archive/index.html")}"]
link_selector = "ul.items a.item"
body_selector = "div.content"
remove_selectors = [".ads"]

[fetch]
host_delay = 0
respect_robots = false
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def village(tmp_path: Path):
    root = tmp_path / "site"
    build_site(root)
    with serve(TestServer(root)) as server:
        yield server, write_config(tmp_path, server)


GAZETTE_PROBLEMS = [
    ("gazette", 'author_selector ".byline" matched nothing on any of 3 article(s)'),
    ("gazette", 'remove_selectors[1] ".promo-box" matched nothing on any of 3 article(s)'),
]
ARCHIVE_PROBLEMS = [
    ("archive", 'body_selector "div.content" matched nothing on any of 2 article(s)'),
    ("archive", 'remove_selectors[0] ".ads" matched nothing on any of 2 article(s)'),
]


def test_selectors_that_never_match_are_source_problems(village, tmp_path: Path) -> None:
    _, config = village

    report = run_once(load_settings(config, env={}))

    statuses = sorted(o.status for o in report.outcomes)
    assert statuses == ["published"] * 5 + ["skipped"] * 3  # archive ×2, the 404
    # A selector matching on some articles only (the date) is no problem; one matching
    # on every article is none either; "notes" has neither.
    assert report.source_errors == GAZETTE_PROBLEMS + ARCHIVE_PROBLEMS

    summary = format_summary(report)
    for source, problem in report.source_errors:
        assert f"  source {source}: {problem}" in summary
    table = summary_table(report, width=200)
    assert 'gazette: remove_selectors[1] ".promo-box" matched nothing' in table

    data = json.loads((tmp_path / "out" / "run-report.json").read_text(encoding="utf-8"))
    assert data["counts"]["source_errors"] == 4
    assert data["source_errors"] == [{"source": s, "error": e} for s, e in report.source_errors]


def test_a_run_that_extracted_no_article_of_a_source_reports_none_of_its_selectors(
    village,
) -> None:
    _, config = village
    run_once(load_settings(config, env={}))

    again = run_once(load_settings(config, env={}))

    # The published articles answered 304: nothing was extracted from gazette or notes.
    # The archive's pages were fetched and refused again, so its problems stand.
    gazette_and_notes = [o for o in again.outcomes if "/archive/" not in o.url]
    assert {o.status for o in gazette_and_notes if o.http_status != 404} == {"unchanged"}
    assert again.source_errors == ARCHIVE_PROBLEMS
