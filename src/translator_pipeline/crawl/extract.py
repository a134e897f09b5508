"""HTML page → :class:`Article`: title, date, author, description and the body's blocks.

Selectors come from the source config. Without a body selector the article's
blocks are chosen by :mod:`.mainbody` (trafilatura picks and cleans the body,
the page's own inline markup is kept) and the date is the one htmldate reads;
the title is still ours (the page's ``<h1>`` checked against og:title and
``<title>``). Page chrome (nav, footer, scripts, forms, cookie banners) is
removed before blocks are marked, and links and image sources are made
absolute so a translated page works wherever the web team puts it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin

import lxml.html
import soupsieve
from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag
from bs4.exceptions import ParserRejectedMarkup
from lxml import etree
from soupsieve import SelectorSyntaxError

from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.dates import parse_date
from translator_pipeline.crawl.mainbody import content_html, page_date, parse_tree
from translator_pipeline.crawl.pagekind import LinkStats, listing_reason
from translator_pipeline.errors import ExtractionError, NotAnArticleError
from translator_pipeline.html.segment import BLOCK_LEVEL, blocks_from_units, mark_blocks
from translator_pipeline.models import Article, FetchedPage

__all__ = ["configured_selectors", "extract_article", "parse_html"]

# Chrome that is never article content, whatever the site's markup convention.
ALWAYS_REMOVE = (
    "script, style, noscript, template, iframe, object, embed, form, button, input, "
    "select, textarea, nav, [hidden], [aria-hidden=true], [role=navigation], "
    "[role=banner], [role=contentinfo], [role=complementary]"
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


# --- selectors that matched nothing -------------------------------------------------------


def configured_selectors(source: SourceSettings) -> list[tuple[str, str]]:
    """``(config key, selector)`` of every content selector the source sets, in config
    order; the keys are the ones :attr:`Article.selector_misses` names."""
    found = [
        (key, value)
        for key in ("title_selector", "body_selector", "date_selector", "author_selector")
        if (value := getattr(source, key))
    ]
    found += [(f"remove_selectors[{i}]", s) for i, s in enumerate(source.remove_selectors)]
    return found


def _failure(message: str, url: str, misses: list[str]) -> ExtractionError:
    """An ExtractionError raised once the selectors were tried: it carries their misses
    (``selector_misses``), so the run still learns which selectors found nothing."""
    return ExtractionError(message, url=url, selector_misses=tuple(misses))


# --- broken markup ------------------------------------------------------------------------

# Elements whose end tag is required: an extra or missing one is what makes a parser
# close the article's container early or let a heading swallow what follows it.
_CHECKED_TAGS = frozenset([
    "div", "span", "section", "article", "main", "aside", "header", "footer", "nav",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure", "ul", "ol", "table",
])  # fmt: skip
_TAG_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style|textarea|title)\b[^>]*>.*?</\1\s*>"
    r"|<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*>",
    re.DOTALL | re.IGNORECASE,
)


def _badly_nested(html: str) -> bool:
    """True when the page's source has an end tag with nothing open to close, an
    element closed across another, or an element never closed (among _CHECKED_TAGS)."""
    stack: list[str] = []
    for match in _TAG_TOKEN.finditer(html):
        closing, name = match.group(2), match.group(3)
        if name is None:  # a comment or a raw-text element
            continue
        name = name.lower()
        if name not in _CHECKED_TAGS:
            continue
        if not closing:
            stack.append(name)
        elif stack and stack[-1] == name:
            stack.pop()
        else:
            return True
    return bool(stack)


# Where an article ends: a sectioning landmark, another page's title, or an element
# whose class/id says it is page furniture (comments, sharing, related posts …).
_LANDMARKS = frozenset(["header", "footer", "aside", "nav", "article", "main", "h1", "form"])
_LANDMARK_ROLES = frozenset(["navigation", "banner", "contentinfo", "complementary", "search"])
_CHROME = re.compile(
    r"comment|respond|related|share|sharing|social|sidebar|widget|footer|breadcrumb|"
    r"newsletter|subscribe|author|byline|tags|meta|post-nav|nav-links|pagination|cookie|"
    r"banner|advert|promo|menu",
    re.IGNORECASE,
)
# Left where they stand (removed from any body anyway) rather than taken or stopped at.
_INERT = frozenset(["script", "style", "noscript", "template", "link", "meta"])


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _LANDMARKS or str(tag.get("role", "")).lower() in _LANDMARK_ROLES:
        return True
    names = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])
    if names.strip() and _CHROME.search(names):
        return True
    return tag.find(list(_LANDMARKS)) is not None  # a wrapper holding furniture


def _orphans_after(body: Tag, title_node: Tag | None) -> list[PageElement]:
    """Content that broken markup pushed out of the body container.

    A stray end tag inside the article (``</div></span>`` left by a pasted embed)
    closes the container early: the parser makes the paragraphs after it siblings
    of the container, or of one of its ancestors. So on a page whose source is
    badly nested, what follows the container in document order — its following
    siblings, then its parent's, up to ``<body>`` — belongs to the article until
    the first landmark that ends an article (footer, aside, nav, comments …,
    see _is_chrome). Scripts and the like are stepped over.
    """
    taken: list[PageElement] = []
    node: Tag | None = body
    while node is not None and node.name not in ("body", "html", "[document]"):
        for sibling in node.next_siblings:
            if isinstance(sibling, Comment) or sibling is title_node:
                continue
            if isinstance(sibling, NavigableString):
                if sibling.strip():
                    taken.append(sibling)
                continue
            if not isinstance(sibling, Tag) or sibling.name in _INERT:
                continue
            if _is_chrome(sibling):
                return taken
            taken.append(sibling)
        node = node.parent
    return taken


# --- the title ----------------------------------------------------------------------------

MAX_TITLE_CHARS = 200  # beyond this a "title" is body text a heading swallowed
# A title element this much longer than the page's own title has swallowed body text.
_FAR_LONGER_RATIO = 2.0
_FAR_LONGER_CHARS = 60
MIN_YARDSTICK = 12
_SEPARATOR = re.compile(r"\s+[|–—·•»›]\s+|\s+-\s+|\s*\|\s*|\s+::\s+")


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _strip_site_name(title: str, site: str | None) -> str:
    """``title`` without the site's name before or after a separator, when it is known."""
    if not site or not title:
        return title
    key = _norm(site)
    parts = _SEPARATOR.split(title)
    if len(parts) > 1 and _norm(parts[-1]) == key:
        return title[: title.rfind(parts[-1])].rstrip(" |–—·•»›-:").strip()
    if len(parts) > 1 and _norm(parts[0]) == key:
        return title[len(parts[0]) :].lstrip().lstrip("|–—·•»›-:").strip()
    return title


def _guess_site_name(title: str) -> str | None:
    """The part of a ``<title>`` that is most likely the site's name: the shorter end
    around a separator ("Post – Site", "Site | Post"). A guess: used only to judge and
    repair a title element, never to shorten a title that came whole from the page."""
    parts = _SEPARATOR.split(title)
    if len(parts) < 2:
        return None
    head, tail = parts[0].strip(), parts[-1].strip()
    rest_after_head, rest_before_tail = len(title) - len(head), len(title) - len(tail)
    if tail and len(tail) < rest_before_tail:
        return tail
    if head and len(head) < rest_after_head:
        return head
    return None


def _site_name(metas: dict[str, str]) -> str | None:
    return _meta(metas, "og:site_name", "application-name")


def _page_titles(soup: BeautifulSoup, metas: dict[str, str]) -> list[str]:
    """What the page says its title is (og:title, ``<title>``), with the site's name
    removed, best first: the yardsticks of a title element."""
    site = _site_name(metas)
    raw = [_meta(metas, "og:title"), _text(soup.find("title"))]
    out: list[str] = []
    for text in filter(None, raw):
        for candidate in (
            _strip_site_name(text, site),
            _strip_site_name(text, _guess_site_name(text)),
            text,
        ):
            candidate = _WS.sub(" ", candidate).strip()
            if candidate and candidate not in out:
                out.append(candidate)
    return out


def _first_block_after_text(title_node: Tag) -> Tag | None:
    """The first block element inside the title element that comes after some of its
    text: where an unclosed heading starts swallowing the body. Blocks that only wrap
    the title's own words (``<h1><div>Title</div></h1>``) come before any text."""
    seen_text = False
    for node in title_node.descendants:
        if isinstance(node, NavigableString):
            seen_text = seen_text or (not isinstance(node, Comment) and bool(node.strip()))
        elif isinstance(node, Tag) and node.name in BLOCK_LEVEL and seen_text:
            return node
    return None


def _after(node: PageElement, root: Tag) -> PageElement | None:
    """The node that follows ``node`` inside ``root`` once ``node``'s subtree is done."""
    while node is not root and node is not None:
        if node.next_sibling is not None:
            return node.next_sibling
        node = node.parent
    return None


def _split_after_text(title_node: Tag, prefix: str) -> PageElement | None:
    """Split the title element's text right after ``prefix`` (compared without case
    or extra spaces); the first node after it, or None when the text does not start so."""
    wanted = _norm(prefix)
    so_far = ""
    for node in list(title_node.descendants):
        if not isinstance(node, NavigableString) or isinstance(node, Comment):
            continue
        text = str(node)
        if len(_norm(so_far + text)) < len(wanted):
            so_far += text
            continue
        cut = next((c for c in range(len(text) + 1) if _norm(so_far + text[:c]) == wanted), None)
        if cut is None:
            return None
        if not text[cut:].strip():
            return _after(node, title_node)
        head, tail = NavigableString(text[:cut]), NavigableString(text[cut:])
        node.replace_with(head)
        head.insert_after(tail)
        return tail
    return None


def _hoist(title_node: Tag, first: PageElement) -> list[PageElement]:
    """Move ``first`` and everything after it inside the title element to just after
    the title element, in order, as if the heading had been closed before ``first``.
    Returns the nodes moved, top level only."""
    node = first
    while node.parent is not None and node.parent is not title_node:
        parent = node.parent
        following = [node, *node.next_siblings]
        anchor: PageElement = parent
        for item in following:
            anchor.insert_after(item.extract())
            anchor = item
    if node.parent is not title_node:  # pragma: no cover - first was not inside
        return []
    moved = [node, *node.next_siblings]
    anchor = title_node
    for item in moved:
        anchor.insert_after(item.extract())
        anchor = item
    return moved


def _shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:–-") + "…"


def _yardstick(text: str, page_titles: list[str]) -> str | None:
    """The page title the title element's text starts with (a whole-word prefix of at
    least MIN_YARDSTICK characters, so a generic "News" proves nothing), or None."""
    norm = _norm(text)
    for title in page_titles:
        key = _norm(title)
        if len(key) >= MIN_YARDSTICK and norm.startswith(key):
            rest = norm[len(key) :]
            if not rest or not rest[0].isalnum():
                return title
    return None


def _as_paragraphs(soup: BeautifulSoup, nodes: list[PageElement]) -> list[PageElement]:
    """``nodes`` with each run of loose text and inline elements wrapped in a ``<p>``:
    the words a heading swallowed are a paragraph of the body, not loose text."""
    out: list[PageElement] = []
    run: list[PageElement] = []

    def flush() -> None:
        if any(str(n).strip() for n in run):
            paragraph = soup.new_tag("p")
            run[0].insert_before(paragraph)
            for node in run:
                paragraph.append(node.extract())
            out.append(paragraph)
        else:
            out.extend(run)
        run.clear()

    for node in nodes:
        if isinstance(node, Tag) and (node.name in BLOCK_LEVEL or node.find(BLOCK_LEVEL)):
            flush()
            out.append(node)
        else:
            run.append(node)
    flush()
    return out


def _repair_title(
    soup: BeautifulSoup, title_node: Tag, page_titles: list[str]
) -> tuple[str, list[PageElement]]:
    """The title element's own title, and the nodes it had swallowed (moved out of it).

    A title is one line. When the element holds blocks after its first words (an
    unclosed ``<h1>`` that runs into the body), its title is that first text and the
    blocks are body. When its text starts with the page's own title (og:title or
    ``<title>``, without the site's name) and is far longer — at least twice as long
    and 60 characters more — or is beyond MAX_TITLE_CHARS, it swallowed body text
    without blocks: the title is the page's title and the rest of its text is body.
    """
    moved: list[PageElement] = []
    block = _first_block_after_text(title_node)
    if block is not None:
        moved = _hoist(title_node, block)
    text = _text(title_node)
    within = _yardstick(text, page_titles)
    far_longer = within is not None and (
        len(text) >= _FAR_LONGER_RATIO * len(within)
        and len(text) - len(within) >= _FAR_LONGER_CHARS
    )
    if not far_longer and len(text) <= MAX_TITLE_CHARS:
        return text, moved
    start = _split_after_text(title_node, within) if within is not None else None
    if start is None:  # no clean cut: all of the element's text goes to the body
        start = next(iter(title_node.contents), None)
    if start is not None:
        moved = _as_paragraphs(soup, _hoist(title_node, start)) + moved
    own = _text(title_node)
    if own and len(own) <= MAX_TITLE_CHARS:
        return own, moved
    short = next((t for t in page_titles if len(t) <= MAX_TITLE_CHARS), None)
    return (short or _shorten(text)), moved


def _contains(ancestor: PageElement, node: PageElement) -> bool:
    return node is ancestor or any(parent is ancestor for parent in node.parents)


def _matches(selector: str, tag: Tag) -> bool:
    try:
        return soupsieve.match(selector, tag)
    except SelectorSyntaxError:  # reported with its name when the removals run
        return False


def _place_swallowed(
    body: Tag, title_node: Tag, moved: list[PageElement], removals: list[str]
) -> None:
    """Put what the title element had swallowed in the body, in order, once.

    Moved out of the title, it now follows the title element. If the body holds the
    title element, it is in the body already — unless the title sits in something
    the body loses (a ``<header>`` dropped by ``removals``): then it goes right after
    that. If the body was inside it, what came before the body is prepended to the
    body and what comes after is left as the body's following siblings
    (_orphans_after takes it). Otherwise it is prepended. Page furniture among it (a
    byline block, a footer) stays out.
    """
    if not moved:
        return
    if _contains(body, title_node):
        doomed = None
        for parent in title_node.parents:
            if parent is body:
                break
            if any(_matches(selector, parent) for selector in removals):
                doomed = parent
        anchor: PageElement | None = doomed
        for node in moved if anchor is not None else ():
            anchor.insert_after(node.extract())
            anchor = node
        return
    holder = next((i for i, node in enumerate(moved) if _contains(node, body)), None)
    before = moved if holder is None else moved[:holder]
    keep = [n for n in before if not (isinstance(n, Tag) and _is_chrome(n))]
    for index, node in enumerate(keep):
        body.insert(index, node.extract())


def extract_article(
    page: FetchedPage, source: SourceSettings, *, only_articles: bool = True
) -> Article:
    """Extract the article from a fetched page, or raise :class:`ExtractionError`.

    The configured selectors that matched nothing on the page are listed in the
    article's ``selector_misses`` (and on an ExtractionError raised after they were
    tried), so a run can tell a selector that never matches. With ``only_articles``
    a listing (pager, tag, category, author, search page: see :mod:`.pagekind`)
    raises :class:`NotAnArticleError` with the reason.
    """
    if not source.body_selector:
        return _extract_main_content(page, source, only_articles)
    url = page.url
    soup = parse_html(page.text)
    root = soup.find("html")
    declared = str(root.get("lang")) if isinstance(root, Tag) and root.get("lang") else None
    base_tag = soup.find("base", href=True)
    base = urljoin(url, str(base_tag["href"])) if base_tag else url
    misses: list[str] = []

    def select(key: str, what: str) -> Tag | None:
        selector = getattr(source, key)
        found = _select_one(soup, selector, url, what)
        if selector and found is None:
            misses.append(key)
        return found

    body = select("body_selector", "body")
    title_node = select("title_selector", "title")
    date_node = select("date_selector", "date")
    author_node = select("author_selector", "author")
    if body is None:
        _misses_of_removals(soup, source, url, misses)
        raise _failure(f"body selector {source.body_selector!r} matched nothing", url, misses)

    removals = [ALWAYS_REMOVE, *source.remove_selectors]
    if title_node is None:
        title_node = body.find("h1") or soup.find("h1")
    metas = _metas(soup)
    site = _site_name(metas)
    moved: list[PageElement] = []
    if title_node is not None:
        title, moved = _repair_title(soup, title_node, _page_titles(soup, metas))
        if moved and body is title_node:  # the "body" was the heading that swallowed it
            body = soup.new_tag("div")
            moved[-1].insert_after(body)
            for node in moved:
                body.append(node.extract())
        else:
            _place_swallowed(body, title_node, moved, removals)
    else:
        title = ""
    title = _strip_site_name(title or _meta(metas, "og:title") or _text(soup.find("title")), site)
    title = _shorten(_WS.sub(" ", title).strip())
    # Broken markup can leave article text outside the body element: take it back.
    if moved or _badly_nested(page.text):
        for node in _orphans_after(body, title_node):
            body.append(node.extract())
    published, date_node = _date(soup, date_node, metas)
    author = _text(author_node) or _meta(metas, "author") or None
    description = _meta(metas, "description", "og:description")

    # The title (and the date/author lines) are published separately: keep them
    # out of the body so they are not translated and printed twice.
    for node in (title_node, date_node, author_node):
        if isinstance(node, Tag) and any(parent is body for parent in node.parents):
            node.decompose()
    for i, selector in enumerate(removals):
        try:
            doomed = body.select(selector)
        except SelectorSyntaxError as exc:
            raise ExtractionError(f"invalid remove selector {selector!r}: {exc}", url=url) from exc
        if not doomed and 0 < i <= len(source.remove_selectors):
            misses.append(f"remove_selectors[{i - 1}]")
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

    if only_articles and (tree := parse_tree(page.text)) is not None:
        _refuse_listing(tree, url, body, misses)
    units = mark_blocks(body, soup)
    if not units:
        raise _failure("article body has no text", url, misses)
    if not title:
        raise _failure("article has no title", url, misses)
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
        selector_misses=tuple(misses),
    )


def _misses_of_removals(
    soup: BeautifulSoup, source: SourceSettings, url: str, misses: list[str]
) -> None:
    """Without a body, each remove selector is judged on the whole page."""
    for i, selector in enumerate(source.remove_selectors):
        try:
            found = soup.select_one(selector)
        except SelectorSyntaxError as exc:
            raise ExtractionError(f"invalid remove selector {selector!r}: {exc}", url=url) from exc
        if found is None:
            misses.append(f"remove_selectors[{i}]")


# --- no body selector ---------------------------------------------------------------------

_HEAD_KEEP = frozenset(["title", "meta", "base"])
# An <h1> here belongs to the page's frame, not to the article.
_FRAME = frozenset(["nav", "footer", "aside"])
MAX_TITLE_CANDIDATES = 8
_BANNER = "data-tp-banner"  # marks an <h1> of the site's header in the frame soup
_ITEMPROP_DATE = etree.XPath('//*[@itemprop="datePublished"]')
MAX_UNTITLED_CHARS = 80  # a title made of the first words of a page that states none
MIN_UNTITLED_BODY = 200  # … only when there is a real body to take them from


def _frame_soup(tree: lxml.html.HtmlElement) -> BeautifulSoup:
    """A small soup of what the title, date and author logic reads when there is no
    body selector: the head's ``<title>`` and meta tags, the page's JSON-LD, the first
    ``<time datetime>`` and the page's ``<h1>`` elements outside nav/footer/aside.
    Parsing all of a big page with BeautifulSoup costs more than extracting it."""
    parts: list[str] = []
    head = tree.find("head")
    for element in head.iter(*_HEAD_KEEP) if head is not None else ():
        parts.append(lxml.html.tostring(element, encoding="unicode", with_tail=False))
    if head is None or head.find("title") is None:  # broken markup put it in the body
        title = next((t for t in tree.iter("title") if (t.text or "").strip()), None)
        if title is not None:
            parts.append(lxml.html.tostring(title, encoding="unicode", with_tail=False))
    for script in tree.iter("script"):
        if str(script.get("type", "")).strip().lower() == "application/ld+json":
            parts.append(lxml.html.tostring(script, encoding="unicode", with_tail=False))
    headings: list[str] = []
    banners: list[str] = []  # an <h1> in the site's own header: the site's name, mostly
    for h1 in tree.iter("h1"):
        ancestors = [parent.tag for parent in h1.iterancestors()]
        if any(tag in _FRAME for tag in ancestors):
            continue
        in_banner = "header" in ancestors and not {"article", "main"} & set(ancestors)
        markup = lxml.html.tostring(h1, encoding="unicode", with_tail=False)
        if in_banner:
            banners.append(markup.replace("<h1", f"<h1 {_BANNER}", 1))
        else:
            headings.append(markup)
        if len(headings) >= MAX_TITLE_CANDIDATES:
            break
    body_parts = (headings + banners)[:MAX_TITLE_CANDIDATES]
    time = next((t for t in tree.iter("time") if t.get("datetime")), None)
    if time is not None:
        body_parts.append(lxml.html.tostring(time, encoding="unicode", with_tail=False))
    for tag in _ITEMPROP_DATE(tree)[:MAX_TITLE_CANDIDATES]:
        body_parts.append(lxml.html.tostring(tag, encoding="unicode", with_tail=False))
    lang = tree.get("lang")
    lang_attr = f' lang="{html.escape(str(lang))}"' if lang else ""
    markup = (
        f"<html{lang_attr}><head>{''.join(parts)}</head><body>{''.join(body_parts)}</body></html>"
    )
    return parse_html(markup)


def _title_element(soup: BeautifulSoup, page_titles: list[str]) -> Tag | None:
    """The page's ``<h1>`` that is the article's title: the first one whose text starts
    with what og:title or ``<title>`` say, else the first one outside the site's header."""
    headings = soup.find_all("h1")
    for heading in headings:
        text = _text(heading)
        if text and (_yardstick(text, page_titles) or _norm(text) in map(_norm, page_titles)):
            return heading
    # Else the first one, unless it is in the site's header (the site's name): then
    # og:title or <title> say it better.
    return next((h for h in headings if _text(h) and not h.has_attr(_BANNER)), None)


def _drop_title_block(body: Tag, title: str) -> None:
    """The body's first block, when it only repeats the title (published apart)."""
    for tag in body.find_all(True):
        if tag.name in BLOCK_LEVEL and not tag.find(BLOCK_LEVEL) and _text(tag):
            if tag.name in ("h1", "h2", "h3", "h4", "h5", "h6", "p") and (
                _norm(_text(tag)) == _norm(title)
            ):
                tag.decompose()
            return


def _choose_date(stated: str | None, found: str | None) -> str | None:
    """The publication date from what the page states in its markup (meta tags,
    ``<time>``, itemprop, JSON-LD: ``stated``) and htmldate's reading of the whole page
    (``found``, a day), which is right more often on real sites. A stated date of the
    same day keeps its time and zone as the page wrote them (no conversion to UTC);
    where htmldate only knew the month (it gives the 1st, e.g. from ``/2026/12/`` in a
    URL) a stated date in that month is taken instead."""
    if found is None:
        return stated
    if stated and (stated[:10] == found or (found.endswith("-01") and stated[:7] == found[:7])):
        return stated
    return found


MAX_DATE_LINE_CHARS = 80
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _drop_trailing_headings(body: Tag) -> None:
    """Headings that end the body introduce nothing: the title of a "related" box or
    a comment section whose content was left out."""
    for tag in reversed(body.find_all(True)):
        if tag.decomposed or not _text(tag) or tag.find(BLOCK_LEVEL):
            continue
        if tag.name not in _HEADINGS:
            return
        tag.decompose()


def _drop_date_lines(body: Tag, date_nodes: list[Tag]) -> None:
    """The body's date elements (``<time>``, itemprop datePublished) that are a date of
    the page, each with the wrappers that hold nothing else ("<p><time>…</time></p>")."""
    texts = {_norm(t) for node in date_nodes if 0 < len(t := _text(node)) <= MAX_DATE_LINE_CHARS}
    if not texts:
        return
    candidates = body.find_all(attrs={"itemprop": "datePublished"}) + body.find_all("time")
    for node in candidates:
        if node.decomposed or (text := _norm(_text(node))) not in texts:
            continue
        while (
            node.parent is not None
            and node.parent is not body
            and _norm(_text(node.parent)) == text
        ):
            node = node.parent
        node.decompose()


def _link_stats(body: Tag) -> LinkStats:
    text = len(_WS.sub("", body.get_text()))
    links = sum(len(_WS.sub("", a.get_text())) for a in body.find_all("a"))
    return LinkStats(text, links)


def _refuse_listing(tree: lxml.html.HtmlElement, url: str, body: Tag, misses: list[str]) -> None:
    reason = listing_reason(tree, url, _link_stats(body))
    if reason is not None:
        raise NotAnArticleError(f"not an article: {reason}", url=url, selector_misses=tuple(misses))


def _extract_main_content(
    page: FetchedPage, source: SourceSettings, only_articles: bool = True
) -> Article:
    """extract_article for a source with no body selector (see :mod:`.mainbody`).

    The other selectors a source sets still win: title, date and author selectors are
    read on the whole page, and remove selectors take their elements out of the page
    before the body is chosen.
    """
    url = page.url
    misses: list[str] = []
    page_soup: BeautifulSoup | None = None
    nodes: dict[str, Tag | None] = {}
    configured = [k for k in ("title_selector", "date_selector", "author_selector")]
    if source.remove_selectors or any(getattr(source, k) for k in configured):
        page_soup = parse_html(page.text)
        for key in configured:
            what = key.removesuffix("_selector")
            nodes[key] = found = _select_one(page_soup, getattr(source, key), url, what)
            if getattr(source, key) and found is None:
                misses.append(key)
        for i, selector in enumerate(source.remove_selectors):
            try:
                doomed = page_soup.select(selector)
            except SelectorSyntaxError as exc:
                raise ExtractionError(
                    f"invalid remove selector {selector!r}: {exc}", url=url
                ) from exc
            if not doomed:
                misses.append(f"remove_selectors[{i}]")
            for node in doomed:
                if not any(node is n or _contains(node, n) for n in nodes.values() if n):
                    node.decompose()
    tree = parse_tree(str(page_soup) if page_soup is not None else page.text)
    if tree is None:
        raise _failure("empty page: no HTML to extract an article from", url, misses)
    content = content_html(tree, url)
    if content is None:
        message = "no article body found: nothing on the page reads as an article"
        raise _failure(message, url, misses)

    soup = page_soup if page_soup is not None else _frame_soup(tree)
    root = soup.find("html")
    declared = str(root.get("lang")) if isinstance(root, Tag) and root.get("lang") else None
    base_tag = soup.find("base", href=True)
    base = urljoin(url, str(base_tag["href"])) if base_tag else url
    metas = _metas(soup)
    site = _site_name(metas)
    page_titles = _page_titles(soup, metas)
    title_node = nodes.get("title_selector") or _title_element(soup, page_titles)
    title = _repair_title(soup, title_node, page_titles)[0] if title_node is not None else ""
    title = _strip_site_name(title or _meta(metas, "og:title") or _text(soup.find("title")), site)
    title = _shorten(_WS.sub(" ", title).strip())

    date_node = nodes.get("date_selector")
    if source.date_selector:
        published = _date(soup, date_node, metas)[0]
    else:
        published = _choose_date(_date(soup, None, metas)[0], page_date(tree, url))
    author_node = nodes.get("author_selector")
    author = _text(author_node) or _meta(metas, "author") or None
    description = _meta(metas, "description", "og:description")

    body_soup = parse_html(f"<div>{content}</div>")
    body = body_soup.find("div")
    assert isinstance(body, Tag)  # parse_html of a <div> always gives one
    if title:  # a heading left open swallows what follows it: give that back
        for heading in body.find_all("h1"):
            if not heading.decomposed and _norm(_text(heading)).startswith(_norm(title)):
                _repair_title(body_soup, heading, [title, *page_titles])
    _drop_trailing_headings(body)
    if not source.date_selector:  # the date line is published apart, like the title
        _drop_date_lines(body, soup.select("time[datetime], [itemprop=datePublished]"))
    if title:
        _drop_title_block(body, title)
    else:  # no <h1>, og:title or <title>: the body's first heading is the title
        heading = body.find(["h2", "h3", "h4", "h5", "h6"])
        if heading is not None and (text := _text(heading)):
            title = _shorten(text)
            heading.decompose()
        elif len(first := _text(body)) >= MIN_UNTITLED_BODY:  # or its first words
            title = _shorten(first, MAX_UNTITLED_CHARS)
    _absolutise(body, base)  # (mainbody left out the chrome ALWAYS_REMOVE names)
    if only_articles:
        _refuse_listing(tree, url, body, misses)
    units = mark_blocks(body, body_soup)
    if not units:
        raise _failure("article body has no text", url, misses)
    if not title:
        raise _failure("article has no title", url, misses)
    return Article(
        url=url,
        source=source.name,
        title=title,
        body_html=str(body),
        blocks=blocks_from_units(units, root=body),
        published=published,
        author=author,
        declared_lang=declared,
        description=_WS.sub(" ", description).strip() if description else None,
        selector_misses=tuple(misses),
    )
