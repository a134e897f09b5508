"""Parsing XML from outside (feeds, sitemaps, TBX files) without its dangers.

No DTD loading, no network, no entity expansion; a document that declares
entities at all is refused (billion laughs, external entities): none of the
formats we read needs them.
"""

from __future__ import annotations

import re

from lxml import etree

__all__ = ["ENTITY_REFUSED", "UnsafeXMLError", "local_name", "parse_untrusted_xml"]

_ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^\[>]*\[[^\]]*<!ENTITY", re.IGNORECASE)
ENTITY_REFUSED = "XML declares entities; refused (possible entity-expansion attack)"


class UnsafeXMLError(ValueError):
    """The document declares entities."""


def parse_untrusted_xml(data: bytes, base_url: str | None = None) -> etree._Element:
    """The root element; :class:`UnsafeXMLError` for entity declarations,
    ``lxml.etree.XMLSyntaxError`` for malformed XML."""
    data = data.lstrip(b" \t\r\n")
    if _ENTITY_DECLARATION.search(data.replace(b"\x00", b"")):
        raise UnsafeXMLError(ENTITY_REFUSED)
    # One parser per call: lxml parsers must not be shared between threads.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser, base_url=base_url)
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc) or "entity reference loop" in str(exc):
            raise UnsafeXMLError(ENTITY_REFUSED) from None
        raise
    if root is None:
        raise etree.XMLSyntaxError("empty document", None, 0, 0)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXMLError(ENTITY_REFUSED)
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace; "" for comments and processing instructions."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
