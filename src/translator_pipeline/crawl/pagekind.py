"""Is this page an article, or a listing (pager, tag, category, author, search page)?

Discovery without a ``link_selector`` follows every link of a listing page, so
pager links, tag and category pages come back as "articles". Only articles are
published: :func:`listing_reason` says why a page is not one, or None.

Signals, none decisive alone except the page's own word:

- what the page declares: JSON-LD ``@type`` (``CollectionPage``, ``ItemList``,
  ``SearchResultsPage``, ``ProfilePage`` … vs ``Article``, ``NewsArticle``,
  ``BlogPosting`` …) and ``og:type`` (``article`` vs anything else);
- repeated teaser cards: several headings each made of one link to another page,
  outside the page's navigation, header, footer and sidebars;
- a numbered pager (links 1, 2, 3 … in an element named like one);
- the share of the extracted body's text that is link text;
- the URL's shape (``?page=2``, ``/page/2/``, ``/tag/…``, ``/category/…``,
  ``/author/…``, ``/search``, date archives such as ``/2024/05/``).

A page that declares itself an article is an article unless its body is mostly
links and it repeats teaser cards; a page that declares a listing type is a listing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import lxml.html

__all__ = ["LinkStats", "listing_reason"]

LISTING_TYPES = frozenset([
    "collectionpage", "itemlist", "searchresultspage", "profilepage", "blog",
    "mediagallery", "imagegallery", "videogallery",
])  # fmt: skip
ARTICLE_TYPES = frozenset([
    "article", "newsarticle", "blogposting", "report", "scholarlyarticle", "techarticle",
    "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
    "backgroundnewsarticle", "askpublicnewsarticle", "liveblogposting", "socialmediaposting",
    "posting", "pressrelease", "creativework", "recipe", "review", "event",
])  # fmt: skip
# Path segments that name a listing in the CMSs we know of (en, fr, ar transliterations
# are not used in URLs): a hint only, since some sites put the category in article URLs.
_LISTING_SEGMENT = re.compile(
    r"/(?:tags?|category|categories|categorie|categories|rubriques?|etiquettes?|"
    r"authors?|auteurs?|topics?|themes?|archives?|search|recherche)(?:/|$)",
    re.IGNORECASE,
)
_PAGER_PATH = re.compile(r"/page/\d+/?$|/\d{4}/(?:\d{1,2}/)?$", re.IGNORECASE)
_PAGER_PARAMS = frozenset(["page", "paged", "pg", "start", "offset", "p_page"])
_SEARCH_PARAMS = frozenset(["s", "q", "query", "search", "keys", "keyword", "recherche"])
_FRAME = frozenset(["nav", "header", "footer", "aside"])
_PAGER_NAME = re.compile(r"pag(?:er|ination|e-numbers|ing)", re.IGNORECASE)
_COMMENTS_NAME = re.compile(r"comment|respond|reply|discussion", re.IGNORECASE)

MIN_TEASERS = 3  # headings made of one link each, to read as a list of teasers
MIN_PAGER_NUMBERS = 2
LINK_HEAVY = 0.5  # share of the body's text in links beyond which it is a list of links
LINK_LEANING = 0.3


class LinkStats:
    """Text and link text of an extracted body, in characters."""

    __slots__ = ("links", "text")

    def __init__(self, text: int, links: int) -> None:
        self.text, self.links = text, links

    @property
    def density(self) -> float:
        return self.links / self.text if self.text else 0.0


def _json_ld_types(tree: lxml.html.HtmlElement) -> Iterator[str]:
    for script in tree.iter("script"):
        if str(script.get("type", "")).strip().lower() != "application/ld+json":
            continue
        text = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", script.text or "")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                kind = item.get("@type")
                for value in kind if isinstance(kind, list) else [kind]:
                    if isinstance(value, str):
                        yield value.rsplit("/", 1)[-1].lower()
                # Only the page's own objects: @graph members and mainEntity.
                for key in ("@graph", "mainEntity", "mainEntityOfPage"):
                    if isinstance(item.get(key), dict | list):
                        stack.append(item[key])
            elif isinstance(item, list):
                stack.extend(item)


def _og_type(tree: lxml.html.HtmlElement) -> str | None:
    for meta in tree.iter("meta"):
        if str(meta.get("property") or meta.get("name") or "").lower() == "og:type":
            return str(meta.get("content") or "").strip().lower() or None
    return None


def _in_frame(element: lxml.html.HtmlElement) -> bool:
    for parent in element.iterancestors():
        if parent.tag in _FRAME or str(parent.get("role", "")).lower() in (
            "navigation",
            "banner",
            "contentinfo",
            "complementary",
        ):
            return True
        names = f"{parent.get('class', '')} {parent.get('id', '')}"
        if _COMMENTS_NAME.search(names) or "related" in names.lower():
            return True
    return False


def _teasers(tree: lxml.html.HtmlElement, page_url: str) -> int:
    """Headings (h2–h4) made of a single link to another page, outside the frame."""
    own = urlsplit(page_url)._replace(fragment="").geturl()
    count = 0
    for heading in tree.iter("h2", "h3", "h4"):
        links = [a for a in heading.iter("a") if (a.get("href") or "").strip()]
        if len(links) != 1:
            continue
        href = links[0].get("href", "").strip()
        if href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
            continue
        if href == own:
            continue
        text = heading.text_content().strip()
        if not text or links[0].text_content().strip() != text:
            continue
        if not _in_frame(heading):
            count += 1
    return count


def _pager_numbers(tree: lxml.html.HtmlElement) -> int:
    """The most numbered links (1, 2, 3 …) inside one element named like a pager."""
    best = 0
    for element in tree.iter("nav", "ul", "ol", "div"):
        names = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
        if not _PAGER_NAME.search(names):
            continue
        numbers = sum(1 for a in element.iter("a") if a.text_content().strip().isdigit())
        best = max(best, numbers)
    return best


def _url_hint(url: str) -> str | None:
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in _PAGER_PARAMS and value.strip().isdigit():
            return f"the URL is a pager's ({key}={value})"
        if key.lower() in _SEARCH_PARAMS and value.strip():
            return f"the URL is a search's ({key}=…)"
    if _PAGER_PATH.search(parts.path):
        return "the URL is a pager's or a date archive's"
    match = _LISTING_SEGMENT.search(parts.path)
    if match:
        return f"the URL names a listing ({match.group(0).strip('/')})"
    return None


def listing_reason(tree: lxml.html.HtmlElement, url: str, body: LinkStats) -> str | None:
    """Why the page is a listing rather than an article, or None when it reads as one."""
    types = set(_json_ld_types(tree))
    og = _og_type(tree)
    teasers = _teasers(tree, url)
    declared_article = bool(types & ARTICLE_TYPES) or og == "article"
    if declared_article:
        if teasers >= 2 * MIN_TEASERS and body.density >= LINK_HEAVY:
            return (
                f"a list of {teasers} teasers (links are {body.density:.0%} of its text) "
                "though it declares an article"
            )
        return None
    listed = sorted(types & LISTING_TYPES)
    if listed:
        return f"the page declares itself a listing (JSON-LD @type {listed[0]})"
    hint = _url_hint(url)
    pager = _pager_numbers(tree) >= MIN_PAGER_NUMBERS
    if body.density >= LINK_HEAVY and (teasers >= MIN_TEASERS or hint or pager):
        return f"its body is mostly links ({body.density:.0%} of its text)"
    if teasers >= MIN_TEASERS and (hint or pager or body.density >= LINK_LEANING):
        extra = hint or ("it has a numbered pager" if pager else "")
        extra = extra or f"links are {body.density:.0%} of its text"
        return f"a list of {teasers} teasers ({extra})"
    if hint and pager and (og not in (None, "article") or teasers):
        return f"{hint} and it has a numbered pager"
    return None
