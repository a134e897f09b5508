"""``manifest.json``: every published article and its variants, for the web team.

The shape is documented (and checked in the tests) by the JSON Schema shipped
as ``schemas/manifest.schema.json``; ``schema_version`` changes whenever a field
is added, removed or changes meaning. The manifest is built from the state
store only and carries no build time, so the same state gives the same bytes:
an unchanged re-run rewrites nothing.

Version history:

- 1: articles and variants as stored.
- 2: ``public_base_url`` at the top; each variant's absolute ``url`` (null
  without ``public_base_url``) and ``glossary`` (fingerprint of the glossary
  concepts and pinned segments applied, null when none).
- 3: each variant's ``quality`` (the quality gate's decision and reasons) and
  ``review`` (state none / partial / complete, segments approved of how many);
  ``machine_translated`` is false once review is complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

from translator_pipeline.config.settings import Settings
from translator_pipeline.models import PublishedVariant, StoredArticle
from translator_pipeline.publishing.render import variant_url

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "build_manifest",
    "manifest_bytes",
    "manifest_schema",
    "manifest_schema_bytes",
    "variant_entry",
]

MANIFEST_SCHEMA_VERSION = 3
SCHEMA_RESOURCE = "schemas/manifest.schema.json"

Published = Iterable[tuple[StoredArticle, list[PublishedVariant]]]


def variant_entry(v: PublishedVariant, settings: Settings) -> dict[str, Any]:
    """One variant as the manifest (schema version 3) describes it."""
    return {
        "language": v.language,
        "direction": v.direction,
        "path": v.path,
        "fragment_path": v.fragment_path,
        "url": variant_url(settings, v.path),
        "title": v.title,
        "checksum": f"sha256:{v.checksum}",
        "signature": v.signature,
        "glossary": v.glossary_hash or None,
        "machine_translated": not v.review.complete,
        "pseudo": v.pseudo,
        "published_at": v.published_at,
        "quality": {"decision": v.quality, "reasons": list(v.quality_reasons)},
        "review": {
            "state": v.review.state,
            "reviewed": v.reviewed,
            "segments": v.segments,
        },
    }


def build_manifest(published: Published, settings: Settings) -> dict[str, Any]:
    """The manifest as a dict, from :meth:`StateStore.published` rows (their order kept)."""
    articles = [
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
            "variants": [variant_entry(v, settings) for v in variants],
        }
        for article, variants in published
    ]
    return {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "public_base_url": settings.public_base_url,
        "articles": articles,
    }


def manifest_bytes(published: Published, settings: Settings) -> bytes:
    """``manifest.json`` as written: UTF-8, indented, keys in schema order, final newline."""
    data = build_manifest(published, settings)
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def manifest_schema_bytes() -> bytes:
    """The packaged JSON Schema, byte for byte (to publish next to the manifest)."""
    return resources.files("translator_pipeline").joinpath(SCHEMA_RESOURCE).read_bytes()


def manifest_schema() -> dict[str, Any]:
    """The packaged JSON Schema (draft 2020-12) of ``manifest.json``."""
    schema: dict[str, Any] = json.loads(manifest_schema_bytes())
    return schema
