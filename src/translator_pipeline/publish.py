"""Write variants and the manifest to the output directory, atomically.

Layout (the web team's contract)::

    <out>/<lang>/<slug>/index.html     complete page
    <out>/<lang>/<slug>/fragment.html  the article only, for CMS embedding
    <out>/manifest.json                every article and its variants

Each file is written to a temporary file in the same directory and renamed
over the old one, so a reader never sees half a file. A file whose content
is unchanged is not rewritten, so a re-run over an unchanged site touches
nothing.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from hashlib import sha256
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import PublishError
from .models import Variant
from .render import variant_path
from .state import PublishedVariant, StoredArticle

__all__ = ["MANIFEST_SCHEMA_VERSION", "FilesystemPublisher", "slug_from_url", "write_atomic"]

MANIFEST_SCHEMA_VERSION = 1
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


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` via a temp file + rename. False if it was already so."""
    try:
        if path.exists() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True


class FilesystemPublisher:
    """Publishes into a local directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def exists(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def publish_variant(self, variant: Variant) -> tuple[str, str]:
        """Write a variant's page and fragment; return their paths relative to the root."""
        page = variant_path(variant.language, variant.slug)
        fragment = page.rsplit("/", 1)[0] + "/fragment.html"
        write_atomic(self.root / page, variant.page_html.encode("utf-8"))
        write_atomic(self.root / fragment, variant.fragment_html.encode("utf-8"))
        return page, fragment

    def publish_manifest(
        self, published: list[tuple[StoredArticle, list[PublishedVariant]]]
    ) -> bool:
        """Rewrite ``manifest.json`` from the state store; False if nothing changed."""
        data = build_manifest(published)
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        return write_atomic(self.root / "manifest.json", text.encode("utf-8"))


def build_manifest(published: list[tuple[StoredArticle, list[PublishedVariant]]]) -> dict:
    articles = []
    for article, variants in published:
        articles.append(
            {
                "url": article.url,
                "source": article.source,
                "slug": article.slug,
                "language": article.language,
                "title": article.title,
                "published": article.published,
                "content_hash": article.content_hash,
                "first_seen": article.first_seen,
                "updated_at": article.updated_at,
                "variants": [
                    {
                        "language": v.language,
                        "direction": v.direction,
                        "path": v.path,
                        "fragment_path": v.fragment_path,
                        "title": v.title,
                        "checksum": f"sha256:{v.checksum}",
                        "signature": v.signature,
                        "machine_translated": True,
                        "pseudo": v.pseudo,
                        "published_at": v.published_at,
                    }
                    for v in variants
                ],
            }
        )
    return {"schema_version": MANIFEST_SCHEMA_VERSION, "articles": articles}
