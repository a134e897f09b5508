"""Polite and safe fetching against a real HTTP server on 127.0.0.1: retries and
backoff, robots.txt, per-host delay and concurrency, conditional requests, SSRF
refusals and feeds/sitemaps. Waits are read from an injected clock (no test
waits for them): ``clock.waits`` holds the start time granted to each request."""

from __future__ import annotations

import gzip
import socket
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.clock import FakeClock
from tests.support.server import Request, Response
from translator_pipeline.config.settings import FetchSettings
from translator_pipeline.crawl.fetch import Fetcher, retry_after_seconds
from translator_pipeline.crawl.robots import user_agent_token
from translator_pipeline.crawl.safety import check_address
from translator_pipeline.errors import (
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
    UnreachableError,
    UnsafeURLError,
    UnsupportedContentError,
)

if TYPE_CHECKING:  # imported by name at run time, pytest would try to collect it
    from tests.support.server import Route, TestServer

HOSTS = ["127.0.0.1"]
PAGE = b"<!DOCTYPE html><html><body><p>ok</p></body></html>"


def polite(**kwargs: Any) -> FetchSettings:
    """Fast settings: tiny backoff, no host delay; robots.txt on (404 → allowed)."""
    values: dict[str, Any] = {
        "timeout": 2.0,
        "connect_timeout": 2.0,
        "max_bytes": 100_000,
        "retries": 2,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "host_delay": 0.0,
    }
    values.update(kwargs)
    return FetchSettings(**values)


def fetch(
    server: TestServer,
    path: str,
    hosts: list[str] = HOSTS,
    clock: FakeClock | None = None,
    **kwargs: Any,
):
    with Fetcher(polite(**kwargs), clock=clock or FakeClock()) as fetcher:
        return fetcher.fetch(server.url(path), hosts)


def ok(body: bytes = PAGE, content_type: str = "text/html; charset=utf-8") -> Response:
    return Response(body, headers={"Content-Type": content_type})


def status(code: int, **headers: str) -> Response:
    return Response(
        b"<h1>error</h1>", status=code, headers={"Content-Type": "text/html", **headers}
    )


def sequence(*responses: Response) -> Route:
    """Answer with each response in turn, then keep repeating the last one."""
    remaining = list(responses)
    lock = threading.Lock()

    def respond(_request: Request) -> Response:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return respond


def robots(text: str) -> Response:
    return Response(text.encode(), headers={"Content-Type": "text/plain"})


def starts(clock: FakeClock, server: TestServer, path: str) -> list[float]:
    """When each request for ``path`` was let through, on ``clock`` (sequential fetches:
    the clock's waits and the server's requests are in the same order)."""
    assert len(clock.waits) == len(server.requests)
    return [t for t, r in zip(clock.waits, server.requests, strict=True) if r.path == path]


def port_of(server: TestServer) -> int:
    return int(server.base_url.rstrip("/").rsplit(":", 1)[1])


# Real socket activity, observed through CPython audit events (nothing is replaced).
_events: list[tuple[str, Any]] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _events is not None and event in ("socket.connect", "socket.getaddrinfo"):
        _events.append((event, args[1] if event == "socket.connect" else args[0]))


sys.addaudithook(_audit)


@contextmanager
def network_events() -> Iterator[list[tuple[str, Any]]]:
    global _events
    _events = recorded = []
    try:
        yield recorded
    finally:
        _events = None


# --- retries ----------------------------------------------------------------------------


def test_503_is_retried_then_the_page_is_returned(server: TestServer) -> None:
    server.route("/flaky", sequence(status(503), ok()))

    page = fetch(server, "/flaky")

    assert "<p>ok</p>" in page.text
    assert server.hits("/flaky") == 2


@pytest.mark.parametrize("code", [400, 403, 404, 410])
def test_other_4xx_are_never_retried(server: TestServer, code: int) -> None:
    server.route("/missing", status(code))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/missing")

    assert caught.value.status == code
    assert server.hits("/missing") == 1


def test_retries_are_bounded_and_the_last_status_is_reported(server: TestServer) -> None:
    server.route("/down", status(500))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/down", retries=2)

    assert caught.value.status == 500
    assert server.hits("/down") == 3  # the first try and two retries


def test_backoff_grows_exponentially(server: TestServer) -> None:
    server.route("/busy", sequence(status(502), status(502), ok()))

    clock = FakeClock()
    fetch(server, "/busy", clock=clock, backoff_base=0.2, backoff_max=10)

    first, second, third = starts(clock, server, "/busy")
    # With equal jitter a wait is at least half of base * 2**attempt: 0.1 s, then 0.2 s.
    assert second - first >= 0.09
    assert third - second >= 0.19


def test_retry_after_in_seconds_is_honoured(server: TestServer) -> None:
    server.route("/later", sequence(status(503, **{"Retry-After": "1"}), ok()))

    clock = FakeClock()
    fetch(server, "/later", clock=clock)

    first, second = starts(clock, server, "/later")
    assert second - first >= 1.0


def test_429_is_retried(server: TestServer) -> None:
    server.route("/limited", sequence(status(429, **{"Retry-After": "0"}), ok()))

    assert "<p>ok</p>" in fetch(server, "/limited").text
    assert server.hits("/limited") == 2


def test_retry_after_beyond_the_maximum_ends_the_retries(server: TestServer) -> None:
    server.route("/maintenance", status(503, **{"Retry-After": "3600"}))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/maintenance", retry_after_max=5)

    assert "Retry-After" in caught.value.message
    assert "3600" in caught.value.message
    assert server.hits("/maintenance") == 1  # not retried sooner than the server asked


def test_a_timeout_is_retried(server: TestServer) -> None:
    server.route("/stall", sequence(Response(PAGE, delay=1.0), ok()))

    page = fetch(server, "/stall", timeout=0.3)

    assert "<p>ok</p>" in page.text
    assert server.hits("/stall") == 2


def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{port}/page"

        with (
            network_events() as events,
            Fetcher(polite(respect_robots=False)) as fetcher,
            pytest.raises(FetchError, match="connection failed"),
        ):
            fetcher.fetch(url, HOSTS)

    connects = [addr for event, addr in events if event == "socket.connect"]
    assert connects.count(("127.0.0.1", port)) == 3


def test_retry_after_parsing() -> None:
    now = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# --- robots.txt -------------------------------------------------------------------------


def test_disallowed_url_is_never_requested(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
    server.route("/private/report.html", ok())
    server.route("/news/a.html", ok())

    with Fetcher(polite()) as fetcher:
        assert "<p>ok</p>" in fetcher.fetch(server.url("/news/a.html"), HOSTS).text
        with pytest.raises(RobotsDisallowedError) as caught:
            fetcher.fetch(server.url("/private/report.html"), HOSTS)

    assert server.hits("/private/report.html") == 0
    assert caught.value.url == server.url("/private/report.html")
    assert caught.value.robots_url == server.url("/robots.txt")
    assert "'translator-pipeline'" in caught.value.message


def test_a_group_for_our_user_agent_token_applies_to_us_only(server: TestServer) -> None:
    server.route(
        "/robots.txt",
        robots("User-agent: translator-pipeline\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
    )
    server.route("/a.html", ok())

    with pytest.raises(RobotsDisallowedError):
        fetch(server, "/a.html")
    assert "<p>ok</p>" in fetch(server, "/a.html", user_agent="otherbot/2.0 (+https://x)").text
    assert server.hits("/a.html") == 1  # only the other bot's request
    assert user_agent_token("translator-pipeline/0.1.0 (offline news bot)") == (
        "translator-pipeline"
    )


def test_redirect_target_is_checked_against_robots(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
    server.route("/short", Response(b"", status=302, headers={"Location": "/private/x.html"}))
    server.route("/private/x.html", ok())

    with pytest.raises(RobotsDisallowedError):
        fetch(server, "/short")

    assert server.hits("/private/x.html") == 0


@pytest.mark.parametrize("code", [404, 410])
def test_missing_robots_txt_allows_everything(server: TestServer, code: int) -> None:
    server.route("/robots.txt", status(code))
    server.route("/a.html", ok())

    assert "<p>ok</p>" in fetch(server, "/a.html").text
    assert server.hits("/robots.txt") == 1


@pytest.mark.parametrize("code", [401, 403])
def test_forbidden_robots_txt_disallows_everything(server: TestServer, code: int) -> None:
    server.route("/robots.txt", status(code))
    server.route("/a.html", ok())

    with pytest.raises(RobotsDisallowedError) as caught:
        fetch(server, "/a.html")

    assert f"HTTP {code}" in caught.value.message
    assert server.hits("/a.html") == 0
    assert server.hits("/robots.txt") == 1  # not retried: it is an answer


def test_robots_txt_server_error_disallows_the_host_for_the_run(server: TestServer) -> None:
    server.route("/robots.txt", status(500))
    server.route("/a.html", ok())
    server.route("/b.html", ok())

    with Fetcher(polite(retries=1)) as fetcher:
        with pytest.raises(RobotsDisallowedError) as first:
            fetcher.fetch(server.url("/a.html"), HOSTS)
        with pytest.raises(RobotsDisallowedError) as second:
            fetcher.fetch(server.url("/b.html"), HOSTS)

    assert "robots.txt could not be read (HTTP 500 Internal Server Error after 2 attempts)" in (
        first.value.message
    )
    assert "disallowed for this run" in first.value.message
    assert second.value.message == first.value.message
    assert server.hits("/robots.txt") == 2  # retried once, then remembered for the run
    assert server.hits("/a.html") == server.hits("/b.html") == 0


def test_robots_txt_timeout_reports_the_host_unreachable(server: TestServer) -> None:
    # No answer at all is the host's problem, not a robots.txt rule: the page is not
    # asked for either, and the error says the host is unreachable.
    server.route("/robots.txt", Response(b"User-agent: *\nAllow: /\n", delay=1.0))
    server.route("/a.html", ok())

    with pytest.raises(UnreachableError) as caught:
        fetch(server, "/a.html", timeout=0.3, retries=0)

    assert not isinstance(caught.value, RobotsDisallowedError)
    assert caught.value.message.startswith("host unreachable: timed out")
    assert server.hits("/a.html") == 0


def test_robots_txt_refused_connection_reports_the_host_unreachable() -> None:
    from tests.support.prefect_server import free_port

    url = f"http://127.0.0.1:{free_port()}/a.html"  # nothing listens there
    with Fetcher(polite(), clock=FakeClock()) as fetcher, pytest.raises(UnreachableError) as caught:
        fetcher.fetch(url, HOSTS)
    assert "host unreachable: connection failed" in caught.value.message
    assert "robots" not in caught.value.message


def test_robots_txt_is_read_once_for_many_pages_and_threads(server: TestServer) -> None:
    # Slow robots.txt: the other threads must wait for the first one's answer.
    server.route("/robots.txt", Response(b"User-agent: *\nDisallow: /x/\n", delay=0.2))
    paths = [f"/news/{i}.html" for i in range(8)]
    for path in paths:
        server.route(path, ok())

    with Fetcher(polite(host_concurrency=4)) as fetcher, ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(lambda p: fetcher.fetch(server.url(p), HOSTS), paths))

    assert len(pages) == 8
    assert server.hits("/robots.txt") == 1
    assert server.requests[0].path == "/robots.txt"  # before any page


def test_crawl_delay_spaces_requests_to_the_host(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 1\n"))
    server.route("/a.html", ok())
    server.route("/b.html", ok())

    clock = FakeClock()
    with Fetcher(polite(host_delay=0.0), clock=clock) as fetcher:
        fetcher.fetch(server.url("/a.html"), HOSTS)
        fetcher.fetch(server.url("/b.html"), HOSTS)

    [robots_at], [a_at], [b_at] = (
        starts(clock, server, p) for p in ("/robots.txt", "/a.html", "/b.html")
    )
    assert a_at - robots_at == pytest.approx(1.0)
    assert b_at - a_at == pytest.approx(1.0)


def test_a_huge_crawl_delay_is_capped(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 600\n"))
    server.route("/a.html", ok())

    clock = FakeClock()
    fetch(server, "/a.html", clock=clock, crawl_delay_max=0.3)  # ten minutes uncapped

    [robots_at], [a_at] = starts(clock, server, "/robots.txt"), starts(clock, server, "/a.html")
    assert a_at - robots_at == pytest.approx(0.3)


def test_credentials_in_a_url_are_not_sent_for_robots_txt(server: TestServer) -> None:
    server.route("/a.html", ok())
    url = server.url("/a.html").replace("http://", "http://editor:secret@")

    with Fetcher(polite()) as fetcher:
        fetcher.fetch(url, HOSTS)

    [robots_request] = [r for r in server.requests if r.path == "/robots.txt"]
    assert "Authorization" not in robots_request.headers


def test_robots_can_be_switched_off(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    server.route("/a.html", ok())

    assert "<p>ok</p>" in fetch(server, "/a.html", respect_robots=False).text
    assert server.hits("/robots.txt") == 0


# --- per-host politeness ----------------------------------------------------------------


def test_host_concurrency_is_never_exceeded_across_threads(server: TestServer) -> None:
    changed = threading.Condition()
    active = peak = answered = 0

    def slow(_request: Request) -> Response:
        # Each request is held until a second one is in (or none is left to come), so
        # the limit is reached whatever the scheduling; a third would be over it.
        nonlocal active, peak, answered
        with changed:
            active += 1
            peak = max(peak, active)
            changed.notify_all()
            changed.wait_for(lambda: active >= 2 or answered >= len(paths) - 1, timeout=10)
            active -= 1
            answered += 1
            changed.notify_all()
        return ok()

    paths = [f"/slow/{i}" for i in range(10)]
    for path in paths:
        server.route(path, slow)

    settings = polite(host_concurrency=2, respect_robots=False)
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda p: fetcher.fetch(server.url(p), HOSTS), paths))

    assert peak == 2  # reached, never exceeded


def test_host_delay_spaces_request_starts_across_threads(server: TestServer) -> None:
    paths = [f"/p/{i}" for i in range(4)]
    for path in paths:
        server.route(path, ok())

    clock = FakeClock()
    settings = polite(host_delay=0.3, host_concurrency=4, respect_robots=False)
    with Fetcher(settings, clock=clock) as fetcher, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: fetcher.fetch(server.url(p), HOSTS), paths))

    granted = sorted(clock.waits)
    assert len(granted) == len(server.requests) == 4
    assert [round(later - earlier, 6) for earlier, later in pairwise(granted)] == [0.3] * 3


# --- conditional requests ---------------------------------------------------------------


def test_conditional_request_and_304(server: TestServer) -> None:
    stamp = "Fri, 18 Dec 2026 10:00:00 GMT"

    def article(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(b"", status=304, headers={"ETag": '"v1"'})
        return Response(PAGE, headers={"Content-Type": "text/html", "ETag": '"v1"'})

    server.route("/article.html", article)

    with Fetcher(polite()) as fetcher:
        fresh = fetcher.fetch(server.url("/article.html"), HOSTS)
        again = fetcher.fetch(
            server.url("/article.html"), HOSTS, etag=fresh.etag, last_modified=stamp
        )

    assert not fresh.not_modified
    assert fresh.etag == '"v1"'
    assert again.not_modified
    assert (again.status, again.text) == (304, "")
    assert again.etag == '"v1"'
    assert again.last_modified == stamp  # the 304 did not repeat it: the one we sent is kept
    first, second = [r for r in server.requests if r.path == "/article.html"]
    assert "If-None-Match" not in first.headers
    assert "If-Modified-Since" not in first.headers
    assert second.headers["If-None-Match"] == '"v1"'
    assert second.headers["If-Modified-Since"] == stamp


def test_304_to_an_unconditional_request_is_an_error(server: TestServer) -> None:
    server.route("/odd", Response(b"", status=304))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/odd")

    assert caught.value.status == 304


# --- SSRF ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("[fd00:ec2::254]", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("[::ffff:169.254.169.254]", "cloud metadata"),  # IPv4-mapped IPv6
        ("[64:ff9b::a9fe:a9fe]", "cloud metadata"),  # NAT64 spelling of 169.254.169.254
        ("169.254.10.1", "link-local"),
        ("[fe80::1]", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_dangerous_addresses_are_refused_without_a_connection(host: str, kind: str) -> None:
    bare = host.strip("[]")
    url = f"http://{host}/latest/meta-data/"

    with (
        network_events() as events,
        Fetcher(polite()) as fetcher,
        pytest.raises(UnsafeURLError) as caught,
    ):
        fetcher.fetch(url, [bare])  # even when the source is configured there

    assert kind in caught.value.message
    assert not [e for e in events if e[0] == "socket.connect"]


def test_metadata_host_name_is_refused_without_a_lookup() -> None:
    url = "http://metadata.google.internal/computeMetadata/v1/"

    with (
        network_events() as events,
        Fetcher(polite()) as fetcher,
        pytest.raises(UnsafeURLError, match="metadata"),
    ):
        fetcher.fetch(url, ["metadata.google.internal"])

    assert events == []  # no DNS query, no connection


def test_a_name_for_a_loopback_address_is_not_a_configured_ip(server: TestServer) -> None:
    # The source is configured on 127.0.0.1; "localhost" reaches the same server.
    server.route("/page", ok())
    url = f"http://localhost:{port_of(server)}/page"

    with Fetcher(polite()) as fetcher, pytest.raises(UnsafeURLError, match="not one of"):
        fetcher.fetch(url, ["127.0.0.1"])
    # Even listed as a source host, a *name* resolving to loopback is refused: its
    # DNS, not the operator, decides where it points.
    with Fetcher(polite()) as fetcher, pytest.raises(UnsafeURLError) as caught:
        fetcher.fetch(url, ["127.0.0.1", "localhost"])

    assert "resolves to" in caught.value.message
    assert "loopback" in caught.value.message
    assert "fetch.private_hosts" in caught.value.message
    assert server.requests == []


def test_private_hosts_lets_an_intranet_name_through(server: TestServer) -> None:
    server.route("/page", ok())
    url = f"http://localhost:{port_of(server)}/page"

    with Fetcher(polite(private_hosts=["LocalHost"])) as fetcher:
        page = fetcher.fetch(url, ["localhost"])

    assert "<p>ok</p>" in page.text
    assert server.hits("/page") == 1


def test_redirect_to_a_private_address_is_refused(server: TestServer) -> None:
    port = port_of(server)
    server.route(
        "/to-name", Response(b"", status=302, headers={"Location": f"http://localhost:{port}/in"})
    )
    server.route(
        "/to-metadata", Response(b"", status=302, headers={"Location": "http://169.254.169.254/"})
    )
    server.route("/in", ok())
    hosts = ["127.0.0.1", "localhost", "169.254.169.254"]

    with network_events() as events, Fetcher(polite()) as fetcher:
        with pytest.raises(UnsafeURLError, match="loopback"):
            fetcher.fetch(server.url("/to-name"), hosts)
        with pytest.raises(UnsafeURLError, match="cloud metadata"):
            fetcher.fetch(server.url("/to-metadata"), hosts)

    assert server.hits("/in") == 0
    assert not [a for e, a in events if e == "socket.connect" and a[0] != "127.0.0.1"]


def test_check_address_rules() -> None:
    with network_events() as events:
        check_address("http://10.1.2.3/")  # private, but an IP the operator wrote down
        check_address("http://[::1]:8080/")
        check_address("https://93.184.215.14/")  # public
    assert events == []  # IP literals are never looked up
    with pytest.raises(UnsafeURLError, match="loopback"):
        check_address("http://localhost/", private_hosts=["intranet.example"])
    check_address("http://localhost./", private_hosts=["localhost"])  # FQDN form too


# --- feeds and sitemaps -----------------------------------------------------------------

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title></channel></rss>'


@pytest.mark.parametrize(
    "content_type",
    [
        "application/xml",
        "text/xml; charset=utf-8",
        "application/rss+xml",
        "application/atom+xml",
        "text/plain",
    ],
)
def test_fetch_xml_accepts_feed_types(server: TestServer, content_type: str) -> None:
    server.route("/feed", ok(FEED, content_type))

    with Fetcher(polite()) as fetcher:
        url, body = fetcher.fetch_xml(server.url("/feed"), HOSTS)

    assert (url, body) == (server.url("/feed"), FEED)
    [request] = [r for r in server.requests if r.path == "/feed"]
    assert "application/rss+xml" in request.headers["Accept"]


@pytest.mark.parametrize("content_type", ["application/gzip", "application/x-gzip"])
def test_fetch_xml_gunzips_a_sitemap_file(server: TestServer, content_type: str) -> None:
    server.route("/sitemap.xml.gz", ok(gzip.compress(FEED), content_type))

    with Fetcher(polite()) as fetcher:
        assert fetcher.fetch_xml(server.url("/sitemap.xml.gz"), HOSTS).body == FEED


def test_fetch_xml_with_content_encoding_is_decoded_once(server: TestServer) -> None:
    headers = {"Content-Type": "application/xml", "Content-Encoding": "gzip"}
    server.route("/feed", Response(gzip.compress(FEED), headers=headers))

    with Fetcher(polite()) as fetcher:
        assert fetcher.fetch_xml(server.url("/feed"), HOSTS).body == FEED


def test_fetch_xml_gzip_bomb_stops_at_the_decoded_limit(server: TestServer) -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000)
    server.route("/sitemap.xml.gz", ok(bomb, "application/gzip"))

    with Fetcher(polite(max_bytes=100_000)) as fetcher, pytest.raises(ResponseTooLargeError):
        fetcher.fetch_xml(server.url("/sitemap.xml.gz"), HOSTS)


def test_fetch_xml_corrupt_gzip_is_a_fetch_error(server: TestServer) -> None:
    server.route("/sitemap.xml.gz", ok(b"\x1f\x8b not really gzip", "application/gzip"))

    with Fetcher(polite()) as fetcher, pytest.raises(FetchError, match="gzip"):
        fetcher.fetch_xml(server.url("/sitemap.xml.gz"), HOSTS)


def test_fetch_xml_refuses_html(server: TestServer) -> None:
    server.route("/feed", ok())

    with Fetcher(polite()) as fetcher, pytest.raises(UnsupportedContentError, match="not XML"):
        fetcher.fetch_xml(server.url("/feed"), HOSTS)


def test_fetch_xml_follows_robots_and_retries(server: TestServer) -> None:
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /private-sitemap.xml\n"))
    server.route("/private-sitemap.xml", ok(FEED, "application/xml"))
    server.route("/sitemap.xml", sequence(status(503), ok(FEED, "application/xml")))

    with Fetcher(polite()) as fetcher:
        assert fetcher.fetch_xml(server.url("/sitemap.xml"), HOSTS).body == FEED
        with pytest.raises(RobotsDisallowedError):
            fetcher.fetch_xml(server.url("/private-sitemap.xml"), HOSTS)

    assert server.hits("/sitemap.xml") == 2
    assert server.hits("/private-sitemap.xml") == 0


def test_xml_served_as_octet_stream_is_accepted_only_when_it_is_xml(server):
    from translator_pipeline.crawl.fetch import Fetcher
    from translator_pipeline.errors import UnsupportedContentError

    feed = b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>'
    octet = {"Content-Type": "application/octet-stream"}
    server.route("/feed.xml", Response(feed, headers=octet))
    server.route("/sitemap.xml.gz", Response(gzip.compress(feed), headers=octet))
    server.route("/blob.bin", Response(b"\x00\x01binary", headers=octet))
    hosts = ["127.0.0.1"]
    with Fetcher(FetchSettings(retries=0, host_delay=0, respect_robots=False)) as fetcher:
        assert fetcher.fetch_xml(server.url("/feed.xml"), hosts).body == feed
        assert fetcher.fetch_xml(server.url("/sitemap.xml.gz"), hosts).body == feed
        with pytest.raises(UnsupportedContentError, match="body is not XML"):
            fetcher.fetch_xml(server.url("/blob.bin"), hosts)
