"""Leases in the state database: one holder at a time per name, renewed while
it runs, taken over once expired."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, utc_now
from translator_pipeline.store.schema import _LEASES


@dataclass(frozen=True)
class Lease:
    """Someone else's hold on a lease: who (``host~pid``), since when, until when
    (Unix seconds; renewed while the holder runs)."""

    name: str
    holder: str
    acquired_at: str
    expires: float


class LeaseRecords(StoreBase):
    """Named leases in the state database."""

    @_retrying
    def acquire_lease(
        self, name: str, holder: str, ttl: float, *, take_over: str | None = None
    ) -> Lease | None:
        """Take the lease ``name`` for ``ttl`` seconds: None when it is ours now, else
        the live lease of someone else. An expired lease is taken over, and so is one
        held by ``take_over`` (a holder known to be dead)."""
        now = self.clock.time()
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
                .values(expires=self.clock.time() + ttl)
            )
        return bool(done.rowcount)

    @_retrying
    def release_lease(self, name: str, holder: str) -> None:
        with self._write() as db:
            db.execute(delete(_LEASES).where(_LEASES.c.name == name, _LEASES.c.holder == holder))
