"""Images of a published body: only ones a browser can load.

An ``<img>`` whose source is empty, a bare fragment, ``about:blank``, a
``data:`` or ``javascript:`` URL, a malformed URL, or anything but http(s)
once resolved against the article's URL shows as a broken image (or, after
the sanitiser strips the attribute, as an ``<img>`` with no source at all).
:func:`clean_images` resolves every image source, keeps the usable ones and
removes the rest:

- a lazy-loading page's real source (``data-src``, ``data-lazy-src``,
  ``data-original``, ``data-srcset``) stands in for a placeholder ``src``;
- ``srcset`` keeps only its usable candidates (none left: no attribute; an
  image with no usable ``src`` but usable candidates takes the first);
- an image that is left without any source is removed, with the link,
  ``<picture>`` or wrapper that held nothing else, and a ``<figure>`` left
  with no picture becomes its caption's text (a paragraph), so no article
  text is lost.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

__all__ = ["clean_images", "parse_srcset", "usable_url"]

# Where lazy-loading scripts keep the real source while ``src`` holds a placeholder.
LAZY_SRC = ("data-src", "data-lazy-src", "data-original")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
# Browsers drop tabs and newlines inside URLs; other control characters make them unusable.
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_HOST = re.compile(r"[\s<>\"{}|\\^`%]")
_DESCRIPTOR = re.compile(r"(?:\d+w(?: \d+h)?|(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?x)?", re.ASCII)
# Wrappers that are left holding nothing once their only image is gone.
_WRAPPERS = frozenset({"a", "picture", "span", "p", "div", "center"})
# What still makes a <figure> a figure when its image is gone.
_FIGURE_CONTENT = (
    "img",
    "picture",
    "video",
    "audio",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "table",
    "pre",
    "math",
)


def usable_url(value: object, base: str) -> str | None:
    """``value`` resolved against ``base`` if it is an http(s) URL of something other
    than the page itself; None otherwise."""
    if not isinstance(value, str):
        return None
    url = _TAB_NEWLINE.sub("", value).strip(" \f")
    if not url or url.startswith("#") or _CONTROL.search(url):
        return None
    try:
        resolved = urljoin(base, url.replace(" ", "%20"))
        parts = urlsplit(resolved)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or not host or _BAD_HOST.search(host):
        return None
    if resolved.split("#", 1)[0] == base.split("#", 1)[0]:
        return None  # "", "#top", "?": the article page, not an image
    return resolved


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """``(url, descriptor)`` candidates of a ``srcset``, read as browsers read it: a URL
    runs to the next whitespace (commas inside it are part of it), a descriptor to
    the next comma outside parentheses."""
    out: list[tuple[str, str]] = []
    pos, size = 0, len(value)
    while True:
        while pos < size and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= size:
            return out
        start = pos
        while pos < size and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            out.append((url.rstrip(","), ""))
            continue
        start, depth = pos, 0
        while pos < size and (value[pos] != "," or depth):
            depth += {"(": 1, ")": -1}.get(value[pos], 0)
            pos += 1
        out.append((url, " ".join(value[start:pos].split())))


def _clean_srcset(value: str, base: str) -> list[str]:
    kept = []
    for url, descriptor in parse_srcset(value):
        resolved = usable_url(url, base)
        if resolved is not None and _DESCRIPTOR.fullmatch(descriptor):
            kept.append(f"{resolved} {descriptor}".rstrip())
    return kept


def _first_usable(tag: Tag, names: tuple[str, ...], base: str) -> str | None:
    return next((u for n in names if (u := usable_url(tag.get(n), base)) is not None), None)


def _shown(node: object) -> bool:
    return isinstance(node, Tag) or type(node) is NavigableString  # not a comment


def _has_text(tag: Tag) -> bool:
    return bool(tag.get_text().strip())


def _remove(img: Tag, soup: BeautifulSoup) -> None:
    parent = img.parent
    img.decompose()
    # Walk up the wrappers that only held the image.
    while (
        isinstance(parent, Tag)
        and parent is not soup
        and parent.name in _WRAPPERS
        and not _has_text(parent)
        and not parent.find(lambda t: t.name not in ("source", "br", "wbr"))
    ):
        up = parent.parent
        parent.decompose()
        parent = up
    figure = parent if isinstance(parent, Tag) and parent.name == "figure" else None
    if figure is None and isinstance(parent, Tag):
        figure = parent.find_parent("figure")
    if figure is not None:
        _settle_figure(figure, soup)


def _settle_figure(figure: Tag, soup: BeautifulSoup) -> None:
    """A figure whose pictures are all gone: its caption stays as a paragraph."""
    if figure.find(_FIGURE_CONTENT):
        return
    captions = [c for c in figure.children if isinstance(c, Tag) and c.name == "figcaption"]
    rest = [c for c in figure.children if not any(c is k for k in captions) and _shown(c)]
    beside = "".join(c.get_text() if isinstance(c, Tag) else str(c) for c in rest)
    if beside.strip():
        return  # text besides the caption: still something to show
    for caption in captions:
        caption.name = "p"
        for name in ("lang", "dir"):
            # The figure's language was the caption's, by inheritance: keep it.
            if figure.get(name) and not caption.get(name):
                caption[name] = figure[name]
    if any(_has_text(c) for c in captions):
        for node in rest:
            if isinstance(node, Tag):
                node.extract()  # empty leftovers: a link or wrapper of the image
        figure.unwrap()
    else:
        figure.decompose()


def clean_images(fragment: str, base: str) -> str:
    """``fragment`` with every image source resolved against ``base`` (the article's
    URL) and every image without a usable one removed (see the module's notes)."""
    if "<img" not in fragment.lower():
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for img in soup.find_all("img"):
        if img.decomposed:
            continue
        candidates = _clean_srcset(str(img.get("srcset") or ""), base)
        if not candidates:
            lazy = next((str(img[n]) for n in LAZY_SRCSET if img.get(n)), "")
            candidates = _clean_srcset(lazy, base)
        src = usable_url(img.get("src"), base) or _first_usable(img, LAZY_SRC, base)
        if src is None and candidates:
            src = candidates[0].split(" ", 1)[0]
        if src is None:
            _remove(img, soup)
            continue
        img["src"] = src
        if candidates:
            img["srcset"] = ", ".join(candidates)
        elif img.get("srcset") is not None:
            del img["srcset"]
    return str(soup)
