"""Discovery against a real HTTP server on 127.0.0.1: listing pages, feeds, sitemaps, refusals."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.server import Response
from translator_pipeline.config.settings import FetchSettings, SourceSettings, load_settings
from translator_pipeline.crawl.dates import parse_timestamp as parse_date
from translator_pipeline.crawl.discover import Discovery, discover, normalise_url
from translator_pipeline.crawl.fetch import Fetcher
from translator_pipeline.errors import ConfigError
from translator_pipeline.models import RunReport
from translator_pipeline.run.report import format_summary

if TYPE_CHECKING:  # imported by name at run time, pytest would try to collect it
    from tests.support.server import TestServer

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ATOM = {"Content-Type": "application/atom+xml"}
XML = {"Content-Type": "application/xml"}
DEMO_NEWEST_FIRST = [
    "articles/journee-langue-arabe.html",
    "articles/rencontre-jeunes-chercheurs.html",
    "articles/ittifaqiyat-taawun-tarbawi.html",
    "articles/icesco-alecso-partnership-meeting.html",
]


def run(**source: Any) -> Discovery:
    settings = SourceSettings(name="news", **source)
    # One request per URL and no politeness waits: the request log is the evidence.
    fetch = FetchSettings(
        timeout=5,
        connect_timeout=5,
        max_bytes=100_000,
        retries=0,
        host_delay=0,
        respect_robots=False,
    )
    with Fetcher(fetch) as fetcher:
        return discover(settings, fetcher)


def urls(found: Discovery) -> list[str]:
    return [c.url for c in found.candidates]


def listing(*hrefs: str, next_href: str | None = None) -> Response:
    items = "".join(f'<li><a class="item" href="{h}">article</a></li>' for h in hrefs)
    nav = f'<a class="next" href="{next_href}">next</a>' if next_href else ""
    body = f"<html><body><ul class='news'>{items}</ul><nav>{nav}</nav></body></html>"
    return Response(body.encode("utf-8"), headers=HTML)


def rss(*items: tuple[str, str]) -> Response:
    body = "".join(
        f"<item><link>{link}</link><pubDate>{date}</pubDate></item>" for link, date in items
    )
    text = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )
    return Response(text.encode("utf-8"), headers=RSS)


def urlset(*entries: tuple[str, str | None]) -> bytes:
    body = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    ).encode()


def sitemap_index(*entries: tuple[str, str | None]) -> bytes:
    body = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>"
        for loc, mod in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    ).encode()


def other_host_url(server: TestServer, path: str) -> str:
    """The same server under another host name: reachable, but not one of the source's hosts."""
    port = server.base_url.rstrip("/").rsplit(":", 1)[1]
    return f"http://localhost:{port}{path}"


# --- normalise_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("a.html", "https://news.example.org/fr/a.html"),
        ("../en/b.html#top", "https://news.example.org/en/b.html"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("HTTP://News.Example.ORG:80/A.html", "http://news.example.org/A.html"),
        ("https://news.example.org:443", "https://news.example.org/"),
        ("https://news.example.org:8443/a", "https://news.example.org:8443/a"),
        ("/a/./b/../c.html", "https://news.example.org/a/c.html"),
        ("/a?utm_source=x&utm_Medium=y", "https://news.example.org/a"),
        ("/a?b=2&UTM_source=x&a=1&fbclid=z&gclid=1&mc_cid=1&mc_eid=2&_ga=3",
         "https://news.example.org/a?b=2&a=1"),
        ("/a?q=caf%C3%A9+au+lait&&page=2", "https://news.example.org/a?q=caf%C3%A9+au+lait&page=2"),
        ("/a?", "https://news.example.org/a"),
        ("/caf%C3%A9/%7euser", "https://news.example.org/caf%C3%A9/%7euser"),
        ("/مقالات/خبر", "https://news.example.org/مقالات/خبر"),
        ("http://Bücher.Example/x", "http://xn--bcher-kva.example/x"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("  /trimmed.html\n", "https://news.example.org/trimmed.html"),
    ],
)  # fmt: skip
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url, "https://news.example.org/fr/index.html") == expected


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "mailto:press@news.example.org",
        "file:///etc/passwd",
        "ftp://news.example.org/a.zip",
        "http://news.example.org:99999/",
        "http:///no-host",
        "http://[::1/broken",
    ],
)
def test_normalise_url_gives_none_for_what_cannot_be_fetched(url: str) -> None:
    assert normalise_url(url, "https://news.example.org/") is None


def test_tracking_params_are_configurable_glob_patterns() -> None:
    url = "https://n.example.org/a?utm_source=x&ref=home&ref_src=tw&id=3"

    assert normalise_url(url, None, ["ref*"]) == "https://n.example.org/a?utm_source=x&id=3"
    assert normalise_url(url, None, []) == url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 14 Oct 2026 11:15:00 +0200", "2026-10-14T09:15:00+00:00"),
        ("2026-03-09", "2026-03-09T00:00:00+00:00"),
        ("2026-03-09T10:00:00Z", "2026-03-09T10:00:00+00:00"),
        ("2026-03-09T10:00+01:00", "2026-03-09T09:00:00+00:00"),
        ("2026-03", "2026-03-01T00:00:00+00:00"),
        ("2026", "2026-01-01T00:00:00+00:00"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    parsed = parse_date(text)
    assert (parsed.isoformat() if parsed else None) == expected


# --- listing pages ---------------------------------------------------------------------------


def paginated(server: TestServer, pages: int, *, loop: bool = False) -> None:
    """/news/p1.html … /news/pN.html, two articles each, linked by a "next" link."""
    for n in range(1, pages + 1):
        following = f"p{n + 1}.html" if n < pages else ("p1.html" if loop else None)
        server.route(
            f"/news/p{n}.html",
            listing(f"/a/{n}-1.html", f"/a/{n}-2.html", next_href=following),
        )


def test_pagination_stops_at_max_pages_and_never_requests_the_next_page(
    server: TestServer,
) -> None:
    paginated(server, 4)

    found = run(
        start_urls=[server.url("/news/p1.html")],
        link_selector="ul.news a.item",
        next_selector="a.next",
        max_pages=2,
    )

    assert urls(found) == [server.url(p) for p in ("/a/1-1.html", "/a/1-2.html", "/a/2-1.html",
                                                   "/a/2-2.html")]  # fmt: skip
    assert server.hits("/news/p1.html") == server.hits("/news/p2.html") == 1
    assert server.hits("/news/p3.html") == 0
    assert found.errors == []
    assert not any(r.path.startswith("/a/") for r in server.requests)  # nothing fetched yet


def test_pagination_follows_every_page_and_a_loop_back_to_page_one_ends_it(
    server: TestServer,
) -> None:
    paginated(server, 4, loop=True)

    found = run(
        start_urls=[server.url("/news/p1.html")],
        link_selector="ul.news a.item",
        next_selector="a.next",
        max_pages=10,
    )

    assert len(found.candidates) == 8
    assert [server.hits(f"/news/p{n}.html") for n in range(1, 5)] == [1, 1, 1, 1]


def test_pagination_stops_once_max_articles_are_found(server: TestServer) -> None:
    paginated(server, 4)

    found = run(
        start_urls=[server.url("/news/p1.html")],
        link_selector="ul.news a.item",
        next_selector="a.next",
        max_articles=3,
    )

    assert urls(found) == [server.url(p) for p in ("/a/1-1.html", "/a/1-2.html", "/a/2-1.html")]
    assert server.hits("/news/p3.html") == 0


def test_without_a_next_selector_only_the_start_pages_are_read(server: TestServer) -> None:
    paginated(server, 2)

    found = run(start_urls=[server.url("/news/p1.html")], link_selector="ul.news a.item")

    assert len(found.candidates) == 2
    assert server.hits("/news/p2.html") == 0


def test_include_and_exclude_patterns(server: TestServer) -> None:
    server.route(
        "/",
        listing(
            "/news/2026/accord.html",
            "/news/2026/forum.html?utm_source=home",
            "/tags/education.html",
            "/news/2026/forum-video.html",
        ),
    )

    found = run(
        start_urls=[server.url("/")],
        include_patterns=[r"/news/\d{4}/"],
        exclude_patterns=[r"-video\.html$"],
    )

    assert urls(found) == [
        server.url("/news/2026/accord.html"),
        server.url("/news/2026/forum.html"),
    ]
    assert found.refused == [
        (server.url("/tags/education.html"), "not matched by any include pattern"),
        (server.url("/news/2026/forum-video.html"), "excluded by pattern '-video\\\\.html$'"),
    ]


def test_tracking_params_are_stripped_and_duplicates_merged_in_page_order(
    server: TestServer,
) -> None:
    server.route(
        "/news/index.html",
        listing(
            "b.html?utm_source=newsletter&utm_campaign=x",
            "a.html?id=7&fbclid=abc&lang=fr",
            "./b.html#comments",
            server.url("/news/b.html").replace("http://", "HTTP://") + "?gclid=1",
            "/news/c/../b.html",
            "a.html?id=7&lang=fr&_ga=1",
            "#top",
            "index.html",  # the listing page itself
        ),
    )

    found = run(start_urls=[server.url("/news/index.html")])

    assert urls(found) == [server.url("/news/b.html"), server.url("/news/a.html?id=7&lang=fr")]
    assert found.refused == []


def test_links_to_other_hosts_and_unsafe_schemes_are_refused_with_reasons(
    server: TestServer,
) -> None:
    elsewhere = other_host_url(server, "/secret.html")
    server.route(
        "/",
        listing(
            "/ok.html",
            elsewhere,
            "https://www.facebook.com/sharer.php?u=x",
            "javascript:alert(document.cookie)",
            " JavaScript:void(0)",
            "file:///etc/passwd",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/x",
            "mailto:press@example.org",
            "http://user:pw@127.0.0.1/creds.html",
        ),
    )

    found = run(start_urls=[server.url("/")])

    assert urls(found) == [server.url("/ok.html")]
    reasons = dict(found.refused)
    assert reasons[elsewhere] == "other host 'localhost'"
    assert reasons["https://www.facebook.com/sharer.php?u=x"] == "other host 'www.facebook.com'"
    assert (
        reasons["javascript:alert(document.cookie)"]
        == "javascript: links are not web pages; only http and https are fetched"
    )
    assert (
        reasons["file:///etc/passwd"]
        == "file: URLs are never fetched, they would read this machine's files"
    )
    assert (
        reasons["mailto:press@example.org"]
        == "mailto: links are not web pages; only http and https are fetched"
    )
    assert reasons["http://169.254.169.254/latest/meta-data/"].startswith(
        "link-local address 169.254.169.254"
    )
    assert reasons["http://[fe80::1]/x"].startswith("link-local address fe80::1")
    assert reasons["http://user:pw@127.0.0.1/creds.html"] == "credentials in URL"
    assert len(found.refused) == 9  # both javascript: links, each reported
    assert server.hits("/secret.html") == 0
    assert [r.path for r in server.requests] == ["/"]


def test_the_metadata_address_is_refused_even_when_configured_as_a_host(server: TestServer) -> None:
    server.route("/", listing("http://169.254.169.254/latest/meta-data/iam/"))

    found = run(start_urls=[server.url("/")], allowed_hosts=["169.254.169.254"])

    assert found.candidates == []
    assert "link-local" in found.refused[0][1]


def test_a_next_page_on_another_host_is_refused_and_never_requested(server: TestServer) -> None:
    server.route("/p1.html", listing("/a.html", next_href=other_host_url(server, "/p2.html")))
    server.route("/p2.html", listing("/b.html"))

    found = run(
        start_urls=[server.url("/p1.html")], link_selector="ul.news a", next_selector="a.next"
    )

    assert urls(found) == [server.url("/a.html")]
    assert found.refused == [
        (other_host_url(server, "/p2.html"), "other host 'localhost' (next page)")
    ]
    assert server.hits("/p2.html") == 0


@pytest.mark.parametrize(
    ("status", "phrase"), [(500, "Internal Server Error after 1 attempt"), (404, "Not Found")]
)
def test_a_listing_page_that_is_down_is_an_error_and_the_other_start_urls_still_count(
    server: TestServer, status: int, phrase: str
) -> None:
    server.route("/down.html", Response(b"<h1>oops</h1>", status=status, headers=HTML))
    server.route("/up.html", listing("/a.html"))

    found = run(start_urls=[server.url("/down.html"), server.url("/up.html")])

    assert found.errors == [f"listing page {server.url('/down.html')}: HTTP {status} {phrase}"]
    assert urls(found) == [server.url("/a.html")]


def test_a_later_page_that_is_down_keeps_the_links_already_found(server: TestServer) -> None:
    server.route("/p1.html", listing("/a.html", next_href="/p2.html"))
    server.route("/p2.html", Response(b"", status=503, headers=HTML))

    found = run(start_urls=[server.url("/p1.html")], next_selector="a.next")

    assert urls(found) == [server.url("/a.html")]
    assert found.errors == [
        f"listing page {server.url('/p2.html')}: HTTP 503 Service Unavailable after 1 attempt"
    ]


# --- feeds -----------------------------------------------------------------------------------


def test_rss_items_come_newest_first_with_their_dates(server: TestServer) -> None:
    server.route(
        "/feed.xml",
        Response(
            b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title>
  <item><link>/a/old.html</link><pubDate>Mon, 09 Mar 2026 08:30:00 +0000</pubDate></item>
  <item><link>/a/new.html?utm_source=rss</link>
    <pubDate>Fri, 18 Dec 2026 09:00:00 GMT</pubDate></item>
  <item><guid>http://127.0.0.1/a/guid-only.html</guid></item>
  <item><guid isPermaLink="false">tag:news,2026:42</guid></item>
  <item><link>
     /a/middle.html
  </link><pubDate>Wed, 14 Oct 2026 11:15:00 +0200</pubDate></item>
</channel></rss>""",
            headers=RSS,
        ),
    )

    found = run(feeds=[server.url("/feed.xml")])

    assert found.errors == []
    assert [(c.url, c.lastmod) for c in found.candidates] == [
        (server.url("/a/new.html"), "2026-12-18T09:00:00+00:00"),
        (server.url("/a/middle.html"), "2026-10-14T09:15:00+00:00"),
        (server.url("/a/old.html"), "2026-03-09T08:30:00+00:00"),
        ("http://127.0.0.1/a/guid-only.html", None),  # undated: after the dated ones
    ]


def test_atom_entries_use_the_alternate_link(server: TestServer) -> None:
    server.route(
        "/atom.xml",
        Response(
            b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/fr/">
  <title>Actualites</title>
  <entry>
    <link rel="edit" href="/admin/edit/1"/>
    <link rel="enclosure" href="/media/1.mp3"/>
    <link rel="alternate" type="application/pdf" href="/pdf/1.pdf"/>
    <link rel="alternate" type="text/html" href="accord.html"/>
    <updated>2026-03-09T10:00:00Z</updated>
  </entry>
  <entry>
    <link href="forum.html?utm_campaign=spring"/>
    <published>2026-10-14T08:00:00+02:00</published>
  </entry>
  <entry xml:base="/en/">
    <link rel="alternate" href="meeting.html"/>
    <updated>2022-11-25</updated>
    <published>2020-01-01</published>
  </entry>
  <entry><title>no link at all</title></entry>
</feed>""",
            headers=ATOM,
        ),
    )

    found = run(feeds=[server.url("/atom.xml")])

    assert found.errors == []
    assert [(c.url, c.lastmod) for c in found.candidates] == [
        (server.url("/fr/forum.html"), "2026-10-14T06:00:00+00:00"),
        (server.url("/fr/accord.html"), "2026-03-09T10:00:00+00:00"),
        (server.url("/en/meeting.html"), "2022-11-25T00:00:00+00:00"),
    ]


def serve_site_xml(site_server: TestServer) -> None:
    """Serve the demo site's feed and sitemap as XML, as the demo's http.server does
    (the test server sends unknown file types as application/octet-stream)."""
    for name in ("feed.xml", "sitemap.xml"):
        body = (site_server.root / name).read_bytes()
        site_server.route(f"/{name}", Response(body, headers=XML))


def test_the_demo_sites_feed_and_sitemap(site_server: TestServer) -> None:
    serve_site_xml(site_server)
    for method, path in (("feeds", "/feed.xml"), ("sitemaps", "/sitemap.xml")):
        found = run(**{method: [site_server.url(path)]})

        assert found.errors == [], method
        assert urls(found) == [site_server.url("/" + p) for p in DEMO_NEWEST_FIRST], method


def test_feeds_come_before_listing_pages_and_duplicates_keep_the_newest_date(
    server: TestServer,
) -> None:
    server.route("/", listing("/listed-only.html", "/in-both.html?utm_source=x"))
    server.route("/feed.xml", rss(("/in-both.html", "Mon, 09 Mar 2026 08:30:00 +0000")))
    server.route(
        "/sitemap.xml",
        Response(
            urlset(("/in-both.html", "2026-05-01"), ("/mapped.html", "2026-04-01")), headers=XML
        ),
    )

    found = run(
        start_urls=[server.url("/")],
        feeds=[server.url("/feed.xml")],
        sitemaps=[server.url("/sitemap.xml")],
    )

    assert [(c.url, c.lastmod) for c in found.candidates] == [
        (server.url("/in-both.html"), "2026-05-01T00:00:00+00:00"),
        (server.url("/mapped.html"), "2026-04-01T00:00:00+00:00"),
        (server.url("/listed-only.html"), None),
    ]


def test_listing_pages_are_not_read_when_feeds_already_give_max_articles(
    server: TestServer,
) -> None:
    server.route("/feed.xml", rss(("/a.html", ""), ("/b.html", "")))
    server.route("/", listing("/c.html"))

    found = run(start_urls=[server.url("/")], feeds=[server.url("/feed.xml")], max_articles=2)

    assert urls(found) == [server.url("/a.html"), server.url("/b.html")]
    assert server.hits("/") == 0


def test_feed_links_to_other_hosts_and_schemes_are_refused(server: TestServer) -> None:
    server.route(
        "/feed.xml",
        rss(
            ("/ok.html", ""),
            ("https://elsewhere.example.org/a.html", ""),
            ("javascript:alert(1)", ""),
            ("file:///etc/passwd", ""),
            ("http://169.254.169.254/latest/meta-data/", ""),
        ),
    )

    found = run(feeds=[server.url("/feed.xml")])

    assert urls(found) == [server.url("/ok.html")]
    assert [reason.split(" (")[0] for _, reason in found.refused] == [
        "other host 'elsewhere.example.org'",
        "javascript: links are not web pages; only http and https are fetched",
        "file: URLs are never fetched, they would read this machine's files",
        "link-local address 169.254.169.254",
    ]


# --- sitemaps --------------------------------------------------------------------------------


def test_sitemap_urls_are_ordered_by_lastmod_undated_last(server: TestServer) -> None:
    server.route(
        "/sitemap.xml",
        Response(
            urlset(
                ("/undated-1.html", None),
                ("/2024.html", "2024-06-01"),
                ("/2026.html", "2026-01-15T12:00:00+01:00"),
                ("/undated-2.html", None),
                ("/2025.html", "2025-02"),
                ("/bad-date.html", "last tuesday"),
            ),
            headers=XML,
        ),
    )

    found = run(sitemaps=[server.url("/sitemap.xml")])

    assert [(c.url.rsplit("/", 1)[1], c.lastmod) for c in found.candidates] == [
        ("2026.html", "2026-01-15T11:00:00+00:00"),
        ("2025.html", "2025-02-01T00:00:00+00:00"),
        ("2024.html", "2024-06-01T00:00:00+00:00"),
        ("undated-1.html", None),
        ("undated-2.html", None),
        ("bad-date.html", None),
    ]


def test_nested_sitemap_indexes_and_gzip_sitemaps(server: TestServer) -> None:
    server.route(
        "/sitemap_index.xml",
        Response(
            sitemap_index(
                ("/sitemaps/news-index.xml", "2026-10-01"), ("/sitemaps/old.xml.gz", None)
            ),
            headers=XML,
        ),
    )
    server.route(
        "/sitemaps/news-index.xml",
        Response(sitemap_index(("/sitemaps/news-2026.xml", "2026-10-01")), headers=XML),
    )
    server.route(
        "/sitemaps/news-2026.xml",
        Response(
            urlset(("/news/b.html", "2026-09-01"), ("/news/a.html", "2026-10-01")), headers=XML
        ),
    )
    server.route(  # a .xml.gz file: compressed bytes, not a Content-Encoding
        "/sitemaps/old.xml.gz",
        Response(
            gzip.compress(urlset(("/news/old.html", "2020-01-01"))),
            headers={"Content-Type": "application/x-gzip"},
        ),
    )

    found = run(sitemaps=[server.url("/sitemap_index.xml")])

    assert found.errors == []
    assert urls(found) == [
        server.url(p) for p in ("/news/a.html", "/news/b.html", "/news/old.html")
    ]


def test_a_sitemap_sent_with_content_encoding_gzip(server: TestServer) -> None:
    server.route(
        "/sitemap.xml",
        Response(
            gzip.compress(urlset(("/a.html", None))),
            headers={"Content-Type": "text/xml", "Content-Encoding": "gzip"},
        ),
    )

    assert urls(run(sitemaps=[server.url("/sitemap.xml")])) == [server.url("/a.html")]


def test_sitemap_indexes_nested_deeper_than_three_levels_are_not_followed(
    server: TestServer,
) -> None:
    server.route(
        "/l1.xml", Response(sitemap_index(("/l2.xml", None), ("/l2-urls.xml", None)), headers=XML)
    )
    server.route("/l2.xml", Response(sitemap_index(("/l3.xml", None)), headers=XML))
    server.route("/l2-urls.xml", Response(urlset(("/from-level-2.html", None)), headers=XML))
    server.route("/l3.xml", Response(sitemap_index(("/l4.xml", None)), headers=XML))
    server.route("/l4.xml", Response(urlset(("/too-deep.html", None)), headers=XML))

    found = run(sitemaps=[server.url("/l1.xml")])

    assert urls(found) == [server.url("/from-level-2.html")]
    assert found.errors == [
        f"sitemap {server.url('/l3.xml')}: index nested 3 levels deep; its 1 sitemap(s) "
        "were not read (limit 3 levels)"
    ]
    assert server.hits("/l4.xml") == 0


def test_sitemap_index_reads_the_newest_sitemaps_first_and_stops_at_max_articles(
    server: TestServer,
) -> None:
    server.route(
        "/index.xml",
        Response(
            sitemap_index(
                ("/2024.xml", "2024-12-31"),
                ("/2026.xml", "2026-12-31"),
                ("/2025.xml", "2025-12-31"),
            ),
            headers=XML,
        ),
    )
    for year in (2024, 2025, 2026):
        server.route(
            f"/{year}.xml",
            Response(
                urlset((f"/{year}/a.html", f"{year}-05-01"), (f"/{year}/b.html", f"{year}-06-01")),
                headers=XML,
            ),
        )

    found = run(sitemaps=[server.url("/index.xml")], max_articles=3)

    assert urls(found) == [server.url(p) for p in ("/2026/b.html", "/2026/a.html", "/2025/b.html")]
    assert server.hits("/2024.xml") == 0


def test_sitemap_on_another_host_in_an_index_is_refused_and_never_requested(
    server: TestServer,
) -> None:
    elsewhere = other_host_url(server, "/private.xml")
    server.route("/index.xml", Response(sitemap_index((elsewhere, None)), headers=XML))
    server.route("/private.xml", Response(urlset(("/secret.html", None)), headers=XML))

    found = run(sitemaps=[server.url("/index.xml")])

    assert found.candidates == []
    assert found.refused == [(elsewhere, "other host 'localhost' (sitemap in an index)")]
    assert server.hits("/private.xml") == 0


# --- bad feeds and sitemaps ------------------------------------------------------------------


def test_a_malformed_feed_is_an_error_and_the_sources_other_ways_in_still_work(
    server: TestServer,
) -> None:
    server.route(
        "/feed.xml", Response(b"<?xml version='1.0'?><rss><channel><item><link>/x", headers=RSS)
    )
    server.route("/sitemap.xml", Response(urlset(("/mapped.html", "2026-01-01")), headers=XML))
    server.route("/", listing("/listed.html"))

    found = run(
        start_urls=[server.url("/")],
        feeds=[server.url("/feed.xml")],
        sitemaps=[server.url("/sitemap.xml")],
    )

    [error] = found.errors
    assert error.startswith(f"feed {server.url('/feed.xml')}: malformed XML: ")
    assert urls(found) == [server.url("/mapped.html"), server.url("/listed.html")]


@pytest.mark.parametrize(
    ("kind", "response", "reason"),
    [
        pytest.param("feeds", Response(b"<html><body>Feed</body></html>", headers=HTML),
                     "not XML: content type 'text/html'", id="html-content-type"),
        pytest.param("feeds", Response(b"<html><body>Feed</body></html>", headers=XML),
                     "not an RSS or Atom feed (root element <html>)", id="not-a-feed"),
        pytest.param("sitemaps", Response(b"<rss><channel/></rss>", headers=XML),
                     "not a sitemap (root element <rss>)", id="feed-as-sitemap"),
        pytest.param("sitemaps", Response(b"", headers=XML), "malformed XML", id="empty"),
        pytest.param("feeds", Response(b"gone", status=404, headers=XML), "HTTP 404 Not Found",
                     id="feed-404"),
        pytest.param("sitemaps", Response(b"\x1f\x8b\x08\x00garbage", headers=XML),
                     "gzip", id="corrupt-gzip"),
        pytest.param("sitemaps", Response(gzip.compress(b" " * 1_000_000), headers=XML),
                     "100000 bytes once decompressed", id="gzip-bomb"),
    ],
)  # fmt: skip
def test_unusable_feeds_and_sitemaps_have_a_specific_reason(
    server: TestServer, kind: str, response: Response, reason: str
) -> None:
    server.route("/doc", response)

    found = run(**{kind: [server.url("/doc")]})

    what = "feed" if kind == "feeds" else "sitemap"
    [error] = found.errors
    assert error.startswith(f"{what} {server.url('/doc')}: ")
    assert reason in error
    assert found.candidates == []


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel>
  <item><link>/a/&lol9;.html</link></item>
  <item><link>/a/fine.html</link></item>
</channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>/a/&secret;.html</loc></url>
</urlset>"""


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        pytest.param("feeds", BILLION_LAUGHS, id="billion-laughs"),
        pytest.param("sitemaps", EXTERNAL_ENTITY, id="external-entity"),
        pytest.param(
            "feeds",
            BILLION_LAUGHS.replace(b'"1.0"?>', b'"1.0" encoding="UTF-16"?>', 1)
            .decode("ascii")
            .encode("utf-16"),
            id="utf-16",
        ),
        pytest.param(  # a "]" in a comment hides the declaration from a simple scan
            "feeds",
            BILLION_LAUGHS.replace(b"<!DOCTYPE rss [", b"<!DOCTYPE rss [<!-- ] -->"),
            id="hidden-behind-a-comment",
        ),
        pytest.param(  # hidden, and too small for the parser's amplification check
            "sitemaps",
            b'<?xml version="1.0"?><!DOCTYPE urlset [<!-- ] --><!ENTITY a "x">]>'
            b"<urlset><url><loc>/&a;.html</loc></url></urlset>",
            id="one-small-hidden-entity",
        ),
    ],
)
def test_xml_with_entity_declarations_is_refused(
    server: TestServer, kind: str, body: bytes
) -> None:
    server.route("/doc.xml", Response(body, headers=XML))
    server.route("/", listing("/listed.html"))

    found = run(start_urls=[server.url("/")], **{kind: [server.url("/doc.xml")]})

    [error] = found.errors
    assert "declares entities" in error and "entity-expansion" in error
    assert urls(found) == [server.url("/listed.html")]  # nothing from the document


def test_an_external_dtd_is_never_loaded(server: TestServer) -> None:
    server.route("/rss.dtd", Response(b'<!ENTITY x "boom">', headers=XML))
    dtd = server.url("/rss.dtd")
    server.route(
        "/feed.xml",
        Response(
            f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}">'
            "<rss><channel><item><link>/a.html</link></item></channel></rss>".encode(),
            headers=RSS,
        ),
    )

    found = run(feeds=[server.url("/feed.xml")])

    assert urls(found) == [server.url("/a.html")]
    assert server.hits("/rss.dtd") == 0


# --- configuration ---------------------------------------------------------------------------


def write(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(f'engine = "pseudo"\n[[sources]]\nname = "news"\n{source}', encoding="utf-8")
    return path


START = 'start_urls = ["https://n.example.org/"]\n'


def test_discovery_settings_and_their_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, 'feeds = ["https://news.example.org/feed.xml"]\n'
                        'sitemaps = ["https://cdn.example.org/sitemap.xml.gz"]\n'),
        env={"TP_SOURCES__0__EXCLUDE_PATTERNS": "/tags/,/video/"},
    )  # fmt: skip

    [source] = settings.sources
    assert source.start_urls == []
    assert source.hosts == frozenset({"news.example.org", "cdn.example.org"})
    assert source.exclude_patterns == ["/tags/", "/video/"]
    assert source.include_patterns == []
    assert source.next_selector is None
    assert source.max_pages == 5
    assert source.tracking_params == ["utm_*", "fbclid", "gclid", "mc_cid", "mc_eid", "_ga"]


@pytest.mark.parametrize(
    ("text", "key", "fragments"),
    [
        pytest.param("", "start_urls", ["feeds or sitemaps"], id="no-way-in"),
        pytest.param(START + 'exclude_patterns = ["ok", "(unclosed"]\n', "exclude_patterns",
                     ["'(unclosed'", "regular expression"], id="bad-regex"),
        pytest.param(START + 'include_patterns = ["[a-"]\n', "include_patterns", ["'[a-'"],
                     id="bad-include-regex"),
        pytest.param(START + 'next_selector = "a[rel=next"\n', "next_selector",
                     ["'a[rel=next'", "CSS selector"], id="bad-next-selector"),
        pytest.param('feeds = ["file:///etc/feed.xml"]\n', "feeds", ["http(s)"], id="file-feed"),
        pytest.param('sitemaps = ["sitemap.xml"]\n', "sitemaps", ["http(s)"],
                     id="relative-sitemap"),
        pytest.param(START + "max_pages = 0\n", "max_pages", ["greater than or equal to 1"],
                     id="zero-pages"),
    ],
)  # fmt: skip
def test_bad_discovery_settings_name_the_key_and_the_problem(
    tmp_path: Path, text: str, key: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)

    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})

    problems = dict(caught.value.problems)
    message = problems[f"{path}:sources[0].{key}"]
    for fragment in fragments:
        assert fragment in message
    assert len(problems) == 1  # a bad feed URL does not also claim start_urls is missing


# --- the flow and its report -----------------------------------------------------------------


@pytest.mark.usefixtures("prefect_harness")
def test_flow_reports_refused_links_and_source_errors_and_never_fetches_them(
    site_server: TestServer, tmp_path: Path
) -> None:
    from translator_pipeline.flows import translate_and_publish

    serve_site_xml(site_server)
    index = site_server.root / "index.html"
    secret = other_host_url(site_server, "/articles/journee-langue-arabe.html?copy=1")
    index.write_text(
        index.read_text("utf-8").replace(
            '<ul class="news-list">',
            '<ul class="news-list">'
            f'<li><a class="news-link" href="{secret}">copy</a></li>'
            '<li><a class="news-link" href="javascript:void(0)">menu</a></li>'
            '<li><a class="news-link" href="http://169.254.169.254/latest/">meta</a></li>',
            1,
        ),
        encoding="utf-8",
    )
    config = tmp_path / "site.toml"
    config.write_text(
        f"""
engine = "pseudo"
output_dir = "out"
state_path = "state/tp.sqlite3"

[fetch]
host_delay = 0
retries = 0

[[sources]]
name = "demo"
start_urls = ["{site_server.base_url}index.html"]
feeds = ["{site_server.base_url}feed.xml", "{site_server.base_url}missing-feed.xml"]
link_selector = "ul.news-list a.news-link"
title_selector = "h1.article-title"
body_selector = "div.article-body"
date_selector = "time.article-date"
remove_selectors = [".share-buttons"]
""",
        encoding="utf-8",
    )

    report = translate_and_publish(config_path=str(config))

    assert report.discovered == 4  # feed and listing page name the same four articles
    assert report.count("published") == 4, report.outcomes
    assert report.source_errors == [
        ("demo", f"feed {site_server.base_url}missing-feed.xml: HTTP 404 Not Found")
    ]
    assert sorted(reason for _, _, reason in report.refused_links) == [
        "javascript: links are not web pages; only http and https are fetched",
        "link-local address 169.254.169.254",
        "other host 'localhost'",
    ]
    assert {source for source, _, _ in report.refused_links} == {"demo"}
    # Each article was fetched once, under its normalised URL (no utm_* from the feed).
    for name in DEMO_NEWEST_FIRST:
        assert site_server.hits("/" + name) == 1
    assert all("utm_" not in o.url for o in report.outcomes)

    summary = format_summary(report)
    assert "refused 3 link(s), not fetched:" in summary
    assert "1 × javascript: links are not web pages; only http and https are fetched" in summary
    assert "missing-feed.xml: HTTP 404" in summary


def test_summary_lists_the_most_common_refusal_reasons_only() -> None:
    report = RunReport(started_at="t")
    hosts = [("s", f"https://h{i}.example/", f"other host 'h{i}.example'") for i in range(7)]
    report.refused_links = (
        hosts
        + [
            (
                "s",
                "javascript:x",
                "javascript: links are not web pages; only http and https are fetched",
            )
        ]
        * 3
    )

    summary = format_summary(report)

    assert "refused 10 link(s)" in summary
    assert "3 × javascript: links are not web pages; only http and https are fetched" in summary
    assert summary.count("× other host") == 4
    assert "… and 3 other reason(s)" in summary
