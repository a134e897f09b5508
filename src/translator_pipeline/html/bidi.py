"""Bidi isolation of left-to-right runs inside right-to-left text.

In an Arabic sentence the Unicode bidi algorithm reorders the pieces of a
Latin code or a formatted number around its separators ("ALECSO/2026/REF-114",
"1 250,50", "3.5 %") and can attach neighbouring punctuation to the wrong
side. Wrapping each such run in ``<bdi>`` (or, in plain text, FSI … PDI) makes
the browser lay it out as one left-to-right unit.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from translator_pipeline.html.segment import _NON_TEXT, BLOCK_LEVEL

__all__ = ["isolate_ltr_runs", "isolate_ltr_text", "strip_controls"]

FSI, PDI = "\u2068", "\u2069"
# Invisible direction marks, embeddings, overrides and isolates.
_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Elements whose text is never touched: links, code-like content, existing isolates.
_SKIP_TAGS = frozenset(
    {"a", "code", "pre", "kbd", "samp", "var", "bdi", "bdo", "script", "style", "textarea"}
)
# Strong right-to-left letters (Hebrew, Arabic, Syriac, Thaana, NKo, presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LATIN = "A-Za-z0-9\u00c0-\u024f"
# A run: Latin words and Western digits joined by spaces or the separators found in
# codes, dates, numbers, URLs and e-mail addresses, with an optional trailing % or /.
_RUN = re.compile(
    rf"[{_LATIN}]+"
    rf"(?:(?:[ \u00a0\u202f]?[.,:/\-–@_+&=?#~]+[ \u00a0\u202f]?|[ \u00a0\u202f])[{_LATIN}]+)*"
    r"(?:[ \u00a0\u202f]?[%‰]|/)?"
)
_TWO_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f]{2}")
_DIGIT = re.compile("[0-9]")


def _needs_isolation(run: str) -> bool:
    """Words of two letters or more, or a number with separators or a sign in it."""
    if _TWO_LETTERS.search(run):
        return True
    return bool(_DIGIT.search(run)) and not run.isdigit()


# The pseudo engine's "[ar~]" marker: a label, not text to isolate (and kept as is
# so pseudo output stays a plain prefix of the segment).
_PSEUDO_MARK = re.compile(r"\[[a-z]{2,3}(?:-[A-Za-z0-9]+)*~\]")


def _runs(text: str) -> list[tuple[int, int]]:
    marks = [m.span() for m in _PSEUDO_MARK.finditer(text)]
    return [
        m.span()
        for m in _RUN.finditer(text)
        if _needs_isolation(m.group()) and not any(a < m.start() < b for a, b in marks)
    ]


def isolate_ltr_text(text: str) -> str:
    """Plain text (a title): wrap LTR runs in FSI/PDI when the text is right-to-left."""
    if not _RTL.search(text) or FSI in text:
        return text
    out, last = [], 0
    for start, end in _runs(text):
        out += [text[last:start], FSI, text[start:end], PDI]
        last = end
    return "".join(out) + text[last:]


def _excluded(tag: Tag) -> bool:
    if tag.name in _SKIP_TAGS or tag.get("dir") is not None:
        return True
    if str(tag.get("translate", "")).lower() == "no":
        return True
    return "notranslate" in (tag.get("class") or [])


def _context(node: NavigableString, root: Tag) -> Tag | None:
    """The nearest block (or the root) holding ``node``; None if an ancestor is excluded."""
    block: Tag | None = None
    for parent in node.parents:
        if _excluded(parent):
            return None
        if block is None and (parent.name in BLOCK_LEVEL or parent is root):
            block = parent
        if parent is root:
            break
    return block


def isolate_ltr_runs(html: str) -> str:
    """Wrap Latin/number runs standing in right-to-left text in ``<bdi>``.

    Works on text nodes only, so markup and entities are never cut. Left alone:
    text inside links, code, pre, kbd, samp, existing bdi/bdo, elements with a
    ``dir``, ``translate="no"`` or ``notranslate``; blocks without any RTL letter
    (a paragraph kept in English); and a run that is all the text of its block
    (``<td>2026</td>``), which the block already isolates.
    """
    if not _RTL.search(html):
        return html
    soup = BeautifulSoup(html, "html.parser")
    rtl_blocks: dict[int, bool] = {}
    for node in list(soup.find_all(string=True)):
        if isinstance(node, _NON_TEXT) or not isinstance(node.parent, Tag):
            continue
        block = _context(node, soup)
        if block is None:
            continue
        key = id(block)
        if key not in rtl_blocks:
            rtl_blocks[key] = bool(_RTL.search(block.get_text()))
        if not rtl_blocks[key]:
            continue
        text = str(node)
        spans = _runs(text)
        if not spans:
            continue
        if len(spans) == 1 and text[slice(*spans[0])] == block.get_text().strip():
            continue
        pieces: list[NavigableString | Tag] = []
        last = 0
        for start, end in spans:
            if start > last:
                pieces.append(NavigableString(text[last:start]))
            bdi = soup.new_tag("bdi")
            bdi.string = text[start:end]
            pieces.append(bdi)
            last = end
        if last < len(text):
            pieces.append(NavigableString(text[last:]))
        node.replace_with(*pieces)
    return str(soup)


def strip_controls(text: str) -> str:
    """``text`` without bidi control characters (for plain-text uses: feeds, titles)."""
    return _CONTROLS.sub("", text)
