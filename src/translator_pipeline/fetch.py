"""HTTP fetching: one httpx client per run, with limits enforced while streaming.

What this guarantees for every URL it is given:
- only http/https, and every hop of a redirect chain stays on the source's hosts;
- connect/total timeouts; at most ``max_redirects`` redirects;
- the *decoded* body is counted while streaming, so a compressed bomb stops at
  ``max_bytes`` instead of filling memory;
- only HTML is accepted; anything else is refused with a reason;
- text is decoded with a BOM if there is one, else the charset from the HTTP header, then
  ``<meta charset>``/``http-equiv``, then detection, in that order.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Iterable
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from .config import FetchSettings
from .errors import (
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    UnsafeURLError,
    UnsupportedContentError,
)
from .models import FetchedPage

__all__ = ["Fetcher", "check_url", "decode_html"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it shares the prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels that browsers treat as a superset encoding (WHATWG Encoding Standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}


def check_url(url: str, allowed_hosts: Iterable[str]) -> str:
    """Return ``url`` if it is http(s) on one of ``allowed_hosts``; raise UnsafeURLError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURLError(f"scheme {parts.scheme or '(none)'!r} is not http or https", url=url)
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURLError("URL has no host", url=url)
    if host not in {h.lower() for h in allowed_hosts}:
        raise UnsafeURLError(f"host {host!r} is not one of this source's hosts", url=url)
    return url


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str, str]:
    """Decode an HTML body; return ``(text, codec name, where the charset came from)``."""
    # A BOM beats everything, as in browsers (WHATWG "BOM sniffing").
    candidates: list[tuple[str | None, str]] = [
        (name, "bom") for bom, name in _BOMS if body.startswith(bom)
    ][:1]
    candidates.append((_codec(header_charset), "header"))
    meta = _META_CHARSET.search(body[:4096])
    candidates.append((_codec(meta.group(1).decode("ascii", "ignore")) if meta else None, "meta"))
    for codec, origin in candidates:
        if codec is None:
            continue
        if origin != "bom" and codec.startswith("utf-16"):
            continue  # an HTML page that declares UTF-16 without a BOM is lying (WHATWG)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue  # the declaration is wrong; fall through to the next clue
        return text.lstrip("\ufeff"), codec, origin
    try:
        return body.decode("utf-8"), "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None:
            return str(best), best.encoding, "detected"
    except ImportError:  # pragma: no cover - charset_normalizer is a dependency
        pass
    return body.decode("cp1252", errors="replace"), "cp1252", "default"


class Fetcher:
    """Fetch HTML pages for one run. Use as a context manager to close the pool."""

    def __init__(self, settings: FetchSettings, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            },
            follow_redirects=False,  # we follow by hand to check every hop
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, allowed_hosts: Iterable[str]) -> FetchedPage:
        """GET ``url`` (following safe redirects) and return the decoded HTML page."""
        hosts = frozenset(h.lower() for h in allowed_hosts)
        current = check_url(url, hosts)
        deadline = time.monotonic() + self.settings.timeout
        for _hop in range(self.settings.max_redirects + 1):
            try:
                with self._client.stream("GET", current) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        target = urljoin(current, response.headers["location"])
                        current = check_url(target.split("#", 1)[0], hosts)
                        continue
                    return self._read(url, current, response, deadline)
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})", url=current) from exc
            except httpx.DecodingError as exc:
                raise FetchError(f"body could not be decompressed: {exc}", url=current) from exc
            except httpx.TransportError as exc:
                raise FetchError(f"connection failed: {exc}", url=current) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error: {exc}", url=current) from exc
        raise FetchError(f"more than {self.settings.max_redirects} redirects", url=url)

    def _read(
        self, requested: str, url: str, response: httpx.Response, deadline: float
    ) -> FetchedPage:
        if not 200 <= response.status_code < 300:  # incl. a redirect without Location
            raise HTTPStatusError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                url=url,
                status=response.status_code,
            )
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime and mime not in HTML_TYPES:
            raise UnsupportedContentError(f"not HTML: content type {mime!r}", url=url)
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and int(declared) > limit
            and "content-encoding" not in response.headers
        ):
            raise ResponseTooLargeError(f"body of {declared} bytes exceeds {limit}", url=url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decoded (decompressed) bytes
            size += len(chunk)
            if size > limit:
                raise ResponseTooLargeError(f"body exceeds {limit} bytes once decoded", url=url)
            if time.monotonic() > deadline:
                raise FetchError(f"body not received within {self.settings.timeout} s", url=url)
            chunks.append(chunk)
        body = b"".join(chunks)
        text, encoding, origin = decode_html(body, response.charset_encoding)
        return FetchedPage(
            url=url,
            requested_url=requested,
            status=response.status_code,
            content_type=mime or "text/html",
            encoding=encoding,
            encoding_origin=origin,  # type: ignore[arg-type]
            text=text,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
