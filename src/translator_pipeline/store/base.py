"""The connection and transaction handling every part of :class:`StateStore` uses."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as _pg_insert
from sqlalchemy.dialects.sqlite import insert as _sqlite_insert
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError

from translator_pipeline.clock import SYSTEM_CLOCK, Clock
from translator_pipeline.errors import StateError
from translator_pipeline.store.db import (
    _TRANSIENT_SQLSTATES,
    _engine_for,
    _hint,
    _TransientStateError,
    mask_url,
    parse_state_url,
)
from translator_pipeline.store.schema import (
    _META,
    _MIGRATIONS,
    _OUTBOX_PENDING,
    SCHEMA_VERSION,
    _apply,
    metadata,
)


class StoreBase:
    """Connection, transactions and schema of one state database."""

    def __init__(
        self, url_or_path: str | os.PathLike[str] | URL, *, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.clock = clock  # lease expiry times
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

    def __repr__(self) -> str:
        return f"StateStore({self.url!r})"

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
            # The state's identity (see store/outputs.py), made with the database so
            # that every copy and backup of it carries the same one.
            db.execute(
                self._insert(_META)
                .values(key="state_id", value=uuid.uuid4().hex)
                .on_conflict_do_nothing()
            )
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
