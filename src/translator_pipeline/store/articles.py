"""Articles and their published variants: slugs, validators, checks,
publication records, withdrawal."""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from translator_pipeline.errors import StateError
from translator_pipeline.models import Article, PublishedVariant, StoredArticle, Variant
from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, for_language, utc_now
from translator_pipeline.store.outbox import EventFactory, _enqueue
from translator_pipeline.store.schema import (
    _ARTICLE_COLUMNS,
    _ARTICLES,
    _VARIANT_COLUMNS,
    _VARIANTS,
)


def _row_variant(r: Any) -> PublishedVariant:
    reasons = tuple(json.loads(r[15] or "[]"))
    return PublishedVariant(*r[:9], bool(r[9]), *r[10:15], reasons, *r[16:18])


class ArticleRecords(StoreBase):
    """Articles and their published variants in the state database."""

    def article(self, url: str) -> StoredArticle | None:
        with self._read() as db:
            row = db.execute(select(*_ARTICLE_COLUMNS).where(_ARTICLES.c.url == url)).first()
        return StoredArticle(*row) if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified remembered for ``url`` (None, None if unknown)."""
        with self._read() as db:
            row = db.execute(
                select(_ARTICLES.c.etag, _ARTICLES.c.last_modified).where(_ARTICLES.c.url == url)
            ).first()
        return (row[0], row[1]) if row else (None, None)

    @_retrying
    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a response's validators; call only once the article is fully handled,
        so that a later 304 never hides work that was not done."""
        with self._write() as db:
            db.execute(
                update(_ARTICLES)
                .where(_ARTICLES.c.url == url)
                .values(etag=etag, last_modified=last_modified)
            )

    @_retrying
    def slug_for(self, url: str, source: str, wanted: str) -> str:
        """The article's slug: assigned on first sight, unique, never changed afterwards."""
        a = _ARTICLES.c
        with self._write() as db:
            # Under PostgreSQL another worker may take our slug (or insert our URL)
            # between the look-up and the insert: the insert then does nothing and
            # we look again, seeing what it committed.
            for _ in range(1000):
                row = db.execute(select(a.slug).where(a.url == url)).first()
                if row:
                    return str(row[0])
                taken = set(
                    db.execute(
                        select(a.slug).where(
                            or_(a.slug == wanted, a.slug.startswith(f"{wanted}-", autoescape=True))
                        )
                    ).scalars()
                )
                slug, n = wanted, 1
                while slug in taken:
                    n += 1
                    slug = f"{wanted}-{n}"
                now = utc_now()
                inserted = db.execute(
                    self._insert(_ARTICLES)
                    .values(url=url, source=source, slug=slug, first_seen=now, updated_at=now)
                    .on_conflict_do_nothing()
                    .returning(a.slug)
                ).first()
                if inserted is not None:
                    return slug
        raise StateError(f"state database {self.url}: no free slug found for {url}")

    def variants(self, url: str) -> dict[str, PublishedVariant]:
        with self._read() as db:
            rows = db.execute(select(*_VARIANT_COLUMNS).where(_VARIANTS.c.article_url == url)).all()
        return {r[1]: _row_variant(r) for r in rows}

    @_retrying
    def record_publication(
        self,
        article: Article,
        variants: list[tuple[Variant, str, str]],
        glossary_hash: str | Mapping[str, str] = "",
        events: EventFactory | None = None,
        render_hash: str = "",
        output: str | None = None,
    ) -> str:
        """Record an article and its variants, each as (variant, path, fragment path),
        made with the glossary entries whose fingerprint is ``glossary_hash`` (one for
        all, or by language).

        With ``events``, a ``variant.published`` event (or ``variant.updated`` when
        the variant existed with other content) is queued for each webhook in the
        same transaction. Call only once the files are in place. ``output``: the id
        of the output the files are in (the article belongs to it from now on).
        Returns the publication time.
        """
        now = utc_now()
        v = _VARIANTS.c
        with self._write() as db:
            # The article's row lock serialises two workers publishing the same article.
            db.execute(
                select(_ARTICLES.c.url).where(_ARTICLES.c.url == article.url).with_for_update()
            ).first()
            before = {
                row[0]: (row[1], row[2], row[3])
                for row in db.execute(
                    select(v.language, v.checksum, v.published_at, v.reviewed).where(
                        v.article_url == article.url
                    )
                )
            }
            # Rewriting identical variants (the others of a held one, each run) is no
            # republication: updated_at moves only when a page changed.
            changed = any(before.get(v.language, ("",))[0] != v.checksum for v, _, _ in variants)
            values = {
                "source": article.source,
                "language": article.language,
                "title": article.title,
                "published": article.published,
                "content_hash": article.content_hash,
                "missing_runs": 0,
            }
            if output is not None:
                values["output"] = output
            if changed:
                values["updated_at"] = now
            db.execute(update(_ARTICLES).where(_ARTICLES.c.url == article.url).values(**values))
            for variant, path, fragment_path in variants:
                old = before.get(variant.language)
                row = PublishedVariant(
                    article_url=article.url,
                    language=variant.language,
                    direction=variant.direction,
                    path=path,
                    fragment_path=fragment_path,
                    title=variant.title,
                    checksum=variant.checksum,
                    signature=variant.signature,
                    content_hash=article.content_hash,
                    pseudo=bool(variant.pseudo),
                    # Same bytes as before: the publication time stays (sitemaps,
                    # feeds and readers must not see a change that is not one).
                    published_at=old[1] if old and old[0] == variant.checksum else now,
                    glossary_hash=for_language(glossary_hash, variant.language),
                    render_hash=render_hash,
                    summary=variant.summary,
                    quality=variant.quality.decision,
                    quality_reasons=variant.quality.reasons,
                    segments=len(variant.segments),
                    reviewed=variant.reviewed,
                )
                values = {col.name: getattr(row, col.name) for col in _VARIANT_COLUMNS}
                values["pseudo"] = int(row.pseudo)
                values["quality_reasons"] = json.dumps(list(row.quality_reasons))
                upsert = self._insert(_VARIANTS).values(**values)
                upsert = upsert.on_conflict_do_update(
                    index_elements=[v.article_url, v.language],
                    set_={
                        name: upsert.excluded[name]
                        for name in values
                        if name not in ("article_url", "language")
                    },
                )
                db.execute(upsert)
                if events is None:
                    continue
                if not (old and old[0] == variant.checksum):  # else nothing new to tell
                    kind = "variant.updated" if old is not None else "variant.published"
                    _enqueue(db, events, kind, row, now)
                if row.review.complete and not (old and old[2] == row.reviewed):
                    _enqueue(db, events, "variant.reviewed", row, now)
        return now

    @_retrying
    def record_replaced_page(
        self, url: str, language: str, checksum: str, events: EventFactory | None = None
    ) -> None:
        """A run killed after replacing this variant's page but before recording it: the
        state takes the page as it is (its checksum, published now), marks the variant
        to be rendered again, and queues the ``variant.updated`` event the killed run
        could not."""
        now = utc_now()
        v = _VARIANTS.c
        with self._write() as db:
            db.execute(
                select(_ARTICLES.c.url).where(_ARTICLES.c.url == url).with_for_update()
            ).first()
            db.execute(
                update(_VARIANTS)
                .where(v.article_url == url, v.language == language)
                .values(checksum=checksum, published_at=now, render_hash="")
            )
            row = db.execute(
                select(*_VARIANT_COLUMNS).where(v.article_url == url, v.language == language)
            ).first()
            if row is not None and events is not None:
                _enqueue(db, events, "variant.updated", _row_variant(row), now)

    @_retrying
    def note_missing(self, url: str) -> int:
        """Count one more run in which ``url``'s original was gone; return the count."""
        a = _ARTICLES.c
        with self._write() as db:
            db.execute(
                update(_ARTICLES).where(a.url == url).values(missing_runs=a.missing_runs + 1)
            )
            row = db.execute(select(a.missing_runs).where(a.url == url)).first()
        return int(row[0]) if row else 0

    @_retrying
    def mark_checked(self, urls: list[str]) -> None:
        """Remember that these originals were requested in this run."""
        if not urls:
            return
        now = utc_now()
        with self._write() as db:
            db.execute(
                update(_ARTICLES)
                .where(_ARTICLES.c.url == bindparam("u_url"))
                .values(checked_at=now),
                [{"u_url": u} for u in sorted(set(urls))],  # one lock order for all workers
            )

    def least_recently_checked(
        self, exclude: set[str], limit: int, output: str | None = None
    ) -> list[tuple[str, str]]:
        """(url, source) of published articles not in ``exclude`` (of ``output`` only,
        if given), longest unchecked first: originals that left the listings are
        still re-checked now and then."""
        if limit <= 0:
            return []
        a = _ARTICLES.c
        query = select(a.url, a.source).where(a.url.in_(select(_VARIANTS.c.article_url)))
        if output is not None:
            query = query.where(a.output == output)
        with self._read() as db:
            rows = db.execute(query.order_by(a.checked_at.is_not(None), a.checked_at, a.url)).all()
        return [(u, src) for u, src in rows if u not in exclude][:limit]

    @_retrying
    def note_present(self, urls: Sequence[str]) -> None:
        """These originals answered: their count of runs gone starts again (one write)."""
        if not urls:
            return
        a = _ARTICLES.c
        with self._write() as db:
            db.execute(
                update(_ARTICLES)
                .where(a.url == bindparam("u_url"), a.missing_runs > 0)
                .values(missing_runs=0),
                [{"u_url": u} for u in sorted(set(urls))],  # one lock order for all workers
            )

    @_retrying
    def withdraw(self, url: str, events: EventFactory | None = None) -> list[PublishedVariant]:
        """Forget ``url``'s variants (their files are already deleted) and queue a
        ``variant.removed`` event for each; returns what was withdrawn."""
        now = utc_now()
        with self._write() as db:
            db.execute(
                select(_ARTICLES.c.url).where(_ARTICLES.c.url == url).with_for_update()
            ).first()
            rows = db.execute(select(*_VARIANT_COLUMNS).where(_VARIANTS.c.article_url == url)).all()
            gone = [_row_variant(r) for r in rows]
            db.execute(_VARIANTS.delete().where(_VARIANTS.c.article_url == url))
            db.execute(
                update(_ARTICLES)
                .where(_ARTICLES.c.url == url)
                .values(content_hash=None, etag=None, last_modified=None, updated_at=now)
            )
            if events is not None:
                for variant in gone:
                    _enqueue(db, events, "variant.removed", variant, now)
        return gone

    def glossary_inputs(self, url: str) -> tuple[list[tuple[str, str]] | None, str | None]:
        """The (language, text) pairs the glossary was matched against in ``url``'s
        last publication and the glossary version it was last checked with."""
        a = _ARTICLES.c
        with self._read() as db:
            row = db.execute(
                select(a.glossary_texts, a.glossary_version).where(a.url == url)
            ).first()
        if not row or row[0] is None:
            return None, None
        try:
            texts = json.loads(zlib.decompress(bytes(row[0])))
        except (zlib.error, ValueError):
            return None, row[1]
        return [(str(lang), str(text)) for lang, text in texts], row[1]

    @_retrying
    def remember_glossary_inputs(
        self, url: str, texts: Sequence[tuple[str, str]] | None, version: str
    ) -> None:
        """Store the texts (None: keep those stored) and the glossary version checked."""
        values: dict[str, Any] = {"glossary_version": version}
        if texts is not None:
            values["glossary_texts"] = zlib.compress(
                json.dumps(texts, ensure_ascii=False).encode(), 6
            )
        with self._write() as db:
            db.execute(update(_ARTICLES).where(_ARTICLES.c.url == url).values(**values))

    def published(
        self, output: str | None = None
    ) -> list[tuple[StoredArticle, list[PublishedVariant]]]:
        """Every article with at least one variant (published to ``output`` only, if
        given), oldest first: the manifest's content."""
        a, v = _ARTICLES.c, _VARIANTS.c
        arts_query = select(*_ARTICLE_COLUMNS).where(a.url.in_(select(v.article_url)))
        rows_query = select(*_VARIANT_COLUMNS)
        if output is not None:
            arts_query = arts_query.where(a.output == output)
            rows_query = rows_query.where(
                v.article_url.in_(select(a.url).where(a.output == output))
            )
        with self._read() as db:  # one snapshot for both queries
            arts = db.execute(arts_query.order_by(a.first_seen, a.url)).all()
            rows = db.execute(rows_query.order_by(v.article_url, v.language)).all()
        by_url: dict[str, list[PublishedVariant]] = {}
        for r in rows:
            by_url.setdefault(r[0], []).append(_row_variant(r))
        return [(StoredArticle(*a), by_url.get(a[0], [])) for a in arts]
