"""Webhooks: signed JSON events about published variants, delivered from an outbox.

Events (``variant.published``, ``variant.updated``, ``variant.removed``, and
``variant.reviewed`` once translators approved every segment of a variant) are
queued in the state database in the same transaction that records the
publication, so an event exists exactly when its publication does. At the end
of a run (after the manifest is written) the outbox is delivered: each event
is POSTed to each webhook it was queued for, with retries and backoff; an
event a receiver did not accept stays queued and is delivered, in order, on a
later run. Delivery is at least once: a receiver de-duplicates on the
``X-TP-Delivery`` id.

Every request carries ``X-TP-Signature: t=<unix time>,v1=<hex>`` where the hex
is HMAC-SHA256 with the webhook's secret over ``"<t>.<body>"``; receivers
check it with :func:`verify_signature` (or the same three lines in any
language) and refuse stale timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from translator_pipeline import __version__
from translator_pipeline.config.settings import WebhookSettings
from translator_pipeline.models import QueuedEvent

__all__ = [
    "EVENT_TYPES",
    "DeliveryReport",
    "HeldEvent",
    "deliver_outbox",
    "event_payload",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)

EVENT_TYPES = ("variant.published", "variant.updated", "variant.removed", "variant.reviewed")
SIGNATURE_HEADER = "X-TP-Signature"
EVENT_HEADER = "X-TP-Event"
DELIVERY_HEADER = "X-TP-Delivery"
DEFAULT_TOLERANCE = 300  # seconds a signature stays valid for a receiver


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes,
    header: str | None,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when ``header`` is a valid signature of ``body`` made within ``tolerance`` s;
    False for anything else, a missing header (None) included."""
    if not isinstance(header, str) or not header:  # no header at all: not signed
        return False
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def event_payload(
    event_type: str,
    event_id: str,
    created_at: str,
    article: dict[str, object],
    variant: dict[str, object],
) -> bytes:
    """The JSON body of an event (stable key order, UTF-8)."""
    data = {
        "id": event_id,
        "type": event_type,
        "created_at": created_at,
        "article": article,
        "variant": variant,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class HeldEvent:
    """The event at the head of a webhook's queue that was not delivered this run: the
    webhook's later events wait behind it (their order is kept)."""

    webhook: str
    event_id: str
    type: str
    attempts: int  # runs that tried it, this one included
    error: str
    waiting: int  # later events held behind it
    refused: bool  # the receiver answered 4xx: retrying will not help, ops must act

    def message(self, config: str = "FILE") -> str:
        if self.refused:
            what = f"refused event {self.event_id} ({self.type}) with {self.error}"
            fix = (
                f"; fix the receiver, or dead-letter the event: translator-pipeline events "
                f"skip --config {config} {self.event_id}"
            )
        else:
            what = f"did not take event {self.event_id} ({self.type}): {self.error}"
            fix = "; it is tried again next run"
        return (
            f"{self.webhook} {what} (tried in {self.attempts} run(s)); "
            f"{self.waiting} later event(s) wait behind it{fix}"
        )


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # delivery attempts that did not succeed in this run
    pending: int = 0  # still queued after this run
    errors: list[str] = field(default_factory=list)  # "url: reason"
    held: list[HeldEvent] = field(default_factory=list)  # per webhook, what blocks its queue


class Outbox:
    """What :func:`deliver_outbox` needs from the state store."""

    def pending_events(self, webhook: str) -> list[QueuedEvent]: ...
    def mark_delivered(self, event_id: str, webhook: str) -> None: ...
    def mark_failed(self, event_id: str, webhook: str, error: str) -> None: ...


def deliver_outbox(
    outbox: Outbox,
    webhooks: Sequence[WebhookSettings],
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """POST every queued event to its webhook, oldest first.

    A webhook that still fails after its retries gets nothing more this run (so
    its events keep their order); its events stay queued for the next run.
    """
    report = DeliveryReport()
    own = client is None
    client = client or httpx.Client(
        headers={"User-Agent": f"translator-pipeline/{__version__} (webhook)"},
        follow_redirects=False,
    )
    try:
        for hook in webhooks:
            events = outbox.pending_events(hook.url)
            for n, event in enumerate(events):
                error, refused = _post_with_retries(client, hook, event, sleep)
                if error is None:
                    outbox.mark_delivered(event.id, hook.url)
                    report.delivered += 1
                    continue
                outbox.mark_failed(event.id, hook.url, error)
                report.failed += 1
                report.pending += len(events) - n
                report.errors.append(f"{hook.url}: {error}")
                report.held.append(
                    HeldEvent(
                        webhook=hook.url,
                        event_id=event.id,
                        type=event.type,
                        attempts=event.attempts + 1,
                        error=error,
                        waiting=len(events) - n - 1,
                        refused=refused,
                    )
                )
                log.warning(
                    "webhook %s: %s; %d event(s) stay queued", hook.url, error, len(events) - n
                )
                break
    finally:
        if own:
            client.close()
    return report


def _post_with_retries(
    client: httpx.Client,
    hook: WebhookSettings,
    event: QueuedEvent,
    sleep: Callable[[float], None],
) -> tuple[str | None, bool]:
    """(None, False) when the receiver accepted the event (2xx), else (the last error,
    whether the receiver refused it: a 4xx other than 408 and 429)."""
    error = ""
    for attempt in range(hook.max_attempts):
        if attempt:
            sleep(hook.backoff * 2 ** (attempt - 1))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            EVENT_HEADER: event.type,
            DELIVERY_HEADER: event.id,
            SIGNATURE_HEADER: sign(hook.resolved_secret(), event.payload, int(time.time())),
        }
        try:
            response = client.post(
                hook.url, content=event.payload, headers=headers, timeout=hook.timeout
            )
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
            continue
        if 200 <= response.status_code < 300:
            return None, False
        error = f"HTTP {response.status_code}"
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            return error, True  # the receiver refuses this event; retrying now will not help
    return error, False
