"""Runs without any selector over real local servers hosting sites written in four
CMS conventions (tests/support/cms_sites.py): the right body, no reader comments or
page furniture, listings and pagers skipped with a reason; pages published before
that should not have been are withdrawn (by the next run, or by ops' ``withdraw``)."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from bs4 import BeautifulSoup

from tests.support.cms_sites import ARTICLES, LISTINGS, build_sites
from tests.support.server import Response, TestServer, serve
from tests.support.webhook_receiver import Receiver, receiving
from translator_pipeline import load_settings, run_once
from translator_pipeline.cli.main import main
from translator_pipeline.crawl import extract as stages_extract
from translator_pipeline.run import stages

SECRET = "sites-webhook-secret"


@pytest.fixture
def sites():
    server = TestServer()
    for path, html in build_sites().items():
        server.route(path, Response(html.encode("utf-8")))
    with serve(server) as running:
        yield running


def write_config(tmp_path: Path, server: TestServer, extra: str = "", hook: str = "") -> Path:
    sources = [
        ("wordpress", "/wp/category/news/", ""),
        ("drupal", "/fr/actualites/", extra),
        ("blogspot", "/blog/", ""),
        ("news", "/ar/news/", ""),
    ]
    tables = "".join(
        f'\n[[sources]]\nname = "{name}"\nstart_urls = ["{server.url(path)}"]\n{more}\n'
        for name, path, more in sources
    )
    webhook = f'\n[[webhooks]]\nurl = "{hook}"\nsecret = "{SECRET}"\nbackoff = 0\n' if hook else ""
    config = tmp_path / "sites.toml"
    config.write_text(
        f"""
source_languages = ["en", "fr", "ar"]
target_languages = ["en", "fr"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[fetch]
host_delay = 0
respect_robots = false
{tables}{webhook}""",
        encoding="utf-8",
    )
    return config


def outcomes(report) -> dict[str, tuple[str, str]]:
    return {o.url: (o.status, o.reason) for o in report.outcomes}


def recording_extraction():
    """The run's own extract_article, recording each article it returns by URL."""
    extracted = {}
    real = stages.extract_article

    def record(page, source, **kwargs):
        article = real(page, source, **kwargs)
        extracted[article.url] = article
        return article

    return extracted, mock.patch.object(stages, "extract_article", record)


def test_articles_are_published_and_listings_skipped_with_a_reason(sites, tmp_path):
    report = run_once(load_settings(write_config(tmp_path, sites), env={}))

    seen = outcomes(report)
    for path in ARTICLES:
        status, reason = seen[sites.url(path)]
        assert status == "published", (path, reason)
    for path in LISTINGS:
        status, reason = seen[sites.url(path)]
        assert status == "skipped", (path, status)
        assert reason.startswith("NotAnArticleError: not an article:"), reason
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert {a["url"] for a in manifest["articles"]} >= {sites.url(p) for p in ARTICLES}
    assert not {a["url"] for a in manifest["articles"]} & {sites.url(p) for p in LISTINGS}


def test_the_right_body_without_comments_or_furniture(sites, tmp_path):
    extracted, patch = recording_extraction()
    with patch:
        run_once(load_settings(write_config(tmp_path, sites), env={}))

    for path, expect in ARTICLES.items():
        article = extracted[sites.url(path)]
        text = " ".join(BeautifulSoup(article.body_html, "html.parser").get_text(" ").split())
        assert article.title == expect.title, path
        for wanted in expect.must:
            assert wanted in text, (path, wanted)
        for unwanted in expect.must_not:
            assert unwanted not in text, (path, unwanted)
            assert all(unwanted not in b.text for b in article.blocks), (path, unwanted)
        assert expect.title not in [b.text for b in article.blocks]  # published apart


def test_inline_markup_of_kept_blocks_survives(sites, tmp_path):
    extracted, patch = recording_extraction()
    with patch:
        run_once(load_settings(write_config(tmp_path, sites), env={}))

    wp = extracted[sites.url("/wp/2026/03/literacy-forum/")]
    soup = BeautifulSoup(wp.body_html, "html.parser")
    assert soup.find("a", string="programme page")["href"] == sites.url("/programmes/literacy/")
    assert soup.find("em", string="share it") is not None
    assert soup.find("img")["src"] == sites.url("/wp-content/uploads/2026-03-literacy-forum.jpg")
    blog = extracted[sites.url("/blog/2026/02/field-notes-rural-schools.html")]
    soup = BeautifulSoup(blog.body_html, "html.parser")
    assert soup.find("a", string="The regional library service") is not None
    assert len(soup.find_all("br")) >= 4  # the <br> paragraphs stay as the page wrote them
    news = extracted[sites.url("/ar/news/2026/05/digital-schools/")]
    assert news.published == "2026-05-20T08:00:00+03:00"  # as stated, not moved to UTC


def _articles_and_listings_published(sites, tmp_path, config):
    """A first run of an older release that published listings too."""
    with mock.patch.object(stages_extract, "listing_reason", return_value=None):
        first = run_once(load_settings(config, env={}))
    pager = sites.url("/fr/actualites/?page=1")
    assert outcomes(first)[pager][0] == "published"
    return pager


def test_a_published_listing_is_withdrawn_by_the_next_run(sites, tmp_path):
    out = tmp_path / "out"
    with receiving(Receiver(SECRET)) as rx:
        config = write_config(tmp_path, sites, hook=rx.url)
        pager = _articles_and_listings_published(sites, tmp_path, config)

        again = run_once(load_settings(config, env={}))

        status, reason = outcomes(again)[pager]
        assert status == "withdrawn" and "not an article" in reason
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        assert pager not in {a["url"] for a in manifest["articles"]}
        removed = [e for e in rx.received if e["type"] == "variant.removed"]
        assert {e["article"]["url"] for e in removed} >= {pager}
        for event in removed:
            assert not (out / event["variant"]["path"]).exists()
        # Not fetched as an article again and again: it is no longer published.
        third = run_once(load_settings(config, env={}))
        assert outcomes(third)[pager][0] == "skipped"


def test_what_the_patterns_now_refuse_is_withdrawn_by_the_next_run(sites, tmp_path):
    config = write_config(tmp_path, sites)
    first = run_once(load_settings(config, env={}))
    kept = sites.url("/fr/actualites/patrimoine-manuscrit/")
    dropped = sites.url("/fr/actualites/journee-langue-arabe/")
    assert outcomes(first)[dropped][0] == "published"

    tightened = write_config(tmp_path, sites, extra='exclude_patterns = ["journee-"]')
    again = run_once(load_settings(tightened, env={}))

    status, reason = outcomes(again)[dropped]
    assert status == "withdrawn"
    assert "source drupal: excluded by pattern 'journee-'" in reason
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    urls = {a["url"] for a in manifest["articles"]}
    assert dropped not in urls and kept in urls


def test_ops_withdraw_a_published_page(sites, tmp_path, capsys):
    out = tmp_path / "out"
    with receiving(Receiver(SECRET)) as rx:
        config = write_config(tmp_path, sites, hook=rx.url)
        run_once(load_settings(config, env={}))
        url = sites.url("/blog/2026/02/field-notes-rural-schools.html")
        published = len(rx.received)

        code = main(["withdraw", "--config", str(config), url, sites.url("/nowhere/")])

        assert code == 1  # one of the two URLs was never published: said so
        printed = capsys.readouterr()
        assert f"withdrawn {url}" in printed.out
        assert f"not published: {sites.url('/nowhere/')}" in printed.err
        removed = rx.received[published:]
        assert sorted(e["variant"]["language"] for e in removed) == ["fr"]
        assert {e["type"] for e in removed} == {"variant.removed"}
        assert not (out / removed[0]["variant"]["path"]).exists()
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        assert url not in {a["url"] for a in manifest["articles"]}

        # Withdrawn once: the same command again finds nothing to withdraw.
        assert main(["withdraw", "--config", str(config), url]) == 1
