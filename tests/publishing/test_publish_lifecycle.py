"""Published variants over several runs: webhooks announce them exactly once,
updates and withdrawals are announced, a receiver that is down loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import write_config
from tests.support.webhook_receiver import Receiver, receiving
from translator_pipeline.flows import translate_and_publish

pytestmark = pytest.mark.usefixtures("prefect_harness")

SECRET = "lifecycle-webhook-secret"
GONE = "rencontre-jeunes-chercheurs.html"


def config_with_webhook(tmp_path: Path, base_url: str, hook_url: str) -> Path:
    return write_config(
        tmp_path,
        base_url,
        top='public_base_url = "https://www.example.org/translations/"\nwithdraw_after = 2',
        tables=f'[[webhooks]]\nurl = "{hook_url}"\nsecret = "{SECRET}"\nbackoff = 0',
    )


def manifest_urls(out: Path) -> set[str]:
    data = json.loads((out / "manifest.json").read_text("utf-8"))
    return {Path(a["url"]).name for a in data["articles"]}


def test_events_follow_publication_update_and_withdrawal(site_server, tmp_path):
    out = tmp_path / "out"
    with receiving(Receiver(SECRET)) as rx:
        config = config_with_webhook(tmp_path, site_server.base_url, rx.url)
        report = translate_and_publish(config_path=str(config))
        assert report.webhooks_delivered == 8 and report.webhooks_pending == 0
        assert {e["type"] for e in rx.received} == {"variant.published"}
        assert len({e["id"] for e in rx.received}) == 8
        first = rx.received[0]
        assert first["variant"]["url"].startswith("https://www.example.org/translations/")
        assert (out / first["variant"]["path"]).is_file()

        # Unchanged re-run: no event.
        again = translate_and_publish(config_path=str(config))
        assert again.webhooks_delivered == 0 and len(rx.received) == 8

        # An edited original: its two variants are announced as updated.
        page = site_server.root / "articles" / "journee-langue-arabe.html"
        page.write_text(
            page.read_text("utf-8").replace("</h2>", " (mise à jour)</h2>", 1), encoding="utf-8"
        )
        translate_and_publish(config_path=str(config))
        updated = [e for e in rx.received[8:] if e["type"] == "variant.updated"]
        assert sorted(e["variant"]["language"] for e in updated) == ["ar", "en"]
        assert all(e["article"]["url"].endswith("journee-langue-arabe.html") for e in updated)

        # An original deleted from the site and from its listing: re-checked each run,
        # withdrawn on the second run it is gone (withdraw_after = 2).
        (site_server.root / "articles" / GONE).unlink()
        index = site_server.root / "index.html"
        index.write_text(
            "\n".join(line for line in index.read_text("utf-8").splitlines() if GONE not in line),
            encoding="utf-8",
        )
        first_gone = translate_and_publish(config_path=str(config))
        status = {Path(o.url).name: o.status for o in first_gone.outcomes}
        assert status[GONE] == "skipped" and GONE in manifest_urls(out)
        second_gone = translate_and_publish(config_path=str(config))
        status = {Path(o.url).name: o.status for o in second_gone.outcomes}
        assert status[GONE] == "withdrawn"
        assert GONE not in manifest_urls(out)
        removed = [e for e in rx.received if e["type"] == "variant.removed"]
        assert sorted(e["variant"]["language"] for e in removed) == ["ar", "en"]
        for event in removed:
            assert not (out / event["variant"]["path"]).exists()
            assert not (out / event["variant"]["fragment_path"]).exists()
        assert rx.bad_signatures == 0
        ids = [e["id"] for e in rx.received]
        assert len(ids) == len(set(ids))  # nothing delivered twice


def test_a_receiver_that_is_down_gets_everything_on_a_later_run(site_server, tmp_path):
    rx = Receiver(SECRET, fail_next=10_000)  # answers 503 to everything
    with receiving(rx):
        config = config_with_webhook(tmp_path, site_server.base_url, rx.url)
        report = translate_and_publish(config_path=str(config))
        assert report.count("published") == 4  # publishing does not wait for receivers
        assert report.webhooks_delivered == 0 and report.webhooks_pending == 8
        assert "HTTP 503" in report.webhook_errors[0]
        rx.fail_next = 0  # back up
        again = translate_and_publish(config_path=str(config))
        assert again.count("unchanged") == 4
        assert again.webhooks_delivered == 8 and again.webhooks_pending == 0
        assert len(rx.received) == 8 and len({e["id"] for e in rx.received}) == 8
