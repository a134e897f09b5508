"""The config's schedule and the machine checks of a config (config/schedule.py,
config/preflight.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import write_config
from translator_pipeline.config.preflight import machine_problems
from translator_pipeline.config.schedule import check_schedule, next_runs, parse_schedule
from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import ConfigError

START = dt.datetime(2026, 12, 8, 10, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("every 90 minutes", 5400),
        ("every 10s", 10),
        ("Every 2 Hours", 7200),
        ("every 1 day", 86400),
        ("every 30 sec", 30),
    ],
)
def test_intervals_are_read_in_their_unit(text, seconds):
    schedule = parse_schedule(text)
    assert schedule.cron is None
    assert schedule.interval == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every 0 minutes", "at least 1"),
        ("every 3 weeks", "unknown unit 'week'"),
        ("every minute", "not a 5-field cron expression"),
        ("0 * * *", "not a 5-field cron expression"),
    ],
)
def test_malformed_schedules_say_what_is_allowed(text, message):
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("*/90 * * * *", "a step of 90 is past its 60 values"),
        ("*/45 * * * *", "the gaps are not all 45"),
        ("0 */5 * * *", "the gaps are not all 5"),
        ("0 0 * */13 *", "a step of 13 is past its 12 values"),
    ],
)
def test_steps_that_do_not_repeat_evenly_are_refused_with_the_real_times(cron, says):
    with pytest.raises(ValueError) as raised:
        check_schedule(cron, "UTC")
    message = str(raised.value)
    assert says in message
    assert "It would run at" in message and "(UTC)" in message


def test_the_real_times_are_the_schedulers():
    # */90 in the minute field: every hour at :00, as Prefect's scheduler computes it.
    runs = next_runs(parse_schedule("*/90 * * * *"), "UTC", count=3, start=START)
    assert [t.strftime("%H:%M") for t in runs] == ["11:00", "12:00", "13:00"]
    # An interval counts from its anchor in the zone, not from when it was asked.
    runs = next_runs(parse_schedule("every 90 minutes"), "Asia/Riyadh", count=2, start=START)
    assert all(t.minute in (0, 30) for t in runs), runs


def test_a_cron_that_never_fires_is_refused():
    with pytest.raises(ValueError, match="never fires"):
        check_schedule("* * 31 2 *", "UTC")
    # Rare but real: February 29th comes back.
    assert check_schedule("0 0 29 2 *", "UTC") == "0 0 29 2 *"


@pytest.mark.parametrize(
    "good", ["*/15 * * * *", "*/20 * * * *", "0 6 * * 1-5", "7,37 * * * *", "0 */6 * * *"]
)
def test_ordinary_schedules_pass_as_written(good):
    assert check_schedule(good, "Africa/Casablanca") == good


def test_the_schedule_is_checked_in_the_configs_time_zone(tmp_path):
    config = write_config(
        tmp_path, "http://127.0.0.1:8/", 'schedule = "*/90 * * * *"\ntimezone = "Asia/Riyadh"'
    )
    with pytest.raises(ConfigError) as raised:
        load_settings(config, env={})
    [(where, message)] = raised.value.problems
    assert where.endswith(":schedule")
    assert "(Asia/Riyadh)" in message


# --- what the machine must provide ------------------------------------------------------


def test_output_dir_that_is_a_file_and_unset_or_short_secrets(tmp_path):
    (tmp_path / "out").write_text("not a directory", encoding="utf-8")
    hooks = (
        '[[webhooks]]\nurl = "https://cms.example.org/a"\nsecret_env = "SITE_HOOK_KEY"\n'
        '[[webhooks]]\nurl = "https://cms.example.org/b"\nsecret_env = "OTHER_HOOK_KEY"\n'
    )
    config = write_config(tmp_path, "http://127.0.0.1:8/", tables=hooks)
    settings = load_settings(config, env={})
    problems = dict(machine_problems(settings, env={"SITE_HOOK_KEY": "short"}))
    assert problems[f"{config.resolve()}:output_dir"].endswith("is a file, not a directory")
    assert (
        "SITE_HOOK_KEY holds 5 characters" in problems[f"{config.resolve()}:webhooks[0].secret_env"]
    )
    assert "OTHER_HOOK_KEY is not set" in problems[f"{config.resolve()}:webhooks[1].secret_env"]
    ok = {"SITE_HOOK_KEY": "k" * 16, "OTHER_HOOK_KEY": "k" * 40}
    (tmp_path / "out").unlink()
    assert machine_problems(settings, env=ok) == []


def test_a_state_path_that_is_a_directory_is_named(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:8/")
    (tmp_path / "state" / "tp.sqlite3").mkdir(parents=True)
    [(where, message)] = machine_problems(load_settings(config, env={}), env={})
    assert where.endswith(":state_path")
    assert "is a directory" in message
