"""Approved segment translations as TMX 1.4b, for the translators' own memory.

Plain text (TMX level 1): the source is the segment's text as the pipeline
keys it, the target the approved translation with its markup dropped and
kept runs (numbers, URLs) spelled out, so both sides read alike in any CAT
tool. Each ``<tu>`` carries the review unit's id and, as its note, the file the
approval came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

__all__ = ["MemoryEntry", "write_tmx"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class MemoryEntry:
    """One approved translation unit of the memory."""

    id: str
    source_language: str
    target_language: str
    source: str
    target: str  # plain text
    note: str = ""


def write_tmx(entries: Sequence[MemoryEntry], *, tool_version: str = "") -> bytes:
    """``entries`` as a TMX 1.4 document (UTF-8 bytes)."""
    sources = {e.source_language for e in entries}
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="translator-pipeline",
        creationtoolversion=tool_version or "unknown",
        segtype="paragraph",
        datatype="plaintext",
        adminlang="en",
        srclang=next(iter(sources)) if len(sources) == 1 else "*all*",
        **{"o-tmf": "translator-pipeline"},
    )
    body = etree.SubElement(root, "body")
    for entry in entries:
        tu = etree.SubElement(body, "tu", tuid=entry.id, srclang=entry.source_language)
        if entry.note:
            etree.SubElement(tu, "note").text = entry.note
        for lang, text in (
            (entry.source_language, entry.source),
            (entry.target_language, entry.target),
        ):
            tuv = etree.SubElement(tu, "tuv")
            tuv.set(XML_LANG, lang)
            etree.SubElement(tuv, "seg").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
