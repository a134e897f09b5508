"""The webhook outbox: events queued in the transaction that records what they
announce, delivered and marked later."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, literal_column, select, update
from sqlalchemy.engine import Connection

from translator_pipeline.models import PublishedVariant, QueuedEvent
from translator_pipeline.store.base import StoreBase
from translator_pipeline.store.db import _retrying, utc_now
from translator_pipeline.store.schema import _OUTBOX


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


class OutboxRecords(StoreBase):
    """The webhook outbox of the state database."""

    def pending_events(self, webhook: str) -> list[QueuedEvent]:

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

    def outbox_events(self) -> list[dict[str, object]]:
        """Every event not delivered (queued or dead-lettered), oldest first, without
        its body: id, webhook, type, created, attempts, last_error, abandoned."""
        o = _OUTBOX.c
        inserted = literal_column("seq" if self._postgres else "rowid")
        with self._read() as db:
            rows = db.execute(
                select(o.id, o.webhook, o.type, o.created, o.attempts, o.last_error, o.abandoned)
                .where(o.delivered_at.is_(None))
                .order_by(o.webhook, o.created, inserted)
            ).all()
        names = ("id", "webhook", "type", "created", "attempts", "last_error", "abandoned")
        return [
            {**dict(zip(names, r, strict=True)), "abandoned": bool(r[6]), "attempts": int(r[4])}
            for r in rows
        ]

    @_retrying
    def set_abandoned(self, event_id: str, abandoned: bool, webhook: str | None = None) -> int:
        """Dead-letter an undelivered event (``abandoned=True``: it is kept but no longer
        sent, so the receiver's later events go), or queue a dead-lettered one again
        (its attempts start from zero). Returns how many (event, webhook) rows changed."""
        o = _OUTBOX.c
        where = [o.id == event_id, o.delivered_at.is_(None), o.abandoned == int(not abandoned)]
        if webhook:
            where.append(o.webhook == webhook)
        values: dict[str, object] = {"abandoned": int(abandoned)}
        if not abandoned:
            values["attempts"] = 0
        with self._write() as db:
            done = db.execute(update(_OUTBOX).where(*where).values(**values))
        return int(done.rowcount)

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
