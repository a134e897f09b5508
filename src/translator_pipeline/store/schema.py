"""The state database's tables, schema version and migrations."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy import (
    DDL,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 9


# Each step takes the schema from version N-1 to N; applied in order on open.
# (SQLite files only so far: a PostgreSQL database starts at version 4. A later
# step must be written for both, e.g. LargeBinary is BLOB there, BYTEA here.)
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
    5: [],  # the leases table (created by create_all)
    6: ["ALTER TABLE variants ADD COLUMN summary TEXT NOT NULL DEFAULT ''"],
    7: [],  # the fetch_failures table (created by create_all)
    # the variant_reviews and approved_segments tables (created by create_all)
    8: [
        "ALTER TABLE memory ADD COLUMN score REAL",
        "ALTER TABLE variants ADD COLUMN quality TEXT NOT NULL DEFAULT 'publish'",
        "ALTER TABLE variants ADD COLUMN quality_reasons TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE variants ADD COLUMN segments INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE variants ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0",
    ],
    # the outputs table (created by create_all); which output each article is published to
    9: ["ALTER TABLE articles ADD COLUMN output TEXT"],
}


# Text compares and sorts byte-wise on both backends (SQLite's BINARY; "C" in
# PostgreSQL, whatever the database's locale), so the manifest's order and the
# outbox's order are the same everywhere.
_TEXT = Text().with_variant(Text(collation="C"), "postgresql")


metadata = MetaData()


_META = Table(
    "meta",
    metadata,
    Column("key", _TEXT, primary_key=True),
    Column("value", _TEXT, nullable=False),
)


_ARTICLES = Table(
    "articles",
    metadata,
    Column("url", _TEXT, primary_key=True),
    Column("source", _TEXT, nullable=False),
    Column("slug", _TEXT, nullable=False, unique=True),
    Column("language", _TEXT),
    Column("title", _TEXT),
    Column("published", _TEXT),
    Column("content_hash", _TEXT),
    Column("first_seen", _TEXT, nullable=False),
    Column("updated_at", _TEXT, nullable=False),
    Column("etag", _TEXT),
    Column("last_modified", _TEXT),
    Column("glossary_texts", LargeBinary),  # zlib-compressed JSON
    Column("glossary_version", _TEXT),
    Column("missing_runs", Integer, nullable=False, server_default=text("0")),
    Column("checked_at", _TEXT),
    # The id of the output its variants are published to (see _OUTPUTS); NULL for
    # articles published before outputs had ids, until a run claims them.
    Column("output", _TEXT),
)


# The outputs this state publishes to. Each output holds a marker file naming this
# state's id, the output's id and its generation (see translator_pipeline.run.ownership):
# the generation goes up, here first, each time the output's manifest changes, so a
# state older than its output (a restored backup) is noticed before it does harm.
_OUTPUTS = Table(
    "outputs",
    metadata,
    Column("id", _TEXT, primary_key=True),
    Column("location", _TEXT, nullable=False),  # where it was last published (a path, a URL)
    Column("generation", Integer, nullable=False),
    Column("claimed_at", _TEXT, nullable=False),
    # 1 from the start of a publishing run until its manifest is written: found set at
    # the start of the next run, the last one was killed mid-publish.
    Column("publishing", Integer, nullable=False, server_default=text("0")),
    Column("config", _TEXT, nullable=False, server_default=text("''")),  # who last claimed it
)


_VARIANTS = Table(
    "variants",
    metadata,
    Column("article_url", _TEXT, ForeignKey("articles.url", ondelete="CASCADE"), nullable=False),
    Column("language", _TEXT, nullable=False),
    Column("direction", _TEXT, nullable=False),
    Column("path", _TEXT, nullable=False),
    Column("fragment_path", _TEXT, nullable=False),
    Column("title", _TEXT, nullable=False),
    Column("checksum", _TEXT, nullable=False),
    Column("signature", _TEXT, nullable=False),
    Column("content_hash", _TEXT, nullable=False),
    Column("pseudo", Integer, nullable=False, server_default=text("0")),
    Column("published_at", _TEXT, nullable=False),
    Column("glossary_hash", _TEXT, nullable=False, server_default=text("''")),
    Column("render_hash", _TEXT, nullable=False, server_default=text("''")),
    Column("summary", _TEXT, nullable=False, server_default=text("''")),
    Column("quality", _TEXT, nullable=False, server_default=text("'publish'")),
    Column("quality_reasons", _TEXT, nullable=False, server_default=text("'[]'")),  # JSON
    Column("segments", Integer, nullable=False, server_default=text("0")),
    Column("reviewed", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("article_url", "language"),
)


_OUTBOX = Table(
    "outbox",
    metadata,
    Column("id", _TEXT, nullable=False),
    Column("webhook", _TEXT, nullable=False),
    Column("type", _TEXT, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created", _TEXT, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", _TEXT),
    Column("delivered_at", _TEXT),
    Column("abandoned", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("id", "webhook"),
)


_OUTBOX_PENDING = Index(
    "outbox_pending",
    _OUTBOX.c.webhook,
    _OUTBOX.c.delivered_at,
    _OUTBOX.c.abandoned,
    _OUTBOX.c.created,
)


# Events of one second are delivered in insertion order: SQLite's rowid; in
# PostgreSQL (no rowid) an identity column that only exists there.
event.listen(
    _OUTBOX,
    "after_create",
    DDL("ALTER TABLE outbox ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY").execute_if(
        dialect="postgresql"
    ),
)


_MEMORY = Table(
    "memory",
    metadata,
    Column("key", _TEXT, primary_key=True),
    Column("source_language", _TEXT, nullable=False),
    Column("target_language", _TEXT, nullable=False),
    Column("signature", _TEXT, nullable=False),
    Column("source", _TEXT, nullable=False),
    Column("target", _TEXT, nullable=False),
    Column("created", _TEXT, nullable=False),
    Column("score", Float),  # the engine's mean token log-probability, if it said
)


# Every variant the last run translated, published or held by the quality gate: its
# decision and segment records (zlib JSON), for the review export and to know a held
# variant is still current.
_VARIANT_REVIEWS = Table(
    "variant_reviews",
    metadata,
    Column("article_url", _TEXT, nullable=False),
    Column("language", _TEXT, nullable=False),
    Column("source_language", _TEXT, nullable=False),
    Column("decision", _TEXT, nullable=False),
    Column("reasons", _TEXT, nullable=False),  # JSON list
    Column("segments", Integer, nullable=False),
    Column("flagged", Integer, nullable=False),
    Column("approved", Integer, nullable=False),
    Column("content_hash", _TEXT, nullable=False),
    Column("glossary_hash", _TEXT, nullable=False),
    Column("render_hash", _TEXT, nullable=False),
    Column("signature", _TEXT, nullable=False),
    Column("updated_at", _TEXT, nullable=False),
    Column("records", LargeBinary, nullable=False),
    PrimaryKeyConstraint("article_url", "language"),
)


# Segment translations translators approved through review files (``review import``):
# pinned segments kept in the database, keyed like glossaries/segments.csv rows.
_APPROVED_SEGMENTS = Table(
    "approved_segments",
    metadata,
    Column("source_language", _TEXT, nullable=False),
    Column("target_language", _TEXT, nullable=False),
    Column("source_key", _TEXT, nullable=False),  # NFC, whitespace collapsed
    Column("source_text", _TEXT, nullable=False),
    Column("target", _TEXT, nullable=False),  # placeholder form
    Column("unit_id", _TEXT, nullable=False),
    Column("article_url", _TEXT, nullable=False),
    Column("origin", _TEXT, nullable=False),  # the review file it came from
    Column("approved_at", _TEXT, nullable=False),
    PrimaryKeyConstraint("source_language", "target_language", "source_key"),
)


# Who is publishing to this state's output right now: one row per lease name,
# held until ``expires`` (Unix seconds) unless its holder renews it.
_LEASES = Table(
    "leases",
    metadata,
    Column("name", _TEXT, primary_key=True),
    Column("holder", _TEXT, nullable=False),
    Column("acquired_at", _TEXT, nullable=False),
    Column("expires", Float, nullable=False),
)


# URLs that were unreachable (timeouts, refused connections, 5xx after retries) on
# consecutive runs, and when a run may try them again: a dead page must not cost
# every run its timeouts. The row goes as soon as the URL answers.
_FETCH_FAILURES = Table(
    "fetch_failures",
    metadata,
    Column("url", _TEXT, primary_key=True),
    Column("failures", Integer, nullable=False),  # consecutive runs it failed in
    Column("first_failed_at", _TEXT, nullable=False),
    Column("last_failed_at", _TEXT, nullable=False),
    Column("reason", _TEXT, nullable=False),
    Column("status", Integer),  # the last HTTP status, if the server answered
    Column("next_attempt", Float, nullable=False),  # Unix seconds
)


_ARTICLE_COLUMNS = tuple(
    _ARTICLES.c[name]
    for name in (
        "url",
        "source",
        "slug",
        "language",
        "title",
        "published",
        "content_hash",
        "first_seen",
        "updated_at",
    )
)


_VARIANT_COLUMNS = tuple(
    _VARIANTS.c[name]
    for name in (
        "article_url",
        "language",
        "direction",
        "path",
        "fragment_path",
        "title",
        "checksum",
        "signature",
        "content_hash",
        "pseudo",
        "published_at",
        "glossary_hash",
        "render_hash",
        "summary",
        "quality",
        "quality_reasons",
        "segments",
        "reviewed",
    )
)


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)")


def _apply(db: Connection, statement: str) -> None:
    # A table created by this version's schema already has the new columns.
    add = _ADD_COLUMN.match(statement)
    if add:
        table, column = add.groups()
        if any(col["name"] == column for col in sa.inspect(db).get_columns(table)):
            return
    db.exec_driver_sql(statement)
