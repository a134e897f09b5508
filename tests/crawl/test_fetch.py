"""Fetching against a real HTTP server on 127.0.0.1: decoding, limits, redirects, errors."""

from __future__ import annotations

import codecs
import gzip
from typing import TYPE_CHECKING

import pytest

from tests.factories import closed_port
from tests.support.server import Response
from translator_pipeline.config.settings import FetchSettings
from translator_pipeline.crawl.decode import decode_html
from translator_pipeline.crawl.fetch import Fetcher
from translator_pipeline.crawl.safety import check_url
from translator_pipeline.errors import (
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    UnsafeURLError,
    UnsupportedContentError,
)

if TYPE_CHECKING:  # imported by name at run time, pytest would try to collect it
    from tests.support.server import TestServer

HOSTS = ["127.0.0.1"]
ARABIC = "وقّعت منظمة الإيسيسكو اتفاقية تعاون لتطوير التعليم الرقمي وتأهيل المعلمين"
FRENCH_1252 = "L’œuvre « Cœur » coûte 10 € : élèves, déjà, à Noël, Œdipe…"
FRENCH_LATIN1 = "Élèves et enseignants ont célébré « la langue arabe » à Rabat, déjà reçus."


def page(text: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body><p>{text}</p></body></html>"


def html_response(body: bytes, content_type: str | None = "text/html", **extra: str) -> Response:
    headers = dict(extra)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return Response(body=body, headers=headers)


def redirect(location: str, status: int = 302) -> Response:
    return Response(body=b"", status=status, headers={"Location": location})


def settings(**kwargs: float) -> FetchSettings:
    # These tests are about one response each: no robots.txt request, retry or
    # politeness wait in between (tests/test_fetch_polite.py covers those).
    values = {
        "timeout": 2.0,
        "connect_timeout": 2.0,
        "max_bytes": 100_000,
        "retries": 0,
        "host_delay": 0.0,
        "respect_robots": False,
    }
    values.update(kwargs)
    return FetchSettings(**values)


def fetch(server: TestServer, path: str, hosts=HOSTS, **kwargs: float):
    with Fetcher(settings(**kwargs)) as fetcher:
        return fetcher.fetch(server.url(path), hosts)


# --- decoding over HTTP ---------------------------------------------------------------


def test_utf8_page(server: TestServer) -> None:
    text = page("Journée mondiale de la langue arabe — " + ARABIC)
    server.route(
        "/utf8",
        html_response(
            text.encode("utf-8"),
            "text/html; charset=utf-8",
            ETag='"v1"',
            **{"Last-Modified": "Fri, 18 Dec 2026 10:00:00 GMT"},
        ),
    )

    fetched = fetch(server, "/utf8")

    assert fetched.text == text
    assert fetched.status == 200
    assert fetched.content_type == "text/html"
    assert (fetched.encoding, fetched.encoding_origin) == ("utf-8", "header")
    assert fetched.url == fetched.requested_url == server.url("/utf8")
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Fri, 18 Dec 2026 10:00:00 GMT"


def test_request_identifies_the_bot(server: TestServer) -> None:
    server.route("/ua", html_response(page("x").encode()))

    fetch(server, "/ua")

    [request] = server.requests
    assert request.headers["User-Agent"].startswith("translator-pipeline/")
    assert "text/html" in request.headers["Accept"]


@pytest.mark.parametrize(
    ("text", "codec", "label", "expected_codec"),
    [
        (ARABIC, "cp1256", "windows-1256", "cp1256"),
        (FRENCH_1252, "cp1252", "windows-1252", "cp1252"),
        (FRENCH_LATIN1, "latin-1", "ISO-8859-1", "cp1252"),  # WHATWG: latin-1 means cp1252
        (FRENCH_1252, "cp1252", "iso-8859-1", "cp1252"),  # € and œ survive the alias
    ],
    ids=["arabic-windows-1256", "french-windows-1252", "french-iso-8859-1", "cp1252-as-latin1"],
)
def test_charset_from_http_header(
    server: TestServer, text: str, codec: str, label: str, expected_codec: str
) -> None:
    body = page(text).encode(codec)
    server.route("/legacy", html_response(body, f"text/html; charset={label}"))

    fetched = fetch(server, "/legacy")

    assert text in fetched.text
    assert fetched.encoding == expected_codec
    assert fetched.encoding_origin == "header"


@pytest.mark.parametrize(
    ("bom", "codec", "expected_codec"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_byte_order_mark_when_the_header_has_no_charset(
    server: TestServer, bom: bytes, codec: str, expected_codec: str
) -> None:
    text = page(FRENCH_1252 + " " + ARABIC)
    server.route("/bom", html_response(bom + text.encode(codec), "text/html"))

    fetched = fetch(server, "/bom")

    assert fetched.text == text  # decoded, and the BOM itself is not part of the text
    assert (fetched.encoding, fetched.encoding_origin) == (expected_codec, "bom")


def test_byte_order_mark_wins_over_a_contradicting_header(server: TestServer) -> None:
    # WHATWG "decode": a BOM overrides the transport-layer charset. Decoding these
    # bytes as cp1252 instead yields mojibake starting with "ï»¿".
    text = page("été à Rabat")
    body = codecs.BOM_UTF8 + text.encode("utf-8")
    server.route("/bom-vs-header", html_response(body, "text/html; charset=windows-1252"))

    fetched = fetch(server, "/bom-vs-header")

    assert fetched.text == text


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1256">',
        "<meta charset=windows-1256>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
    ],
)
def test_meta_charset_when_the_header_has_none(server: TestServer, meta: str) -> None:
    text = f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{ARABIC}</p>"
    server.route("/meta", html_response(text.encode("cp1256"), "text/html"))

    fetched = fetch(server, "/meta")

    assert ARABIC in fetched.text
    assert (fetched.encoding, fetched.encoding_origin) == ("cp1256", "meta")


def test_header_charset_wins_over_meta(server: TestServer) -> None:
    # Every byte decodes in cp1256 too, so a meta-first decoder would succeed
    # and turn the French accents into Arabic letters.
    text = f'<html><head><meta charset="windows-1256"></head><body><p>{FRENCH_1252}</p>'
    server.route("/both", html_response(text.encode("cp1252"), "text/html; charset=windows-1252"))

    fetched = fetch(server, "/both")

    assert FRENCH_1252 in fetched.text
    assert (fetched.encoding, fetched.encoding_origin) == ("cp1252", "header")


@pytest.mark.parametrize("content_type", ["application/xhtml+xml", "TEXT/HTML", None])
def test_html_content_types_are_accepted(server: TestServer, content_type: str | None) -> None:
    server.route("/page", html_response(page("ok").encode(), content_type))

    fetched = fetch(server, "/page")

    assert "<p>ok</p>" in fetched.text
    assert fetched.content_type == (content_type or "text/html").lower()


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_status_raises_http_status_error(server: TestServer, status: int) -> None:
    server.route("/gone", Response(b"<h1>error</h1>", status=status))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/gone")

    assert caught.value.status == status
    assert caught.value.url == server.url("/gone")
    assert str(status) in caught.value.message


def test_unrouted_path_is_a_404(server: TestServer) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/missing.html")

    assert caught.value.status == 404
    assert server.hits("/missing.html") == 1


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "application/json", "text/plain"]
)
def test_non_html_content_type_is_refused(server: TestServer, content_type: str) -> None:
    server.route("/file", html_response(b"%PDF-1.7 not html", content_type))

    with pytest.raises(UnsupportedContentError) as caught:
        fetch(server, "/file")

    assert content_type in caught.value.message
    assert caught.value.url == server.url("/file")


def test_body_at_the_limit_is_accepted_and_one_byte_more_is_refused(server: TestServer) -> None:
    server.route("/exact", html_response(b"a" * 1024))
    server.route("/over", html_response(b"a" * 1025))

    assert len(fetch(server, "/exact", max_bytes=1024).text) == 1024
    with pytest.raises(ResponseTooLargeError):
        fetch(server, "/over", max_bytes=1024)


def test_large_body_is_refused(server: TestServer) -> None:
    server.route("/big", html_response(page("x" * 50_000).encode()))

    with pytest.raises(ResponseTooLargeError) as caught:
        fetch(server, "/big", max_bytes=10_000)

    assert "10000" in caught.value.message


def test_gzip_body_within_the_limit_is_decompressed(server: TestServer) -> None:
    text = page("Rencontre des jeunes chercheurs " * 50)
    server.route("/gz", html_response(gzip.compress(text.encode()), **{"Content-Encoding": "gzip"}))

    assert fetch(server, "/gz").text == text


def test_gzip_bomb_is_refused_by_its_decoded_size(server: TestServer) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"A" * 5_000_000)
    assert len(bomb) < 10_000  # small on the wire: only the decoded size gives it away
    server.route("/bomb", html_response(bomb, **{"Content-Encoding": "gzip"}))

    with pytest.raises(ResponseTooLargeError) as caught:
        fetch(server, "/bomb", max_bytes=100_000)

    assert "decoded" in caught.value.message


def test_corrupt_gzip_body_is_a_fetch_error(server: TestServer) -> None:
    # The pipeline only turns PipelineError into a "skipped" outcome with a reason.
    server.route("/badgz", html_response(b"this is not gzip", **{"Content-Encoding": "gzip"}))

    with pytest.raises(FetchError):
        fetch(server, "/badgz")


# --- redirects ------------------------------------------------------------------------------


def test_redirect_within_the_host_is_followed(server: TestServer) -> None:
    server.route("/old", redirect("/articles/new.html#top", status=301))
    server.route("/articles/new.html", html_response(page("moved here").encode()))

    fetched = fetch(server, "/old")

    assert fetched.url == server.url("/articles/new.html")  # final URL, fragment dropped
    assert fetched.requested_url == server.url("/old")
    assert "moved here" in fetched.text
    assert server.hits("/old") == 1
    assert server.hits("/articles/new.html") == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed(server: TestServer, status: int) -> None:
    server.route("/from", redirect(server.url("/to"), status=status))
    server.route("/to", html_response(page("arrived").encode()))

    assert fetch(server, "/from").url == server.url("/to")


def test_redirect_to_another_host_is_refused_before_requesting_it(server: TestServer) -> None:
    port = server.base_url.rstrip("/").rsplit(":", 1)[1]
    server.route("/away", redirect(f"http://localhost:{port}/target"))
    server.route("/target", html_response(page("should not be fetched").encode()))

    with pytest.raises(UnsafeURLError) as caught:
        fetch(server, "/away", hosts=["127.0.0.1"])

    assert "localhost" in caught.value.message
    assert server.hits("/target") == 0


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_redirect_to_a_non_http_scheme_is_refused(server: TestServer, location: str) -> None:
    server.route("/sneaky", redirect(location))

    with pytest.raises(UnsafeURLError):
        fetch(server, "/sneaky")


def test_exactly_max_redirects_is_allowed(server: TestServer) -> None:
    server.route("/r1", redirect("/r2"))
    server.route("/r2", redirect("/r3"))
    server.route("/r3", html_response(page("end").encode()))

    assert fetch(server, "/r1", max_redirects=2).url == server.url("/r3")


def test_too_many_redirects(server: TestServer) -> None:
    for i in range(6):
        server.route(f"/hop/{i}", redirect(f"/hop/{i + 1}"))

    with pytest.raises(FetchError) as caught:
        fetch(server, "/hop/0", max_redirects=3)

    assert type(caught.value) is FetchError
    assert caught.value.message.startswith("more than 3 redirects: ")
    assert server.url("/hop/3") in caught.value.message  # the chain, for ops to follow
    assert [r.path for r in server.requests] == ["/hop/0", "/hop/1", "/hop/2", "/hop/3"]


@pytest.mark.parametrize("chain", [["/loop"], ["/a", "/b"], ["/a", "/b", "/c"]])
def test_a_redirect_loop_is_named_a_loop_with_its_urls(server: TestServer, chain) -> None:
    for here, there in zip(chain, [*chain[1:], chain[0]], strict=True):
        server.route(here, redirect(there))

    with pytest.raises(FetchError) as caught:
        fetch(server, chain[0], max_redirects=10)

    urls = [server.url(p) for p in [*chain, chain[0]]]
    assert caught.value.message == "redirect loop: " + " → ".join(urls)
    assert server.hits(chain[0]) == 1  # stopped when the loop closed, not after 10 hops


def test_no_redirects_allowed(server: TestServer) -> None:
    server.route("/r1", redirect("/r2"))
    server.route("/r2", html_response(page("end").encode()))

    with pytest.raises(FetchError, match="redirects"):
        fetch(server, "/r1", max_redirects=0)
    assert server.hits("/r2") == 0


def test_redirect_status_without_location_is_not_a_page(server: TestServer) -> None:
    # Nothing to follow: this is not a successful response, and its stub body
    # ("Moved") must not be handed on to extraction as an article.
    server.route("/nowhere", Response(b"<p>Moved</p>", status=302))

    with pytest.raises(HTTPStatusError) as caught:
        fetch(server, "/nowhere")

    assert caught.value.status == 302


# --- transport failures -------------------------------------------------------------------


def test_server_slower_than_the_timeout(server: TestServer) -> None:
    server.route("/slow", Response(page("late").encode(), delay=1.0))

    with pytest.raises(FetchError) as caught:
        fetch(server, "/slow", timeout=0.3)

    assert caught.value.url == server.url("/slow")
    assert "timed out" in caught.value.message


def test_body_trickling_in_past_the_total_timeout(server: TestServer) -> None:
    # Each piece arrives well within the read timeout; the whole takes too long.
    server.route("/drip", Response(page("x" * 100).encode(), delay=0.2, chunks=5))

    with pytest.raises(FetchError) as caught:
        fetch(server, "/drip", timeout=0.5)

    assert caught.value.url == server.url("/drip")
    assert "not received within" in caught.value.message


def test_connection_refused() -> None:
    url = f"http://127.0.0.1:{closed_port()}/index.html"

    with Fetcher(settings()) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url, HOSTS)

    assert caught.value.url == url
    assert "connection failed" in caught.value.message


def test_fetch_refuses_a_non_http_url_without_a_request(server: TestServer) -> None:
    with Fetcher(settings()) as fetcher, pytest.raises(UnsafeURLError):
        fetcher.fetch("ftp://127.0.0.1/index.html", HOSTS)
    assert server.requests == []


# --- check_url --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://news.example.org/a.html",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "mailto:press@news.example.org",
        "news.example.org/a.html",  # no scheme
        "http:///a.html",  # no host
        "https://evil.example.com/a.html",
        "https://news.example.org@evil.example.com/a.html",  # userinfo trick
        "https://news.example.org.evil.example.com/a.html",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, ["news.example.org"])

    assert caught.value.url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/a.html",
        "http://NEWS.Example.ORG:8080/a.html?x=1",
    ],
)
def test_check_url_accepts(url: str) -> None:
    assert check_url(url, ["News.Example.org"]) == url


# --- decode_html -----------------------------------------------------------------------


def test_decode_header_charset() -> None:
    assert decode_html(ARABIC.encode("cp1256"), "windows-1256") == (ARABIC, "cp1256", "header")


def test_decode_latin1_label_means_windows_1252() -> None:
    assert decode_html(b"\x80 \x9c \xe9", "ISO-8859-1") == ("€ œ é", "cp1252", "header")


def test_decode_quoted_and_padded_header_charset() -> None:
    assert decode_html("é".encode(), ' "UTF-8" ') == ("é", "utf-8", "header")


def test_decode_unknown_header_charset_falls_through_to_meta() -> None:
    body = b'<meta charset="windows-1256"><p>' + ARABIC.encode("cp1256")

    text, codec, origin = decode_html(body, "no-such-charset")

    assert ARABIC in text
    assert (codec, origin) == ("cp1256", "meta")


def test_decode_wrong_header_charset_falls_through_to_the_next_clue() -> None:
    body = b'<meta charset="windows-1252"><p>\xe9t\xe9</p>'  # not valid UTF-8

    text, codec, origin = decode_html(body, "utf-8")

    assert text.endswith("<p>été</p>")
    assert (codec, origin) == ("cp1252", "meta")


def test_decode_meta_claiming_utf16_without_bom_is_ignored() -> None:
    body = '<meta charset="utf-16"><p>été</p>'.encode()

    text, codec, origin = decode_html(body)

    assert text == '<meta charset="utf-16"><p>été</p>'
    assert codec == "utf-8"
    assert origin == "detected"


def test_decode_utf8_bom_is_stripped() -> None:
    assert decode_html(codecs.BOM_UTF8 + "<p>é</p>".encode()) == ("<p>é</p>", "utf-8", "bom")


def test_decode_without_any_clue_tries_utf8() -> None:
    assert decode_html("<p>Élèves — مرحبا</p>".encode()) == (
        "<p>Élèves — مرحبا</p>",
        "utf-8",
        "detected",
    )


def test_decode_without_any_clue_detects_a_legacy_arabic_page() -> None:
    text = page(ARABIC + " " + "وأكد الطرفان أن الاستثمار في المعلم هو المدخل الحقيقي لأي إصلاح")

    decoded, codec, origin = decode_html(text.encode("cp1256"))

    assert decoded == text
    assert origin == "detected"
    assert codec == "cp1256"


def test_decode_meta_is_only_looked_for_near_the_start() -> None:
    body = b"<p>" + b"x" * 5000 + b'</p><meta charset="windows-1256">'

    _, codec, origin = decode_html(body)

    assert (codec, origin) == ("utf-8", "detected")
