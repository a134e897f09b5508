"""Extraction names the configured selectors that matched nothing on a page, so a run
can report a selector that never matches (see tests/run/test_selector_misses.py)."""

from __future__ import annotations

import pytest

from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.extract import configured_selectors, extract_article
from translator_pipeline.errors import ExtractionError
from translator_pipeline.models import FetchedPage

PAGE = """<html><head><title>Ferry timetable changes</title></head><body>
<h1 class="title">Ferry timetable changes</h1><span class="when">2026-05-02</span>
<div class="text"><p>The morning ferry leaves twenty minutes earlier from June.</p>
<div class="share">Share</div></div></body></html>"""
SOURCE = SourceSettings(
    name="port",
    start_urls=["http://127.0.0.1/"],
    title_selector="h1.title",
    body_selector="div.text",
    date_selector="time.when",
    author_selector=".author",
    remove_selectors=[".share", ".adverts", "p.note"],
)


def fetched(html: str) -> FetchedPage:
    return FetchedPage("http://127.0.0.1/a", "http://127.0.0.1/a", 200, "text/html", "utf-8",
                       "header", html)  # fmt: skip


def test_the_selectors_that_found_nothing_are_named_by_config_key() -> None:
    article = extract_article(fetched(PAGE), SOURCE)

    assert article.selector_misses == (
        "date_selector",
        "author_selector",
        "remove_selectors[1]",
        "remove_selectors[2]",
    )
    assert [key for key, _ in configured_selectors(SOURCE)] == [
        "title_selector", "body_selector", "date_selector", "author_selector",
        "remove_selectors[0]", "remove_selectors[1]", "remove_selectors[2]",
    ]  # fmt: skip


def test_a_page_matching_every_selector_has_no_misses() -> None:
    html = (
        PAGE.replace('<span class="when">', '<time class="when">')
        .replace("</span>", '</time><p class="author">Harbour office</p>')
        .replace("</div></div>", '</div><div class="adverts">Ad</div><p class="note">n</p></div>')
    )

    assert extract_article(fetched(html), SOURCE).selector_misses == ()


def test_without_selectors_nothing_can_miss() -> None:
    plain = SourceSettings(name="plain", start_urls=["http://127.0.0.1/"])

    assert extract_article(fetched(PAGE), plain).selector_misses == ()


def test_a_refused_page_still_says_which_selectors_found_nothing() -> None:
    source = SOURCE.model_copy(update={"body_selector": "div.story"})

    with pytest.raises(ExtractionError, match="matched nothing") as caught:
        extract_article(fetched(PAGE), source)

    # Without a body, the remove selectors are judged on the whole page.
    assert caught.value.selector_misses == (  # type: ignore[attr-defined]
        "body_selector",
        "date_selector",
        "author_selector",
        "remove_selectors[1]",
        "remove_selectors[2]",
    )
