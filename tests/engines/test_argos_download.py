"""Package downloads against a real HTTP server on 127.0.0.1: agents, mirrors, retries, damage.

``sleep`` is injected everywhere: the waits are recorded, never slept.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.factories import closed_port
from tests.support.server import Request, Response
from translator_pipeline import __version__
from translator_pipeline.engines.argos_download import DOWNLOAD_USER_AGENT, download_archive
from translator_pipeline.errors import EngineError

ZIP_TYPE = {"Content-Type": "application/zip"}
MODEL = bytes(range(256)) * 64
NAME = "translate-en_fr-1_9.argosmodel"
HINT = (
    "Without network access, copy the .argosmodel file here and run: "
    "translator-pipeline models install --file PATH.argosmodel"
)


def package_zip() -> bytes:
    # Stored, not deflated: a flipped byte then reaches the CRC check, not zlib.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("en_fr/metadata.json", '{"from_code": "en", "to_code": "fr"}')
        archive.writestr("en_fr/model/model.bin", MODEL)
    return buffer.getvalue()


PAYLOAD = package_zip()


def crc_damaged(data: bytes) -> bytes:
    """The same zip with one byte flipped inside model.bin: it opens, but the CRC fails."""
    at = data.index(MODEL) + 100
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def then_payload(answers: list[Response]):
    """A route answering ``answers`` in turn, then the package."""
    return lambda _r: answers.pop(0) if answers else Response(PAYLOAD, headers=ZIP_TYPE)


def download(links, dest: Path, **kwargs):
    kwargs.setdefault("progress", False)
    kwargs.setdefault("sleep", Waits())
    return download_archive(links, dest, **kwargs)


# --- 1. the User-Agent ---------------------------------------------------------------


def picky(request: Request) -> Response:
    agent = request.headers.get("User-Agent", "")
    if "python-httpx" in agent or "Python-urllib" in agent:
        return Response(b"forbidden", status=403)
    return Response(PAYLOAD, headers=ZIP_TYPE)


def test_library_default_agents_are_refused_ours_is_not(server, tmp_path):
    server.route("/" + NAME, picky)
    assert httpx.get(server.url("/" + NAME)).status_code == 403  # the route does refuse

    path = download([server.url("/" + NAME)], tmp_path)
    assert path == tmp_path / NAME and path.read_bytes() == PAYLOAD
    assert server.requests[-1].headers["User-Agent"] == DOWNLOAD_USER_AGENT
    assert DOWNLOAD_USER_AGENT.startswith(f"translator-pipeline/{__version__} (+")
    assert leftovers(tmp_path) == [NAME]


def test_an_injected_client_still_sends_our_agent(server, tmp_path):
    server.route("/" + NAME, picky)
    with httpx.Client() as client:  # its default agent is python-httpx/…
        path = download([server.url("/" + NAME)], tmp_path, client=client)
        assert not client.is_closed  # the caller's client is the caller's to close
    assert path.read_bytes() == PAYLOAD
    assert server.requests[-1].headers["User-Agent"] == DOWNLOAD_USER_AGENT


# --- 2. mirrors ------------------------------------------------------------------------


def test_every_mirror_is_tried_in_order(server, tmp_path):
    server.route("/b/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE))
    waits = Waits()
    links = [server.url("/a/" + NAME), server.url("/b/" + NAME)]
    path = download(links, tmp_path, sleep=waits)
    assert path.read_bytes() == PAYLOAD
    assert [r.path for r in server.requests] == ["/a/" + NAME, "/b/" + NAME]
    assert waits == []  # a 404 is not retried


# --- 3. retries ------------------------------------------------------------------------


def test_server_errors_are_retried_with_exponential_backoff(server, tmp_path):
    busy = [Response(b"busy", status=503), Response(b"busy", status=503)]
    server.route("/" + NAME, then_payload(busy))
    waits = Waits()
    assert download([server.url("/" + NAME)], tmp_path, sleep=waits).read_bytes() == PAYLOAD
    assert waits == [1.0, 2.0]
    assert server.hits("/" + NAME) == 3


def test_retry_after_is_honoured_and_capped(server, tmp_path):
    slow_down = [
        Response(b"", status=429, headers={"Retry-After": "5"}),
        Response(b"", status=503, headers={"Retry-After": "3600"}),
    ]
    server.route("/" + NAME, then_payload(slow_down))
    waits = Waits()
    download([server.url("/" + NAME)], tmp_path, sleep=waits, attempts=3)
    assert waits == [5.0, 60.0]


def test_a_client_error_is_not_retried(server, tmp_path):
    server.route("/" + NAME, Response(b"", status=403))
    waits = Waits()
    with pytest.raises(EngineError, match="HTTP 403"):
        download([server.url("/" + NAME)], tmp_path, sleep=waits)
    assert server.hits("/" + NAME) == 1 and waits == []


# --- 4. truncated transfers ------------------------------------------------------------


def test_truncated_transfers_are_retried_then_reported_and_removed(server, tmp_path):
    # Content-Length promises the whole archive; the server sends 1000 bytes and hangs up.
    cut = Response(
        PAYLOAD[:1000],
        headers={**ZIP_TYPE, "Content-Length": str(len(PAYLOAD)), "Connection": "close"},
    )
    server.route("/" + NAME, cut)
    waits = Waits()
    with pytest.raises(EngineError) as error:
        download([server.url("/" + NAME)], tmp_path, label="en→fr 1.9", sleep=waits)
    assert f"truncated: 1000 of {len(PAYLOAD)} bytes (3 attempts)" in str(error.value)
    assert server.hits("/" + NAME) == 3 and waits == [1.0, 2.0]
    assert leftovers(tmp_path) == []


# --- 5. damaged archives ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (crc_damaged(PAYLOAD), "CRC error in en_fr/model/model.bin"),
        (b"<html>not a package</html>", "not a zip archive"),
    ],
    ids=["crc", "not-zip"],
)
def test_a_damaged_archive_moves_on_to_the_next_mirror(server, tmp_path, body, reason):
    server.route("/bad/" + NAME, Response(body, headers=ZIP_TYPE))
    with pytest.raises(EngineError) as error:
        download([server.url("/bad/" + NAME)], tmp_path)
    assert f"{server.url('/bad/' + NAME)}: {reason}" in str(error.value)
    assert server.hits("/bad/" + NAME) == 1  # the same bytes would come again
    assert leftovers(tmp_path) == []

    server.route("/good/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE))
    links = [server.url("/bad/" + NAME), server.url("/good/" + NAME)]
    assert download(links, tmp_path).read_bytes() == PAYLOAD
    assert leftovers(tmp_path) == [NAME]


# --- 6. total failure ------------------------------------------------------------------


def test_total_failure_names_every_link_and_the_offline_way(server, tmp_path):
    server.route("/gone/" + NAME, Response(b"", status=410))
    server.route("/slow/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE, delay=1.0))
    links = [
        server.url("/gone/" + NAME),
        f"http://127.0.0.1:{closed_port()}/{NAME}",
        server.url("/slow/" + NAME),
        f"ftp://mirror.example/{NAME}",
    ]
    waits = Waits()
    with pytest.raises(EngineError) as error:
        download(links, tmp_path, label="en→fr 1.9", timeout=0.2, attempts=2, sleep=waits)
    lines = str(error.value).splitlines()
    refused = lines.pop(2)  # the OS words a refused connection its own way
    assert refused.startswith(f"  {links[1]}: connection failed: ")
    assert refused.endswith(" (2 attempts)")
    assert lines == [
        "cannot download en→fr 1.9; every link failed:",
        f"  {links[0]}: HTTP 410",
        f"  {links[2]}: timed out after 0.2 s (2 attempts)",
        f"  {links[3]}: refused: not an http(s) link",
        HINT,
    ]
    assert waits == [1.0, 1.0]  # one wait per retried link
    assert leftovers(tmp_path) == []


def test_no_links_at_all(tmp_path):
    with pytest.raises(EngineError, match="no download link"):
        download([], tmp_path, label="en→fr 1.9")


# --- 7. interruptions ------------------------------------------------------------------


class InterruptMidStream(httpx.BaseTransport):
    """Real HTTP underneath; Ctrl-C arrives after the first piece of the body."""

    def __init__(self, dest: Path) -> None:
        self.inner = httpx.HTTPTransport()
        self.dest = dest
        self.seen: list[str] = []  # what was in dest at the moment of the interruption

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        transport = self

        class Stream(httpx.SyncByteStream):
            def __iter__(self):
                for chunk in response.stream:
                    yield chunk
                    transport.seen = leftovers(transport.dest)
                    raise KeyboardInterrupt

            def close(self) -> None:
                response.stream.close()

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=Stream(),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


def test_an_interruption_mid_stream_propagates_and_leaves_nothing(server, tmp_path):
    server.route("/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE, chunks=4, delay=0.02))
    transport = InterruptMidStream(tmp_path)
    with httpx.Client(transport=transport) as client, pytest.raises(KeyboardInterrupt):
        download([server.url("/" + NAME)], tmp_path, client=client)
    assert len(transport.seen) == 1 and transport.seen[0].endswith(".argosmodel.part")
    assert leftovers(tmp_path) == []


def test_an_interruption_while_waiting_to_retry_leaves_nothing(server, tmp_path):
    server.route("/" + NAME, Response(b"", status=503))

    def ctrl_c(_seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download([server.url("/" + NAME)], tmp_path, sleep=ctrl_c)
    assert leftovers(tmp_path) == []


# --- 8. size limits --------------------------------------------------------------------


def test_a_declared_size_over_the_limit_is_refused_from_the_headers(server, tmp_path):
    # 10 GB announced, a few bytes sent: reading the body would end as "truncated" and
    # be retried; refusing from the headers makes it one request and no retry.
    huge = Response(
        b"PK", headers={**ZIP_TYPE, "Content-Length": str(10**10), "Connection": "close"}
    )
    server.route("/" + NAME, huge)
    waits = Waits()
    with pytest.raises(EngineError) as error:
        download([server.url("/" + NAME)], tmp_path, sleep=waits, max_bytes=1_000_000)
    assert "too large: 10000000000 bytes, over the 1000000-byte limit" in str(error.value)
    assert server.hits("/" + NAME) == 1 and waits == []
    assert leftovers(tmp_path) == []


def test_the_limit_holds_while_streaming_when_the_header_understates(server, tmp_path):
    # gzip despite Accept-Encoding: identity; the declared (compressed) size is small.
    bomb = gzip.compress(b"\0" * 2_000_000)
    server.route("/" + NAME, Response(bomb, headers={**ZIP_TYPE, "Content-Encoding": "gzip"}))
    with pytest.raises(EngineError, match="too large: over the 1000000-byte limit"):
        download([server.url("/" + NAME)], tmp_path, max_bytes=1_000_000)
    assert server.requests[0].headers["Accept-Encoding"] == "identity"
    assert leftovers(tmp_path) == []


# --- 9. progress -----------------------------------------------------------------------


def test_a_forced_progress_bar_shows_the_label_and_size(server, tmp_path, capsys):
    server.route("/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE))
    download([server.url("/" + NAME)], tmp_path, label="en→fr 1.9", progress=True)
    err = capsys.readouterr().err
    assert "en→fr 1.9 (127.0.0.1)" in err
    assert f"{len(PAYLOAD) / 1000:.1f}/{len(PAYLOAD) / 1000:.1f} kB" in err


def test_no_bar_when_stderr_is_not_a_terminal(server, tmp_path, capsys):
    server.route("/" + NAME, Response(PAYLOAD, headers=ZIP_TYPE))
    download([server.url("/" + NAME)], tmp_path, label="en→fr 1.9", progress=None)
    assert capsys.readouterr().err == ""
