"""Who this state is and which outputs it publishes to: the state's id, each
output's id, location and generation, adopting an output, backups and checkpoints."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, func, select, update

from translator_pipeline.errors import StateError
from translator_pipeline.models import PublishedVariant, StoredArticle
from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _BUSY_TIMEOUT_S, _retrying, utc_now
from translator_pipeline.store.schema import (
    _ARTICLES,
    _META,
    _OUTPUTS,
    _VARIANT_COLUMNS,
    _VARIANTS,
    SCHEMA_VERSION,
)

_STATE_ID = "state_id"


@dataclass(frozen=True)
class OutputRecord:
    """An output this state publishes to."""

    id: str
    location: str
    generation: int
    claimed_at: str
    config: str = ""  # the config file of the run that last claimed it
    publishing: bool = False  # a run publishes to it now (or was killed doing so)


class OutputRecords(StoreBase):
    """The state's identity and its outputs."""

    @_retrying
    def state_id(self) -> str:
        """This state database's id: made once, on first use, kept for ever (a copy
        of the database, a backup, has the same id)."""
        with self._write() as db:
            found = db.execute(
                select(_META.c.value).where(_META.c.key == _STATE_ID)
            ).scalar_one_or_none()
            if found is not None:
                return str(found)
            db.execute(
                self._insert(_META)
                .values(key=_STATE_ID, value=uuid.uuid4().hex)
                .on_conflict_do_nothing()
            )
            return str(
                db.execute(select(_META.c.value).where(_META.c.key == _STATE_ID)).scalar_one()
            )

    def outputs(self) -> list[OutputRecord]:
        with self._read() as db:
            rows = db.execute(
                select(
                    _OUTPUTS.c.id,
                    _OUTPUTS.c.location,
                    _OUTPUTS.c.generation,
                    _OUTPUTS.c.claimed_at,
                    _OUTPUTS.c.config,
                    _OUTPUTS.c.publishing,
                ).order_by(_OUTPUTS.c.claimed_at)
            ).all()
        return [OutputRecord(r[0], r[1], int(r[2]), r[3], r[4], bool(r[5])) for r in rows]

    def output(self, output_id: str) -> OutputRecord | None:
        return next((o for o in self.outputs() if o.id == output_id), None)

    @_retrying
    def register_output(
        self, output_id: str, location: str, generation: int = 0, config: str | None = None
    ) -> None:
        """Know ``output_id`` (at ``location``, at ``generation`` unless known higher,
        claimed by the config file ``config`` if given)."""
        o = _OUTPUTS.c
        with self._write() as db:
            db.execute(
                self._insert(_OUTPUTS)
                .values(
                    id=output_id,
                    location=location,
                    generation=generation,
                    claimed_at=utc_now(),
                    config=config or "",
                )
                .on_conflict_do_nothing()
            )
            higher = func.greatest if self._postgres else func.max  # SQLite's max(a, b)
            values = {"location": location, "generation": higher(o.generation, generation)}
            if config is not None:
                values["config"] = config
            db.execute(update(_OUTPUTS).where(o.id == output_id).values(**values))

    @_retrying
    def set_publishing(self, output_id: str, publishing: bool) -> bool:
        """Mark ``output_id`` as being published to (a run started) or not (its manifest
        is written); returns whether it was marked before: True at the start of a run
        means the previous one was killed before its manifest."""
        o = _OUTPUTS.c
        with self._write() as db:
            before = db.execute(select(o.publishing).where(o.id == output_id)).scalar_one_or_none()
            db.execute(update(_OUTPUTS).where(o.id == output_id).values(publishing=int(publishing)))
        return bool(before)

    @_retrying
    def mark_stale(self, variants: Sequence[tuple[str, str]]) -> None:
        """Make these (article url, language) variants not current, so that the next
        publication redoes them (their pages differ from what the state recorded)."""
        if not variants:
            return
        v = _VARIANTS.c
        with self._write() as db:
            db.execute(
                update(_VARIANTS)
                .where(v.article_url == bindparam("u_url"), v.language == bindparam("u_lang"))
                .values(render_hash=""),
                [{"u_url": u, "u_lang": lang} for u, lang in sorted(set(variants))],
            )

    @_retrying
    def advance_output(self, output_id: str) -> int:
        """One more generation of ``output_id`` (its manifest is about to change);
        committed before the output's marker says so. Returns the new generation."""
        o = _OUTPUTS.c
        with self._write() as db:
            db.execute(
                update(_OUTPUTS).where(o.id == output_id).values(generation=o.generation + 1)
            )
            found = db.execute(select(o.generation).where(o.id == output_id)).scalar_one_or_none()
        if found is None:
            raise StateError(f"state database {self.url} does not know output {output_id}")
        return int(found)

    def unscoped_published(self) -> list[tuple[str, list[str]]]:
        """(url, page paths) of published articles not yet tied to an output (state
        databases older than output ids)."""
        a, v = _ARTICLES.c, _VARIANTS.c
        with self._read() as db:
            rows = db.execute(
                select(a.url, v.path)
                .join(_VARIANTS, v.article_url == a.url)
                .where(a.output.is_(None))
                .order_by(a.url, v.language)
            ).all()
        out: dict[str, list[str]] = {}
        for url, path in rows:
            out.setdefault(url, []).append(path)
        return list(out.items())

    @_retrying
    def assign_output(self, urls: Sequence[str], output_id: str) -> None:
        if not urls:
            return
        with self._write() as db:
            db.execute(
                update(_ARTICLES)
                .where(_ARTICLES.c.url == bindparam("u_url"))
                .values(output=output_id),
                [{"u_url": u} for u in sorted(set(urls))],
            )

    def outputs_of(self, urls: Iterable[str]) -> dict[str, str]:
        """url → the output it is published to, for those of ``urls`` that have one."""
        wanted = sorted(set(urls))
        if not wanted:
            return {}
        a, out = _ARTICLES.c, {}
        with self._read() as db:
            for start in range(0, len(wanted), 500):
                rows = db.execute(
                    select(a.url, a.output).where(
                        a.url.in_(wanted[start : start + 500]),
                        a.output.is_not(None),
                        a.url.in_(select(_VARIANTS.c.article_url)),
                    )
                ).all()
                out.update({r[0]: r[1] for r in rows})
        return out

    @_retrying
    def adopt_published(
        self,
        output_id: str,
        location: str,
        generation: int,
        published: Sequence[tuple[StoredArticle, list[PublishedVariant]]],
    ) -> tuple[int, int]:
        """Make the state's view of ``output_id`` exactly ``published`` (read from the
        output's manifest and pages), in one transaction: articles and variants
        written as given (slugs, first-seen and publication times kept), the
        variants of this output's other articles forgotten, no webhook event
        queued. Returns (articles adopted, variants forgotten)."""
        a, v, o = _ARTICLES.c, _VARIANTS.c, _OUTPUTS.c
        now = utc_now()
        urls = {article.url for article, _ in published}
        with self._write() as db:
            db.execute(
                self._insert(_OUTPUTS)
                .values(id=output_id, location=location, generation=generation, claimed_at=now)
                .on_conflict_do_update(
                    index_elements=[o.id], set_={"location": location, "generation": generation}
                )
            )
            stale = [
                u
                for u in db.execute(select(a.url).where(a.output == output_id)).scalars()
                if u not in urls
            ]
            forgotten = 0
            for url in stale:
                forgotten += db.execute(_VARIANTS.delete().where(v.article_url == url)).rowcount
            for article, variants in published:
                taken = db.execute(
                    select(a.url).where(a.slug == article.slug, a.url != article.url)
                ).first()
                if taken is not None:
                    raise StateError(
                        f"state database {self.url}: slug {article.slug!r} of {article.url} "
                        f"belongs to {taken[0]} here; cannot adopt both"
                    )
                values = {
                    "source": article.source,
                    "slug": article.slug,
                    "language": article.language,
                    "title": article.title,
                    "published": article.published,
                    "content_hash": article.content_hash,
                    "first_seen": article.first_seen,
                    "updated_at": article.updated_at,
                    "missing_runs": 0,
                    "output": output_id,
                }
                upsert = self._insert(_ARTICLES).values(url=article.url, **values)
                db.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[a.url],
                        set_={**values, "etag": None, "last_modified": None},
                    )
                )
                db.execute(_VARIANTS.delete().where(v.article_url == article.url))
                for row in variants:
                    data = {col.name: getattr(row, col.name) for col in _VARIANT_COLUMNS}
                    data["pseudo"] = int(row.pseudo)
                    data["quality_reasons"] = json.dumps(list(row.quality_reasons))
                    db.execute(_VARIANTS.insert().values(**data))
        return len(published), forgotten

    # --- backups ---------------------------------------------------------------

    def checkpoint(self) -> None:
        """SQLite: move everything from the ``-wal`` file into the database file and
        empty it, so that the file alone holds the whole state (a copy of it is a
        backup). Waits for no one: a run reading meanwhile leaves part in the WAL."""
        if self._postgres:
            return
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception as exc:  # a busy database: the next run's checkpoint does it
            raise StateError(f"state database {self.url}: checkpoint failed: {exc}") from None

    def backup_to(self, target: str | os.PathLike[str]) -> Path:
        """A consistent copy of the SQLite state database at ``target`` (SQLite's online
        backup: runs may go on meanwhile), written beside it and renamed into place."""
        if self._postgres or self.path is None:
            raise StateError(
                f"state database {self.url} is PostgreSQL: back it up with "
                "pg_dump -Fc -f FILE DBNAME (and restore with pg_restore --clean -d DBNAME FILE)"
            )
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StateError(f"{target} is the state database itself; give another file")
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            _sqlite_copy(self.path, temp)
            os.replace(temp, target)
        except (OSError, sqlite3.Error) as exc:
            temp.unlink(missing_ok=True)
            raise StateError(f"cannot back up {self.url} to {target}: {exc}") from None
        return target

    def restore_from(self, source: str | os.PathLike[str]) -> None:
        """Replace this SQLite state's content with the backup ``source`` (checked to be
        a state database first), through SQLite's backup API, so open connections
        and the WAL stay consistent."""
        if self._postgres or self.path is None:
            raise StateError(
                f"state database {self.url} is PostgreSQL: restore it with "
                "pg_restore --clean -d DBNAME FILE"
            )
        source = Path(source)
        check_backup(source)
        try:
            _sqlite_copy(source, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot restore {self.url} from {source}: {exc}") from None
        self.engine.dispose()
        self.checkpoint()


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(target, timeout=_BUSY_TIMEOUT_S)
        try:
            src.backup(dst, pages=1024)
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()


def check_backup(path: Path) -> int:
    """The schema version of the state database backup at ``path``; StateError when it
    is missing, not a state database, or newer than this version understands."""
    if not path.is_file():
        raise StateError(f"backup {path} does not exist")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StateError(f"{path} is not a state database backup: {exc}") from None
    if row is None:
        raise StateError(f"{path} is not a state database backup: no schema version")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise StateError(
            f"backup {path} has schema {version}, newer than this version of "
            f"translator-pipeline understands ({SCHEMA_VERSION})"
        )
    return version
