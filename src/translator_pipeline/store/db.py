"""Opening the state database: URLs, one engine per URL and process, SQLite
settings, transient-error retries, and errors that say what to do."""

from __future__ import annotations

import functools
import os
import random
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from translator_pipeline.errors import StateError

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


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def for_language(value: str | Mapping[str, str], language: str) -> str:
    """A per-variant value given once for all variants or by language."""
    return value if isinstance(value, str) else value.get(language, "")
