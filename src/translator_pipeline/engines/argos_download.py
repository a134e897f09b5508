"""Downloading ``.argosmodel`` packages so that a bad network never leaves a bad file.

Packages are ~100 MB zip files listed in the Argos index with one or more
mirror ``links``. What goes wrong in practice: the hosts answered 403 to
library-default User-Agents; a mirror is down or overloaded; a transfer stops
half-way (the zip is then unreadable, or readable up to a damaged member). So:
a descriptive User-Agent on every request, every link tried in turn, retries
with exponential backoff (and the server's ``Retry-After``) for failures that
can pass, the size checked against ``Content-Length``, every member's CRC
checked, a progress bar on a terminal, and the partial file removed whatever
happens (errors, Ctrl-C).

The caller passes a staging directory outside the Argos packages directory:
only a verified archive ever appears there under a final name.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import httpx

from translator_pipeline import __version__
from translator_pipeline.errors import EngineError

__all__ = ["DOWNLOAD_USER_AGENT", "download_archive"]

logger = logging.getLogger(__name__)

DOWNLOAD_USER_AGENT = (
    f"translator-pipeline/{__version__} (+offline news translation; argos package download)"
)
OFFLINE_HINT = (
    "Without network access, copy the .argosmodel file here and run: "
    "translator-pipeline models install --file PATH.argosmodel"
)
# Worth asking again: the server said "later" (408/425/429) or had a problem (5xx).
RETRY_STATUSES = frozenset({408, 425, 429, *range(500, 600)})
MAX_WAIT = 60.0  # cap on any wait, whatever Retry-After says
_HEADERS = {
    "User-Agent": DOWNLOAD_USER_AGENT,
    # A zip is already compressed; identity keeps Content-Length = bytes on disk.
    "Accept-Encoding": "identity",
}


class _Retry(Exception):
    """A failure worth another attempt at the same link (``wait``: the server's Retry-After)."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class _NextLink(Exception):
    """A failure that another attempt at this link would only repeat."""


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
    """Download the first of ``links`` that yields a sound zip into ``dest_dir``; return its path.

    Each link gets up to ``attempts`` tries for retryable failures (timeouts, lost
    connections, truncated bodies, HTTP 408/425/429/5xx), waiting ``backoff``
    seconds, then twice that, and so on (or longer if the server's Retry-After
    says so; never more than a minute). Other HTTP errors and damaged archives
    move straight on to the next link. ``progress`` None shows a bar only when
    stderr is a terminal.

    Raises :class:`EngineError` naming every link and why it failed, with the
    offline way to install. No temporary file survives, whatever is raised.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    what = label or "the package"
    show = sys.stderr.isatty() if progress is None else progress
    failures: list[tuple[str, str]] = []
    http = client or httpx.Client(follow_redirects=True)
    try:
        with _progress_bar(show) as bar:
            for url in links:
                if urlsplit(url).scheme.lower() not in ("http", "https"):
                    failures.append((url, "refused: not an http(s) link"))
                    continue
                reason = ""
                for attempt in range(1, attempts + 1):
                    try:
                        path = _fetch(http, url, dest_dir, what, timeout, max_bytes, bar)
                    except _NextLink as exc:
                        reason = str(exc)
                        break
                    except _Retry as exc:
                        reason = exc.reason
                        if attempt == attempts:
                            if attempts > 1:
                                reason += f" ({attempts} attempts)"
                            break
                        wait = min(max(backoff * 2 ** (attempt - 1), exc.wait or 0.0), MAX_WAIT)
                        logger.info("%s: %s from %s; retrying in %g s", what, reason, url, wait)
                        sleep(wait)
                    else:
                        logger.info("%s: downloaded from %s", what, url)
                        return path
                logger.info("%s: %s failed: %s", what, url, reason)
                failures.append((url, reason))
    finally:
        if client is None:
            http.close()
    if not failures:
        raise EngineError(f"cannot download {what}: no download link. {OFFLINE_HINT}")
    lines = "".join(f"\n  {url}: {reason}" for url, reason in failures)
    raise EngineError(f"cannot download {what}; every link failed:{lines}\n{OFFLINE_HINT}")


def _fetch(
    http: httpx.Client,
    url: str,
    dest_dir: Path,
    what: str,
    timeout: float,
    max_bytes: int,
    bar: Any,
) -> Path:
    """One attempt: stream ``url`` to a ``.part`` file, verify it, rename it to its final name."""
    fd, name = tempfile.mkstemp(prefix=".download-", suffix=".argosmodel.part", dir=dest_dir)
    part = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            _stream(http, url, out, what, timeout, max_bytes, bar)
        _verify(part)
        final = dest_dir / _file_name(url)
        os.replace(part, final)
        return final
    finally:
        part.unlink(missing_ok=True)  # a no-op once renamed


def _stream(
    http: httpx.Client,
    url: str,
    out: IO[bytes],
    what: str,
    timeout: float,
    max_bytes: int,
    bar: Any,
) -> None:
    # Headers and timeout per request, so an injected client gets them too.
    try:
        with http.stream(
            "GET", url, headers=_HEADERS, timeout=timeout, follow_redirects=True
        ) as response:
            status = response.status_code
            if status in RETRY_STATUSES:
                raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("Retry-After")))
            if status != 200:
                raise _NextLink(f"HTTP {status}")
            expected = _int(response.headers.get("Content-Length"))
            if expected is not None and expected > max_bytes:
                # Refused from the headers: the body is never read.
                raise _NextLink(f"too large: {expected} bytes, over the {max_bytes}-byte limit")
            task = bar.add_task(f"{what} ({response.url.host})", total=expected) if bar else None
            try:
                received = 0
                try:
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        if received > max_bytes:  # no (or a lying) Content-Length
                            raise _NextLink(f"too large: over the {max_bytes}-byte limit")
                        out.write(chunk)
                        if task is not None:
                            bar.update(task, completed=response.num_bytes_downloaded)
                except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                    # The connection ended before the body did: worth another try.
                    raise _Retry(_truncated(response.num_bytes_downloaded, expected)) from exc
                if expected is not None and response.num_bytes_downloaded != expected:
                    raise _Retry(_truncated(response.num_bytes_downloaded, expected))
            except BaseException:
                if task is not None:
                    bar.remove_task(task)  # a failed attempt leaves no stale bar behind
                raise
    except httpx.TimeoutException as exc:
        raise _Retry(f"timed out after {timeout:g} s") from exc
    except httpx.TooManyRedirects as exc:
        raise _NextLink("too many redirects") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise _NextLink(f"refused: {_one_line(exc)}") from exc
    except httpx.DecodingError as exc:
        raise _NextLink(f"undecodable body: {_one_line(exc)}") from exc
    except httpx.TransportError as exc:
        raise _Retry(f"connection failed: {_one_line(exc)}") from exc


def _verify(path: Path) -> None:
    """The file is a zip whose every member reads back with the right CRC.

    The same check as ``ZipFile.testzip()``, but saying which member is damaged and how.
    """
    if not zipfile.is_zipfile(path):
        raise _NextLink("not a zip archive")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise _NextLink(f"corrupt zip archive: {_one_line(exc)}") from exc
    with archive:
        for info in archive.infolist():
            try:
                with archive.open(info) as member:
                    while member.read(1 << 20):
                        pass
            except zipfile.BadZipFile as exc:
                if str(exc).startswith("Bad CRC-32"):
                    raise _NextLink(f"CRC error in {info.filename}") from exc
                raise _NextLink(f"damaged member {info.filename}: {_one_line(exc)}") from exc
            except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
                raise _NextLink(f"damaged member {info.filename}: {_one_line(exc)}") from exc


def _file_name(url: str) -> str:
    """The archive's name from its URL (``translate-en_fr-1_9.argosmodel``), safe as a file name."""
    base = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    if not base.endswith(".argosmodel"):
        base = (base or "package") + ".argosmodel"
    return base


def _truncated(received: int, expected: int | None) -> str:
    if expected is None:
        return f"truncated: connection closed after {received} bytes"
    return f"truncated: {received} of {expected} bytes"


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


@contextmanager
def _progress_bar(show: bool) -> Iterator[Any]:
    """A rich progress display on stderr (one task per attempt), or None."""
    if not show:
        yield None
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

    # DownloadColumn shows "done/total" when the size is known, bytes alone otherwise.
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as bar:
        yield bar
