"""Slugs: the stable, URL-safe names of published articles."""

from __future__ import annotations

import re
import unicodedata
from hashlib import sha256
from urllib.parse import unquote, urlsplit

__all__ = ["slug_from_url"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_EXTENSIONS = re.compile(r"\.(html?|php|aspx?|jsp|cfm)$", re.IGNORECASE)


def slug_from_url(url: str, max_length: int = 80) -> str:
    """A readable, URL-safe ASCII slug from the article URL's last path segment.

    Non-Latin paths (e.g. Arabic) and empty paths fall back to a short hash of
    the URL, so the slug is stable and safe in every language's URL.
    """
    parts = urlsplit(url)
    segments = [s for s in unquote(parts.path).split("/") if s]
    last = _EXTENSIONS.sub("", segments[-1]) if segments else ""
    if last.lower() in ("index", "default", "article", "view", "") and len(segments) > 1:
        last = _EXTENSIONS.sub("", segments[-2])
    ascii_text = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:max_length].strip("-")
    if len(slug) < 3 or parts.query:
        digest = sha256(url.encode("utf-8")).hexdigest()[:10]
        slug = f"{slug}-{digest}" if slug else f"article-{digest}"
    return slug
