"""A webhook receiver that refuses one event: the run says so at once (summary, run
report, exit status 4), `events skip` dead-letters it, and the next run delivers
the events that waited behind it, in order."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.factories import write_config
from tests.support.webhook_receiver import Receiver, receiving
from translator_pipeline.publishing.webhooks import sign, verify_signature

CLI = str(Path(sys.executable).parent / "translator-pipeline")
SECRET = "held-event-secret-0123"


def test_a_refused_event_is_reported_and_can_be_skipped(site_server, tmp_path):
    with receiving(Receiver(SECRET, fail_next=1, fail_status=422)) as rx:
        config = write_config(
            tmp_path,
            site_server.base_url,
            tables=f'[[webhooks]]\nurl = "{rx.url}"\nsecret = "{SECRET}"\nbackoff = 0',
        )
        run = subprocess.run(
            [sys.executable, "-c", FIRST, str(config)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=300,
        )
        assert run.returncode == 4, run.stderr  # `translator-pipeline run`'s status for it
        assert rx.attempts == 1 and rx.received == []  # the seven others wait, in order
        assert "refused event" in run.stdout and "7 later event(s) wait behind it" in run.stdout
        assert f"translator-pipeline events skip --config {config} " in run.stdout
        report = json.loads((tmp_path / "out" / "run-report.json").read_text("utf-8"))
        [held] = report["webhooks"]["held"]
        assert report["webhooks"]["refused"] == 1 and "HTTP 422" in held

        listed = subprocess.run(
            [CLI, "events", "list", "--config", str(config), "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        events = [json.loads(line) for line in listed.stdout.splitlines()]
        assert len(events) == 8 and events[0]["last_error"] == "HTTP 422"
        refused = events[0]["id"]
        assert refused in held

        skip = [CLI, "events", "skip", refused, "--config", str(config)]
        done = subprocess.run(skip, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        again = subprocess.run(skip, capture_output=True, text=True, cwd=tmp_path)
        assert again.returncode == 1 and again.stderr.startswith("error: no queued event")

        rerun = subprocess.run(
            [sys.executable, "-c", RUN, str(config)], capture_output=True, text=True, cwd=tmp_path
        )
        assert rerun.returncode == 0, rerun.stderr
        assert [e["id"] for e in rx.received] == [e["id"] for e in events[1:]]
        listed = subprocess.run(
            [CLI, "events", "list", "--config", str(config), "--json"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        )
        [dead] = [json.loads(line) for line in listed.stdout.splitlines()]
        assert dead["id"] == refused and dead["abandoned"] is True  # kept, not sent


# The library's run, its summary as `translator-pipeline run` prints it, and its exit
# status (without Prefect's seconds of start-up).
FIRST = """
import sys
from translator_pipeline.cli.main import exit_status
from translator_pipeline.config.settings import load_settings
from translator_pipeline.run import run_once
from translator_pipeline.run.report import format_summary
report = run_once(load_settings(sys.argv[1]))
print(format_summary(report))
sys.exit(exit_status(report))
"""

RUN = """
import sys
from translator_pipeline.config.settings import load_settings
from translator_pipeline.run import run_once
report = run_once(load_settings(sys.argv[1]))
assert report.webhooks_delivered == 7 and not report.webhooks_held, report.webhooks_held
"""


def test_verify_signature_refuses_a_missing_or_malformed_header():
    body = b"{}"
    assert verify_signature(SECRET, body, sign(SECRET, body, int(time.time())))
    for header in (None, "", "garbage", "t=,v1=", "v1=abc", 42):
        assert verify_signature(SECRET, body, header) is False  # type: ignore[arg-type]
