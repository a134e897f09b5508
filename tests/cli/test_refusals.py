"""Known refusals say one line, not a Prefect traceback, with the README's exit code.

Each case does what an ops person meets: the real ``translator-pipeline run`` in a
subprocess (Prefect's temporary server and all) with models missing, a broken
glossary, a read-only state directory, a site that does not answer; and, through
the flow in this process, a run already holding the output and a damaged state
file. Nothing may print ``Traceback``; the run summary appears once.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.factories import write_config
from tests.support.prefect_server import BIN, clean_env, free_port
from translator_pipeline.errors import GlossaryError, RunInProgressError, StateError

CLI = str(BIN / "translator-pipeline")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """One PREFECT_HOME for these runs: its temporary server's database is set up once."""
    return tmp_path_factory.mktemp("prefect-home")


def run_cli(config: Path, home: Path, *extra: str, wrap: list[str] | None = None):
    env = clean_env(home, PREFECT_LOGGING_LEVEL="WARNING", ARGOS_PACKAGES_DIR=str(home / "none"))
    done = subprocess.run(
        [*(wrap or []), CLI, "run", "--config", str(config), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_missing_models_is_one_line_and_exit_1(site_server, tmp_path, home):
    config = write_config(tmp_path, site_server.base_url)
    done = run_cli(config, home, "--engine", "argos")
    assert done.returncode == 1, done.stderr
    [line] = error_lines(done.stderr)
    assert "engine 'argos' cannot translate" in line
    assert "translator-pipeline models install ar fr en" in line
    assert len(done.stderr.splitlines()) <= 3, done.stderr  # the line, maybe a warning


def test_bad_glossary_is_exit_2_with_its_line_numbers(site_server, tmp_path, home):
    glossary = tmp_path / "glossary.csv"
    glossary.write_text('en,fr,ar\n"ICESCO,ICESCO\n', encoding="utf-8")
    config = write_config(tmp_path, site_server.base_url, tables=f'[glossary]\npath = "{glossary}"')
    done = run_cli(config, home)
    assert done.returncode == 2, done.stderr
    [line] = error_lines(done.stderr)
    assert f"glossary {glossary} has 1 error(s)" in line
    assert f"{glossary}:2:" in done.stderr
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_read_only_state_directory_is_one_line_and_exit_1(site_server, tmp_path, home):
    if shutil.which("unshare") is None and not os.environ.get("CI"):
        pytest.skip("needs unshare (util-linux) to mount the state directory read-only")
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.store.state import StateStore

    config = write_config(tmp_path, site_server.base_url)
    StateStore.from_settings(load_settings(config, env={})).article("x")  # a database to open
    state_dir = tmp_path / "state"
    assert list(state_dir.glob("*.sqlite3"))
    # Root ignores file modes: a read-only bind mount in a mount namespace of the
    # run's own is what a read-only volume is.
    wrap = [
        "unshare",
        "-m",
        "sh",
        "-c",
        f'mount --bind "{state_dir}" "{state_dir}" && '
        f'mount -o remount,bind,ro "{state_dir}" && exec "$0" "$@"',
    ]
    done = run_cli(config, home, wrap=wrap)
    assert done.returncode == 1, done.stderr
    [line] = error_lines(done.stderr)
    assert "readonly database" in line
    assert "writable" in line


def test_unreachable_site_says_so_and_prints_the_summary_once(tmp_path, home):
    config = write_config(tmp_path, f"http://127.0.0.1:{free_port()}/")  # nothing listens
    done = run_cli(config, home)
    assert done.returncode == 1, done.stderr
    [line] = error_lines(done.stderr)
    assert "nothing could be done in this run" in line
    output = done.stdout + done.stderr
    assert output.count("discovered 0 article(s)") == 1, output
    assert "host unreachable: connection failed" in output
    assert "robots.txt" not in output.replace("/robots.txt:", "")  # not a robots problem


# --- through the flow in this process: no traceback in Prefect's logs ------------------


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_in_progress_and_a_damaged_state_fail_without_a_traceback(site_server, tmp_path):
    import translator_pipeline.flows  # noqa: F401  (sets Prefect's logging up first)

    # Prefect's flow-run logger does not propagate to the root: listen on it directly.
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.INFO)
    listener.emit = records.append  # type: ignore[method-assign]
    flow_logger = logging.getLogger("prefect.flow_runs")
    flow_logger.addHandler(listener)
    level = flow_logger.level
    flow_logger.setLevel(logging.INFO)
    try:
        _refusals(site_server, tmp_path)
    finally:
        flow_logger.removeHandler(listener)
        flow_logger.setLevel(level)

    assert records, "the flow runs logged nothing"
    assert not [r for r in records if r.exc_info], [r.getMessage() for r in records]
    finished = [r.getMessage() for r in records if "Finished in state Failed" in r.getMessage()]
    assert len(finished) == 3, finished
    assert "another run" in finished[0] or "in progress" in finished[0], finished[0]


def _refusals(site_server, tmp_path: Path) -> None:
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.flows import translate_and_publish
    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.run.lease import RunLease
    from translator_pipeline.store.state import StateStore

    config = write_config(tmp_path, site_server.base_url)
    settings = load_settings(config, env={})
    state = StateStore.from_settings(settings)
    with RunLease(state, publisher_for(settings).url_for()), pytest.raises(RunInProgressError):
        translate_and_publish(config_path=str(config))

    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database " * 400)
    with pytest.raises(StateError, match="not a state database"):
        translate_and_publish(config_path=str(config), overrides={"state_path": str(damaged)})

    # The Failed state carries the exception itself: callers still catch it by type.
    glossary = tmp_path / "glossary.csv"
    glossary.write_text("en,fr\nICESCO\n", encoding="utf-8")
    with pytest.raises(GlossaryError):
        translate_and_publish(
            config_path=str(config),
            overrides={
                "state_path": str(tmp_path / "fresh.sqlite3"),
                "glossary": {"path": str(glossary)},
            },
        )
