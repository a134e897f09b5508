"""XLIFF review files: :class:`.ReviewFile` ↔ XLIFF 1.2 (or 2.0), through lxml.

XLIFF 1.2 is what every CAT tool and Weblate reads; 2.0 is written on request.
Placeholders become XLIFF's inline elements so the CAT tool shows the tags
and checks them: ``<gN>…</gN>`` ↔ ``<g id="N">…</g>`` (2.0: ``<pc>``) and
``<xN/>`` ↔ ``<x id="N"/>`` (2.0: ``<ph>``), with a ``ctype`` naming the HTML
element (``link``, ``bold``, ``lb``, ``x-html-span`` …) and, for text kept
verbatim (a number, a URL), ``equiv-text`` showing it.

Reading is strict about what it trusts: no DTD, no entities, no network, a
size cap; a file that breaks any of it raises :class:`.ReviewFileError` and
nothing of it is read. A unit whose target uses inline elements we never
write (``<bpt>``, ``<ph>`` in 1.2 …) is read with a ``problem`` instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from lxml import etree

from translator_pipeline.crawl.safe_xml import UnsafeXMLError, local_name, parse_untrusted_xml
from translator_pipeline.errors import ReviewFileError
from translator_pipeline.html.placeholders import PLACEHOLDER
from translator_pipeline.models import InlineTag
from translator_pipeline.review.units import MACHINE_STATE, ReviewFile, ReviewUnit

__all__ = [
    "MAX_REVIEW_FILE_BYTES",
    "XLIFF12_NS",
    "XLIFF20_NS",
    "check_size",
    "read_xliff",
    "write_xliff",
]

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20_NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOOL_ID = "translator-pipeline"
#: Review files above this size are refused before parsing (a review file of ten
#: thousand segments is a few MB).
MAX_REVIEW_FILE_BYTES = 64 * 1024 * 1024

# XLIFF 2.0 states ↔ 1.2 states (what the rest of the package speaks).
_STATE_FROM_20 = {
    "initial": MACHINE_STATE,
    "translated": "translated",
    "reviewed": "signed-off",
    "final": "final",
}
_STATE_TO_20 = {
    MACHINE_STATE: "initial",
    "translated": "translated",
    "signed-off": "reviewed",
    "final": "final",
}

_PAIR_CTYPE = {
    "a": "link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underlined",
}
_VOID_CTYPE = {"br": "lb", "img": "image"}
# XLIFF 2.0 <pc type>: only for what its value list names.
_PC_TYPE = {"link": "link", "bold": "fmt", "italic": "fmt", "underlined": "fmt"}
_TAG_NAME = re.compile(r"<\s*([A-Za-z][A-Za-z0-9-]*)")


def _element_name(markup: str) -> str:
    m = _TAG_NAME.match(markup)
    return m.group(1).lower() if m else ""


def _ctype(tag: InlineTag | None, paired: bool) -> str:
    if tag is None:
        return "x-html"
    name = _element_name(tag.start)
    if tag.kind == "keep" and not name:
        return "x-kept-text"
    if paired:
        return _PAIR_CTYPE.get(name, f"x-html-{name}" if name else "x-html")
    return _VOID_CTYPE.get(name, f"x-html-{name}" if name else "x-html")


def _equiv(tag: InlineTag | None) -> str | None:
    """What a CAT tool may show for a placeholder: the kept text, else the element."""
    if tag is None:
        return None
    if tag.kind == "keep":
        text = html.unescape(re.sub(r"<[^>]*>", "", tag.start))
        return text[:200] if text else None
    return None


# -- placeholder form → inline elements ------------------------------------------------


def _fill(parent: etree._Element, text: str, tags: Sequence[InlineTag], version: str) -> None:
    """Put a placeholder-form text into ``parent`` as text and inline elements."""
    by_id = {t.id: t for t in tags}
    ns = XLIFF12_NS if version == "1.2" else XLIFF20_NS
    stack = [parent]
    last: etree._Element | None = None  # where the next text goes: .text of top, or .tail

    def add_text(chunk: str) -> None:
        if not chunk:
            return
        if last is None:
            top = stack[-1]
            top.text = (top.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    pos = 0
    for match in PLACEHOLDER.finditer(text):
        add_text(text[pos : match.start()])
        pos = match.end()
        token = match.group()
        number = int(re.sub(r"\D", "", token))
        tag = by_id.get(number)
        if token.startswith("</"):
            if len(stack) > 1:
                last = stack.pop()
            continue
        if token.startswith("<g"):
            name = "g" if version == "1.2" else "pc"
            el = etree.SubElement(stack[-1], f"{{{ns}}}{name}", id=str(number))
            if version == "1.2":
                el.set("ctype", _ctype(tag, paired=True))
            elif (kind := _PC_TYPE.get(_ctype(tag, paired=True))) is not None:
                el.set("type", kind)
            stack.append(el)
            last = None
        else:
            name = "x" if version == "1.2" else "ph"
            el = etree.SubElement(stack[-1], f"{{{ns}}}{name}", id=str(number))
            if version == "1.2":
                el.set("ctype", _ctype(tag, paired=False))
            equiv = _equiv(tag)
            if equiv:
                el.set("equiv-text" if version == "1.2" else "equiv", equiv)
            last = el
    add_text(text[pos:])


# -- writing ---------------------------------------------------------------------------


def write_xliff(
    files: Sequence[ReviewFile], *, version: str = "1.2", tool_version: str = ""
) -> bytes:
    """Review files as one XLIFF document (UTF-8 bytes, with an XML declaration).

    XLIFF 2.0 holds one language pair per document: files of other pairs are
    refused with ``ValueError`` (export one target language per file).
    """
    if version == "1.2":
        root = _write12(files, tool_version)
    elif version == "2.0":
        root = _write20(files)
    else:
        raise ValueError(f"XLIFF version {version!r}: 1.2 or 2.0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _q(name: str, ns: str = XLIFF12_NS) -> str:
    return f"{{{ns}}}{name}"


def _write12(files: Sequence[ReviewFile], tool_version: str) -> etree._Element:
    root = etree.Element(_q("xliff"), nsmap={None: XLIFF12_NS}, version="1.2")
    for rf in files:
        f = etree.SubElement(
            root,
            _q("file"),
            original=rf.original,
            datatype="html",
            **{"source-language": rf.source_language, "target-language": rf.target_language},
        )
        f.set("tool-id", TOOL_ID)
        header = etree.SubElement(f, _q("header"))
        tool = etree.SubElement(header, _q("tool"), **{"tool-id": TOOL_ID, "tool-name": TOOL_ID})
        if tool_version:
            tool.set("tool-version", tool_version)
        for note in rf.notes:
            etree.SubElement(header, _q("note"), **{"from": TOOL_ID}).text = note
        body = etree.SubElement(f, _q("body"))
        for unit in rf.units:
            tu = etree.SubElement(body, _q("trans-unit"), id=unit.id, resname=unit.where)
            tu.set(XML_SPACE, "preserve")
            if unit.approved:
                tu.set("approved", "yes")
            source = etree.SubElement(tu, _q("source"))
            source.set(XML_LANG, rf.source_language)
            _fill(source, unit.source, unit.tags, "1.2")
            if unit.target or not unit.machine:
                target = etree.SubElement(tu, _q("target"), state=unit.state)
                target.set(XML_LANG, rf.target_language)
                if unit.machine:
                    target.set("state-qualifier", "leveraged-mt")
                _fill(target, unit.target, unit.tags, "1.2")
            for src_term, form in unit.terms:
                etree.SubElement(
                    tu, _q("note"), {"from": "glossary", "annotates": "source"}
                ).text = f"glossary: {src_term} → {form}"
            for note in unit.notes:
                etree.SubElement(tu, _q("note"), {"from": "quality", "priority": "2"}).text = note
    return root


def _write20(files: Sequence[ReviewFile]) -> etree._Element:
    pairs = {(f.source_language, f.target_language) for f in files}
    if len(pairs) > 1:
        raise ValueError(
            "XLIFF 2.0 holds one language pair per file, this export has "
            + ", ".join(f"{a}→{b}" for a, b in sorted(pairs))
            + ": export one pair at a time (--from, --language)"
        )
    src, tgt = next(iter(pairs)) if pairs else ("und", "und")
    root = etree.Element(
        _q("xliff", XLIFF20_NS), nsmap={None: XLIFF20_NS}, version="2.0", srcLang=src, trgLang=tgt
    )
    for n, rf in enumerate(files, 1):
        f = etree.SubElement(root, _q("file", XLIFF20_NS), id=f"f{n}", original=rf.original)
        if rf.notes:
            notes = etree.SubElement(f, _q("notes", XLIFF20_NS))
            for note in rf.notes:
                etree.SubElement(notes, _q("note", XLIFF20_NS), category="quality").text = note
        for unit in rf.units:
            u = etree.SubElement(f, _q("unit", XLIFF20_NS), id=unit.id, name=unit.where)
            if unit.terms or unit.notes:
                notes = etree.SubElement(u, _q("notes", XLIFF20_NS))
                for src_term, form in unit.terms:
                    etree.SubElement(
                        notes, _q("note", XLIFF20_NS), category="glossary", appliesTo="source"
                    ).text = f"glossary: {src_term} → {form}"
                for note in unit.notes:
                    etree.SubElement(
                        notes, _q("note", XLIFF20_NS), category="quality", priority="2"
                    ).text = note
            seg = etree.SubElement(
                u, _q("segment", XLIFF20_NS), state=_STATE_TO_20.get(unit.state, "initial")
            )
            source = etree.SubElement(seg, _q("source", XLIFF20_NS))
            source.set(XML_SPACE, "preserve")
            _fill(source, unit.source, unit.tags, "2.0")
            if unit.target:
                target = etree.SubElement(seg, _q("target", XLIFF20_NS))
                target.set(XML_SPACE, "preserve")
                _fill(target, unit.target, unit.tags, "2.0")
    return root


# -- reading ---------------------------------------------------------------------------


class _Unreadable(ReviewFileError):
    """An inline construct this reader does not turn back into placeholders (caught:
    it becomes the unit's problem, the rest of the file is read)."""


def _placeholders(el: etree._Element, version: str) -> str:
    """An element's content (source or target) in placeholder form."""
    out = [el.text or ""]
    for child in el:
        name = local_name(child)
        if not name:  # comment or processing instruction: not content
            out.append(child.tail or "")
            continue
        ident = child.get("id", "")
        if name in ("g", "pc") and ("g" if version == "1.2" else "pc") == name:
            if not ident.isdigit():
                raise _Unreadable(f"<{name} id={ident!r}> is not one of the exported tags")
            out.append(f"<g{int(ident)}>{_placeholders(child, version)}</g{int(ident)}>")
        elif name in ("x", "ph") and ("x" if version == "1.2" else "ph") == name:
            if not ident.isdigit():
                raise _Unreadable(f"<{name} id={ident!r}> is not one of the exported tags")
            out.append(f"<x{int(ident)}/>")
        elif name == "mrk":  # an annotation (a term, a comment): keep its content
            out.append(_placeholders(child, version))
        else:
            raise _Unreadable(f"inline element <{name}> is not one this pipeline exports")
        out.append(child.tail or "")
    return "".join(out)


def check_size(size: int, path: str = "") -> None:
    """:class:`.ReviewFileError` for a review file above :data:`MAX_REVIEW_FILE_BYTES`
    (callers with a file on disk check its size before reading it)."""
    if size > MAX_REVIEW_FILE_BYTES:
        raise ReviewFileError(
            f"{size:,} bytes is above the {MAX_REVIEW_FILE_BYTES:,}-byte limit for a review file",
            path,
        )


def read_xliff(data: bytes, *, path: str = "") -> list[ReviewFile]:
    """The review files of an XLIFF 1.2 or 2.0 document.

    Raises :class:`.ReviewFileError` (nothing read) for a file that is too big,
    malformed or truncated, declares entities, or is not XLIFF.
    """
    check_size(len(data), path)
    if not data.strip():
        raise ReviewFileError("empty file", path)
    try:
        root = parse_untrusted_xml(data)
    except UnsafeXMLError as exc:
        raise ReviewFileError(str(exc), path) from None
    except etree.XMLSyntaxError as exc:
        raise ReviewFileError(f"not well-formed XML (truncated?): {exc}", path) from None
    if root.getroottree().docinfo.doctype:
        raise ReviewFileError("a DOCTYPE is not allowed in a review file", path)
    qname = etree.QName(root)
    if qname.localname != "xliff" or qname.namespace not in (XLIFF12_NS, XLIFF20_NS):
        raise ReviewFileError(
            f"root element is <{qname.localname}> in {qname.namespace or 'no namespace'}, "
            f"not XLIFF 1.2 ({XLIFF12_NS}) or 2.0",
            path,
        )
    files = _read12(root) if qname.namespace == XLIFF12_NS else _read20(root)
    if not files:
        raise ReviewFileError("no <file> element: nothing to import", path)
    return files


def _read12(root: etree._Element) -> list[ReviewFile]:
    out = []
    for f in root.iterfind(_q("file")):
        units = []
        for tu in f.iter(_q("trans-unit")):
            source = tu.find(_q("source"))
            target = tu.find(_q("target"))
            state = target.get("state", "") if target is not None else ""
            if tu.get("approved") == "yes" and target is not None:
                state = state if state in ("signed-off", "final") else "signed-off"
            units.append(
                _unit(
                    tu.get("id", ""),
                    tu.get("resname", ""),
                    source,
                    target,
                    state,
                    machine=target is not None and target.get("state-qualifier") == "leveraged-mt",
                    version="1.2",
                )
            )
        out.append(
            ReviewFile(
                original=f.get("original", ""),
                source_language=f.get("source-language", ""),
                target_language=f.get("target-language", ""),
                units=tuple(units),
            )
        )
    return out


def _read20(root: etree._Element) -> list[ReviewFile]:
    src, tgt = root.get("srcLang", ""), root.get("trgLang", "")
    out = []
    for f in root.iterfind(_q("file", XLIFF20_NS)):
        units = []
        for u in f.iter(_q("unit", XLIFF20_NS)):
            segments = u.findall(_q("segment", XLIFF20_NS))
            if len(segments) != 1:
                units.append(
                    ReviewUnit(
                        id=u.get("id", ""),
                        where=u.get("name", ""),
                        source="",
                        target="",
                        state="",
                        problem=f"{len(segments)} segments in the unit (exported with one)",
                    )
                )
                continue
            seg = segments[0]
            units.append(
                _unit(
                    u.get("id", ""),
                    u.get("name", ""),
                    seg.find(_q("source", XLIFF20_NS)),
                    seg.find(_q("target", XLIFF20_NS)),
                    _STATE_FROM_20.get(seg.get("state", "initial"), seg.get("state", "")),
                    machine=False,
                    version="2.0",
                )
            )
        out.append(
            ReviewFile(
                original=f.get("original", ""),
                source_language=src,
                target_language=tgt,
                units=tuple(units),
            )
        )
    return out


def _unit(
    ident: str,
    where: str,
    source: etree._Element | None,
    target: etree._Element | None,
    state: str,
    *,
    machine: bool,
    version: str,
) -> ReviewUnit:
    problem = ""
    src_text = tgt_text = ""
    try:
        src_text = _placeholders(source, version) if source is not None else ""
        tgt_text = _placeholders(target, version) if target is not None else ""
    except _Unreadable as exc:
        problem = str(exc)
    if target is None and not problem:
        problem = "no target"
    return ReviewUnit(
        id=ident,
        where=where,
        source=src_text,
        target=tgt_text,
        state=state,
        machine=machine,
        problem=problem,
    )
