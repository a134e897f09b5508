"""Unreachable URLs between runs: how often in a row they failed, and when a run
may try them again (exponential backoff), so a dead page costs one timeout now
and then instead of its full retries on every run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select

from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, utc_now
from translator_pipeline.store.schema import _FETCH_FAILURES


@dataclass(frozen=True)
class FetchFailure:
    """A URL that failed ``failures`` runs in a row; not tried before ``next_attempt``
    (Unix seconds)."""

    url: str
    failures: int
    first_failed_at: str
    reason: str
    status: int | None
    next_attempt: float

    @property
    def next_attempt_iso(self) -> str:
        when = datetime.fromtimestamp(self.next_attempt, UTC).replace(microsecond=0)
        return when.isoformat().replace("+00:00", "Z")


def backoff_seconds(failures: int, base: float, cap: float) -> float:
    """The wait after ``failures`` failed runs in a row: base, 2×base, 4×base … ≤ cap."""
    return min(cap, base * 2 ** max(failures - 1, 0))


class FetchFailureRecords(StoreBase):
    """Unreachable URLs and their backoff in the state database."""

    def fetch_failures(self, urls: Iterable[str]) -> dict[str, FetchFailure]:
        wanted = list(dict.fromkeys(urls))
        f = _FETCH_FAILURES.c
        found: dict[str, FetchFailure] = {}
        with self._read() as db:
            for start in range(0, len(wanted), 500):
                rows = db.execute(
                    select(f.url, f.failures, f.first_failed_at, f.reason, f.status,
                           f.next_attempt).where(f.url.in_(wanted[start : start + 500]))
                )  # fmt: skip
                found.update((row.url, FetchFailure(*row)) for row in rows)
        return found

    @_retrying
    def record_fetch_failure(
        self, url: str, reason: str, status: int | None, *, base: float, cap: float
    ) -> FetchFailure:
        """Count one more failed run for ``url`` and set when to try it next."""
        f = _FETCH_FAILURES.c
        now, stamp = self.clock.time(), utc_now()
        with self._write() as db:
            row = db.execute(
                select(f.failures, f.first_failed_at).where(f.url == url).with_for_update()
            ).one_or_none()
            failures = (row.failures if row else 0) + 1
            first = row.first_failed_at if row else stamp
            next_attempt = now + backoff_seconds(failures, base, cap)
            values = {
                "failures": failures,
                "first_failed_at": first,
                "last_failed_at": stamp,
                "reason": reason,
                "status": status,
                "next_attempt": next_attempt,
            }
            upsert = self._insert(_FETCH_FAILURES).values(url=url, **values)
            db.execute(upsert.on_conflict_do_update(index_elements=[f.url], set_=values))
        return FetchFailure(url, failures, first, reason, status, next_attempt)

    @_retrying
    def clear_fetch_failures(self, urls: Iterable[str]) -> None:
        """Forget the failures of URLs that answered again."""
        gone = sorted(set(urls))
        if not gone:
            return
        with self._write() as db:
            for start in range(0, len(gone), 500):
                db.execute(
                    delete(_FETCH_FAILURES).where(
                        _FETCH_FAILURES.c.url.in_(gone[start : start + 500])
                    )
                )
