"""What the pipeline remembers between runs, in one database.

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

The database is named by a SQLAlchemy URL (or a plain path: a SQLite file):

- **SQLite** (the default, one machine): WAL, a 30 s busy timeout, foreign
  keys on; every write is its own short ``BEGIN IMMEDIATE`` transaction, so
  Prefect's worker threads and a second process wait for each other instead
  of failing with "database is locked".
- **PostgreSQL** (``postgresql://user:password@host/dbname``, several workers
  on several machines; psycopg 3): READ COMMITTED writes that lock the
  article row they change, ``ON CONFLICT`` upserts, and a unique slug
  constraint with retry, so two workers never hand out the same slug; reads
  see one snapshot (REPEATABLE READ, read only).

One engine (connection pool, ``pool_pre_ping``) per URL per process. Every
database error becomes a :class:`StateError` naming the database, with the
password masked.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import sqlite3
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

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
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as _pg_insert
from sqlalchemy.dialects.sqlite import insert as _sqlite_insert
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from .errors import StateError
from .models import Article, Variant, sha256_text

if TYPE_CHECKING:
    from .config import Settings
    from .webhooks import QueuedEvent

__all__ = [
    "EventFactory",
    "Lease",
    "PublishedVariant",
    "StateStore",
    "StoredArticle",
    "TranslationMemory",
    "mask_url",
    "memory_key",
    "parse_state_url",
    "utc_now",
]

SCHEMA_VERSION = 6
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


# --- URLs -----------------------------------------------------------------------

_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EXAMPLES = "sqlite:///path/to/state.sqlite3 or postgresql://user:password@host:5432/dbname"


def mask_url(url: str | URL) -> str:
    """``url`` with its password shown as ``***`` (for messages and `config` output)."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def parse_state_url(value: str | os.PathLike[str] | URL) -> URL:
    """The SQLAlchemy URL of a state database given as a URL or a SQLite file path.

    Accepted: ``sqlite:///relative/or/absolute.sqlite3`` (``sqlite:////abs/path``),
    ``postgresql://…`` or ``postgresql+psycopg://…`` (both use psycopg 3), or a
    path. Raises ValueError saying what is allowed.
    """
    if isinstance(value, URL):
        url = value
    elif isinstance(value, os.PathLike) or not _URL_LIKE.match(str(value)):
        if not str(value).strip():
            raise ValueError(f"no state database given; use {_EXAMPLES}")
        return URL.create("sqlite", database=str(Path(value)))
    else:
        try:
            url = make_url(str(value))
        except ArgumentError:
            raise ValueError(
                f"{mask_url(str(value))!r} is not a database URL like {_EXAMPLES}"
            ) from None
    shown = mask_url(url)
    driver = _DRIVERS.get(url.drivername.lower())
    if driver is None:
        hint = " (write postgresql://)" if url.drivername.startswith("postgres") else ""
        raise ValueError(
            f"{shown!r}: unsupported database {url.drivername!r}{hint}; "
            f"the state database is {_EXAMPLES}"
        )
    url = url.set(drivername=driver)
    if driver == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise ValueError(
                f"{shown!r}: the SQLite state database must be a file: sqlite:///path/state.sqlite3"
            )
    elif not url.database:
        raise ValueError(f"{shown!r} names no database: postgresql://user:password@host/dbname")
    return url


def resolve_state_url(value: str, base: Path) -> str:
    """``value`` with a relative SQLite path made absolute against ``base`` (the config
    file's directory); other URLs unchanged."""
    url = make_url(value)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_absolute():
        url = url.set(database=str((base / url.database).resolve()))
        return url.render_as_string(hide_password=False)
    return value


# --- engines --------------------------------------------------------------------

_BUSY_TIMEOUT_S = 30
_ENGINES: OrderedDict[str, Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
_MAX_ENGINES = 8  # a process normally has one or two; tests open many


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is off; _sqlite_on_begin issues BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while it reports the database locked.

    Two processes opening a new file at once both ask for the exclusive lock the
    switch needs; SQLite answers one of them "locked" at once (a deadlock, so the
    busy timeout does not apply). Once the file is in WAL mode the pragma costs
    nothing and never waits.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02 + random.random() * 0.05)  # noqa: S311 (jitter)


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the write lock up front (and wait for it up to the busy timeout):
    # a read transaction upgraded to a write one would fail at once when busy.
    write = conn.get_execution_options().get("tp_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _new_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            url, pool_pre_ping=True, connect_args={"timeout": _BUSY_TIMEOUT_S}
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = 10
    if "application_name" not in url.query:
        connect_args["application_name"] = "translator-pipeline"
    return sa.create_engine(
        url, pool_pre_ping=True, isolation_level="READ COMMITTED", connect_args=connect_args
    )


def _engine_for(url: URL) -> Engine:
    """The process's engine for ``url``: created on first use, then shared."""
    key = url.render_as_string(hide_password=False)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = _new_engine(url)
            while len(_ENGINES) > _MAX_ENGINES:
                # Idle connections close; an engine still held by a StateStore
                # keeps working (with a new pool).
                _ENGINES.popitem(last=False)[1].dispose()
        else:
            _ENGINES.move_to_end(key)
        return engine


def _forget_engines_after_fork() -> None:
    # A forked child must not use (or close) its parent's connections, nor wait
    # for a lock some other thread of the parent held at the fork.
    global _ENGINES_LOCK
    _ENGINES_LOCK = threading.Lock()
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_engines_after_fork)


# --- errors ------------------------------------------------------------------


class _TransientStateError(StateError):
    """A deadlock or serialization failure: the transaction is retried."""


_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_RETRIES = 5

_F = TypeVar("_F", bound=Callable[..., Any])


def _retrying(method: _F) -> _F:
    """Re-run a one-transaction method the database rolled back to break a deadlock."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(_RETRIES):
            try:
                return method(*args, **kwargs)
            except _TransientStateError:
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.02 * 2**attempt * (1 + random.random()))  # noqa: S311
        raise AssertionError("unreachable")

    return wrapper  # type: ignore[return-value]


def _hint(detail: str, backend: str, url: URL) -> str:
    low = detail.lower()
    if backend == "postgresql":
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        if "connection refused" in low or "is the server running" in low:
            return (
                f"start PostgreSQL on {where} (systemctl start postgresql, or "
                "pg_ctlcluster <version> main start) or correct state_url (TP_STATE_URL)"
            )
        if "does not exist" in low and "database" in low:
            return (
                f"create it as the postgres user: createdb -O {url.username or '<user>'} "
                f"{url.database}; or correct state_url (TP_STATE_URL)"
            )
        if "authentication failed" in low or "no password supplied" in low:
            return "check the user name and password in state_url (TP_STATE_URL)"
        if "timeout" in low or "could not translate host name" in low:
            return f"check that {where} is right and reachable from here"
    else:
        if "locked" in low or "busy" in low:
            return (
                f"another process kept the database locked longer than {_BUSY_TIMEOUT_S} s; "
                "for several workers use PostgreSQL"
            )
        if "unable to open" in low or "readonly" in low or "read-only" in low:
            return "check that the file's directory exists and is writable"
        if "not a database" in low or "malformed" in low:
            return "the file is not a state database (or is damaged)"
    return ""


# --- the store ------------------------------------------------------------------


@dataclass(frozen=True)
class EventFactory:
    """How to queue webhook events: for which webhooks (URL and the event types it
    wants), and how to build an event body from (event type, event id, time,
    variant)."""

    webhooks: tuple[tuple[str, tuple[str, ...]], ...]
    build: Callable[[str, str, str, PublishedVariant], bytes]


def _enqueue(
    db: Connection, events: EventFactory, kind: str, variant: PublishedVariant, now: str
) -> None:
    hooks = [url for url, kinds in events.webhooks if kind in kinds]
    if not hooks:
        return
    event_id = str(uuid.uuid4())
    body = events.build(kind, event_id, now, variant)
    db.execute(
        _OUTBOX.insert(),
        [
            {"id": event_id, "webhook": hook, "type": kind, "payload": body, "created": now}
            for hook in hooks
        ],
    )


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Lease:
    """Someone else's hold on a lease: who (``host~pid``), since when, until when
    (Unix seconds; renewed while the holder runs)."""

    name: str
    holder: str
    acquired_at: str
    expires: float


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
    summary: str = ""  # the variant's lead, plain text (feeds); "" when published before it


def _row_variant(r: Any) -> PublishedVariant:
    return PublishedVariant(*r[:9], bool(r[9]), *r[10:14])


class StateStore:
    """The state database: a SQLite file path (created with its directory on first
    use) or a SQLAlchemy URL (``sqlite:///…``, ``postgresql://user:password@host/db``).

    ``path`` is the SQLite file (None for PostgreSQL); ``url`` names the database
    with its password masked; ``engine`` is the process's shared engine for it.
    """

    def __init__(self, url_or_path: str | os.PathLike[str] | URL) -> None:
        try:
            url = parse_state_url(url_or_path)
        except ValueError as exc:
            raise StateError(f"unusable state database: {exc}") from None
        self.backend = url.get_backend_name()
        self._postgres = self.backend == "postgresql"
        self.path: Path | None = None
        if not self._postgres:
            self.path = Path(str(url.database))
            # The engine must not depend on the working directory of later calls.
            url = url.set(database=str(self.path.absolute()))
        self._url = url
        # Messages name the database as the user wrote it, password masked.
        self.url = str(self.path) if self.path is not None else mask_url(str(url_or_path))
        self._opening = True
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = _engine_for(url)
        except OSError as exc:
            raise StateError(f"cannot open state database {self.url}: {exc}") from None
        except ImportError as exc:
            raise StateError(
                f"cannot open state database {self.url}: PostgreSQL needs psycopg 3 "
                f"(pip install 'translator-pipeline[postgres]'): {exc}"
            ) from None
        self._open_schema()
        self._opening = False

    @classmethod
    def from_settings(cls, settings: Settings) -> StateStore:
        """The store the settings name: ``state_url``, else the SQLite file ``state_path``."""
        return cls(settings.state_url or settings.state_path)

    def __repr__(self) -> str:
        return f"StateStore({self.url!r})"

    # --- connections and transactions ---------------------------------------------

    def _error(self, exc: SQLAlchemyError) -> StateError:
        orig = getattr(exc, "orig", None)
        raw = str(orig if orig is not None else exc)
        raw = raw.split("\n[SQL:")[0].split("\n(Background on this error")[0]
        detail = "; ".join(" ".join(line.split()) for line in raw.splitlines() if line.strip())
        password = self._url.password
        if password:
            detail = detail.replace(str(password), "***")
        hint = _hint(detail, self.backend, self._url)
        opening = "cannot open " if self._opening else ""
        message = f"{opening}state database {self.url}: {detail or type(exc).__name__}"
        if hint:
            message += f" — {hint}"
        sqlstate = getattr(orig, "sqlstate", None)
        kind = _TransientStateError if sqlstate in _TRANSIENT_SQLSTATES else StateError
        return kind(message)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(tp_write=True)
                elif self._postgres:
                    conn.execution_options(
                        isolation_level="REPEATABLE READ", postgresql_readonly=True
                    )
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def _write(self) -> AbstractContextManager[Connection]:
        """One short write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED)."""
        return self._transaction(write=True)

    def _read(self) -> AbstractContextManager[Connection]:
        """One read-only snapshot."""
        return self._transaction(write=False)

    def _insert(self, table: Table) -> Any:
        return (_pg_insert if self._postgres else _sqlite_insert)(table)

    # --- schema -------------------------------------------------------------------

    @staticmethod
    def _schema_version(db: Connection) -> int | None:
        if not sa.inspect(db).has_table("meta"):
            return None
        found = db.execute(
            select(_META.c.value).where(_META.c.key == "schema_version")
        ).scalar_one_or_none()
        return None if found is None else int(found)

    def _refuse_newer(self, version: int | None) -> None:
        if version is not None and version > SCHEMA_VERSION:
            raise StateError(
                f"state database {self.url} has schema {version}, newer than this "
                f"version of translator-pipeline understands ({SCHEMA_VERSION})"
            )

    def _open_schema(self) -> None:
        with self._read() as db:
            version = self._schema_version(db)
        self._refuse_newer(version)
        if version == SCHEMA_VERSION:
            return
        with self._write() as db:
            if self._postgres:  # two workers creating the tables at once
                db.execute(select(func.pg_advisory_xact_lock(0x74705F7374617465)))
            version = self._schema_version(db)
            self._refuse_newer(version)
            if version == SCHEMA_VERSION:
                return
            metadata.create_all(db)  # the missing tables, as this version has them
            _OUTBOX_PENDING.create(db, checkfirst=True)
            if version is None:
                db.execute(_META.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                return
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS.get(step, []):
                    _apply(db, statement)
            db.execute(
                update(_META)
                .where(_META.c.key == "schema_version")
                .values(value=str(SCHEMA_VERSION))
            )

    # --- leases -------------------------------------------------------------

    @_retrying
    def acquire_lease(
        self, name: str, holder: str, ttl: float, *, take_over: str | None = None
    ) -> Lease | None:
        """Take the lease ``name`` for ``ttl`` seconds: None when it is ours now, else
        the live lease of someone else. An expired lease is taken over, and so is one
        held by ``take_over`` (a holder known to be dead)."""
        now = time.time()
        with self._write() as db:
            db.execute(
                self._insert(_LEASES)
                .values(name=name, holder=holder, acquired_at=utc_now(), expires=now + ttl)
                .on_conflict_do_nothing()
            )
            row = db.execute(
                select(_LEASES.c.holder, _LEASES.c.acquired_at, _LEASES.c.expires)
                .where(_LEASES.c.name == name)
                .with_for_update()
            ).one()
            if row.holder == holder:
                return None
            if row.expires >= now and row.holder != take_over:
                return Lease(name, row.holder, row.acquired_at, row.expires)
            db.execute(
                update(_LEASES)
                .where(_LEASES.c.name == name)
                .values(holder=holder, acquired_at=utc_now(), expires=now + ttl)
            )
        return None

    @_retrying
    def renew_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Extend our lease; False when it is no longer ours (it expired and was taken)."""
        with self._write() as db:
            done = db.execute(
                update(_LEASES)
                .where(_LEASES.c.name == name, _LEASES.c.holder == holder)
                .values(expires=time.time() + ttl)
            )
        return bool(done.rowcount)

    @_retrying
    def release_lease(self, name: str, holder: str) -> None:
        with self._write() as db:
            db.execute(delete(_LEASES).where(_LEASES.c.name == name, _LEASES.c.holder == holder))

    # --- articles ---------------------------------------------------------

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
        v = _VARIANTS.c
        with self._write() as db:
            # The article's row lock serialises two workers publishing the same article.
            db.execute(
                select(_ARTICLES.c.url).where(_ARTICLES.c.url == article.url).with_for_update()
            ).first()
            before = {
                row[0]: (row[1], row[2])
                for row in db.execute(
                    select(v.language, v.checksum, v.published_at).where(
                        v.article_url == article.url
                    )
                )
            }
            db.execute(
                update(_ARTICLES)
                .where(_ARTICLES.c.url == article.url)
                .values(
                    source=article.source,
                    language=article.language,
                    title=article.title,
                    published=article.published,
                    content_hash=article.content_hash,
                    updated_at=now,
                    missing_runs=0,
                )
            )
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
                    glossary_hash=glossary_hash,
                    render_hash=render_hash,
                    summary=variant.summary,
                )
                values = {col.name: getattr(row, col.name) for col in _VARIANT_COLUMNS}
                values["pseudo"] = int(row.pseudo)
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
                if events is None or (old and old[0] == variant.checksum):
                    continue  # nothing new to tell
                kind = "variant.updated" if old is not None else "variant.published"
                _enqueue(db, events, kind, row, now)
        return now

    # --- disappearing originals ---------------------------------------------------

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

    def least_recently_checked(self, exclude: set[str], limit: int) -> list[tuple[str, str]]:
        """(url, source) of published articles not in ``exclude``, longest unchecked first:
        originals that left the listings are still re-checked now and then."""
        if limit <= 0:
            return []
        a = _ARTICLES.c
        with self._read() as db:
            rows = db.execute(
                select(a.url, a.source)
                .where(a.url.in_(select(_VARIANTS.c.article_url)))
                .order_by(a.checked_at.is_not(None), a.checked_at, a.url)
            ).all()
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

    # --- webhook outbox ---------------------------------------------------------------

    def pending_events(self, webhook: str) -> list[QueuedEvent]:
        from .webhooks import QueuedEvent

        o = _OUTBOX.c
        inserted = literal_column("seq" if self._postgres else "rowid")
        with self._read() as db:
            rows = db.execute(
                select(o.id, o.webhook, o.type, o.payload, o.attempts)
                .where(o.webhook == webhook, o.delivered_at.is_(None), o.abandoned == 0)
                .order_by(o.created, inserted)
            ).all()
        return [QueuedEvent(r[0], r[1], r[2], bytes(r[3]), int(r[4])) for r in rows]

    @_retrying
    def mark_delivered(self, event_id: str, webhook: str) -> None:
        o = _OUTBOX.c
        with self._write() as db:
            db.execute(
                update(_OUTBOX)
                .where(o.id == event_id, o.webhook == webhook)
                .values(delivered_at=utc_now(), attempts=o.attempts + 1, last_error=None)
            )

    @_retrying
    def mark_failed(
        self, event_id: str, webhook: str, error: str, give_up_after: int = 100
    ) -> None:
        """Count a failed delivery; after ``give_up_after`` runs the event is abandoned
        (and reported) so one poisoned event cannot block a webhook for ever."""
        o = _OUTBOX.c
        with self._write() as db:
            db.execute(
                update(_OUTBOX)
                .where(o.id == event_id, o.webhook == webhook)
                .values(
                    attempts=o.attempts + 1,
                    last_error=error[:500],
                    abandoned=case((o.attempts + 1 >= give_up_after, 1), else_=0),
                )
            )

    def outbox_counts(self) -> dict[str, int]:
        """Events by state: pending, delivered, abandoned."""
        o = _OUTBOX.c
        with self._read() as db:
            row = db.execute(
                select(
                    func.sum(case((and_(o.delivered_at.is_(None), o.abandoned == 0), 1), else_=0)),
                    func.sum(case((o.delivered_at.is_not(None), 1), else_=0)),
                    func.sum(o.abandoned),
                )
            ).one()
        return {
            "pending": int(row[0] or 0),
            "delivered": int(row[1] or 0),
            "abandoned": int(row[2] or 0),
        }

    @_retrying
    def prune_outbox(self, older_than_days: int = 30) -> int:
        """Delete delivered events older than ``older_than_days``; return how many."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat()
        o = _OUTBOX.c
        with self._write() as db:
            cur = db.execute(
                _OUTBOX.delete().where(
                    o.delivered_at.is_not(None), o.delivered_at < cutoff.replace("+00:00", "Z")
                )
            )
        return int(cur.rowcount)

    # --- glossary inputs --------------------------------------------------------

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

    # --- translation memory -----------------------------------------------------

    def memory_lookup(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        m = _MEMORY.c
        with self._read() as db:
            for start in range(0, len(keys), 500):  # modest statements on any backend
                chunk = keys[start : start + 500]
                found.update(
                    (str(k), str(t))
                    for k, t in db.execute(select(m.key, m.target).where(m.key.in_(chunk)))
                )
        return found

    @_retrying
    def memory_store(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        """Store (key, source language, target language, signature, source, target) rows."""
        if not rows:
            return
        now = utc_now()
        names = ("key", "source_language", "target_language", "signature", "source", "target")
        # The last row of a key wins (as INSERT OR REPLACE did); sorted keys give every
        # worker the same lock order, so concurrent stores cannot deadlock.
        latest = {row[0]: row for row in rows}
        params = [
            {**dict(zip(names, latest[k], strict=True)), "created": now} for k in sorted(latest)
        ]
        upsert = self._insert(_MEMORY)
        upsert = upsert.on_conflict_do_update(
            index_elements=[_MEMORY.c.key],
            set_={name: upsert.excluded[name] for name in (*names[1:], "created")},
        )
        with self._write() as db:
            db.execute(upsert, params)

    @_retrying
    def prune_memory(self, keep_signatures: Sequence[str], older_than_days: int = 30) -> int:
        """Delete memory entries of engines other than ``keep_signatures`` (an upgraded
        or replaced model: its translations are never looked up again) stored more than
        ``older_than_days`` ago, so a rollback soon after still finds them. Returns how
        many. The memory is a cache: what is pruned is translated again if needed."""
        cutoff = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat()
        m = _MEMORY.c
        with self._write() as db:
            cur = db.execute(
                _MEMORY.delete().where(
                    m.signature.not_in(list(keep_signatures)),
                    m.created < cutoff.replace("+00:00", "Z"),
                )
            )
        return int(cur.rowcount)

    def memory_size(self) -> int:
        with self._read() as db:
            return int(db.execute(select(func.count()).select_from(_MEMORY)).scalar_one())

    def published(self) -> list[tuple[StoredArticle, list[PublishedVariant]]]:
        """Every article with at least one variant, oldest first: the manifest's content."""
        a = _ARTICLES.c
        with self._read() as db:  # one snapshot for both queries
            arts = db.execute(
                select(*_ARTICLE_COLUMNS)
                .where(a.url.in_(select(_VARIANTS.c.article_url)))
                .order_by(a.first_seen, a.url)
            ).all()
            rows = db.execute(
                select(*_VARIANT_COLUMNS).order_by(_VARIANTS.c.article_url, _VARIANTS.c.language)
            ).all()
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
