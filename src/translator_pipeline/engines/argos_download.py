"""Downloading ``.argosmodel`` packages so that a bad network never leaves a bad file.

Packages are ~100 MB zip files listed in the Argos index with one or more
mirror ``links``. What goes wrong in practice: the hosts answered 403 to
library-default User-Agents; a mirror is down; a transfer stops half-way (the
zip is then unreadable, or worse, readable up to a corrupt member). So: a
real User-Agent, every link tried in turn, retries with exponential backoff
for failures that can pass, the size checked against ``Content-Length`` and
every member's CRC checked, a progress bar on a terminal, and the partial
file removed whatever happens.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..errors import EngineError

__all__ = ["DOWNLOAD_USER_AGENT", "download_archive"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("translator-pipeline")
    except PackageNotFoundError:
        return "0"


DOWNLOAD_USER_AGENT = f"translator-pipeline/{_version()} (Argos Translate package download)"
OFFLINE_HINT = (
    "Without network access, copy the .argosmodel file here and run: "
    "translator-pipeline models install --file PATH.argosmodel"
)
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
_CHUNK = 1 << 16


class _Retry(Exception):
    """A failure worth another attempt at the same link (``wait``: server's Retry-After)."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class _NextLink(Exception):
    """A failure that another attempt at this link would repeat."""


def download_archive(
    links: Sequence[str],
    dest_dir: Path,
    *,
    label: str = "",
    timeout: float = 60.0,
    attempts: int = 3,
    backoff: float = 1.0,
    max_bytes: int = 2_000_000_000,
    progress: bool | None = None,
    sleep: Callable[[float], None] = time.sleep,
    client: httpx.Client | None = None,
) -> Path:
    """Download the first of ``links`` that yields a sound zip into ``dest_dir``; return it.

    Raises :class:`EngineError` naming every link and why it failed.
    """
    label = label or (links[0] if links else "package")
    show = sys.stderr.isatty() if progress is None else progress
    failures: list[str] = []
    owned = client is None
    http = client or httpx.Client(
        headers={"User-Agent": DOWNLOAD_USER_AGENT},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
        follow_redirects=True,
    )
    try:
        for url in links:
            if urlsplit(url).scheme not in ("http", "https"):
                failures.append(f"{url}: not an http(s) link")
                continue
            reason = ""
            for attempt in range(1, attempts + 1):
                try:
                    return _fetch(http, url, dest_dir, label, max_bytes, show)
                except _NextLink as exc:
                    reason = str(exc)
                    break
                except _Retry as exc:
                    reason = exc.reason
                    if attempt == attempts:
                        reason += f" ({attempts} attempts)"
                        break
                    wait = backoff * 2 ** (attempt - 1)
                    sleep(min(max(wait, exc.wait or 0.0), MAX_RETRY_AFTER))
            failures.append(f"{url}: {reason}")
    finally:
        if owned:
            http.close()
    listed = "; ".join(failures) if failures else "the index entry has no download link"
    raise EngineError(f"cannot download {label}: {listed}. {OFFLINE_HINT}")


def _fetch(
    http: httpx.Client, url: str, dest_dir: Path, label: str, max_bytes: int, show: bool
) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".download-", suffix=".argosmodel.part", dir=dest_dir)
    part = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                _stream(http, url, out, label, max_bytes, show)
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out after {http.timeout.read:g} s") from exc
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise _Retry(f"truncated: connection lost after {out.tell()} bytes") from exc
            except httpx.TransportError as exc:
                raise _Retry(f"cannot connect: {' '.join(str(exc).split())}") from exc
        _verify(part)
        final = part.with_name(part.name.removesuffix(".part"))
        os.replace(part, final)
        return final
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _stream(http: httpx.Client, url: str, out, label: str, max_bytes: int, show: bool) -> None:
    with http.stream("GET", url) as response:
        status = response.status_code
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("Retry-After")))
        if status != 200:
            raise _NextLink(f"HTTP {status}")
        expected = _int(response.headers.get("Content-Length"))
        if expected is not None and expected > max_bytes:
            raise _NextLink(f"{expected} bytes is over the {max_bytes}-byte limit")
        received = 0
        with _progress_bar(label, expected, show) as advance:
            for chunk in response.iter_raw(_CHUNK):
                received += len(chunk)
                if received > max_bytes:
                    raise _NextLink(f"more than the {max_bytes}-byte limit")
                out.write(chunk)
                advance(len(chunk))
        if expected is not None and received != expected:
            raise _Retry(f"truncated: {received} of {expected} bytes")


def _verify(path: Path) -> None:
    """The file is a zip whose every member reads back with the right CRC."""
    if not zipfile.is_zipfile(path):
        raise _NextLink("not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _NextLink(f"corrupt archive: {' '.join(str(exc).split())}") from exc
    if bad is not None:
        raise _NextLink(f"CRC error in {bad}")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: the exponential wait is used


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@contextmanager
def _progress_bar(label: str, total: int | None, show: bool) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = [TextColumn("{task.description}"), BarColumn(), DownloadColumn()]
    columns += [TransferSpeedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(f"downloading {label}", total=total)
        yield lambda n: bar.advance(task, n)
