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
# Page elements whose own tag a kept paragraph keeps (anything else becomes <p>).
_OWN_TAG = frozenset(["p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address"])
# Never carried over from the page, wherever they sit inside a kept block.
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form",
         "button", "input", "select", "textarea", "nav", "svg", "canvas")  # fmt: skip
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width marks
_WS = re.compile(r"\s+")


def _key(text: str) -> str:
    return _WS.sub(" ", _INVISIBLE.sub("", text)).strip()


def parse_tree(text: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree, or None when there is nothing to parse."""
    if not text or not text.strip():
        return None
    try:
        # A declared encoding in a str makes lxml refuse it; bytes let it be re-read.
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return tree


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def _index(tree: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    """Page elements by their normalised text (the innermost one for equal texts:
    ``<div><p>x</p></div>`` gives the ``<p>``)."""
    found: dict[str, lxml.html.HtmlElement] = {}
    body = tree.find("body")
    for element in (body if body is not None else tree).iter(*_HOLDERS):
        key = _key(element.text_content())
        if key and len(key) < 100_000:
            found[key] = element  # iteration is in document order: inner ones come later
    return found


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
    clone = copy.deepcopy(element)
    clone.tail = None
    for doomed in clone.iter(*_DROP):
        if doomed is not clone:
            doomed.drop_tree()
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


def _blocks(body: etree._Element, index: dict[str, lxml.html.HtmlElement]) -> Iterator[str]:
    def lookup(node: etree._Element) -> lxml.html.HtmlElement | None:
        key = _key("".join(node.itertext()))
        return index.get(key) if key else None

    def paragraph(node: etree._Element, default: str) -> str:
        found = lookup(node)
        if found is None:
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
                yield lxml.html.tostring(_clean_copy(found), encoding="unicode", with_tail=False)
            else:
                yield _table(node)
        elif "".join(node.itertext()).strip():
            yield paragraph(node, "p")


def _clean_copy(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    clone = copy.deepcopy(element)
    clone.tail = None
    for doomed in clone.iter(*_DROP):
        if doomed is not clone:
            doomed.drop_tree()
    return clone


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


def content_html(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """The article's blocks as HTML (``<p>``, ``<h2>``, ``<ul>``, ``<table>`` …), with
    the page's inline markup where a block is found again in the page; None when
    nothing on the page looks like an article body."""
    body = _trafilatura_body(tree, url)
    if body is None:
        return None
    out = "".join(_blocks(body, _index(tree)))
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
