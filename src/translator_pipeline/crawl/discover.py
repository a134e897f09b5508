"""Discovery: the article URLs of one source, found before any article is fetched.

A source has up to three ways in:

- feeds (RSS 2.0, RSS 1.0/RDF, Atom) and sitemaps (``urlset``, nested sitemap
  indexes up to :data:`MAX_SITEMAP_DEPTH` levels, ``.xml.gz``): their entries
  come first, newest first when they are dated;
- listing pages: each start URL, then the page its ``next_selector`` link
  points to, for at most ``max_pages`` pages; their links follow, in page order.

Every link is normalised (:func:`normalise_url`) and then checked: http(s)
only, on the source's hosts, not a link-local address, and allowed by the
include/exclude patterns. A refused link is reported with its reason and never
requested. A listing page, feed or sitemap that cannot be read becomes an error
of the source; the other ways in still run.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from bs4 import Tag
from lxml import etree
from soupsieve import SelectorSyntaxError

from translator_pipeline.config.settings import DEFAULT_TRACKING_PARAMS, SourceSettings
from translator_pipeline.crawl.dates import parse_timestamp
from translator_pipeline.crawl.extract import parse_html
from translator_pipeline.crawl.fetch import Fetcher
from translator_pipeline.crawl.safe_xml import (
    ENTITY_REFUSED,
    UnsafeXMLError,
    local_name,
    parse_untrusted_xml,
)
from translator_pipeline.crawl.safety import scheme_refusal
from translator_pipeline.errors import DiscoveryError, ExtractionError, PipelineError
from translator_pipeline.models import Candidate, FetchedPage

__all__ = ["Discovery", "discover", "normalise_url", "pattern_refusal"]

MAX_SITEMAP_DEPTH = 3  # a configured sitemap is level 1
MAX_XML_DOCUMENTS = 50  # feeds + sitemaps read per source and run
_DEFAULT_PORTS = {"http": 80, "https": 443}
# An internal DTD subset declaring entities. NULs are removed before matching so
# UTF-16 documents are caught too.


@dataclass
class Discovery:
    """What discovery found for one source.

    ``refused`` holds ``(url, reason)`` for links that will not be fetched;
    ``errors`` says which listing page, feed or sitemap could not be used and why.
    """

    candidates: list[Candidate] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- URLs ------------------------------------------------------------------------------


def _idna_host(host: str) -> str | None:
    host = host.lower()
    if host.isascii():
        return host
    try:
        import idna

        return idna.encode(host, uts46=True).decode("ascii")
    except ImportError:  # pragma: no cover - httpx depends on idna
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, so ``/a/../b`` and ``/b`` are one URL."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(segment)
    return "/".join(out)


def _strip_params(query: str, tracking_params: Iterable[str]) -> str:
    # Split by hand rather than parse_qsl/urlencode: the remaining parameters
    # keep their order and their exact encoding.
    patterns = [p.lower() for p in tracking_params]
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = unquote_plus(piece.split("=", 1)[0]).lower()
        if not any(fnmatchcase(name, pattern) for pattern in patterns):
            kept.append(piece)
    return "&".join(kept)


def normalise_url(
    url: str,
    base: str | None = None,
    tracking_params: Iterable[str] = DEFAULT_TRACKING_PARAMS,
) -> str | None:
    """``url`` (resolved against ``base``) in the one form used to compare and fetch it.

    Lower-case scheme and host (IDNA for non-ASCII names), no default port, dot
    segments removed, ``/`` for an empty path, no fragment, no query parameter
    matching one of the ``tracking_params`` glob patterns (case-insensitive),
    the others in their order and encoding, no empty query. The path's
    percent-encoding is left as it is. None when the result is not an absolute
    http(s) URL or cannot be parsed.
    """
    try:
        text = url.strip()
        absolute = urljoin(base, text) if base else text
        parts = urlsplit(absolute)
        port = parts.port  # ValueError for a bad port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = _idna_host(parts.hostname)
    if not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = _remove_dot_segments(parts.path) or "/"
    query = _strip_params(parts.query, tracking_params)
    return urlunsplit((scheme, netloc, path, query, ""))


def _address_refusal(host: str) -> str | None:
    """A reason to refuse an IP-literal host whatever the config says, else None.

    Link-local covers the cloud metadata endpoint (169.254.169.254, fe80::/10).
    """
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_link_local:
        return f"link-local address {address}"
    if address.is_unspecified:
        return f"unspecified address {address}"
    if address.is_multicast:
        return f"multicast address {address}"
    return None


# --- fetching and parsing XML ----------------------------------------------------------


def _parse_xml(data: bytes, url: str) -> etree._Element:
    """Parse untrusted XML: no DTD loading, no network, no entity expansion.

    Feeds and sitemaps never need entity declarations, so a document that has
    any (billion laughs, external entities) is refused outright: before parsing
    when the declaration is plain to see, else from what the parser reports.
    """
    try:
        return parse_untrusted_xml(data, base_url=url)
    except UnsafeXMLError:
        raise DiscoveryError(ENTITY_REFUSED) from None
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"malformed XML: {exc}") from None


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if local_name(child) == name]


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _first_text(element: etree._Element, *names: str) -> str:
    for name in names:
        for child in _children(element, name):
            if text := _text(child):
                return text
    return ""


# An entry of a feed or sitemap: (link as written, base URL to resolve it, date text).
Entry = tuple[str, str, str]


def _feed_entries(root: etree._Element, url: str) -> Iterator[Entry]:
    kind = local_name(root)
    if kind in ("rss", "RDF"):  # RSS 2.0 (channel/item) and RSS 1.0 (items beside channel)
        for item in root.iter("{*}item"):
            link = _first_text(item, "link")
            if not link:
                for guid in _children(item, "guid"):
                    if guid.get("isPermaLink", "true").strip().lower() == "true":
                        link = _text(guid)
            yield link, item.base or url, _first_text(item, "pubDate", "date", "updated")
    elif kind == "feed":
        for entry in _children(root, "entry"):
            link = _atom_link(entry)
            href = (link.get("href") or "").strip() if link is not None else ""
            base = (link.base if link is not None else None) or url
            yield href, base, _first_text(entry, "updated", "published")
    else:
        raise DiscoveryError(f"not an RSS or Atom feed (root element <{kind or '?'}>)")


def _atom_link(entry: etree._Element) -> etree._Element | None:
    """The entry's ``rel="alternate"`` link (no ``rel`` means alternate), HTML first."""
    alternates = [
        link for link in _children(entry, "link") if link.get("rel", "alternate") == "alternate"
    ]
    for link in alternates:
        if link.get("type", "text/html").lower() in ("text/html", "application/xhtml+xml"):
            return link
    return alternates[0] if alternates else None


def _sitemap_entries(root: etree._Element, url: str) -> tuple[bool, list[Entry]]:
    """``(is an index, entries)`` of a ``urlset`` or ``sitemapindex`` document."""
    kind = local_name(root)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap (root element <{kind or '?'}>)")
    child = "url" if kind == "urlset" else "sitemap"
    entries = [
        (_first_text(node, "loc"), node.base or url, _first_text(node, "lastmod"))
        for node in _children(root, child)
    ]
    return kind == "sitemapindex", entries


def _newest_first(dated: list[tuple[str, datetime | None]]) -> list[tuple[str, datetime | None]]:
    # Stable: undated entries keep their document order, after the dated ones.
    return sorted(dated, key=lambda item: (item[1] is None, -(item[1] or _EPOCH).timestamp()))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- one source ------------------------------------------------------------------------


class _SourceDiscovery:
    def __init__(self, source: SourceSettings, fetcher: Fetcher) -> None:
        self.source = source
        self.fetcher = fetcher
        self.hosts = source.hosts
        self.include = [re.compile(p) for p in source.include_patterns]
        self.exclude = [re.compile(p) for p in source.exclude_patterns]
        self.refused: dict[tuple[str, str], None] = {}
        self.errors: list[str] = []
        self.dated: dict[str, datetime | None] = {}  # from feeds and sitemaps, in document order
        self.listed: dict[str, None] = {}  # only from listing pages, in page order
        self.documents: set[str] = set()

    @property
    def full(self) -> bool:
        return len(self.dated) + len(self.listed) >= self.source.max_articles

    def refuse(self, url: str, reason: str) -> None:
        self.refused.setdefault((url[:500], reason), None)

    def check(self, href: str, base: str | None, *, article: bool, role: str = "") -> str | None:
        """The normalised URL if it may be followed, else None (refusal recorded).

        ``role`` names links that are not articles (a next page, a sitemap in an
        index) in the reason; patterns only apply to articles.
        """
        suffix = f" ({role})" if role else ""
        href = href.strip()
        try:
            resolved = urljoin(base, href) if base else href
            scheme = urlsplit(resolved).scheme.lower()
        except ValueError:
            self.refuse(href, "malformed URL" + suffix)
            return None
        if scheme not in _DEFAULT_PORTS:
            self.refuse(resolved, scheme_refusal(scheme) + suffix)
            return None
        url = normalise_url(resolved, None, self.source.tracking_params)
        if url is None:
            self.refuse(resolved, "malformed URL" + suffix)
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        reason = _address_refusal(host)
        if reason is None and "@" in parts.netloc:
            reason = "credentials in URL"
        if reason is None and host not in self.hosts:
            reason = f"other host {host!r}"
        if reason is None and article:
            reason = self._pattern_refusal(url)
        if reason is not None:
            self.refuse(url, reason + suffix)
            return None
        return url

    def _pattern_refusal(self, url: str) -> str | None:
        return _refusal_by_patterns(url, self.include, self.exclude)

    def add_dated(self, entry: Entry) -> None:
        href, base, date_text = entry
        if not href:
            return
        url = self.check(href, base, article=True)
        if url is None:
            return
        date = parse_timestamp(date_text)
        if url not in self.dated:
            self.dated[url] = date
        elif date is not None and (self.dated[url] is None or date > self.dated[url]):
            self.dated[url] = date  # listed twice (feed and sitemap): keep the newest date

    # feeds and sitemaps

    def _document(self, url: str, what: str) -> etree._Element | None:
        """Fetch and parse one feed or sitemap; None (error recorded) if unusable."""
        if len(self.documents) >= MAX_XML_DOCUMENTS:
            self.errors.append(
                f"{what} {url}: not read, {MAX_XML_DOCUMENTS} feeds/sitemaps already read"
            )
            return None
        self.documents.add(url)
        try:
            final, data = self.fetcher.fetch_xml(url, self.hosts)  # gunzipped, size-limited
            return _parse_xml(data, final)
        except PipelineError as exc:
            self.errors.append(f"{what} {url}: {exc.message}")
            return None

    def read_feed(self, url: str) -> None:
        root = self._document(url, "feed")
        if root is None:
            return
        try:
            entries = list(_feed_entries(root, url))
        except DiscoveryError as exc:
            self.errors.append(f"feed {url}: {exc.message}")
            return
        for entry in entries:
            self.add_dated(entry)

    def read_sitemap(self, url: str, depth: int = 1) -> None:
        root = self._document(url, "sitemap")
        if root is None:
            return
        try:
            is_index, entries = _sitemap_entries(root, url)
        except DiscoveryError as exc:
            self.errors.append(f"sitemap {url}: {exc.message}")
            return
        if not is_index:
            for entry in entries:
                self.add_dated(entry)
            return
        children: list[tuple[str, datetime | None]] = []
        for loc, base, lastmod in entries:
            if not loc:
                continue
            child = self.check(loc, base, article=False, role="sitemap in an index")
            if child is not None and child not in self.documents:
                children.append((child, parse_timestamp(lastmod)))
        if children and depth >= MAX_SITEMAP_DEPTH:
            self.errors.append(
                f"sitemap {url}: index nested {depth} levels deep; its {len(children)} "
                f"sitemap(s) were not read (limit {MAX_SITEMAP_DEPTH} levels)"
            )
            return
        # The most recently changed sitemaps hold the newest articles: read them
        # first, and stop once there are enough URLs.
        for child, _ in _newest_first(children):
            if self.full:
                break
            if child not in self.documents:
                self.read_sitemap(child, depth + 1)

    # listing pages

    def read_listing(self, start: str, listing_pages: set[str]) -> None:
        url: str | None = start
        for _page in range(self.source.max_pages):
            if url is None or self.full:
                return
            key = normalise_url(url, None, self.source.tracking_params) or url
            if key in listing_pages:
                return  # a pagination loop
            listing_pages.add(key)
            try:
                page = self.fetcher.fetch(url, self.hosts)
                links, next_url = self._page_links(page)
            except PipelineError as exc:
                self.errors.append(f"listing page {url}: {exc.message}")
                return
            listing_pages.add(normalise_url(page.url, None, self.source.tracking_params) or url)
            for link in links:
                if self.full:
                    return
                if link not in listing_pages and link != next_url and link not in self.dated:
                    self.listed.setdefault(link, None)
            url = next_url

    def _page_links(self, page: FetchedPage) -> tuple[list[str], str | None]:
        """The accepted article links of a listing page and its next page's URL."""
        soup = parse_html(page.text)
        base_tag = soup.find("base", href=True)
        base = urljoin(page.url, str(base_tag["href"])) if base_tag else page.url
        try:
            anchors = soup.select(self.source.link_selector)
            following = (
                soup.select_one(self.source.next_selector) if self.source.next_selector else None
            )
        except SelectorSyntaxError as exc:
            raise ExtractionError(f"invalid selector: {exc}", url=page.url) from exc
        next_url = None
        if isinstance(following, Tag) and isinstance(following.get("href"), str):
            next_url = self.check(str(following["href"]), base, article=False, role="next page")
        links = []
        for anchor in anchors:
            href = anchor.get("href")
            if not isinstance(href, str) or not href.strip() or href.strip().startswith("#"):
                continue  # not a link, or a link within this page
            url = self.check(href, base, article=True)
            if url is not None:
                links.append(url)
        return links, next_url

    def run(self) -> Discovery:
        for url in self.source.feeds:
            self.read_feed(url)
        for url in self.source.sitemaps:
            if url not in self.documents:
                self.read_sitemap(url)
        listing_pages: set[str] = set()
        for start in self.source.start_urls:
            self.read_listing(start, listing_pages)

        ordered = [url for url, _ in _newest_first(list(self.dated.items()))]
        ordered += list(self.listed)
        # A listing page is not an article, even when a sitemap lists it.
        ordered = [url for url in ordered if url not in listing_pages]
        candidates = [
            Candidate(url, self.source.name, _iso(self.dated.get(url)))
            for url in ordered[: self.source.max_articles]
        ]
        return Discovery(candidates, list(self.refused), self.errors)


def _refusal_by_patterns(
    url: str, include: Sequence[re.Pattern[str]], exclude: Sequence[re.Pattern[str]]
) -> str | None:
    if include and not any(p.search(url) for p in include):
        return "not matched by any include pattern"
    for pattern in exclude:
        if pattern.search(url):
            return f"excluded by pattern {pattern.pattern!r}"
    return None


def pattern_refusal(source: SourceSettings, url: str) -> str | None:
    """Why the source's ``include_patterns``/``exclude_patterns`` refuse ``url`` as an
    article, or None when they let it through."""
    include = [re.compile(p) for p in source.include_patterns]
    exclude = [re.compile(p) for p in source.exclude_patterns]
    return _refusal_by_patterns(url, include, exclude)


def _iso(date: datetime | None) -> str | None:
    return date.isoformat() if date is not None else None


def discover(source: SourceSettings, fetcher: Fetcher) -> Discovery:
    """Find the source's article URLs: feeds and sitemaps first, then listing pages.

    Never raises for bad input: refused links and unreadable pages, feeds or
    sitemaps are returned in the :class:`Discovery` with their reasons.
    """
    return _SourceDiscovery(source, fetcher).run()
