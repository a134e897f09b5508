"""What the pipeline remembers between runs, in one SQLite file.

- ``articles``: every article seen, its slug (assigned once, stable forever),
  language, title and the hash of its extracted content;
- ``variants``: every published variant with the content hash, engine
  signature and glossary fingerprint it was made from, its files and checksum;
- ``outbox``: webhook events, queued in the transaction that records the
  publication they announce, delivered (and marked) later;
- ``memory``: the translation memory — engine output per (engine signature,
  language pair, glossary fingerprint of the text, engine input), so an edited
  article re-translates only its changed segments and an edited glossary term
  only the segments that contain it.

A variant needs (re)publishing when it is missing, its article's content
changed, the engine signature changed, or the glossary entries (and pinned
segments) found in the article changed. The texts the glossary is matched
against are kept per article, so a glossary edit can be checked against an
article that did not change without fetching it again. A publication is recorded only
after its files are in place, so a crash mid-run re-does work, never loses it.
Each call opens its own connection (WAL, busy timeout): safe from Prefect's
worker threads and from a second process.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StateError
from .models import Article, Variant, sha256_text

if TYPE_CHECKING:
    from .webhooks import QueuedEvent

__all__ = [
    "EventFactory",
    "PublishedVariant",
    "StateStore",
    "StoredArticle",
    "TranslationMemory",
    "memory_key",
    "utc_now",
]

SCHEMA_VERSION = 4
# Each step takes the schema from version N-1 to N; applied in order on open.
_MIGRATIONS = {
    2: [
        "ALTER TABLE articles ADD COLUMN etag TEXT",
        "ALTER TABLE articles ADD COLUMN last_modified TEXT",
    ],
    3: [
        "ALTER TABLE articles ADD COLUMN glossary_texts BLOB",
        "ALTER TABLE articles ADD COLUMN glossary_version TEXT",
        "ALTER TABLE variants ADD COLUMN glossary_hash TEXT NOT NULL DEFAULT ''",
    ],
    4: [
        "ALTER TABLE articles ADD COLUMN missing_runs INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE articles ADD COLUMN checked_at TEXT",
        "ALTER TABLE variants ADD COLUMN render_hash TEXT NOT NULL DEFAULT ''",
    ],
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    language TEXT,
    title TEXT,
    published TEXT,
    content_hash TEXT,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    glossary_texts BLOB,
    glossary_version TEXT,
    missing_runs INTEGER NOT NULL DEFAULT 0,
    checked_at TEXT
);
CREATE TABLE IF NOT EXISTS variants (
    article_url TEXT NOT NULL REFERENCES articles(url) ON DELETE CASCADE,
    language TEXT NOT NULL,
    direction TEXT NOT NULL,
    path TEXT NOT NULL,
    fragment_path TEXT NOT NULL,
    title TEXT NOT NULL,
    checksum TEXT NOT NULL,
    signature TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    pseudo INTEGER NOT NULL DEFAULT 0,
    published_at TEXT NOT NULL,
    glossary_hash TEXT NOT NULL DEFAULT '',
    render_hash TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_url, language)
);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT NOT NULL,
    webhook TEXT NOT NULL,
    type TEXT NOT NULL,
    payload BLOB NOT NULL,
    created TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT,
    abandoned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (id, webhook)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (webhook, delivered_at, abandoned, created);
CREATE TABLE IF NOT EXISTS memory (
    key TEXT PRIMARY KEY,
    source_language TEXT NOT NULL,
    target_language TEXT NOT NULL,
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created TEXT NOT NULL
);
"""


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)")


def _apply(db: sqlite3.Connection, statement: str) -> None:
    # A table created by this version's schema already has the new columns.
    add = _ADD_COLUMN.match(statement)
    if add:
        table, column = add.groups()
        if any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})")):
            return
    db.execute(statement)


_VARIANT_COLUMNS = (
    "article_url, language, direction, path, fragment_path, title, checksum, signature, "
    "content_hash, pseudo, published_at, glossary_hash, render_hash"
)


@dataclass(frozen=True)
class EventFactory:
    """How to queue webhook events: for which webhooks (URL and the event types it
    wants), and how to build an event body from (event type, event id, time,
    variant)."""

    webhooks: tuple[tuple[str, tuple[str, ...]], ...]
    build: Callable[[str, str, str, PublishedVariant], bytes]


def _enqueue(
    db: sqlite3.Connection, events: EventFactory, kind: str, variant: PublishedVariant, now: str
) -> None:
    hooks = [url for url, kinds in events.webhooks if kind in kinds]
    if not hooks:
        return
    event_id = str(uuid.uuid4())
    body = events.build(kind, event_id, now, variant)
    for hook in hooks:
        db.execute(
            "INSERT INTO outbox (id, webhook, type, payload, created) VALUES (?, ?, ?, ?, ?)",
            (event_id, hook, kind, body, now),
        )


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class StoredArticle:
    url: str
    source: str
    slug: str
    language: str | None
    title: str | None
    published: str | None
    content_hash: str | None
    first_seen: str
    updated_at: str


@dataclass(frozen=True)
class PublishedVariant:
    article_url: str
    language: str
    direction: str
    path: str
    fragment_path: str
    title: str
    checksum: str
    signature: str
    content_hash: str
    pseudo: bool
    published_at: str
    glossary_hash: str = ""
    render_hash: str = ""  # what else shaped the page (templates, base URL …): render.py


def _row_variant(r: tuple) -> PublishedVariant:  # type: ignore[type-arg]
    return PublishedVariant(*r[:9], bool(r[9]), *r[10:13])


class StateStore:
    """The state database at ``path`` (created with its directory on first use)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect(transaction=False) as db:
                db.executescript(_SCHEMA)
            with self._connect() as db:
                found = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if found is None:
                    db.execute(
                        "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                    )
                elif int(found[0]) > SCHEMA_VERSION:
                    raise StateError(
                        f"state database {self.path} has schema {found[0]}, newer than this "
                        f"version of translator-pipeline understands ({SCHEMA_VERSION})"
                    )
                else:
                    for version in range(int(found[0]) + 1, SCHEMA_VERSION + 1):
                        for statement in _MIGRATIONS.get(version, []):
                            _apply(db, statement)
                    db.execute(
                        "UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),)
                    )
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"cannot open state database {self.path}: {exc}") from exc

    @contextmanager
    def _connect(self, transaction: bool = True) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StateError(f"cannot open state database {self.path}: {exc}") from exc
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA foreign_keys=ON")
            if not transaction:
                yield db
                return
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # --- articles ---------------------------------------------------------

    def article(self, url: str) -> StoredArticle | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT url, source, slug, language, title, published, content_hash, "
                "first_seen, updated_at FROM articles WHERE url=?",
                (url,),
            ).fetchone()
        return StoredArticle(*row) if row else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified remembered for ``url`` (None, None if unknown)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT etag, last_modified FROM articles WHERE url=?", (url,)
            ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Store a response's validators; call only once the article is fully handled,
        so that a later 304 never hides work that was not done."""
        with self._connect() as db:
            db.execute(
                "UPDATE articles SET etag=?, last_modified=? WHERE url=?",
                (etag, last_modified, url),
            )

    def slug_for(self, url: str, source: str, wanted: str) -> str:
        """The article's slug: assigned on first sight, unique, never changed afterwards."""
        with self._connect() as db:
            row = db.execute("SELECT slug FROM articles WHERE url=?", (url,)).fetchone()
            if row:
                return str(row[0])
            slug, n = wanted, 1
            while db.execute("SELECT 1 FROM articles WHERE slug=?", (slug,)).fetchone():
                n += 1
                slug = f"{wanted}-{n}"
            now = utc_now()
            db.execute(
                "INSERT INTO articles (url, source, slug, first_seen, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (url, source, slug, now, now),
            )
            return slug

    def variants(self, url: str) -> dict[str, PublishedVariant]:
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_VARIANT_COLUMNS} FROM variants WHERE article_url=?",  # noqa: S608
                (url,),
            ).fetchall()
        return {r[1]: _row_variant(r) for r in rows}

    def record_publication(
        self,
        article: Article,
        variants: list[tuple[Variant, str, str]],
        glossary_hash: str = "",
        events: EventFactory | None = None,
        render_hash: str = "",
    ) -> str:
        """Record an article and its variants, each as (variant, path, fragment path),
        made with the glossary entries whose fingerprint is ``glossary_hash``.

        With ``events``, a ``variant.published`` event (or ``variant.updated`` when
        the variant existed with other content) is queued for each webhook in the
        same transaction. Call only once the files are in place. Returns the
        publication time.
        """
        now = utc_now()
        with self._connect() as db:
            before = {
                row[0]: (row[1], row[2])
                for row in db.execute(
                    "SELECT language, checksum, published_at FROM variants WHERE article_url=?",
                    (article.url,),
                )
            }
            db.execute("UPDATE articles SET missing_runs=0 WHERE url=?", (article.url,))
            db.execute(
                "UPDATE articles SET source=?, language=?, title=?, published=?, "
                "content_hash=?, updated_at=? WHERE url=?",
                (
                    article.source,
                    article.language,
                    article.title,
                    article.published,
                    article.content_hash,
                    now,
                    article.url,
                ),
            )
            for variant, path, fragment_path in variants:
                old = before.get(variant.language)
                db.execute(
                    "INSERT OR REPLACE INTO variants (article_url, language, direction, path, "
                    "fragment_path, title, checksum, signature, content_hash, pseudo, "
                    "published_at, glossary_hash, render_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        article.url,
                        variant.language,
                        variant.direction,
                        path,
                        fragment_path,
                        variant.title,
                        variant.checksum,
                        variant.signature,
                        article.content_hash,
                        int(variant.pseudo),
                        # Same bytes as before: the publication time stays (sitemaps,
                        # feeds and readers must not see a change that is not one).
                        old[1] if old and old[0] == variant.checksum else now,
                        glossary_hash,
                        render_hash,
                    ),
                )
                if events is None or (old and old[0] == variant.checksum):
                    continue  # nothing new to tell
                kind = "variant.updated" if old is not None else "variant.published"
                row = self._variant_row(db, article.url, variant.language)
                _enqueue(db, events, kind, row, now)
        return now

    def _variant_row(self, db: sqlite3.Connection, url: str, language: str) -> PublishedVariant:
        r = db.execute(
            f"SELECT {_VARIANT_COLUMNS} FROM variants WHERE article_url=? AND language=?",  # noqa: S608
            (url, language),
        ).fetchone()
        return _row_variant(r)

    # --- disappearing originals ---------------------------------------------------

    def note_missing(self, url: str) -> int:
        """Count one more run in which ``url``'s original was gone; return the count."""
        with self._connect() as db:
            db.execute("UPDATE articles SET missing_runs=missing_runs+1 WHERE url=?", (url,))
            row = db.execute("SELECT missing_runs FROM articles WHERE url=?", (url,)).fetchone()
        return int(row[0]) if row else 0

    def mark_checked(self, urls: list[str]) -> None:
        """Remember that these originals were requested in this run."""
        now = utc_now()
        with self._connect() as db:
            db.executemany("UPDATE articles SET checked_at=? WHERE url=?", [(now, u) for u in urls])

    def least_recently_checked(self, exclude: set[str], limit: int) -> list[tuple[str, str]]:
        """(url, source) of published articles not in ``exclude``, longest unchecked first:
        originals that left the listings are still re-checked now and then."""
        if limit <= 0:
            return []
        with self._connect(transaction=False) as db:
            rows = db.execute(
                "SELECT url, source FROM articles WHERE url IN (SELECT article_url FROM variants) "
                "ORDER BY checked_at IS NOT NULL, checked_at, url"
            ).fetchall()
        return [(u, src) for u, src in rows if u not in exclude][:limit]

    def note_present(self, url: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE articles SET missing_runs=0 WHERE url=? AND missing_runs>0", (url,))

    def withdraw(self, url: str, events: EventFactory | None = None) -> list[PublishedVariant]:
        """Forget ``url``'s variants (their files are already deleted) and queue a
        ``variant.removed`` event for each; returns what was withdrawn."""
        now = utc_now()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_VARIANT_COLUMNS} FROM variants WHERE article_url=?",  # noqa: S608
                (url,),
            ).fetchall()
            gone = [_row_variant(r) for r in rows]
            db.execute("DELETE FROM variants WHERE article_url=?", (url,))
            db.execute(
                "UPDATE articles SET content_hash=NULL, etag=NULL, last_modified=NULL, "
                "updated_at=? WHERE url=?",
                (now, url),
            )
            if events is not None:
                for variant in gone:
                    _enqueue(db, events, "variant.removed", variant, now)
        return gone

    # --- webhook outbox ---------------------------------------------------------------

    def pending_events(self, webhook: str) -> list[QueuedEvent]:
        from .webhooks import QueuedEvent

        with self._connect(transaction=False) as db:
            rows = db.execute(
                "SELECT id, webhook, type, payload, attempts FROM outbox WHERE webhook=? "
                "AND delivered_at IS NULL AND abandoned=0 ORDER BY created, rowid",
                (webhook,),
            ).fetchall()
        return [QueuedEvent(r[0], r[1], r[2], bytes(r[3]), int(r[4])) for r in rows]

    def mark_delivered(self, event_id: str, webhook: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET delivered_at=?, attempts=attempts+1, last_error=NULL "
                "WHERE id=? AND webhook=?",
                (utc_now(), event_id, webhook),
            )

    def mark_failed(
        self, event_id: str, webhook: str, error: str, give_up_after: int = 100
    ) -> None:
        """Count a failed delivery; after ``give_up_after`` runs the event is abandoned
        (and reported) so one poisoned event cannot block a webhook for ever."""
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET attempts=attempts+1, last_error=?, "
                "abandoned=CASE WHEN attempts+1>=? THEN 1 ELSE 0 END WHERE id=? AND webhook=?",
                (error[:500], give_up_after, event_id, webhook),
            )

    def outbox_counts(self) -> dict[str, int]:
        """Events by state: pending, delivered, abandoned."""
        with self._connect(transaction=False) as db:
            row = db.execute(
                "SELECT sum(delivered_at IS NULL AND abandoned=0), "
                "sum(delivered_at IS NOT NULL), sum(abandoned) FROM outbox"
            ).fetchone()
        return {"pending": row[0] or 0, "delivered": row[1] or 0, "abandoned": row[2] or 0}

    def prune_outbox(self, older_than_days: int = 30) -> int:
        """Delete delivered events older than ``older_than_days``; return how many."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat()
        with self._connect() as db:
            cur = db.execute(
                "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                (cutoff.replace("+00:00", "Z"),),
            )
        return cur.rowcount

    # --- glossary inputs --------------------------------------------------------

    def glossary_inputs(self, url: str) -> tuple[list[tuple[str, str]] | None, str | None]:
        """The (language, text) pairs the glossary was matched against in ``url``'s
        last publication and the glossary version it was last checked with."""
        with self._connect() as db:
            row = db.execute(
                "SELECT glossary_texts, glossary_version FROM articles WHERE url=?", (url,)
            ).fetchone()
        if not row or row[0] is None:
            return None, None
        try:
            texts = json.loads(zlib.decompress(row[0]))
        except (zlib.error, ValueError):
            return None, row[1]
        return [(str(lang), str(text)) for lang, text in texts], row[1]

    def remember_glossary_inputs(
        self, url: str, texts: list[tuple[str, str]] | None, version: str
    ) -> None:
        """Store the texts (None: keep those stored) and the glossary version checked."""
        with self._connect() as db:
            if texts is None:
                db.execute("UPDATE articles SET glossary_version=? WHERE url=?", (version, url))
            else:
                blob = zlib.compress(json.dumps(texts, ensure_ascii=False).encode(), 6)
                db.execute(
                    "UPDATE articles SET glossary_texts=?, glossary_version=? WHERE url=?",
                    (blob, version, url),
                )

    # --- translation memory -----------------------------------------------------

    def memory_lookup(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self._connect(transaction=False) as db:
            for start in range(0, len(keys), 500):  # stay under SQLite's variable limit
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, target FROM memory WHERE key IN ({marks})"  # noqa: S608 (only ?s)
                found.update(db.execute(query, chunk).fetchall())
        return found

    def memory_store(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        """Store (key, source language, target language, signature, source, target) rows."""
        if not rows:
            return
        now = utc_now()
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO memory VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row, now) for row in rows],
            )

    def memory_size(self) -> int:
        with self._connect(transaction=False) as db:
            return int(db.execute("SELECT count(*) FROM memory").fetchone()[0])

    def published(self) -> list[tuple[StoredArticle, list[PublishedVariant]]]:
        """Every article with at least one variant, oldest first: the manifest's content."""
        with self._connect() as db:
            arts = db.execute(
                "SELECT url, source, slug, language, title, published, content_hash, "
                "first_seen, updated_at FROM articles "
                "WHERE url IN (SELECT article_url FROM variants) ORDER BY first_seen, url"
            ).fetchall()
            rows = db.execute(
                f"SELECT {_VARIANT_COLUMNS} FROM variants "  # noqa: S608
                "ORDER BY article_url, language"
            ).fetchall()
        by_url: dict[str, list[PublishedVariant]] = {}
        for r in rows:
            by_url.setdefault(r[0], []).append(_row_variant(r))
        return [(StoredArticle(*a), by_url.get(a[0], [])) for a in arts]


class TranslationMemory:
    """The translation memory of a :class:`StateStore`, as :mod:`.translate` uses it.

    Keys are made by :func:`memory_key`; engine output is stored exactly as the
    engine returned it (placeholders included), before any repair.
    """

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.hits = 0
        self.misses = 0

    def lookup(self, keys: list[str]) -> dict[str, str]:
        found = self.state.memory_lookup(keys)
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def store(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        self.state.memory_store(rows)


def memory_key(signature: str, source: str, target: str, glossary: str, text: str) -> str:
    """Translation-memory key: engine signature, pair, glossary fingerprint, engine input."""
    return sha256_text("\x1f".join((signature, source, target, glossary, text)))
