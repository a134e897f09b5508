"""HTML page → :class:`Article`: title, date, author, description and the body's blocks.

Selectors come from the source config; when one is missing we fall back to
``<article>``, ``<main>``, ``[role=main]`` and finally the element holding the
most paragraph text. Page chrome (nav, footer, scripts, forms, cookie banners)
is removed before blocks are marked, and links and image sources are made
absolute so a translated page works wherever the web team puts it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup
from soupsieve import SelectorSyntaxError

from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.dates import parse_date
from translator_pipeline.errors import ExtractionError
from translator_pipeline.html.segment import blocks_from_units, mark_blocks
from translator_pipeline.models import Article, FetchedPage

__all__ = ["extract_article", "parse_html"]

# Chrome that is never article content, whatever the site's markup convention.
ALWAYS_REMOVE = (
    "script, style, noscript, template, iframe, object, embed, form, button, input, "
    "select, textarea, nav, [hidden], [aria-hidden=true], [role=navigation], "
    "[role=banner], [role=contentinfo], [role=complementary]"
)
# Removed only in fallback mode, where we cannot trust the container choice.
FALLBACK_REMOVE = (
    "header, footer, aside, [class*=cookie], [id*=cookie], [class*=share], [class*=social], "
    "[class*=banner], [class*=breadcrumb], [class*=newsletter], [class*=related]"
)
URL_ATTRS = {"a": ("href",), "img": ("src",), "source": ("src",), "area": ("href",)}
_WS = re.compile(r"\s+")


def parse_html(text: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(text, "lxml")
    except ParserRejectedMarkup as exc:  # pragma: no cover - lxml accepts almost anything
        raise ExtractionError(f"unparseable HTML: {exc}") from exc


def _select_one(soup: Tag, selector: str | None, url: str, what: str) -> Tag | None:
    if not selector:
        return None
    try:
        return soup.select_one(selector)
    except SelectorSyntaxError as exc:
        raise ExtractionError(f"invalid {what} selector {selector!r}: {exc}", url=url) from exc


def _text(tag: Tag | None) -> str:
    return _WS.sub(" ", tag.get_text(" ")).strip() if tag is not None else ""


def _densest(soup: BeautifulSoup) -> Tag | None:
    """The element whose direct <p> children hold the most text."""
    best, best_len = None, 0
    for parent in {p.parent for p in soup.find_all("p") if p.parent is not None}:
        length = sum(len(_text(p)) for p in parent.find_all("p", recursive=False))
        if length > best_len:
            best, best_len = parent, length
    return best


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta property|name=… content=…>`` of the page, read in one pass (``name`` keys
    lower-cased). Looking each one up with ``find`` walks the whole tree every time."""
    found: dict[str, str] = {}
    scope = soup.head if soup.head is not None else soup
    for tag in scope.find_all("meta"):
        content = tag.get("content")
        if not content or not str(content).strip():
            continue
        for attr in ("property", "name"):
            key = tag.get(attr)
            if key:
                found.setdefault(str(key).lower(), str(content).strip())
    return found


def _meta(metas: dict[str, str], *names: str) -> str | None:
    return next((metas[n.lower()] for n in names if n.lower() in metas), None)


def _absolutise(root: Tag, base: str) -> None:
    for name, attrs in URL_ATTRS.items():
        for tag in root.find_all(name):
            for attr in attrs:
                value = tag.get(attr)
                if isinstance(value, str) and value.strip() and not value.startswith("#"):
                    tag[attr] = urljoin(base, value.strip())
    for tag in root.find_all(srcset=True):
        parts = []
        for item in str(tag["srcset"]).split(","):
            bits = item.strip().split(None, 1)
            if bits:
                parts.append(" ".join([urljoin(base, bits[0]), *bits[1:]]))
        tag["srcset"] = ", ".join(parts)


# Meta tags that carry the publication date, most specific first (``name`` keys lower-cased).
DATE_METAS = ("article:published_time", "date", "dc.date", "dc.date.issued", "pubdate")


def _first_date(values: Iterable[object]) -> str | None:
    return next((d for v in values if isinstance(v, str) and (d := parse_date(v))), None)


def _json_ld_dates(soup: BeautifulSoup) -> Iterator[object]:
    """``datePublished`` values of the page's JSON-LD, in document order."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        text = script.get_text().strip()
        # Some CMSs wrap the JSON in an HTML comment or CDATA section.
        text = re.sub(r"^(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)$", "", text).strip()
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # a broken block must not fail the page
            continue
        stack = [data]
        while stack:  # @graph lists and nested objects, walked without recursion
            item = stack.pop()
            if isinstance(item, dict):
                if "datePublished" in item:
                    yield item["datePublished"]
                stack.extend(reversed(list(item.values())))
            elif isinstance(item, list):
                stack.extend(reversed(item))


def _date(
    soup: BeautifulSoup, node: Tag | None, metas: dict[str, str]
) -> tuple[str | None, Tag | None]:
    """The publication date (ISO 8601, or None) and the date line it was read from, if any.

    Must run before the ``<script>`` elements are removed: JSON-LD is one source.
    """
    if node is not None:
        # The configured element is the site's own word on the date: if it holds none
        # we can read, publishing none beats picking another date from elsewhere.
        return _first_date((node.get("datetime"), node.get("content"), _text(node))), node
    # The visible <time> line is the same fact as the meta tags: keep it out of the body.
    time = soup.find("time", attrs={"datetime": True})
    found = _first_date(_meta(metas, name) for name in DATE_METAS)
    if found or (time is not None and (found := parse_date(str(time["datetime"])))):
        return found, time
    for tag in soup.select("[itemprop=datePublished]"):
        values = [tag.get("content"), tag.get("datetime")]
        if tag.name != "meta":
            values.append(_text(tag))
        if found := _first_date(values):
            return found, (time if tag.name == "meta" else tag)
    return _first_date(_json_ld_dates(soup)), time


def extract_article(page: FetchedPage, source: SourceSettings) -> Article:
    """Extract the article from a fetched page, or raise :class:`ExtractionError`."""
    url = page.url
    soup = parse_html(page.text)
    root = soup.find("html")
    declared = str(root.get("lang")) if isinstance(root, Tag) and root.get("lang") else None
    base_tag = soup.find("base", href=True)
    base = urljoin(url, str(base_tag["href"])) if base_tag else url

    body = _select_one(soup, source.body_selector, url, "body")
    fallback = body is None
    if source.body_selector and body is None:
        raise ExtractionError(f"body selector {source.body_selector!r} matched nothing", url=url)
    if body is None:
        body = (
            soup.find("article")
            or soup.find("main")
            or soup.find(attrs={"role": "main"})
            or _densest(soup)
        )
    if body is None:
        raise ExtractionError("no article body found (no <article>, <main> or paragraphs)", url=url)

    title_node = _select_one(soup, source.title_selector, url, "title")
    if title_node is None:
        title_node = body.find("h1") or soup.find("h1")
    metas = _metas(soup)
    title = _text(title_node) or _meta(metas, "og:title") or _text(soup.find("title"))
    date_node = _select_one(soup, source.date_selector, url, "date")
    author_node = _select_one(soup, source.author_selector, url, "author")
    published, date_node = _date(soup, date_node, metas)
    author = _text(author_node) or _meta(metas, "author") or None
    description = _meta(metas, "description", "og:description")

    # The title (and the date/author lines) are published separately: keep them
    # out of the body so they are not translated and printed twice.
    for node in (title_node, date_node, author_node):
        if isinstance(node, Tag) and any(parent is body for parent in node.parents):
            node.decompose()
    for selector in [ALWAYS_REMOVE, *source.remove_selectors] + (
        [FALLBACK_REMOVE] if fallback else []
    ):
        try:
            doomed = body.select(selector)
        except SelectorSyntaxError as exc:
            raise ExtractionError(f"invalid remove selector {selector!r}: {exc}", url=url) from exc
        for node in doomed:
            node.decompose()
    # Drop elements left empty by the removals (wrappers of share buttons, etc.).
    keep_empty = ("img", "br", "hr", "source", "td", "th", "col", "colgroup", "tr")
    for node in body.find_all(True):
        if node.decomposed or node.name in keep_empty:
            continue
        if not node.get_text(strip=True) and not node.find(["img", "br", "hr", "source"]):
            node.decompose()
    _absolutise(body, base)

    units = mark_blocks(body, soup)
    if not units:
        raise ExtractionError("article body has no text", url=url)
    if not title:
        raise ExtractionError("article has no title", url=url)
    blocks = blocks_from_units(units, root=body)
    body.name = "div"
    body.attrs = {k: v for k, v in body.attrs.items() if k == "lang"}
    return Article(
        url=url,
        source=source.name,
        title=title,
        body_html=str(body),
        blocks=blocks,
        published=published,
        author=author,
        declared_lang=declared,
        description=_WS.sub(" ", description).strip() if description else None,
    )
