"""Webhooks: signatures, the outbox in the state store, delivery against a real receiver."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.factories import article, settings, variant
from tests.support.webhook_receiver import Receiver, receiving
from translator_pipeline.config.settings import WebhookSettings
from translator_pipeline.errors import ConfigError
from translator_pipeline.publishing.manifest import variant_entry
from translator_pipeline.publishing.webhooks import (
    EVENT_TYPES,
    deliver_outbox,
    event_payload,
    sign,
    verify_signature,
)
from translator_pipeline.store.state import EventFactory, StateStore

SETTINGS = settings()

SECRET = "s3cret-key-for-tests-0123"


def factory(*urls: str) -> EventFactory:
    def build(kind, event_id, created, variant_row):
        return event_payload(
            kind,
            event_id,
            created,
            {"url": "https://s.org/news/a.html"},
            variant_entry(variant_row, SETTINGS),
        )

    return EventFactory(tuple((url, EVENT_TYPES) for url in urls), build)


def hook(url: str, **kw) -> WebhookSettings:
    return WebhookSettings(url=url, secret=SECRET, **{"backoff": 0.0, **kw})


def publish(state: StateStore, events: EventFactory, html: str = "<html>fr</html>", lang="fr"):
    a = article()
    state.slug_for(a.url, a.source, "a")
    v = variant(lang=lang, html=html)
    state.record_publication(
        a, [(v, f"{lang}/a/index.html", f"{lang}/a/fragment.html")], events=events
    )


def test_signatures_verify_and_refuse_tampering_and_stale_times():
    body = b'{"type": "variant.published"}'
    now = int(time.time())
    header = sign(SECRET, body, now)
    assert header.startswith(f"t={now},v1=")
    assert verify_signature(SECRET, body, header)
    assert not verify_signature(SECRET, body + b" ", header)
    assert not verify_signature("another-secret-of-16+", body, header)
    assert not verify_signature(SECRET, body, sign(SECRET, body, now - 3600))
    assert not verify_signature(SECRET, body, "garbage")
    assert not verify_signature(SECRET, body, "t=x,v1=00")


def test_webhook_settings_need_exactly_one_secret(monkeypatch):
    with pytest.raises(ValueError, match="exactly one"):
        WebhookSettings(url="https://example.org/hook")
    with pytest.raises(ValueError):
        WebhookSettings(url="ftp://example.org/hook", secret=SECRET)
    from_env = WebhookSettings(url="https://example.org/hook", secret_env="TP_TEST_HOOK_SECRET")
    monkeypatch.setenv("TP_TEST_HOOK_SECRET", "short")
    with pytest.raises(ConfigError, match="TP_TEST_HOOK_SECRET"):
        from_env.resolved_secret()
    monkeypatch.setenv("TP_TEST_HOOK_SECRET", SECRET)
    assert from_env.resolved_secret() == SECRET


def test_events_are_queued_with_the_publication_and_delivered_once_in_order(state_url):
    state = StateStore(state_url)
    with receiving(Receiver(SECRET)) as rx:
        events = factory(rx.url)
        publish(state, events)  # new: published
        publish(state, events)  # same bytes again: nothing to announce
        publish(state, events, html="<html>fr v2</html>")  # changed: updated
        report = deliver_outbox(state, [hook(rx.url)])
        assert report.delivered == 2 and report.pending == 0
        assert [e["type"] for e in rx.received] == ["variant.published", "variant.updated"]
        first = rx.received[0]
        assert first["variant"]["language"] == "fr"
        assert first["variant"]["path"] == "fr/a/index.html"
        assert first["variant"]["checksum"].startswith("sha256:")
        assert first["article"]["url"] == "https://s.org/news/a.html"
        assert rx.bad_signatures == 0
        # Delivered events are not sent again.
        assert deliver_outbox(state, [hook(rx.url)]).delivered == 0
        assert len(rx.received) == 2
    assert state.outbox_counts() == {"pending": 0, "delivered": 2, "abandoned": 0}


def test_a_receiver_that_fails_is_retried_with_backoff(state_url):
    state = StateStore(state_url)
    pauses: list[float] = []
    with receiving(Receiver(SECRET, fail_next=2)) as rx:
        publish(state, factory(rx.url))
        report = deliver_outbox(
            state, [hook(rx.url, max_attempts=3, backoff=0.5)], sleep=pauses.append
        )
        assert report.delivered == 1 and report.failed == 0
        assert rx.attempts == 3 and pauses == [0.5, 1.0]
        assert len(rx.received) == 1


def test_a_receiver_that_is_down_loses_nothing(state_url):
    state = StateStore(state_url)
    with receiving(Receiver(SECRET)) as rx:
        url = rx.url
    # The receiver is gone: its port refuses connections.
    events = factory(url)
    publish(state, events, lang="fr")
    publish(state, events, lang="ar")
    report = deliver_outbox(state, [hook(url, max_attempts=2)], sleep=lambda s: None)
    assert report.delivered == 0 and report.pending == 2
    assert "ConnectError" in report.errors[0]
    assert state.outbox_counts()["pending"] == 2

    # Next run, a receiver is listening: everything arrives, in order, once.
    with receiving(Receiver(SECRET)) as rx:
        queued = state.pending_events(url)
        for event in queued:  # re-address the queue to the new port (same receiver)
            with state.engine.begin() as db:
                db.execute(
                    text("UPDATE outbox SET webhook=:hook WHERE id=:id"),
                    {"hook": rx.url, "id": event.id},
                )
        report = deliver_outbox(state, [hook(rx.url)])
        assert report.delivered == 2
        assert [e["variant"]["language"] for e in rx.received] == ["fr", "ar"]
        assert len({e["id"] for e in rx.received}) == 2


def test_a_failing_webhook_keeps_its_order_and_others_still_receive(state_url):
    state = StateStore(state_url)
    with receiving(Receiver(SECRET, fail_next=100)) as bad, receiving(Receiver(SECRET)) as good:
        events = factory(bad.url, good.url)
        publish(state, events, lang="fr")
        publish(state, events, lang="ar")
        report = deliver_outbox(
            state, [hook(bad.url, max_attempts=2), hook(good.url)], sleep=lambda s: None
        )
        assert report.delivered == 2 and report.pending == 2
        # The bad webhook got the first event twice (2 attempts), never the second.
        assert bad.attempts == 2
        assert [e["variant"]["language"] for e in good.received] == ["fr", "ar"]


def test_a_refused_event_is_not_retried_in_the_run_and_is_abandoned_eventually(state_url):
    state = StateStore(state_url)
    with receiving(Receiver(SECRET, fail_next=1000, fail_status=400)) as rx:
        publish(state, factory(rx.url))
        deliver_outbox(state, [hook(rx.url, max_attempts=3)], sleep=lambda s: None)
        assert rx.attempts == 1  # a 4xx is the receiver's answer, not a hiccup
        [event] = state.pending_events(rx.url)
        state.mark_failed(event.id, rx.url, "HTTP 400", give_up_after=2)
        assert state.pending_events(rx.url) == []
        assert state.outbox_counts()["abandoned"] == 1


def test_withdrawing_an_article_queues_removed_events(state_url):
    state = StateStore(state_url)
    with receiving(Receiver(SECRET)) as rx:
        events = factory(rx.url)
        publish(state, events, lang="fr")
        publish(state, events, lang="ar")
        gone = state.withdraw("https://s.org/news/a.html", events)
        assert sorted(v.language for v in gone) == ["ar", "fr"]
        assert state.variants("https://s.org/news/a.html") == {}
        deliver_outbox(state, [hook(rx.url)])
        kinds = [(e["type"], e["variant"]["language"]) for e in rx.received]
        assert kinds[:2] == [("variant.published", "fr"), ("variant.published", "ar")]
        assert sorted(kinds[2:]) == [("variant.removed", "ar"), ("variant.removed", "fr")]
        assert all(e["variant"]["path"].endswith("/a/index.html") for e in rx.received)


def test_a_webhook_only_gets_the_event_types_it_asked_for(state_url):
    state = StateStore(state_url)

    def build(kind, event_id, created, row):
        return event_payload(kind, event_id, created, {}, variant_entry(row, SETTINGS))

    events = EventFactory((("https://a.example/h", ("variant.removed",)),), build)
    publish(state, events)
    assert state.pending_events("https://a.example/h") == []
    state.withdraw("https://s.org/news/a.html", events)
    assert [e.type for e in state.pending_events("https://a.example/h")] == ["variant.removed"]


def test_missing_runs_are_counted_and_reset_by_a_publication(state_url):
    state = StateStore(state_url)
    publish(state, factory())
    url = "https://s.org/news/a.html"
    assert state.note_missing(url) == 1
    assert state.note_missing(url) == 2
    publish(state, factory(), html="<html>back</html>")
    assert state.note_missing(url) == 1
    state.note_present([url])
    assert state.note_missing(url) == 1
