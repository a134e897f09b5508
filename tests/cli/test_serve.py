"""``translator-pipeline serve``: the config's schedule on a real Prefect server.

Without a server it stops at once with how to start one; with one (a real
``prefect server start`` on 127.0.0.1) it creates the deployment with the cron
schedule, time zone and a concurrency limit of 1, executes a run triggered by
hand, and leaves the schedule active when it is stopped with Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from tests.factories import write_config as write_site_config
from tests.support.prefect_server import BIN, Process, clean_env, free_port
from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import ConfigError

CLI = str(BIN / "translator-pipeline")


def write_config(directory: Path, base_url: str, extra: str = "") -> Path:
    return write_site_config(directory, base_url, top=extra)


# --- the schedule in the config -----------------------------------------------------


def test_schedule_defaults_to_every_15_minutes_in_utc(tmp_path):
    settings = load_settings(write_config(tmp_path, "http://127.0.0.1:8/"), env={})
    assert settings.schedule == "*/15 * * * *"
    assert settings.timezone == "UTC"


def test_schedule_and_timezone_are_read_and_an_empty_schedule_means_none(tmp_path):
    config = write_config(
        tmp_path, "http://127.0.0.1:8/", 'schedule = "0  6 * * 1-5"\ntimezone = "Asia/Riyadh"'
    )
    settings = load_settings(config, env={})
    assert (settings.schedule, settings.timezone) == ("0 6 * * 1-5", "Asia/Riyadh")
    assert load_settings(config, env={"TP_SCHEDULE": ""}).schedule is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('schedule = "61 * * * *"', "Invalid cron string"),
        ('schedule = "*/15 * * *"', "not a 5-field cron expression"),
        ('schedule = "0 0 * * * *"', "not a 5-field cron expression"),
        ('schedule = "H * * * *"', "cron"),
        ('timezone = "Mars/Olympus_Mons"', "not an IANA time zone"),
    ],
)
def test_bad_schedule_or_timezone_is_a_config_error(tmp_path, line, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(write_config(tmp_path, "http://127.0.0.1:8/", line), env={})
    key = line.split()[0]
    assert info.value.problems[0][0].endswith(f":{key}")


# --- no server: stop at once, say how to start one ------------------------------------


def test_serve_without_a_prefect_server_stops_with_instructions(tmp_path):
    home = tmp_path / "prefect-home"
    home.mkdir()
    config = write_config(tmp_path, "http://127.0.0.1:8/")
    done = subprocess.run(
        [CLI, "serve", "--config", str(config)],
        env=clean_env(home),  # no PREFECT_API_URL, no profile setting it
        capture_output=True,
        text=True,
        timeout=60,  # "does not hang"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "prefect server start" in done.stderr
    assert "PREFECT_API_URL=http://127.0.0.1:4200/api" in done.stderr
    assert "temporary (ephemeral) server" in done.stderr
    # It never started Prefect's temporary server (which would create its database).
    assert not list(home.rglob("*.db"))


def test_serve_with_a_server_that_does_not_answer_stops(tmp_path):
    home = tmp_path / "prefect-home"
    config = write_config(tmp_path, "http://127.0.0.1:8/")
    url = f"http://127.0.0.1:{free_port()}/api"
    done = subprocess.run(
        [CLI, "serve", "--config", str(config)],
        env=clean_env(home, PREFECT_API_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"no Prefect server answers at PREFECT_API_URL={url}" in done.stderr
    assert "prefect server start" in done.stderr


# --- a real server, with its scheduler ------------------------------------------------


def test_cron_schedule_and_time_zone_become_the_deployments_schedule(tmp_path):
    from translator_pipeline.flows.deploy import schedules_for

    config = write_config(
        tmp_path, "http://127.0.0.1:8/", 'schedule = "7,37 * * * *"\ntimezone = "Africa/Casablanca"'
    )
    [schedule] = schedules_for(load_settings(config, env={}))
    assert (schedule.cron, schedule.timezone) == ("7,37 * * * *", "Africa/Casablanca")
    assert schedules_for(load_settings(config, env={"TP_SCHEDULE": ""})) == []


def test_interval_schedule_is_anchored_at_midnight_in_its_zone(tmp_path):
    from translator_pipeline.flows.deploy import schedules_for

    config = write_config(
        tmp_path, "http://127.0.0.1:8/", 'schedule = "every 90 minutes"\ntimezone = "Asia/Riyadh"'
    )
    [schedule] = schedules_for(load_settings(config, env={}))
    assert schedule.interval.total_seconds() == 5400
    assert schedule.anchor_date.isoformat() == "2020-01-01T00:00:00+03:00"
    assert schedule.timezone == "Asia/Riyadh"


def test_scheduled_runs_fire_one_at_a_time_and_stay_scheduled_after_ctrl_c(
    prefect_server, site_server, tmp_path
):
    """The server's own scheduler creates the runs (no run is triggered by hand): one
    completes and publishes; runs that fall due while it goes are cancelled."""
    config = write_config(tmp_path, site_server.base_url, 'schedule = "every 4 seconds"')
    serve = Process(
        [CLI, "serve", "--config", str(config), "--name", "serve-test"],
        prefect_server.client_env(
            tmp_path / "serve-home",
            PREFECT_RUNNER_POLL_FREQUENCY="1",
            # Two seconds between requests to the site: a run outlasts the interval, so
            # the next scheduled run falls due while it is still going.
            TP_FETCH__HOST_DELAY="2",
        ),
        tmp_path / "serve.log",
    )
    try:
        deployment = prefect_server.wait_for_deployment(
            "translate-and-publish/serve-test", watched=serve
        )
        [schedule] = deployment["schedules"]
        assert schedule["schedule"]["interval"] == 4
        assert schedule["active"] is True
        assert deployment["paused"] is False
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
        assert deployment["parameters"] == {"config_path": str(config.resolve())}
        assert deployment["entrypoint"] == (
            "translator_pipeline.flows.translate_and_publish.translate_and_publish"
        )

        completed, cancelled = prefect_server.wait_for_scheduled_runs(
            deployment["id"], watched=[serve], timeout=240
        )
    finally:
        code = serve.interrupt(timeout=60)  # Ctrl-C
    assert code == 0, serve.output()

    assert completed["auto_scheduled"] is True
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert len(manifest["articles"]) == 4
    assert sum(len(a["variants"]) for a in manifest["articles"]) == 8
    # Due while the completed run went: cancelled by the deployment's limit, not queued.
    assert cancelled, "no scheduled run fell due during a run"
    began, ended = (dt.datetime.fromisoformat(completed[k]) for k in ("start_time", "end_time"))
    for run in cancelled:
        assert run["state_type"] == "CANCELLED", (run["state_name"], run["state"]["message"])
        assert began <= dt.datetime.fromisoformat(run["expected_start_time"]) <= ended

    after = prefect_server.deployment("translate-and-publish/serve-test")
    assert after is not None
    assert after["paused"] is False
    assert [s["active"] for s in after["schedules"]] == [True]
    prefect_server.pause_schedules(after)  # nothing serves it any more
