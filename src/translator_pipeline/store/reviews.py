"""The translators' side of the state: each translated variant's quality decision
and segment records (published or held), and segment translations approved
through review files."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import select

from translator_pipeline.glossary.pinned import PinnedSegment, segment_key
from translator_pipeline.models import (
    Approval,
    InlineTag,
    QualitySignal,
    SegmentRecord,
    Variant,
    VariantReview,
)
from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, for_language, utc_now
from translator_pipeline.store.schema import _APPROVED_SEGMENTS, _VARIANT_REVIEWS


def pack_records(records: Sequence[SegmentRecord]) -> bytes:
    return zlib.compress(json.dumps([asdict(r) for r in records], ensure_ascii=False).encode())


def unpack_records(blob: bytes) -> tuple[SegmentRecord, ...]:
    out = []
    for item in json.loads(zlib.decompress(blob)):
        item["tags"] = tuple(InlineTag(**t) for t in item["tags"])
        item["signals"] = tuple(QualitySignal(**q) for q in item["signals"])
        item["terms"] = tuple(tuple(t) for t in item["terms"])
        out.append(SegmentRecord(**item))
    return tuple(out)


class ReviewRecords(StoreBase):
    """Variant reviews and approved segments in the state database."""

    @_retrying
    def record_reviews(
        self,
        article_url: str,
        content_hash: str,
        variants: Iterable[Variant],
        glossary_hash: str | Mapping[str, str],
        render_hash: str,
    ) -> None:
        """Keep each variant's decision and segments (replacing the last run's)."""
        now = utc_now()
        rows: list[dict[str, Any]] = []
        for v in variants:
            rows.append(
                {
                    "article_url": article_url,
                    "language": v.language,
                    "source_language": v.source_language,
                    "decision": v.quality.decision,
                    "reasons": json.dumps(list(v.quality.reasons), ensure_ascii=False),
                    "segments": len(v.segments),
                    "flagged": v.quality.flagged,
                    "approved": v.reviewed,
                    "content_hash": content_hash,
                    "glossary_hash": for_language(glossary_hash, v.language),
                    "render_hash": render_hash,
                    "signature": v.signature,
                    "updated_at": now,
                    "records": pack_records(v.segments),
                }
            )
        if not rows:
            return
        r = _VARIANT_REVIEWS.c
        upsert = self._insert(_VARIANT_REVIEWS)
        upsert = upsert.on_conflict_do_update(
            index_elements=[r.article_url, r.language],
            set_={
                name: upsert.excluded[name]
                for name in rows[0]
                if name not in ("article_url", "language")
            },
        )
        with self._write() as db:
            db.execute(upsert, rows)

    def reviews(
        self,
        url: str | None = None,
        *,
        language: str | None = None,
        since: str | None = None,
        with_records: bool = False,
    ) -> list[VariantReview]:
        """Variant reviews, by article URL then language; ``since``: updated at or after
        this UTC ISO time."""
        r = _VARIANT_REVIEWS.c
        columns = [c for c in _VARIANT_REVIEWS.c if c.name != "records" or with_records]
        query = select(*columns).order_by(r.article_url, r.language)
        if url is not None:
            query = query.where(r.article_url == url)
        if language is not None:
            query = query.where(r.language == language)
        if since is not None:
            query = query.where(r.updated_at >= since)
        with self._read() as db:
            rows = [dict(row._mapping) for row in db.execute(query)]
        out = []
        for row in rows:
            row["reasons"] = tuple(json.loads(row["reasons"]))
            blob = row.pop("records", None)
            out.append(VariantReview(**row, records=unpack_records(blob) if blob else ()))
        return out

    @_retrying
    def approve_segments(self, approvals: Sequence[Approval]) -> tuple[int, int]:
        """Store approved translations; (new or changed, unchanged). One read of what
        is stored and one batched upsert, whatever the number of approvals."""
        a = _APPROVED_SEGMENTS.c
        now = utc_now()
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for item in approvals:  # the last approval of a segment wins
            key = (item.source_language, item.target_language, segment_key(item.source_text))
            rows[key] = {
                "source_language": item.source_language,
                "target_language": item.target_language,
                "source_key": key[2],
                "source_text": item.source_text,
                "target": item.target,
                "unit_id": item.unit_id,
                "article_url": item.article_url,
                "origin": item.origin,
                "approved_at": now,
            }
        pairs = {(k[0], k[1]) for k in rows}
        with self._write() as db:
            stored: dict[tuple[str, str, str], str] = {}
            for src, tgt in pairs:
                query = select(a.source_key, a.target).where(
                    a.source_language == src, a.target_language == tgt
                )
                stored.update({(src, tgt, k): t for k, t in db.execute(query)})
            changed = [row for key, row in rows.items() if stored.get(key) != row["target"]]
            if changed:
                upsert = self._insert(_APPROVED_SEGMENTS)
                upsert = upsert.on_conflict_do_update(
                    index_elements=[a.source_language, a.target_language, a.source_key],
                    set_={
                        k: upsert.excluded[k]
                        for k in (
                            "source_text",
                            "target",
                            "unit_id",
                            "article_url",
                            "origin",
                            "approved_at",
                        )
                    },
                )
                db.execute(upsert, changed)
        return len(changed), len(approvals) - len(changed)

    def approved_segments(self) -> list[PinnedSegment]:
        """Approved translations as pinned segments (``id``: the review unit's id)."""
        a = _APPROVED_SEGMENTS.c
        query = select(
            a.unit_id, a.source_language, a.target_language, a.source_text, a.target, a.origin
        ).order_by(a.source_language, a.target_language, a.source_key)
        with self._read() as db:
            rows = list(db.execute(query))
        return [
            PinnedSegment(
                id=unit,
                source_language=src,
                target_language=tgt,
                source=text,
                target=target,
                note=f"approved in {origin}",
            )
            for unit, src, tgt, text, target, origin in rows
        ]
