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
        # Engine scores (mean token log-probability) of the keys looked up or about to
        # be stored: the quality gate judges a remembered segment as it judged it new.
        self.scores: dict[str, float | None] = {}

    def lookup(self, keys: list[str]) -> dict[str, str]:
        found = self.state.memory_lookup_scored(keys)
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        self.scores.update((k, score) for k, (_, score) in found.items())
        return {k: target for k, (target, _) in found.items()}

    def scored(self, scores: dict[str, float | None]) -> None:
        """Scores of the rows the next :meth:`store` writes."""
        self.scores.update(scores)

    def store(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        self.state.memory_store(rows, {row[0]: self.scores.get(row[0]) for row in rows})


class MemoryRecords(StoreBase):
    """The translation memory's rows in the state database."""

    def memory_lookup(self, keys: list[str]) -> dict[str, str]:
        return {k: target for k, (target, _) in self.memory_lookup_scored(keys).items()}

    def memory_lookup_scored(self, keys: list[str]) -> dict[str, tuple[str, float | None]]:
        """Key → (stored engine output, its score or None)."""
        found: dict[str, tuple[str, float | None]] = {}
        m = _MEMORY.c
        with self._read() as db:
            for start in range(0, len(keys), 500):  # modest statements on any backend
                chunk = keys[start : start + 500]
                found.update(
                    (str(k), (str(t), None if score is None else float(score)))
                    for k, t, score in db.execute(
                        select(m.key, m.target, m.score).where(m.key.in_(chunk))
                    )
                )
        return found

    @_retrying
    def memory_store(
        self,
        rows: list[tuple[str, str, str, str, str, str]],
        scores: dict[str, float | None] | None = None,
    ) -> None:
        """Store (key, source language, target language, signature, source, target) rows,
        with the engine's score of each key in ``scores`` (None: unknown)."""
        if not rows:
            return
        now = utc_now()
        names = ("key", "source_language", "target_language", "signature", "source", "target")
        # The last row of a key wins (as INSERT OR REPLACE did); sorted keys give every
        # worker the same lock order, so concurrent stores cannot deadlock.
        latest = {row[0]: row for row in rows}
        params = [
            {
                **dict(zip(names, latest[k], strict=True)),
                "score": (scores or {}).get(k),
                "created": now,
            }
            for k in sorted(latest)
        ]
        upsert = self._insert(_MEMORY)
        upsert = upsert.on_conflict_do_update(
            index_elements=[_MEMORY.c.key],
            set_={name: upsert.excluded[name] for name in (*names[1:], "score", "created")},
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
