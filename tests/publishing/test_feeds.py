"""sitemap.xml with hreflang alternates and the per-language Atom feeds."""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urlsplit

import pytest
from lxml import etree

from tests.factories import settings as one_source
from translator_pipeline.models import PublishedVariant, StoredArticle
from translator_pipeline.publishing.feeds import (
    ATOM_NS,
    SITEMAP_NS,
    XHTML_NS,
    build_atom_feed,
    build_sitemap,
    feed_files,
    feed_path,
    sitemap_files,
)

settings = partial(one_source, "news", "https://news.example.org/")

BASE = "https://www.example.org/mt/"
NS = {"s": SITEMAP_NS, "x": XHTML_NS, "a": ATOM_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HREFLANG = re.compile(r"^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|x-default)$")
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2}))?$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
HOSTILE = 'Say "hi" <script>alert(1)</script> & \x01bell\x0b — \u202bمرحبا بكم\u202c'


def stored(url: str, slug: str, language: str, *, title: str = "Original", published=None):
    return StoredArticle(
        url=url,
        source="news",
        slug=slug,
        language=language,
        title=title,
        published=published,
        content_hash="c" * 64,
        first_seen="2026-03-01T08:00:00Z",
        updated_at="2026-03-01T08:00:00Z",
    )


def pv(art: StoredArticle, lang: str, at: str, *, title: str | None = None, pseudo=False):
    return PublishedVariant(
        article_url=art.url,
        language=lang,
        direction="rtl" if lang == "ar" else "ltr",
        path=f"{lang}/{art.slug}/index.html",
        fragment_path=f"{lang}/{art.slug}/fragment.html",
        title=title or f"{art.title} [{lang}]",
        checksum="d" * 64,
        signature="engine=argos|model=m|version=1",
        content_hash="c" * 64,
        pseudo=pseudo,
        published_at=at,
    )


def published_rows() -> list[tuple[StoredArticle, list[PublishedVariant]]]:
    """What StateStore.published() gives: articles oldest first, variants by language."""
    en = stored("https://news.example.org/en/meeting.html", "meeting", "en", published="2026-03-09")
    fr = stored(
        "https://news.example.org/fr/journee?id=3&lang=fr",
        "journee-abc",
        "fr",
        title=HOSTILE,
        published="2026-03-10T09:30:00+01:00",
    )
    ar = stored("https://news.example.org/ar/%D8%A7", "article-5d41402abc", "ar")
    return [
        (en, [pv(en, "ar", "2026-03-09T10:00:00Z"), pv(en, "fr", "2026-03-09T10:00:00Z")]),
        (
            fr,
            [
                pv(fr, "ar", "2026-03-10T11:00:00Z", title=HOSTILE),
                pv(fr, "en", "2026-03-10T11:00:00Z", title=HOSTILE),
            ],
        ),
        (ar, [pv(ar, "en", "2026-03-11T12:00:00Z"), pv(ar, "fr", "2026-03-08T12:00:00Z")]),
    ]


# --- sitemap --------------------------------------------------------------------------


def parse(data: bytes) -> etree._Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def sitemap_urls(data: bytes) -> dict[str, dict]:
    root = parse(data)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert root.nsmap == {None: SITEMAP_NS, "xhtml": XHTML_NS}
    out = {}
    for url in root:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        # The protocol's order: loc first, then lastmod; then the xhtml alternates.
        assert [c.tag for c in url][:2] == [f"{{{SITEMAP_NS}}}loc", f"{{{SITEMAP_NS}}}lastmod"]
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc not in out  # no URL listed twice
        links = url.findall("x:link", namespaces=NS)
        assert all(link.get("rel") == "alternate" for link in links)
        alternates = {link.get("hreflang"): link.get("href") for link in links}
        assert len(alternates) == len(links)  # one link per hreflang
        out[loc] = {"lastmod": url.findtext("s:lastmod", namespaces=NS), "alt": alternates}
    return out


def test_sitemap_lists_every_variant_with_reciprocal_alternates():
    rows = published_rows()
    urls = sitemap_urls(build_sitemap(rows, settings(public_base_url=BASE)))

    expected = {BASE + v.path.removesuffix("index.html"): v for _, vs in rows for v in vs}
    assert set(urls) == set(expected)
    for loc, entry in urls.items():
        assert urlsplit(loc).scheme == "https" and loc.startswith(BASE) and len(loc) < 2048
        assert entry["lastmod"] == expected[loc].published_at
        assert W3C_DATETIME.match(entry["lastmod"])
        assert all(HREFLANG.match(code) for code in entry["alt"])
    for article, variants in rows:
        cluster = {
            article.language: article.url,
            **{v.language: BASE + v.path.removesuffix("index.html") for v in variants},
            "x-default": article.url,
        }
        for v in variants:
            loc = BASE + v.path.removesuffix("index.html")
            # Each URL of the cluster lists all of them (itself and the original included).
            assert urls[loc]["alt"] == cluster
            assert urls[loc]["alt"][v.language] == loc


def test_sitemap_escapes_urls_and_is_deterministic():
    rows = published_rows()
    config = settings(public_base_url=BASE)
    data = build_sitemap(rows, config)
    assert data == build_sitemap(published_rows(), config)
    assert b"journee?id=3&amp;lang=fr" in data and b"id=3&lang" not in data
    urls = sitemap_urls(data)
    assert any(
        e["alt"]["x-default"] == "https://news.example.org/fr/journee?id=3&lang=fr"
        for e in urls.values()
    )


def test_no_sitemap_without_base_url_or_with_noindex_and_never_pseudo_pages(caplog):
    rows = published_rows()
    with caplog.at_level("INFO", logger="translator_pipeline.publishing.feeds"):
        assert build_sitemap(rows, settings()) is None
    assert "public_base_url is not set" in caplog.text
    assert (
        build_sitemap(rows, settings(public_base_url=BASE, noindex_machine_translations=True))
        is None
    )

    art, variants = rows[0]
    mixed = [(art, [variants[0], pv(art, "fr", "2026-03-09T10:00:00Z", pseudo=True)])]
    urls = sitemap_urls(build_sitemap(mixed, settings(public_base_url=BASE)))
    [(loc, entry)] = urls.items()
    assert loc == f"{BASE}ar/meeting/"
    assert set(entry["alt"]) == {"en", "ar", "x-default"}  # the pseudo page is not advertised
    only_pseudo = [(art, [pv(art, "fr", "2026-03-09T10:00:00Z", pseudo=True)])]
    assert build_sitemap(only_pseudo, settings(public_base_url=BASE)) is None


def test_large_sitemaps_are_split_behind_a_sitemap_index():
    rows = published_rows()
    files = sitemap_files(rows, settings(public_base_url=BASE), max_urls=4)
    assert set(files) == {"sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"}
    index = parse(files["sitemap.xml"])
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    locs = [s.findtext("s:loc", namespaces=NS) for s in index]
    assert locs == [f"{BASE}sitemap-1.xml", f"{BASE}sitemap-2.xml"]
    parts = [sitemap_urls(files[f"sitemap-{n}.xml"]) for n in (1, 2)]
    assert [len(p) for p in parts] == [4, 2]
    assert set(parts[0]) | set(parts[1]) == set(
        sitemap_urls(build_sitemap(rows, settings(public_base_url=BASE)))
    )
    lastmods = [s.findtext("s:lastmod", namespaces=NS) for s in index]
    assert lastmods == [max(e["lastmod"] for e in p.values()) for p in parts]


# --- Atom -----------------------------------------------------------------------------


def entries(data: bytes) -> list[etree._Element]:
    return parse(data).findall("a:entry", namespaces=NS)


def test_atom_feed_has_the_required_elements():
    data = build_atom_feed(published_rows(), "en", settings(public_base_url=BASE))
    feed = parse(data)
    assert feed.tag == f"{{{ATOM_NS}}}feed" and feed.get(XML_LANG) == "en"
    assert feed.findtext("a:id", namespaces=NS) == f"{BASE}en/feed.atom"
    assert feed.findtext("a:title", namespaces=NS)
    assert feed.findtext("a:author/a:name", namespaces=NS) == "www.example.org"
    self_link = feed.find("a:link[@rel='self']", namespaces=NS)
    assert self_link.get("href") == BASE + feed_path("en")
    assert self_link.get("type") == "application/atom+xml"
    updated = feed.findtext("a:updated", namespaces=NS)
    assert RFC3339.match(updated)
    for entry in entries(data):
        for required in ("id", "title", "updated"):
            assert len(entry.findall(f"a:{required}", namespaces=NS)) == 1, required
        assert RFC3339.match(entry.findtext("a:updated", namespaces=NS))
        alternate = entry.find("a:link[@rel='alternate']", namespaces=NS)
        assert alternate.get("href") == entry.findtext("a:id", namespaces=NS)
        assert alternate.get("href").startswith(f"{BASE}en/") and alternate.get("hreflang") == "en"
        via = entry.find("a:link[@rel='via']", namespaces=NS)
        assert via.get("href").startswith("https://news.example.org/")
        assert via.get("hreflang") in {"fr", "ar"}
        summary = entry.findtext("a:summary", namespaces=NS)
        assert "translated by machine" in summary
    # The feed's updated time is the newest entry's, not the time of the build.
    assert updated == max(e.findtext("a:updated", namespaces=NS) for e in entries(data))


def test_an_entry_summary_is_the_lead_then_the_disclaimer():
    from dataclasses import replace

    art = stored("https://news.example.org/fr/a.html", "a", "fr")
    with_lead = replace(pv(art, "en", "2026-03-10T08:00:00Z"), summary="The council met today.")
    without = pv(
        stored("https://news.example.org/fr/b.html", "b", "fr"), "en", "2026-03-09T08:00:00Z"
    )
    rows = [
        (art, [with_lead]),
        (stored("https://news.example.org/fr/b.html", "b", "fr"), [without]),
    ]
    summaries = [
        e.findtext("a:summary", namespaces=NS)
        for e in entries(build_atom_feed(rows, "en", settings(public_base_url=BASE)))
    ]
    assert summaries[0].startswith("The council met today.\n\n")
    assert "translated by machine from French" in summaries[0]
    # Published before leads were kept: the disclaimer alone.
    assert summaries[1].startswith("This article was translated by machine")


def test_atom_feed_filters_by_language_orders_newest_first_and_limits():
    rows = published_rows()
    config = settings(public_base_url=BASE)
    ids = [e.findtext("a:id", namespaces=NS) for e in entries(build_atom_feed(rows, "fr", config))]
    # fr variants: meeting (2026-03-09) is newer than the Arabic article's (2026-03-08).
    assert ids == [f"{BASE}fr/meeting/", f"{BASE}fr/article-5d41402abc/"]
    ar = [e.findtext("a:id", namespaces=NS) for e in entries(build_atom_feed(rows, "ar", config))]
    assert ar == [f"{BASE}ar/journee-abc/", f"{BASE}ar/meeting/"]
    limited = entries(build_atom_feed(rows, "ar", config, limit=1))
    assert [e.findtext("a:id", namespaces=NS) for e in limited] == [f"{BASE}ar/journee-abc/"]
    limited_feed = parse(build_atom_feed(rows, "ar", config, limit=1))
    assert limited_feed.findtext("a:updated", namespaces=NS) == "2026-03-10T11:00:00Z"
    assert build_atom_feed(rows, "de", config) is None
    assert build_atom_feed(rows, "en", settings()) is None  # no public_base_url


def test_atom_feed_escapes_hostile_titles_and_is_deterministic():
    config = settings(public_base_url=BASE)
    data = build_atom_feed(published_rows(), "ar", config)
    assert data == build_atom_feed(published_rows(), "ar", config)
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    [entry] = [e for e in entries(data) if "journee" in e.findtext("a:id", namespaces=NS)]
    # Text round-trips except the characters XML 1.0 cannot carry (U+0001, U+000B).
    clean = HOSTILE.replace("\x01", "").replace("\x0b", "")
    assert entry.findtext("a:title", namespaces=NS) == clean
    assert entry.find("a:title", namespaces=NS).get("type") == "text"
    via = entry.find("a:link[@rel='via']", namespaces=NS)
    assert via.get("title") == clean
    assert via.get("href") == "https://news.example.org/fr/journee?id=3&lang=fr"
    # A date-time with zone becomes atom:published; a bare date does not.
    assert entry.findtext("a:published", namespaces=NS) == "2026-03-10T09:30:00+01:00"
    [meeting] = [e for e in entries(data) if "meeting" in e.findtext("a:id", namespaces=NS)]
    assert meeting.find("a:published", namespaces=NS) is None


def test_pseudo_entries_say_so():
    art = stored("https://news.example.org/en/a.html", "a-page", "en")
    rows = [(art, [pv(art, "fr", "2026-03-09T10:00:00Z", pseudo=True)])]
    [entry] = entries(build_atom_feed(rows, "fr", settings(public_base_url=BASE)))
    terms = {c.get("term") for c in entry.findall("a:category", namespaces=NS)}
    assert terms == {"machine-translation", "pseudo-translation"}
    assert entry.findtext("a:summary", namespaces=NS).startswith("PSEUDO-TRANSLATION")
    summary = entry.findtext("a:summary", namespaces=NS)
    assert "anglais" in summary  # the disclaimer in French, naming the source language


def test_feed_files_lists_the_sitemap_and_one_feed_per_language():
    rows = published_rows()
    files = feed_files(iter(rows), settings(public_base_url=BASE))
    assert set(files) == {"sitemap.xml", "ar/feed.atom", "en/feed.atom", "fr/feed.atom"}
    assert files == feed_files(rows, settings(public_base_url=BASE))
    assert feed_files(rows, settings()) == {}


@pytest.mark.parametrize("limit", [0, -1])
def test_a_zero_limit_gives_no_feed(limit):
    assert (
        build_atom_feed(published_rows(), "en", settings(public_base_url=BASE), limit=limit) is None
    )
