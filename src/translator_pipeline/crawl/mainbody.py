"""The article's main content on a page with no body selector.

trafilatura decides which parts of the page are the article and drops the
boilerplate around and inside it (navigation, comments, related posts, share
and print links, newsletter boxes …). Its output is plain structure (paragraphs,
headings, lists, tables, quotes) without the page's inline markup, so each block
it kept is looked up again in the page by its text: when the page has an
element with exactly that text, that element's own inner HTML is used (links,
emphasis, images, spans with ``lang`` all survive for translation); otherwise the
block is rebuilt from trafilatura's text. The page is parsed once, with lxml.

The publication date comes from htmldate (the date trafilatura itself uses),
read from the same tree.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

__all__ = ["content_html", "page_date", "parse_tree"]

_log = logging.getLogger(__name__)

# Page elements a kept block may be found again in, by text.
_HOLDERS = frozenset([
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre",
    "td", "th", "div", "section", "article", "figcaption", "caption", "address",
    "span", "font", "center", "main", "table", "ul", "ol", "dl", "summary", "details",
])  # fmt: skip
_LEAF_HOLDERS = frozenset([
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "blockquote", "pre",
    "td", "th", "figcaption", "caption", "address", "table",
])  # fmt: skip
# Page elements whose own tag a kept paragraph keeps (anything else becomes <p>).
_OWN_TAG = frozenset(["p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address"])
# Never carried over from the page, wherever they sit inside a kept block.
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form",
         "button", "input", "select", "textarea", "nav", "svg", "canvas")  # fmt: skip
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width marks


def _key(text: str) -> str:
    """Text compared without any whitespace: where a ``<br>`` or a line break stood,
    trafilatura's text and the page's may differ by a space."""
    key = "".join(text.split())
    return _INVISIBLE.sub("", key) if _INVISIBLE.search(key) else key


def parse_tree(text: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree (parsed as trafilatura parses it, so that its
    heuristics see what they were made for), or None when there is nothing to parse."""
    if not text or not text.strip():
        return None
    from trafilatura import load_html  # imported on first use: it costs ~0.3 s

    try:
        tree = load_html(text)
    except (etree.ParserError, ValueError):  # load_html catches most itself
        return None
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


def _visible_text(element: lxml.html.HtmlElement) -> Iterator[str]:
    """The element's text without that of its scripts, styles and templates."""
    if element.text and element.tag not in _CODE:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _CODE:
            yield from _visible_text(child)
        if child.tail:
            yield child.tail


_CODE = frozenset(["script", "style", "noscript", "template"])


class _Index:
    """Page elements by their text key, the innermost one for equal texts
    (``<div><p>x</p></div>`` gives the ``<p>``). Block leaves are indexed first;
    containers only when a text is not found among them (most pages never need it)."""

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        body = tree.find("body")
        self.root = body if body is not None else tree
        # Elements holding a script or style: their text is compared without its code.
        self.scripted = {
            ancestor
            for code in self.root.iter("script", "style", "noscript", "template")
            for ancestor in code.iterancestors()
        }
        self.found = self._texts(_LEAF_HOLDERS)
        self.containers: dict[str, lxml.html.HtmlElement] | None = None

    def _texts(self, tags: frozenset[str]) -> dict[str, lxml.html.HtmlElement]:
        found: dict[str, lxml.html.HtmlElement] = {}
        for element in self.root.iter(*tags):
            if element in self.scripted:
                key = _key("".join(_visible_text(element)))
            else:
                key = _key(element.text_content())
            if not key:
                continue
            earlier = found.get(key)
            # Document order: an inner element with the same text comes later and wins;
            # the same text elsewhere (a teaser repeating the lead) does not.
            if earlier is None or any(a is earlier for a in element.iterancestors()):
                found[key] = element
        return found

    def within(self, key: str) -> lxml.html.HtmlElement | None:
        """The page element with the longest text that is part of ``key`` and at least
        half of it: a block trafilatura read as text with some furniture around."""
        self.get("")  # the containers too
        best, best_len = None, len(key) // 2
        for table in (self.found, self.containers or {}):
            for text, element in table.items():
                if len(text) > best_len and text in key:
                    best, best_len = element, len(text)
        return best

    def get(self, key: str) -> lxml.html.HtmlElement | None:
        element = self.found.get(key)
        if element is None:
            if self.containers is None:
                self.containers = self._texts(_HOLDERS - _LEAF_HOLDERS)
            element = self.containers.get(key)
        return element


def _trafilatura_body(tree: lxml.html.HtmlElement, url: str) -> etree._Element | None:
    import trafilatura  # imported on first use: it costs ~0.3 s at start-up

    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_formatting=False,
            include_links=False,
            with_metadata=False,
        )
    except Exception as exc:  # a third-party bug must not end the run
        _log.warning("trafilatura failed on %s: %s", url, exc)
        return None
    if document is None:
        return None
    body = document.body if not isinstance(document, dict) else document.get("body")
    return body if body is not None and len(body) else None


def _inner(element: lxml.html.HtmlElement) -> str:
    """The element's content as HTML, without page furniture such as scripts."""
    clone = _copy(element)
    text = html.escape(clone.text or "", quote=False)
    return text + "".join(
        lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in clone
    )


def _escaped(node: etree._Element) -> str:
    """trafilatura's own rendering of a block: its text, line breaks kept."""
    out = [html.escape(node.text or "", quote=False)]
    for child in node:
        if child.tag == "lb":
            out.append("<br>")
        else:
            out.append(html.escape("".join(child.itertext()), quote=False))
        out.append(html.escape(child.tail or "", quote=False))
    return "".join(out)


def _heading_level(node: etree._Element) -> int:
    rend = str(node.get("rend") or "h2")
    level = int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2
    return min(max(level, 2), 6)  # the page's title is published apart: no <h1> in a body


def _blocks(body: etree._Element, index: _Index) -> Iterator[str]:
    def lookup(node: etree._Element) -> lxml.html.HtmlElement | None:
        key = _key("".join(node.itertext()))
        return index.get(key) if key else None

    def paragraph(node: etree._Element, default: str) -> str:
        found = lookup(node)
        if found is None:
            key = _key("".join(node.itertext()))
            found = index.within(key) if len(key) >= MIN_WITHIN_CHARS else None
            if found is not None:  # most of the block is one page element: that one
                return f"<{default}>{_inner(found)}</{default}>"
            return f"<{default}>{_escaped(node)}</{default}>"
        name = found.tag if default == "p" and found.tag in _OWN_TAG else default
        return f"<{name}>{_inner(found)}</{name}>"

    for node in body:
        tag = node.tag
        if tag == "p":
            yield paragraph(node, "p")
        elif tag == "head":
            yield paragraph(node, f"h{_heading_level(node)}")
        elif tag == "quote":
            yield paragraph(node, "blockquote")
        elif tag == "code":
            yield f"<pre>{html.escape(''.join(node.itertext()), quote=False)}</pre>"
        elif tag == "list":
            name = "ol" if node.get("rend") == "ol" else "ul"
            items = "".join(paragraph(item, "li") for item in node if item.tag == "item")
            if items:
                yield f"<{name}>{items}</{name}>"
        elif tag == "table":
            found = lookup(node)
            if found is not None and found.tag == "table":
                yield lxml.html.tostring(_copy(found), encoding="unicode", with_tail=False)
            else:
                yield _table(node)
        elif "".join(node.itertext()).strip():
            yield paragraph(node, "p")


def _table(node: etree._Element) -> str:
    rows = []
    for row in node.iter("row"):
        cells = []
        for cell in row:
            if cell.tag != "cell":
                continue
            name = "th" if cell.get("role") == "head" else "td"
            cells.append(f"<{name}>{_escaped(cell)}</{name}>")
        if cells:
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>" if rows else ""


# trafilatura's leaf blocks: what is looked up in the page.
_KEPT_LEAVES = ("p", "head", "item", "cell", "quote", "code")
# Kept whole once any of their text is kept: their structure is the content.
_WHOLE = frozenset(["table", "figure", "picture", "dl"])
_MEDIA = frozenset(["img", "picture", "figure", "video", "audio"])
_NOT_MEDIA = re.compile(
    r"share|social|icon|avatar|logo|advert|\bads?\b|banner|related|comment|sponsor|promo",
    re.IGNORECASE,
)
MIN_CAPTION_CHARS = 40  # without spaces: shorter unkept caption text is a credit line
MIN_LOOSE_CHARS = 12  # an element kept by its text alone must have at least this much
MIN_WITHIN_CHARS = 100  # a block looked for inside the page's elements by part of its text
MIN_COVERAGE = 0.6  # share of the kept text found again in the page to rebuild from it
MAX_CHROME_SHARE = 0.5  # of the found text, dropped as page furniture at most


_INLINE_XML = frozenset(["hi", "ref", "lb", "graphic", "del"])
_TEXT_BLOCKS = frozenset(["p", "item", "cell", "head", "quote"])


def _inline(node: etree._Element) -> bool:
    """Inline in trafilatura's output: formatting, links, line breaks, and code inside
    a paragraph (a ``code`` of its own is a block)."""
    if node.tag in _INLINE_XML:
        return True
    parent = node.getparent()
    return node.tag == "code" and parent is not None and parent.tag in _TEXT_BLOCKS


def _leaves(body: etree._Element) -> Iterator[tuple[etree._Element | None, str]]:
    """trafilatura's kept blocks with no kept block inside, with their text keys; for a
    block that holds both blocks and text of its own, that text (with None)."""
    for node in body.iter():
        if node is body or _inline(node):
            continue
        if all(_inline(child) for child in node):
            if key := _key("".join(node.itertext())):
                yield node, key
            continue
        own = [node.text or ""] + [child.tail or "" for child in node]
        if key := _key("".join(own)):
            yield None, key


# Class or id words of page furniture: what sits inside is never the article's text.
_CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(?:menu|navbar|breadcrumbs?|share\w*|sharing|social|cookies?|"
    r"comments?|comment-list|respond|related|sidebar|widget|newsletter|subscribe)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)


_LANDMARKS = frozenset(["nav", "aside", "footer"])


# Containers that, named like page furniture, are left out of a kept block.
_BOXES = frozenset(["div", "section", "aside", "ul", "ol", "footer", "header", "nav", "form"])


def _names(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _in_chrome(element: lxml.html.HtmlElement) -> bool:
    """Inside navigation, a sidebar, a footer, the site's header (one outside any
    article or main), or an element whose class or id names page furniture."""
    ancestors = list(element.iterancestors())
    tags = {parent.tag for parent in ancestors}
    if tags & _LANDMARKS or ("header" in tags and not tags & {"article", "main"}):
        return True
    for parent in ancestors:
        if parent.tag in ("body", "html"):
            return False
        names = f"{parent.get('class', '')} {parent.get('id', '')}"
        if names.strip() and _CHROME_NAME.search(names):
            return True
    return False


_CHROME_ROLES = frozenset(["navigation", "banner", "contentinfo", "complementary"])


def _is_chrome(element: lxml.html.HtmlElement) -> bool:
    """Never article content, whatever the page: scripts, forms, navigation, hidden."""
    return (
        element.tag in _DROP
        or element.get("hidden") is not None
        or str(element.get("aria-hidden", "")).lower() == "true"
        or str(element.get("role", "")).lower() in _CHROME_ROLES
    )


def _copy(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A detached copy of the element without its chrome (see _is_chrome)."""
    clone = copy.deepcopy(element)
    clone.tail = None
    return _without_chrome(clone)


def _without_chrome(clone: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    doomed = [
        e
        for e in clone.iter()
        if e is not clone
        and isinstance(e.tag, str)
        and (_is_chrome(e) or (e.tag in _BOXES and _CHROME_NAME.search(_names(e))))
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return clone


class _Pruner:
    """The page's container of the kept blocks, with only what trafilatura kept."""

    def __init__(self, kept: set[lxml.html.HtmlElement], loose: str) -> None:
        self.kept = kept
        self.loose = loose  # text of the kept blocks not found as elements
        self.shells: set[lxml.html.HtmlElement] = set()
        for element in kept:
            self.shells.update(element.iterancestors())

    def _keep_text(self, text: str | None) -> str | None:
        key = _key(text or "")
        return text if key and key in self.loose else None

    def build(self, element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        if not isinstance(element.tag, str) or _is_chrome(element):
            return None
        if element in self.kept or (
            element in self.shells and element.tag in _WHOLE and self._mostly_kept(element)
        ):
            return _copy(element)
        if element in self.shells:
            shell = lxml.html.Element(element.tag, dict(element.attrib))
            shell.text = self._keep_text(element.text)
            for child in element:
                built = self.build(child)
                if built is not None:
                    built.tail = self._keep_text(child.tail)
                    shell.append(built)
                elif (tail := self._keep_text(child.tail)) is not None:
                    if len(shell):
                        shell[-1].tail = (shell[-1].tail or "") + tail
                    else:
                        shell.text = (shell.text or "") + tail
            return shell
        if self._media(element):
            return self._media_copy(element)
        key = _key(element.text_content())
        if len(key) >= MIN_LOOSE_CHARS and key in self.loose:  # kept text of trafilatura's
            return _copy(element)  # own making (a layout table read as one block …)
        return None

    def _mostly_kept(self, element: lxml.html.HtmlElement) -> bool:
        """At least half of the element's text is in what trafilatura kept."""
        whole = len(_key(element.text_content()))
        kept = sum(
            len(_key(e.text_content()))
            for e in element.iter()
            if e in self.kept and not any(a in self.kept for a in e.iterancestors())
        )
        return whole > 0 and kept * 2 >= whole

    def _media_copy(self, element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        """An image or figure, without the short credit lines trafilatura dropped
        ("Photo: AFP"); a caption that says something is kept for translation."""
        clone = copy.deepcopy(element)  # the same shape as the page's: zip pairs them
        clone.tail = None
        tags = ("figcaption", "p", "span", "div", "small", "cite")
        doomed = [
            copied
            for original, copied in zip(element.iter(*tags), clone.iter(*tags), strict=True)
            if original not in self.kept
            and original.find(".//img") is None
            and len(_key(original.text_content())) < MIN_CAPTION_CHARS
        ]
        for copied in doomed:
            if copied.getparent() is not None:
                copied.drop_tree()
        return _without_chrome(clone)

    @staticmethod
    def _media(element: lxml.html.HtmlElement) -> bool:
        """An image or figure standing among the kept blocks (not a share icon or ad)."""
        if element.tag not in _MEDIA and (
            element.find(".//img") is None or element.text_content().strip()
        ):
            return False
        names = " ".join(
            f"{e.get('class', '')} {e.get('id', '')}" for e in element.iter() if e is not None
        )
        return not _NOT_MEDIA.search(names)


def _common_ancestor(elements: list[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    chain = [elements[0], *elements[0].iterancestors()]
    depth = {id(e): i for i, e in enumerate(chain)}
    best = 0
    for element in elements[1:]:
        for ancestor in (element, *element.iterancestors()):
            if id(ancestor) in depth:
                best = max(best, depth[id(ancestor)])
                break
    return chain[best]


_CARDS = frozenset(["article", "li", "div", "section"])
MIN_CARDS = 2


def _drop_teaser_cards(root: lxml.html.HtmlElement) -> None:
    """Teaser cards of other pages left in the body ("related news" as a row of cards):
    two or more siblings each led by a heading that is a single link."""
    by_parent: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
    for heading in root.iter("h2", "h3", "h4", "h5"):
        links = [a for a in heading.iter("a") if (a.get("href") or "").strip()]
        if len(links) != 1 or links[0].get("href", "").strip().startswith("#"):
            continue
        if _key(links[0].text_content()) != _key(heading.text_content()):
            continue
        card = heading
        while card.getparent() is not None and card.getparent() is not root:
            if card.tag in _CARDS and card is not heading:
                break
            card = card.getparent()
        if card is not heading and card.getparent() is not None:
            by_parent.setdefault(card.getparent(), []).append(card)
    for cards in by_parent.values():
        if len(cards) >= MIN_CARDS:
            for card in cards:
                card.drop_tree()


def content_html(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """The article's blocks as HTML, with the page's own markup; None when nothing on
    the page looks like an article body.

    When most of what trafilatura kept is found again in the page as whole elements,
    the body is the page's container of those elements with everything trafilatura
    dropped taken out (tables, figures and images among the kept blocks stay whole);
    otherwise it is trafilatura's blocks, each with the page's inline markup where
    the page has an element with the same text.
    """
    body = _trafilatura_body(tree, url)
    if body is None:
        return None
    index = _Index(tree)
    kept: dict[lxml.html.HtmlElement, None] = {}
    loose: list[str] = []
    total = found_chars = 0
    for node, key in _leaves(body):
        total += len(key)
        element = index.get(key) if node is not None else None
        if element is None:
            loose.append(key)
        else:
            found_chars += len(key)
            kept.setdefault(element, None)
    # Blocks trafilatura kept inside page furniture (a comment list, a "related" box, a
    # site header) go, unless that would leave little: then the names mislead.
    chrome = [e for e in kept if _in_chrome(e)]
    chrome_chars = sum(len(_key(e.text_content())) for e in chrome)
    if chrome and chrome_chars <= MAX_CHROME_SHARE * found_chars:
        for element in chrome:
            del kept[element]
    out = ""
    if kept and total and found_chars >= MIN_COVERAGE * total:
        elements = list(kept)
        root = _common_ancestor(elements)
        if root in kept:  # one element holds all that was found
            pruned = _copy(root)
        else:
            pruned = _Pruner(set(elements), " ".join(loose)).build(root)
        if pruned is not None:
            _drop_teaser_cards(pruned)
            pruned.tag = "div" if pruned.tag in ("body", "html") else pruned.tag
            out = lxml.html.tostring(pruned, encoding="unicode", with_tail=False)
    if not out.strip():
        out = "".join(_blocks(body, index))
    return _INVISIBLE.sub("", out) if out.strip() else None


def page_date(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """The original publication date the page states (``YYYY-MM-DD``), by htmldate."""
    import htmldate  # imported on first use, like trafilatura

    try:
        return htmldate.find_date(
            tree, extensive_search=True, original_date=True, url=url, outputformat="%Y-%m-%d"
        )
    except Exception as exc:  # a third-party bug must not end the run
        _log.warning("htmldate failed on %s: %s", url, exc)
        return None
