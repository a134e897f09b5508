"""Package downloads against a real HTTP server on 127.0.0.1: agents, mirrors, retries, damage."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.server import Request, Response
from translator_pipeline.engines.argos_download import DOWNLOAD_USER_AGENT, download_archive
from translator_pipeline.errors import EngineError

ZIP_TYPE = {"Content-Type": "application/zip"}


def package_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("en_fr/metadata.json", '{"from_code": "en", "to_code": "fr"}')
        archive.writestr("en_fr/model/model.bin", bytes(range(256)) * 400)
    return buffer.getvalue()


PAYLOAD = package_zip()


def corrupt(data: bytes) -> bytes:
    """The same zip with bytes flipped inside the model member (its CRC no longer matches)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("en_fr/model/model.bin")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50
    damaged = bytearray(data)
    for i in range(start, start + 20):
        damaged[i] ^= 0x5A
    return bytes(damaged)


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_library_default_agents_are_refused_ours_is_not(server, tmp_path):
    def picky(request: Request) -> Response:
        agent = request.headers.get("User-Agent", "")
        if "python-httpx" in agent or "Python-urllib" in agent:
            return Response(b"forbidden", status=403)
        return Response(PAYLOAD, headers=ZIP_TYPE)

    server.route("/pk.argosmodel", picky)
    path = download_archive([server.url("/pk.argosmodel")], tmp_path, progress=False)
    assert path.read_bytes() == PAYLOAD and path.parent == tmp_path
    assert server.requests[0].headers["User-Agent"] == DOWNLOAD_USER_AGENT
    assert DOWNLOAD_USER_AGENT.startswith("translator-pipeline/")
    assert leftovers(tmp_path) == [path.name]


def test_every_mirror_is_tried_in_order(server, tmp_path):
    server.route("/b.argosmodel", Response(PAYLOAD, headers=ZIP_TYPE))
    waits = Waits()
    links = [server.url("/missing.argosmodel"), server.url("/b.argosmodel")]
    path = download_archive(links, tmp_path, progress=False, sleep=waits)
    assert path.read_bytes() == PAYLOAD
    assert [r.path for r in server.requests] == ["/missing.argosmodel", "/b.argosmodel"]
    assert waits == []  # a 404 is not retried


def test_server_errors_are_retried_with_exponential_backoff(server, tmp_path):
    answers = [Response(b"busy", status=503), Response(b"busy", status=502)]

    def flaky(_request: Request) -> Response:
        return answers.pop(0) if answers else Response(PAYLOAD, headers=ZIP_TYPE)

    server.route("/pk.argosmodel", flaky)
    waits = Waits()
    download_archive([server.url("/pk.argosmodel")], tmp_path, progress=False, sleep=waits)
    assert waits == [1.0, 2.0]
    assert server.hits("/pk.argosmodel") == 3


def test_retry_after_is_honoured(server, tmp_path):
    answers = [Response(b"slow down", status=429, headers={"Retry-After": "5"})]
    server.route(
        "/pk.argosmodel",
        lambda _r: answers.pop(0) if answers else Response(PAYLOAD, headers=ZIP_TYPE),
    )
    waits = Waits()
    download_archive([server.url("/pk.argosmodel")], tmp_path, progress=False, sleep=waits)
    assert waits == [5.0]


def test_truncated_transfers_are_retried_then_reported_and_removed(server, tmp_path):
    cut = Response(
        PAYLOAD[:1000],
        headers={**ZIP_TYPE, "Content-Length": str(len(PAYLOAD)), "Connection": "close"},
    )
    server.route("/pk.argosmodel", cut)
    waits = Waits()
    with pytest.raises(EngineError) as error:
        download_archive(
            [server.url("/pk.argosmodel")], tmp_path, label="en→fr 1.9", progress=False, sleep=waits
        )
    message = str(error.value)
    assert message.startswith("cannot download en→fr 1.9: ")
    assert "truncated" in message and "(3 attempts)" in message
    assert server.hits("/pk.argosmodel") == 3 and waits == [1.0, 2.0]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [(corrupt(PAYLOAD), "CRC error in en_fr/model/model.bin"), (b"<html>", "not a zip archive")],
)
def test_damaged_archives_move_on_to_the_next_mirror(server, tmp_path, body, reason):
    server.route("/bad.argosmodel", Response(body, headers=ZIP_TYPE))
    with pytest.raises(EngineError, match=reason):
        download_archive([server.url("/bad.argosmodel")], tmp_path, progress=False)
    assert server.hits("/bad.argosmodel") == 1  # the same bytes would come again
    assert leftovers(tmp_path) == []
    server.route("/good.argosmodel", Response(PAYLOAD, headers=ZIP_TYPE))
    links = [server.url("/bad.argosmodel"), server.url("/good.argosmodel")]
    assert download_archive(links, tmp_path, progress=False).read_bytes() == PAYLOAD


def test_total_failure_names_every_link_and_the_offline_way(server, tmp_path):
    server.route("/gone.argosmodel", Response(b"", status=410))
    links = [
        server.url("/gone.argosmodel"),
        "http://127.0.0.1:9/closed.argosmodel",
        "ftp://mirror.example/pk.argosmodel",
    ]
    with pytest.raises(EngineError) as error:
        download_archive(links, tmp_path, progress=False, sleep=Waits(), timeout=2)
    message = str(error.value)
    assert f"{links[0]}: HTTP 410" in message
    assert f"{links[1]}: cannot connect" in message and "(3 attempts)" in message
    assert f"{links[2]}: not an http(s) link" in message
    assert message.endswith("translator-pipeline models install --file PATH.argosmodel")
    assert "\n" not in message
    assert leftovers(tmp_path) == []


def test_an_interrupted_download_leaves_nothing(server, tmp_path, monkeypatch):
    server.route("/pk.argosmodel", Response(PAYLOAD, headers=ZIP_TYPE, chunks=4))
    from translator_pipeline.engines import argos_download

    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(argos_download, "_verify", interrupt)
    with pytest.raises(KeyboardInterrupt):
        download_archive([server.url("/pk.argosmodel")], tmp_path, progress=False)
    assert leftovers(tmp_path) == []


def test_oversized_archives_are_refused_before_the_body(server, tmp_path):
    server.route("/big.argosmodel", Response(PAYLOAD, headers=ZIP_TYPE))
    with pytest.raises(EngineError, match=f"{len(PAYLOAD)} bytes is over the 1000-byte limit"):
        download_archive([server.url("/big.argosmodel")], tmp_path, progress=False, max_bytes=1000)
    assert leftovers(tmp_path) == []


def test_progress_bar_shows_the_label_and_size(server, tmp_path, capsys):
    server.route("/pk.argosmodel", Response(PAYLOAD, headers=ZIP_TYPE))
    download_archive([server.url("/pk.argosmodel")], tmp_path, label="en→fr 1.9", progress=True)
    err = capsys.readouterr().err
    assert "downloading en→fr 1.9" in err
    assert f"{len(PAYLOAD) / 1000:.1f}" in err or "kB" in err
