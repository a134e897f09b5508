"""The translation memory: engine output per (engine signature, pair, glossary
fingerprint, input), so unchanged segments are never translated twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, utc_now
from translator_pipeline.store.schema import _MEMORY


class TranslationMemory:
    """The translation memory of a :class:`StateStore`, as :mod:`.translate` uses it.

    Keys are made by :func:`memory_key`; engine output is stored exactly as the
    engine returned it (placeholders included), before any repair.
    """

    def __init__(self, state: MemoryRecords) -> None:
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


class MemoryRecords(StoreBase):
    """The translation memory's rows in the state database."""

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
