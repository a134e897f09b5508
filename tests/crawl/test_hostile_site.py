"""A whole run over a hostile site: every bad page is skipped and every unreachable
one failed, each with a specific reason, nothing forbidden is requested, and the
good articles are published."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.support.server import Response
from translator_pipeline.flows import translate_and_publish

pytestmark = pytest.mark.usefixtures("prefect_harness")

GOOD = (
    "<html><head><meta charset='utf-8'><title>{t}</title></head><body><nav>Menu</nav>"
    "<article><h1>{t}</h1><p>{p}</p></article><footer>Footer</footer></body></html>"
)
EN_TEXT = (
    "The organisation published its annual report on education and culture today, "
    "with new figures on schools and libraries across the member states."
)

BAD_LINKS = {
    "/a/not-found.html": "HTTPStatusError: HTTP 404",
    "/a/gone.html": "HTTPStatusError: HTTP 410",
    "/a/loop.html": "redirect loop: ",
    "/a/huge.html": "ResponseTooLargeError",
    "/a/bomb.html": "ResponseTooLargeError",
    "/a/report.pdf": "UnsupportedContentError",
    "/a/photo.jpg": "UnsupportedContentError",
    "/a/empty.html": "ExtractionError",
    "/a/private.html": "RobotsDisallowedError",
}
# The site's backend failing is not the page's fault: failed (the run says so), not skipped.
UNREACHABLE = {
    "/a/server-error.html": "ServerError: HTTP 500 Internal Server Error after 2 attempts",
    "/a/slow.html": "UnreachableError: timed out after 1 s, 2 attempts",
}


def build_site(server) -> None:
    links = [
        *BAD_LINKS,
        *UNREACHABLE,
        "/a/good-en.html",
        "/a/unclosed.html",
        "/a/cp1256.html",
        "https://elsewhere.example/a.html",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "javascript:alert(1)",
    ]
    listing = "".join(f'<li><a class="n" href="{href}">x</a></li>' for href in links)
    server.route("/index.html", Response(f"<html><body><ul>{listing}</ul></body></html>".encode()))
    server.route(
        "/robots.txt",
        Response(b"User-agent: *\nDisallow: /a/private", headers={"Content-Type": "text/plain"}),
    )
    server.route("/a/good-en.html", Response(GOOD.format(t="Annual report", p=EN_TEXT).encode()))
    # Malformed HTML: unclosed tags everywhere still yields the article.
    server.route(
        "/a/unclosed.html",
        Response(
            b"<html><body><article><h1>Library opens<p>The new national library opened "
            b"its doors on Monday with <b>ten thousand books<p>Visitors came from every region "
            b"of the country to see the reading rooms and the archives"
        ),
    )
    # Legacy Arabic encoding declared only in a meta tag, while the header says nothing.
    arabic = GOOD.format(
        t="افتتاح المكتبة الوطنية",
        p="افتتحت المكتبة الوطنية أبوابها يوم الاثنين أمام الزوار والباحثين من جميع المناطق.",
    ).replace("charset='utf-8'", "charset='windows-1256'")
    server.route(
        "/a/cp1256.html",
        Response(arabic.encode("cp1256"), headers={"Content-Type": "text/html"}),
    )
    server.route("/a/not-found.html", Response(b"no", status=404))
    server.route("/a/gone.html", Response(b"gone", status=410))
    server.route("/a/server-error.html", Response(b"oops", status=500))
    server.route("/a/slow.html", Response(b"<p>late</p>", delay=3))
    server.route("/a/loop.html", Response(b"", status=302, headers={"Location": "/a/loop2.html"}))
    server.route("/a/loop2.html", Response(b"", status=302, headers={"Location": "/a/loop.html"}))
    server.route("/a/huge.html", Response(b"<p>" + b"x" * 9_000_000 + b"</p>"))
    server.route(
        "/a/bomb.html",
        Response(
            gzip.compress(b"<p>" + b"A" * 50_000_000),
            headers={"Content-Type": "text/html", "Content-Encoding": "gzip"},
        ),
    )
    server.route(
        "/a/report.pdf", Response(b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    )
    server.route("/a/photo.jpg", Response(b"\xff\xd8\xff", headers={"Content-Type": "image/jpeg"}))
    server.route("/a/empty.html", Response(b"<html><body></body></html>"))
    server.route("/a/private.html", Response(GOOD.format(t="Secret", p=EN_TEXT).encode()))


def test_hostile_site_every_bad_case_has_a_reason_and_the_run_goes_on(server, tmp_path):
    build_site(server)
    config = tmp_path / "hostile.toml"
    config.write_text(
        f"""
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[fetch]
timeout = 1.0
connect_timeout = 1.0
retries = 1
backoff_base = 0.05
backoff_max = 0.1
host_delay = 0
host_concurrency = 4

[[sources]]
name = "hostile"
start_urls = ["{server.url("/index.html")}"]
link_selector = "a.n"

[[sources]]
name = "down"
start_urls = ["{server.url("/down/index.html")}"]
""",
        encoding="utf-8",
    )
    server.route("/down/index.html", Response(b"maintenance", status=503))

    report = translate_and_publish(config_path=str(config))

    outcomes = {o.url.replace(server.base_url.rstrip("/"), ""): o for o in report.outcomes}
    for path, reason in BAD_LINKS.items():
        assert outcomes[path].status == "skipped", (path, outcomes[path])
        assert reason in outcomes[path].reason, (path, outcomes[path].reason)
    for path, reason in UNREACHABLE.items():
        assert outcomes[path].status == "failed", (path, outcomes[path])
        assert outcomes[path].reason.startswith(reason), (path, outcomes[path].reason)
        assert outcomes[path].attempts == 2
    assert outcomes["/a/server-error.html"].http_status == 500
    assert outcomes["/a/not-found.html"].http_status == 404
    assert outcomes["/a/report.pdf"].http_status == 200  # answered, just not HTML
    assert outcomes["/a/huge.html"].http_status == 200
    for path in ("/a/good-en.html", "/a/unclosed.html", "/a/cp1256.html"):
        assert outcomes[path].status == "published", (path, outcomes[path])
    assert outcomes["/a/cp1256.html"].source_language == "ar"

    refused = {url: reason for _source, url, reason in report.refused_links}
    assert "other host" in refused["https://elsewhere.example/a.html"]
    assert "file" in refused["file:///etc/passwd"]
    assert "169.254.169.254" in refused["http://169.254.169.254/latest/meta-data/"]
    assert "javascript" in refused["javascript:alert(1)"]

    assert [name for name, _ in report.source_errors] == ["down"]
    assert "503" in report.source_errors[0][1]

    requested = {r.path for r in server.requests}
    assert "/a/private.html" not in requested  # robots.txt said no
    assert server.hits("/a/server-error.html") == 2  # retried once, then failed
    assert server.hits("/a/not-found.html") == 1  # never retried

    # The Arabic page decoded from windows-1256 is published as correct Unicode.
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    titles = {a["title"] for a in manifest["articles"]}
    assert "افتتاح المكتبة الوطنية" in titles
