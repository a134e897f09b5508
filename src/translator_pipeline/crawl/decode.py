"""Bytes to text for fetched pages: BOM, then the HTTP charset, then
``<meta charset>``/``http-equiv``, then detection; and gzip bodies held to a
size limit while they are inflated."""

from __future__ import annotations

import codecs
import re
import zlib

from translator_pipeline.errors import FetchError, ResponseTooLargeError

__all__ = ["decode_html", "gunzip"]

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it shares the prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels that browsers treat as a superset encoding (WHATWG Encoding Standard).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str, str]:
    """Decode an HTML body; return ``(text, codec name, where the charset came from)``."""
    # A BOM beats everything, as in browsers (WHATWG "BOM sniffing").
    candidates: list[tuple[str | None, str]] = [
        (name, "bom") for bom, name in _BOMS if body.startswith(bom)
    ][:1]
    candidates.append((_codec(header_charset), "header"))
    meta = _META_CHARSET.search(body[:4096])
    candidates.append((_codec(meta.group(1).decode("ascii", "ignore")) if meta else None, "meta"))
    for codec, origin in candidates:
        if codec is None:
            continue
        if origin != "bom" and codec.startswith("utf-16"):
            continue  # an HTML page that declares UTF-16 without a BOM is lying (WHATWG)
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue  # the declaration is wrong; fall through to the next clue
        return text.lstrip("\ufeff"), codec, origin
    try:
        return body.decode("utf-8"), "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None:
            return str(best), best.encoding, "detected"
    except ImportError:  # pragma: no cover - charset_normalizer is a dependency
        pass
    return body.decode("cp1252", errors="replace"), "cp1252", "default"


def gunzip(data: bytes, limit: int, url: str) -> bytes:
    """Decompress gzip data (all members), stopping once more than ``limit`` bytes come out."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            raise FetchError(f"gzip body could not be decompressed: {exc}", url=url) from exc
        if len(out) > limit:
            raise ResponseTooLargeError(f"body exceeds {limit} bytes once decompressed", url=url)
        if not inflater.eof:
            raise FetchError("gzip body is truncated", url=url)
        data = inflater.unused_data.lstrip(b"\x00")  # another member, or padding
    return bytes(out)
