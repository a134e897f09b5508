"""What the pipeline remembers between runs, in one SQLite file.

- ``articles``: every article seen, its slug (assigned once, stable forever),
  language, title and the hash of its extracted content;
- ``variants``: every published variant with the content hash and engine
  signature it was made from, its files and checksum.

A variant needs (re)publishing when it is missing, its article's content
changed, or the engine signature changed. A publication is recorded only
after its files are in place, so a crash mid-run re-does work, never loses it.
Each call opens its own connection (WAL, busy timeout): safe from Prefect's
worker threads and from a second process.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import StateError
from .models import Article, Variant

__all__ = ["PublishedVariant", "StateStore", "StoredArticle", "utc_now"]

SCHEMA_VERSION = 2
# Each step takes the schema from version N-1 to N; applied in order on open.
_MIGRATIONS = {
    2: [
        "ALTER TABLE articles ADD COLUMN etag TEXT",
        "ALTER TABLE articles ADD COLUMN last_modified TEXT",
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
    last_modified TEXT
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
    PRIMARY KEY (article_url, language)
);
"""


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
                            db.execute(statement)
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
                "SELECT article_url, language, direction, path, fragment_path, title, checksum, "
                "signature, content_hash, pseudo, published_at FROM variants "
                "WHERE article_url=?",
                (url,),
            ).fetchall()
        return {r[1]: PublishedVariant(*r[:9], bool(r[9]), r[10]) for r in rows}

    def record_publication(self, article: Article, variants: list[tuple[Variant, str, str]]) -> str:
        """Record an article and its variants, each as (variant, path, fragment path).

        Call only once the files are in place. Returns the publication time.
        """
        now = utc_now()
        with self._connect() as db:
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
                db.execute(
                    "INSERT OR REPLACE INTO variants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        now,
                    ),
                )
        return now

    def published(self) -> list[tuple[StoredArticle, list[PublishedVariant]]]:
        """Every article with at least one variant, oldest first: the manifest's content."""
        with self._connect() as db:
            arts = db.execute(
                "SELECT url, source, slug, language, title, published, content_hash, "
                "first_seen, updated_at FROM articles "
                "WHERE url IN (SELECT article_url FROM variants) ORDER BY first_seen, url"
            ).fetchall()
            rows = db.execute(
                "SELECT article_url, language, direction, path, fragment_path, title, checksum, "
                "signature, content_hash, pseudo, published_at FROM variants "
                "ORDER BY article_url, language"
            ).fetchall()
        by_url: dict[str, list[PublishedVariant]] = {}
        for r in rows:
            by_url.setdefault(r[0], []).append(PublishedVariant(*r[:9], bool(r[9]), r[10]))
        return [(StoredArticle(*a), by_url.get(a[0], [])) for a in arts]
