"""Article body → translatable segments (keeping inline markup) → reassembled HTML.

A *unit* is a block-level element with no block-level element inside it
(``<p>``, ``<h2>``, ``<li>``, ``<td>`` …). When a container mixes loose
inline content with blocks (``<div>text <b>x</b><p>…</p></div>``) the loose
run is wrapped in a temporary ``<tp-run>`` unit so no text is left out.
Units are marked with ``data-tp-block="N"`` in the article body; the marks
and the temporary wrappers are removed when the translation is put back.

Inside a unit, inline elements become placeholders the engine copies:
``Visit <g1>our site</g1> today<x2/>`` — ``g`` for elements whose content is
translated (a, strong, em …), ``x`` for empty ones (br, img) and for content
that must never be translated (code, kbd, ``translate="no"``), which is put
back verbatim. If the engine mangles the placeholders, the unit is rebuilt
from its text pieces translated one by one, so markup and links survive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from .models import Block, InlineTag, Segment, Token

__all__ = [
    "BLOCK_ATTR",
    "apply_translations",
    "mark_blocks",
    "placeholder_text",
    "reassemble",
    "rebuild_from_pieces",
    "segment_body",
    "segment_element",
]

BLOCK_ATTR = "data-tp-block"
RUN_TAG = "tp-run"

BLOCK_LEVEL = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
# Never translated, never descended into: kept verbatim wherever they stand.
OPAQUE = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "pre",
        "code",
        "kbd",
        "samp",
        "var",
        "math",
        "svg",
        "textarea",
        "select",
        "object",
        "embed",
        "iframe",
        "canvas",
        "audio",
        "video",
    ]
)
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_NON_TEXT = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_WS = re.compile(r"\s+")
PLACEHOLDER = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")


def _is_excluded(tag: Tag) -> bool:
    if tag.name in OPAQUE:
        return True
    if str(tag.get("translate", "")).lower() == "no":
        return True
    classes = tag.get("class") or []
    return "notranslate" in classes


def _has_text(node: Tag | NavigableString) -> bool:
    if isinstance(node, NavigableString):
        return not isinstance(node, _NON_TEXT) and bool(node.strip())
    if _is_excluded(node):
        return False
    return any(_has_text(child) for child in node.children)


def _contains_block(tag: Tag) -> bool:
    return any(d.name in BLOCK_LEVEL for d in tag.find_all(True))


def mark_blocks(root: Tag, soup: BeautifulSoup) -> list[Tag]:
    """Mark every translation unit under ``root`` with ``data-tp-block``; return them in order."""
    units: list[Tag] = []

    def visit(tag: Tag) -> None:
        if _is_excluded(tag):
            return
        if not _contains_block(tag):
            if _has_text(tag):
                units.append(tag)
            return
        run: list[Tag | NavigableString] = []

        def flush() -> None:
            if any(_has_text(n) for n in run):
                wrapper = soup.new_tag(RUN_TAG)
                run[0].insert_before(wrapper)
                for node in run:
                    wrapper.append(node.extract())
                units.append(wrapper)
            run.clear()

        for child in list(tag.children):
            if isinstance(child, Tag) and (child.name in BLOCK_LEVEL or _contains_block(child)):
                flush()
                visit(child)
            elif isinstance(child, Tag) or not isinstance(child, _NON_TEXT):
                run.append(child)
        flush()

    visit(root)
    for index, unit in enumerate(units):
        unit[BLOCK_ATTR] = str(index)
    return units


def _start_tag(tag: Tag) -> str:
    attrs = "".join(
        f' {name}="{html.escape(" ".join(v) if isinstance(v, list) else str(v))}"'
        for name, v in tag.attrs.items()
        if name != BLOCK_ATTR
    )
    return f"<{tag.name}{attrs}>"


def segment_element(unit: Tag, index: int) -> Segment:
    """Turn one unit's inline content into placeholder tokens."""
    tokens: list[Token] = []
    tags: list[InlineTag] = []

    def add_text(text: str) -> None:
        text = _WS.sub(" ", text)
        if tokens and tokens[-1][0] == "text":
            tokens[-1] = ("text", str(tokens[-1][1]) + text)
        elif text:
            tokens.append(("text", text))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _NON_TEXT):
                    add_text(str(child))
                continue
            if _is_excluded(child):
                tags.append(InlineTag(len(tags) + 1, "keep", str(child)))
                tokens.append(("void", len(tags)))
            elif child.name in VOID:
                tags.append(InlineTag(len(tags) + 1, "void", str(child)))
                tokens.append(("void", len(tags)))
            else:
                tag = InlineTag(len(tags) + 1, "pair", _start_tag(child), f"</{child.name}>")
                tags.append(tag)
                tokens.append(("open", tag.id))
                walk(child)
                tokens.append(("close", tag.id))

    walk(unit)
    # Trim outer whitespace: it carries no meaning at block edges.
    if tokens and tokens[0][0] == "text":
        tokens[0] = ("text", str(tokens[0][1]).lstrip())
    if tokens and tokens[-1][0] == "text":
        tokens[-1] = ("text", str(tokens[-1][1]).rstrip())
    tokens = [t for t in tokens if not (t[0] == "text" and not t[1])]
    return Segment(block_index=index, tokens=tuple(tokens), tags=tuple(tags))


def placeholder_text(tokens: Sequence[Token]) -> str:
    out = []
    for kind, value in tokens:
        if kind == "text":
            out.append(str(value))
        elif kind == "open":
            out.append(f"<g{value}>")
        elif kind == "close":
            out.append(f"</g{value}>")
        else:
            out.append(f"<x{value}/>")
    return "".join(out)


def reassemble(segment: Segment, translated: str) -> str | None:
    """Rebuild HTML from an engine's output; ``None`` if its placeholders are unusable.

    Usable means: every placeholder of the source appears exactly once, none
    is invented, and paired ones open before they close, properly nested.
    """
    by_id = {t.id: t for t in segment.tags}
    seen: set[str] = set()
    stack: list[int] = []
    out: list[str] = []
    pos = 0
    for match in PLACEHOLDER.finditer(translated):
        out.append(html.escape(translated[pos : match.start()], quote=False))
        pos = match.end()
        closing, pair_id, void_id = match.groups()
        if pair_id is not None:
            tid = int(pair_id)
            key = f"{'c' if closing else 'o'}{tid}"
            tag = by_id.get(tid)
            if tag is None or tag.kind != "pair" or key in seen:
                return None
            seen.add(key)
            if closing:
                if not stack or stack[-1] != tid:
                    return None
                stack.pop()
                out.append(tag.end)
            else:
                stack.append(tid)
                out.append(tag.start)
        else:
            tid = int(void_id)
            tag = by_id.get(tid)
            if tag is None or tag.kind == "pair" or f"v{tid}" in seen:
                return None
            seen.add(f"v{tid}")
            out.append(tag.start)
    out.append(html.escape(translated[pos:], quote=False))
    expected = sum(2 if t.kind == "pair" else 1 for t in segment.tags)
    if stack or len(seen) != expected:
        return None
    return "".join(out)


def text_pieces(segment: Segment) -> list[str]:
    """The segment's text runs, stripped, for piecewise translation."""
    return [str(v).strip() for k, v in segment.tokens if k == "text" and str(v).strip()]


def rebuild_from_pieces(segment: Segment, translations: Sequence[str]) -> str:
    """Rebuild a unit with its original markup around separately translated text runs."""
    by_id = {t.id: t for t in segment.tags}
    it = iter(translations)
    out: list[str] = []
    for kind, value in segment.tokens:
        if kind == "text":
            text = str(value)
            if not text.strip():
                out.append(text)
                continue
            lead = " " if text[:1].isspace() else ""
            trail = " " if text[-1:].isspace() else ""
            out.append(lead + html.escape(next(it).strip(), quote=False) + trail)
        elif kind == "open":
            out.append(by_id[int(value)].start)
        elif kind == "close":
            out.append(by_id[int(value)].end)
        else:
            out.append(by_id[int(value)].start)
    return "".join(out)


def _parse_fragment(fragment: str) -> BeautifulSoup:
    # html.parser does not wrap fragments in <html><body><p>, unlike lxml.
    return BeautifulSoup(fragment, "html.parser")


def segment_body(body_html: str) -> list[Segment]:
    """Segments for every marked unit of an article body, in block order."""
    soup = _parse_fragment(body_html)
    return [
        segment_element(unit, int(unit[BLOCK_ATTR]))
        for unit in soup.find_all(attrs={BLOCK_ATTR: True})
    ]


def apply_translations(
    body_html: str,
    translated: dict[int, str],
    unit_hook: Callable[[Tag, int], None] | None = None,
) -> str:
    """Put translated inner HTML back into the marked units and remove the marks.

    Units missing from ``translated`` keep their original content.
    ``unit_hook(tag, index)`` may adjust each unit (e.g. set ``lang``).
    """
    soup = _parse_fragment(body_html)
    for unit in soup.find_all(attrs={BLOCK_ATTR: True}):
        index = int(unit[BLOCK_ATTR])
        del unit[BLOCK_ATTR]
        if index in translated:
            unit.clear()
            for node in list(_parse_fragment(translated[index]).contents):
                unit.append(node.extract())
        if unit_hook is not None:
            unit_hook(unit, index)
    for run in soup.find_all(RUN_TAG):
        if run.attrs:
            run.name = "span"  # a hook gave it attributes (e.g. lang): keep them on a span
        else:
            run.unwrap()
    return str(soup)


def blocks_from_units(units: Sequence[Tag], root: Tag | None = None) -> tuple[Block, ...]:
    """Block records for marked units (inner HTML and plain text).

    A block's declared language is a ``lang`` on it or an ancestor up to
    ``root`` (the article body): the page's own ``lang`` is not the block's.
    """
    blocks = []
    for unit in units:
        lang = None
        for node in (unit, *unit.parents):
            if isinstance(node, Tag) and node.get("lang"):
                lang = str(node["lang"])
                break
            if node is root:
                break
        inner = "".join(str(c) for c in unit.contents)
        text = segment_element(unit, 0).plain_text  # what the engine will see, minus markup
        blocks.append(Block(int(unit[BLOCK_ATTR]), unit.name, inner, text, declared_lang=lang))
    return tuple(blocks)
