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
back verbatim. Tokens inside the text that must never change — e-mail
addresses, URLs, numbers, reference codes — become ``x`` placeholders too
(see ``KEEP``), so the engine cannot reformat them. If the engine mangles the
placeholders, the unit is rebuilt from its text pieces translated one by one,
so markup and links survive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from translator_pipeline.html.placeholders import repair_placeholders
from translator_pipeline.models import Block, InlineTag, Segment, Token

__all__ = [
    "BLOCK_ATTR",
    "apply_translations",
    "attribute_texts",
    "mark_blocks",
    "needs_translation",
    "reassemble",
    "rebuild_from_pieces",
    "renumber",
    "segment_body",
    "text_segment",
    "translatable_attributes",
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
# HTML collapses ASCII whitespace only: a no-break space (3,5\u00a0%) is content.
_WS = re.compile(r"[ \t\n\r\f]+")
PLACEHOLDER = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")
# Attributes whose value is reader-facing text, translated with the body.
TRANSLATED_ATTRS = ("alt", "title", "placeholder", "aria-label")

# --- Tokens never handed to the engine ------------------------------------------------
# Each pattern refuses to start or end inside a word ((?<!\w) / (?!\w) style guards),
# so "G20", "MP3", "1er" or "COVID19" stay ordinary text instead of being cut in two.
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# http(s):// or www. up to whitespace; trailing sentence punctuation is not part of it.
_URL = r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"'«»]*[^\s<>\"'«».,;:!?)\]}”’]"
# ISBN/ISSN with their digits (hyphen- or space-grouped, optional X check digit).
_STD_NUMBER = r"\b(?:ISBN|ISSN)(?:-1[03])?:?[ \u00a0]?\d(?:[- ]?\d){6,16}(?:[- ]?[Xx])?(?![\w-])"
# Reference codes: 3+ upper-case/digit parts joined by / or -, with a letter and a digit
# somewhere ("ALECSO/2026/REF-114", "ICESCO-2026-07"). Two-part words like "COVID-19"
# are left to the engine on purpose: they are often translated or transliterated.
_CODE = (
    r"(?<![\w/-])(?=[A-Z0-9/-]*\d)(?=[A-Z0-9/-]*[A-Z])"
    r"[A-Z0-9]+(?:[/-][A-Z0-9]+){2,}(?![\w/-])"
)
# Numbers with their formatting: grouped thousands ("1 250,50"), decimals ("3.5",
# "1,250.50", Arabic "٣٫٥"), dates and times ("25/11/2022", "12:30"), ranges
# ("2025-2026"), an optional percent sign ("3.5 %"). \d covers Arabic-Indic digits.
_JOIN = r"[.,:/\-–٫٬]"
_NUMBER = (
    rf"(?<![\w.,:/\-–٫٬])"  # not the tail of a word or of a longer number
    r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,٫]\d+)?"
    rf"|\d+(?:{_JOIN}\d+)*)"
    r"(?:[ \u00a0\u202f]?[%‰٪])?"
    rf"(?!\w|{_JOIN}\d)"  # nor the head of one: "3D" and "1.5x" stay text
)
NUMBER = re.compile(_NUMBER)
# Order matters where two could start at the same place: the most specific first.
KEEP = re.compile("|".join([_URL, _EMAIL, _STD_NUMBER, _CODE, _NUMBER]))


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


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def needs_translation(segment: Segment) -> bool:
    """False for a segment with no words to translate (only numbers, codes, markup)."""
    return any(k == "text" and _has_letters(str(v)) for k, v in segment.tokens)


def _protect(tokens: list[Token], tags: list[InlineTag]) -> tuple[list[Token], list[InlineTag]]:
    """Turn ``KEEP`` matches inside text tokens into ``keep`` placeholders, numbered in order."""
    plain = "".join(str(v) for k, v in tokens if k == "text").strip()
    if NUMBER.fullmatch(plain):
        # A block that is only a number: nothing to translate, so no placeholder either;
        # it is copied through without an engine call (see ``needs_translation``).
        return tokens, tags
    out: list[Token] = []
    tags = list(tags)
    for kind, value in tokens:
        if kind != "text":
            out.append((kind, value))
            continue
        text, pos = str(value), 0
        for match in KEEP.finditer(text):
            if match.start() > pos:
                out.append(("text", text[pos : match.start()]))
            tags.append(InlineTag(len(tags) + 1, "keep", html.escape(match.group(), quote=False)))
            out.append(("void", len(tags)))
            pos = match.end()
        if pos < len(text):
            out.append(("text", text[pos:]))
    return renumber(out, tags)


def renumber(
    tokens: Sequence[Token], tags: Sequence[InlineTag]
) -> tuple[list[Token], list[InlineTag]]:
    """Number placeholders by position so the engine sees <x1/>, <g2>… in reading order."""
    new_id: dict[int, int] = {}
    for kind, value in tokens:
        if kind != "text" and int(value) not in new_id:
            new_id[int(value)] = len(new_id) + 1
    out = [(k, v if k == "text" else new_id[int(v)]) for k, v in tokens]
    return out, sorted((replace(t, id=new_id[t.id]) for t in tags), key=lambda t: t.id)


def text_segment(text: str) -> Segment:
    """A plain-text segment (title, attribute, description), kept tokens protected."""
    text = _WS.sub(" ", text).strip()
    tokens, tags = _protect([("text", text)] if text else [], [])
    return Segment(block_index=-1, tokens=tuple(tokens), tags=tuple(tags))


def segment_element(unit: Tag, index: int, protect: bool = True) -> Segment:
    """Turn one unit's inline content into placeholder tokens.

    ``protect`` also turns never-translated text tokens (``KEEP``) into placeholders.
    """
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
    if protect:
        tokens, tags = _protect(tokens, tags)
    return Segment(block_index=index, tokens=tuple(tokens), tags=tuple(tags))


def reassemble(segment: Segment, translated: str) -> str | None:
    """Rebuild HTML from an engine's output; ``None`` if its placeholders are unusable.

    Usable means: every placeholder of the source appears exactly once, none
    is invented, and paired ones open before they close, properly nested.
    """
    translated = repair_placeholders(translated)
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
    """The segment's text runs with words in them, stripped, for piecewise translation."""
    return [str(v).strip() for k, v in segment.tokens if k == "text" and _has_letters(str(v))]


def rebuild_from_pieces(segment: Segment, translations: Sequence[str]) -> str:
    """Rebuild a unit with its original markup around separately translated text runs."""
    by_id = {t.id: t for t in segment.tags}
    it = iter(translations)
    out: list[str] = []
    for kind, value in segment.tokens:
        if kind == "text":
            text = str(value)
            if not _has_letters(text):  # spaces, punctuation: nothing the engine should see
                out.append(html.escape(text, quote=False))
                continue
            lead = " " if text[:1].isspace() else ""
            trail = " " if text[-1:].isspace() else ""
            piece = html.escape(next(it).strip(), quote=False)
            # A source piece glued to its neighbour (l'ICESCO, a proclitic) may come back
            # as a whole word ("the"): keep words apart rather than glue them.
            if not lead and _word_char(_last_visible(out)) and _word_char(piece[:1]):
                lead = " "
            out.append(lead + piece + trail)
        else:
            tag = by_id[int(value)]
            markup = tag.end if kind == "close" else tag.start
            if (
                out
                and out[-1]
                and not out[-1][-1:].isspace()
                and _word_char(_last_visible(out))
                and _word_char(_first_visible(markup))
            ):
                out.append(" ")
            out.append(markup)
    return "".join(out)


_MARKUP = re.compile(r"<[^>]*>")


def _word_char(ch: str) -> bool:
    return bool(ch) and (ch.isalnum() or ch == "_")


def _last_visible(out: Sequence[str]) -> str:
    for chunk in reversed(out):
        text = html.unescape(_MARKUP.sub("", chunk))
        if text:
            return text[-1]
    return ""


def _first_visible(markup: str) -> str:
    text = html.unescape(_MARKUP.sub("", markup))
    return text[:1]


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


def translatable_attributes(root: Tag) -> Iterator[tuple[Tag, str, str, int | None]]:
    """``(element, attribute, text, unit index or None)`` for every reader-facing attribute
    (``TRANSLATED_ATTRS``) under ``root`` outside never-translated elements.

    ``text`` is whitespace-normalised; values without letters are skipped. The unit
    index is that of the nearest marked ancestor, for the attribute's language.
    """
    stack: list[tuple[Tag, int | None]] = [(root, None)]
    while stack:  # iterative: hostile pages nest deeply
        tag, block = stack.pop()
        if _is_excluded(tag):
            continue
        if tag.get(BLOCK_ATTR) is not None:
            block = int(str(tag[BLOCK_ATTR]))
        for name in TRANSLATED_ATTRS:
            value = tag.get(name)
            if isinstance(value, str) and _has_letters(value):
                yield tag, name, _WS.sub(" ", value).strip(), block
        children = [c for c in tag.children if isinstance(c, Tag)]
        stack.extend((c, block) for c in reversed(children))


def attribute_texts(body_html: str) -> list[tuple[str, int | None]]:
    """The texts of :func:`translatable_attributes` in a marked body, with their unit."""
    soup = _parse_fragment(body_html)
    return [(text, block) for _tag, _name, text, block in translatable_attributes(soup)]


def apply_translations(
    body_html: str,
    translated: dict[int, str],
    unit_hook: Callable[[Tag, int], None] | None = None,
    attribute_hook: Callable[[str, int | None], str | None] | None = None,
    tree_hook: Callable[[BeautifulSoup, list[Tag]], None] | None = None,
) -> str:
    """Put translated inner HTML back into the marked units and remove the marks.

    Units missing from ``translated`` keep their original content.
    ``unit_hook(tag, index)`` may adjust each unit (e.g. set ``lang``).
    ``attribute_hook(text, unit index)`` gives the translation of an attribute
    (see :func:`translatable_attributes`), or ``None`` to leave it as it is.
    ``tree_hook(soup, elements)`` sees the whole filled body while the units still
    carry their marks; ``elements`` are those whose attributes were translated
    (see :func:`translator_pipeline.html.languages.relabel_languages`).
    """
    soup = _parse_fragment(body_html)
    units = soup.find_all(attrs={BLOCK_ATTR: True})
    for unit in units:
        index = int(unit[BLOCK_ATTR])
        if index in translated:
            unit.clear()
            for node in list(_parse_fragment(translated[index]).contents):
                unit.append(node.extract())
    changed: list[Tag] = []
    if attribute_hook is not None:
        # After the units are filled (inline elements come back from their placeholders
        # with the original attributes) and before the marks that locate them go.
        for tag, name, text, block in list(translatable_attributes(soup)):
            new = attribute_hook(text, block)
            if new is not None:
                tag[name] = new
                changed.append(tag)
    if tree_hook is not None:
        tree_hook(soup, changed)
    for unit in units:
        index = int(unit[BLOCK_ATTR])
        del unit[BLOCK_ATTR]
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
        # All the unit's text, numbers and URLs included (langid and hashes rely on it).
        text = segment_element(unit, 0, protect=False).plain_text
        blocks.append(Block(int(unit[BLOCK_ATTR]), unit.name, inner, text, declared_lang=lang))
    return tuple(blocks)


def placeholders_from_html(segment: Segment, markup: str) -> str | None:
    """The placeholder form of a translated segment's HTML (the inverse of
    :func:`reassemble`); ``None`` when its markup is not the segment's own.

    The result is checked by reassembling it: it either gives back ``markup``
    exactly or is not returned, so a review file never shows tags that would
    not come back.
    """
    starts = sorted(segment.tags, key=lambda t: (-len(t.start), t.id))
    used: set[int] = set()
    stack: list[InlineTag] = []
    out: list[str] = []
    text: list[str] = []
    i = 0

    def flush() -> None:
        if text:
            out.append(html.unescape("".join(text)))
            text.clear()

    while i < len(markup):
        if stack and markup.startswith(stack[-1].end, i):
            flush()
            tag = stack.pop()
            out.append(f"</g{tag.id}>")
            i += len(tag.end)
            continue
        found = next(
            (t for t in starts if t.id not in used and t.start and markup.startswith(t.start, i)),
            None,
        )
        if found is None:
            text.append(markup[i])
            i += 1
            continue
        flush()
        used.add(found.id)
        i += len(found.start)
        if found.kind == "pair":
            stack.append(found)
            out.append(f"<g{found.id}>")
        else:
            out.append(f"<x{found.id}/>")
    flush()
    result = "".join(out)
    return result if not stack and reassemble(segment, result) == markup else None
