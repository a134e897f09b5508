"""HTTP fetching: one polite, thread-safe client per run, limits enforced while streaming.

What this guarantees for every URL it is given:
- only http/https, and every hop of a redirect chain stays on the source's hosts;
- no connection to a cloud metadata service, a link-local, unspecified, multicast or
  reserved address, ever; private and loopback addresses only for a host the operator
  pinned: an IP address written in the source's config, or a name listed in
  ``fetch.private_hosts`` (see :func:`check_address`);
- robots.txt is read once per origin per :class:`Fetcher` and obeyed (incl. Crawl-delay);
- per host, at most ``host_concurrency`` requests in flight and ``host_delay`` seconds
  between request starts, across all threads sharing the Fetcher;
- timeouts, connection errors, 429 and 5xx are retried with capped, jittered
  exponential backoff, honouring ``Retry-After``; other 4xx never are;
- connect/total timeouts (per attempt); at most ``max_redirects`` redirects;
- the *decoded* body is counted while streaming, so a compressed bomb stops at
  ``max_bytes`` instead of filling memory;
- only HTML is accepted by :meth:`Fetcher.fetch`, only XML/gzip/plain text by
  :meth:`Fetcher.fetch_xml`; anything else is refused with a reason;
- text is decoded with a BOM if there is one, else the charset from the HTTP header, then
  ``<meta charset>``/``http-equiv``, then detection, in that order.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import NamedTuple, TypeVar
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from translator_pipeline.clock import SYSTEM_CLOCK, Clock
from translator_pipeline.config.settings import FetchSettings
from translator_pipeline.crawl.decode import decode_html, gunzip
from translator_pipeline.crawl.robots import Robots, unreadable, user_agent_token
from translator_pipeline.crawl.safety import check_address, check_url
from translator_pipeline.errors import (
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    ServerError,
    UnreachableError,
    UnsupportedContentError,
)
from translator_pipeline.models import FetchedPage

__all__ = ["FetchedXML", "Fetcher", "retry_after_seconds"]

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/gzip",
    "application/x-gzip",
    "text/plain",
)
_GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream")
_HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
_XML_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
    "application/gzip;q=0.8,text/plain;q=0.5,*/*;q=0.1"
)
_REDIRECTS = (301, 302, 303, 307, 308)
_GZIP_MAGIC = b"\x1f\x8b"
T = TypeVar("T")


class FetchedXML(NamedTuple):
    """A feed or sitemap: the final URL after redirects and the (gunzipped) body."""

    url: str
    body: bytes


# --- retries ---------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` value asks us to wait (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP-dates are always GMT
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _attempts(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"


def _retryable_status(status: int) -> bool:
    # 501 Not Implemented and 505 HTTP Version Not Supported will not get better.
    return status == 429 or (500 <= status < 600 and status not in (501, 505))


class _BodyTimeout(FetchError):
    """The body did not arrive within the total timeout (retried like a timeout)."""


@dataclass(frozen=True)
class _Redirect:
    target: str


# --- per-host politeness ---------------------------------------------------------------


class _HostGate:
    """Who may talk to one host, and when: a semaphore for concurrency plus the earliest
    start time of the next request, reserved under a lock so threads never share a slot."""

    def __init__(self, delay: float, concurrency: int, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._delay = delay
        self._last_start = float("-inf")
        self._not_before = 0.0

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = self._clock.monotonic()
                start = max(now, self._not_before, self._last_start + self._delay)
                self._last_start = start
            self._clock.sleep_until(start)
            yield

    def raise_delay(self, delay: float) -> None:
        with self._lock:
            self._delay = max(self._delay, delay)

    def hold_off(self, seconds: float) -> None:
        """No request to this host before ``seconds`` from now (backoff, Retry-After)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock.monotonic() + seconds)


# --- the fetcher -----------------------------------------------------------------------


class Fetcher:
    """Fetch pages, feeds and sitemaps for one run; share one instance between threads.

    All state (robots.txt cache, per-host gates) lives here, so one Fetcher per run
    is what makes the politeness limits hold across Prefect's worker threads. Use
    as a context manager to close the connection pool.
    """

    def __init__(
        self,
        settings: FetchSettings,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ):
        self.settings = settings
        self.clock = clock  # politeness waits and backoff; read timeouts use real time
        self._token = user_agent_token(settings.user_agent)
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"User-Agent": settings.user_agent, "Accept": _HTML_ACCEPT},
            follow_redirects=False,  # we follow by hand to check every hop
            transport=transport,
        )
        self._lock = threading.Lock()  # guards the three dicts below
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, Robots] = {}
        self._robots_loading: dict[str, threading.Lock] = {}

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

    # --- public API ---------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        allowed_hosts: Iterable[str],
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchedPage:
        """GET ``url`` (following safe redirects) and return the decoded HTML page.

        With ``etag``/``last_modified`` (validators stored from an earlier fetch) the
        request is conditional; a ``304 Not Modified`` answer comes back as a page
        with ``not_modified=True`` and empty text, not as an error.
        """
        headers = {"Accept": _HTML_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        def read(final: str, response: httpx.Response, deadline: float) -> FetchedPage:
            if response.status_code == 304 and (etag or last_modified):
                return FetchedPage(
                    url=final,
                    requested_url=url,
                    status=304,
                    content_type="",
                    encoding="",
                    encoding_origin="default",
                    text="",
                    etag=response.headers.get("etag", etag),
                    last_modified=response.headers.get("last-modified", last_modified),
                    not_modified=True,
                )
            return self._read_page(url, final, response, deadline)

        return self._get(url, allowed_hosts, headers, read)

    def fetch_xml(self, url: str, allowed_hosts: Iterable[str]) -> FetchedXML:
        """GET a feed or sitemap with the same safety, limits, retries and robots rules.

        Accepts XML, RSS, Atom, gzip and plain-text types. A gzipped body (``.xml.gz``)
        is decompressed, and the decompressed size is held to ``max_bytes`` too.
        Returns ``(final URL, body)``.
        """

        def read(final: str, response: httpx.Response, deadline: float) -> FetchedXML:
            self._require_success(final, response)
            mime = _mime(response)
            generic = mime in _GENERIC_TYPES
            if mime and mime not in XML_TYPES and not generic:
                raise UnsupportedContentError(
                    f"not XML: content type {mime!r}", url=final, status=response.status_code
                )
            body = self._read_body(final, response, deadline)
            if body.startswith(_GZIP_MAGIC):  # XML never starts with these bytes
                body = gunzip(body, self.settings.max_bytes, final)
            if generic and not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                # Static servers label .xml/.xml.gz as octet-stream: accept it only if it is XML.
                raise UnsupportedContentError(
                    f"not XML: content type {mime!r} and the body is not XML", url=final
                )
            return FetchedXML(final, body)

        return self._get(url, allowed_hosts, {"Accept": _XML_ACCEPT}, read)

    # --- one URL: redirects, robots, retries ----------------------------------------------

    def _get(
        self,
        url: str,
        allowed_hosts: Iterable[str],
        headers: dict[str, str],
        read: Callable[[str, httpx.Response, float], T],
        *,
        robots: bool = True,
    ) -> T:
        hosts = frozenset(h.lower() for h in allowed_hosts)
        current = check_url(url, hosts)
        chain = [current]
        for _hop in range(self.settings.max_redirects + 1):
            # Before robots.txt: an unsafe host must not be contacted even for that.
            check_address(current, self.settings.private_hosts)
            if robots and self.settings.respect_robots:
                self._robots_for(current, hosts).check(current, self._token)
            outcome = self._attempt(current, headers, read)
            if not isinstance(outcome, _Redirect):
                return outcome
            current = check_url(outcome.target, hosts)
            if current in chain:
                loop = " → ".join([*chain[chain.index(current) :], current])
                raise FetchError(f"redirect loop: {loop}", url=url)
            chain.append(current)
        raise FetchError(
            f"more than {self.settings.max_redirects} redirects: {' → '.join(chain)}", url=url
        )

    def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        read: Callable[[str, httpx.Response, float], T],
    ) -> T | _Redirect:
        """One request with its retries; ``read`` gets the final response of any status."""
        settings = self.settings
        gate = self._gate((urlsplit(url).hostname or "").lower())
        for attempt in range(settings.retries + 1):
            last = attempt == settings.retries
            if attempt:
                check_address(url, settings.private_hosts)  # again: DNS may have changed
            try:
                with gate.turn():
                    deadline = time.monotonic() + settings.timeout  # waiting for a turn is free
                    with self._client.stream("GET", url, headers=headers) as response:
                        status = response.status_code
                        if status in _REDIRECTS and "location" in response.headers:
                            target = urljoin(url, response.headers["location"])
                            return _Redirect(target.split("#", 1)[0])
                        if last and _retryable_status(status):
                            raise ServerError(
                                f"HTTP {status} {response.reason_phrase}".strip()
                                + f" after {_attempts(attempt + 1)}",
                                url=url,
                                status=status,
                                attempts=attempt + 1,
                            )
                        if not _retryable_status(status):
                            return read(url, response, deadline)
                        wait = self._retry_wait(url, response, attempt)
                        why = f"HTTP {status}"
            except (httpx.TimeoutException, _BodyTimeout) as exc:
                message = exc.message if isinstance(exc, _BodyTimeout) else type(exc).__name__
                if last:
                    raise UnreachableError(
                        f"timed out after {settings.timeout:g} s, {_attempts(attempt + 1)} "
                        f"({message})",
                        url=url,
                        attempts=attempt + 1,
                    ) from exc
                wait, why = self._backoff(attempt), f"timed out ({message})"
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if last:
                    raise UnreachableError(
                        f"connection failed after {_attempts(attempt + 1)}: {exc}",
                        url=url,
                        attempts=attempt + 1,
                    ) from exc
                wait, why = self._backoff(attempt), f"connection failed: {exc}"
            except httpx.DecodingError as exc:
                raise FetchError(f"body could not be decompressed: {exc}", url=url) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error: {exc}", url=url) from exc
            log.info("%s: %s; retry %d in %.1f s", url, why, attempt + 1, wait)
            # Host-wide: a host that is failing or rate-limiting us gets a rest from every thread.
            gate.hold_off(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        cap = min(self.settings.backoff_max, self.settings.backoff_base * 2**attempt)
        # "Equal jitter": never less than half the step, so retries stay spread out.
        return cap / 2 + random.uniform(0, cap / 2)  # noqa: S311 - jitter, not a secret

    def _retry_wait(self, url: str, response: httpx.Response, attempt: int) -> float:
        wait = self._backoff(attempt)
        asked = retry_after_seconds(response.headers.get("retry-after"))
        if asked is None:
            return wait
        limit = self.settings.retry_after_max
        if asked > limit:
            # Retrying sooner than asked would be rude; waiting that long is not our job.
            raise ServerError(
                f"HTTP {response.status_code} {response.reason_phrase}; Retry-After asks "
                f"for {asked:.0f} s, more than retry_after_max ({limit:g} s), "
                f"after {_attempts(attempt + 1)}",
                url=url,
                status=response.status_code,
                attempts=attempt + 1,
            )
        return max(wait, asked)

    # --- politeness state ---------------------------------------------------------------

    def _gate(self, host: str) -> _HostGate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(
                    self.settings.host_delay, self.settings.host_concurrency, self.clock
                )
            return gate

    def _robots_for(self, url: str, hosts: frozenset[str]) -> Robots:
        parts = urlsplit(url)
        # host[:port] without any "user:password@": robots.txt is per origin, and public.
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"
        with self._lock:
            cached = self._robots.get(origin)
            if cached is not None:
                return cached
            loading = self._robots_loading.setdefault(origin, threading.Lock())
        with loading:  # one thread reads robots.txt; the others wait for its answer
            with self._lock:
                cached = self._robots.get(origin)
            if cached is None:
                cached = self._load_robots(origin + "/robots.txt", hosts)
                delay = cached.delay(self._token)
                if delay:
                    if delay > self.settings.crawl_delay_max:
                        log.warning(
                            "%s asks for %g s between requests; using crawl_delay_max (%g s)",
                            cached.url,
                            delay,
                            self.settings.crawl_delay_max,
                        )
                    self._gate((parts.hostname or "").lower()).raise_delay(
                        min(delay, self.settings.crawl_delay_max)
                    )
                with self._lock:
                    self._robots[origin] = cached
            return cached

    def _load_robots(self, robots_url: str, hosts: frozenset[str]) -> Robots:
        """robots.txt → rules, following Google's reading of RFC 9309 for failures."""

        def read(final: str, response: httpx.Response, deadline: float) -> Robots:
            status = response.status_code
            if 200 <= status < 300:
                # Truncated past max_bytes: RFC 9309 lets crawlers parse a prefix.
                body = self._read_body(final, response, deadline, truncate=True)
                parser = RobotFileParser(robots_url)
                parser.parse(body.decode("utf-8", errors="replace").splitlines())
                return Robots(robots_url, parser)
            if status in (401, 403):
                return Robots(
                    robots_url,
                    None,
                    reason=f"robots.txt answered HTTP {status}: the site forbids crawling",
                )
            if status == 429 or status >= 500:
                return Robots(robots_url, None, reason=unreadable(f"HTTP {status}"))
            if 400 <= status < 500:
                return Robots(robots_url, None, allow_all=True)  # no robots.txt: no rules
            return Robots(robots_url, None, reason=unreadable(f"unexpected HTTP {status}"))

        try:
            rules = self._get(
                robots_url, hosts, {"Accept": "text/plain,*/*;q=0.1"}, read, robots=False
            )
        except FetchError as exc:
            if isinstance(exc, UnreachableError) and exc.status is None:
                # No answer at all (not a failing status): the host is unreachable.
                message = f"host unreachable: {exc.message}"
                log.warning("%s: %s", robots_url, message)
                return Robots(robots_url, None, unreachable=message)
            rules = Robots(robots_url, None, reason=unreadable(exc.message))
        if rules.reason:
            log.warning("%s: %s", robots_url, rules.reason)
        return rules

    # --- reading a response -------------------------------------------------------------

    @staticmethod
    def _require_success(url: str, response: httpx.Response) -> None:
        if not 200 <= response.status_code < 300:  # incl. a redirect without Location
            raise HTTPStatusError(
                f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                url=url,
                status=response.status_code,
            )

    def _read_body(
        self, url: str, response: httpx.Response, deadline: float, *, truncate: bool = False
    ) -> bytes:
        """The decoded body, at most ``max_bytes`` (cut there if ``truncate``, else an error)."""
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if (
            not truncate
            and declared.isdigit()
            and int(declared) > limit
            and "content-encoding" not in response.headers
        ):
            raise ResponseTooLargeError(
                f"body of {declared} bytes exceeds {limit}", url=url, status=response.status_code
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():  # decoded (decompressed) bytes
            size += len(chunk)
            if size > limit:
                if truncate:
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    break
                raise ResponseTooLargeError(
                    f"body exceeds {limit} bytes once decoded", url=url, status=response.status_code
                )
            if time.monotonic() > deadline:
                raise _BodyTimeout(f"body not received within {self.settings.timeout} s", url=url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_page(
        self, requested: str, url: str, response: httpx.Response, deadline: float
    ) -> FetchedPage:
        self._require_success(url, response)
        mime = _mime(response)
        if mime and mime not in HTML_TYPES:
            raise UnsupportedContentError(
                f"not HTML: content type {mime!r}", url=url, status=response.status_code
            )
        body = self._read_body(url, response, deadline)
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


def _mime(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
