"""Scale-out on a Prefect work pool, for real: ``prefect server start``, the
deployments of ``prefect.yaml`` (``prefect deploy --all``), one
``prefect worker start --pool translator-pipeline --type process``, and the
fan-out parent starting one child run per source of the demo site."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.factories import ROOT
from tests.support.prefect_server import BIN, Process
from tests.support.webhook_receiver import Receiver, receiving

PREFECT = str(BIN / "prefect")
POOL = "translator-pipeline"
CHILD = "translate-and-publish/site"
PARENT = "translate-all-sources/site"
SECRET = "work-pool-webhook-secret"


def write_config(directory: Path, base_url: str, webhook: str = "") -> Path:
    """The demo site as two sources (two articles each), so the parent fans out to
    them, and a third source whose site is down (its child run fails)."""
    hook = f'[[webhooks]]\nurl = "{webhook}"\nsecret = "{SECRET}"\n' if webhook else ""
    common = f"""start_urls = ["{base_url}index.html"]
link_selector = "ul.news-list a.news-link"
title_selector = "h1.article-title"
body_selector = "div.article-body"
date_selector = "time.article-date"
remove_selectors = [".share-buttons"]"""
    config = directory / "site.toml"
    config.write_text(
        f"""
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "out"
state_path = "state/tp.sqlite3"

[fetch]
host_delay = 0

{hook}
[[sources]]
name = "news-i"
include_patterns = ["/articles/i"]
{common}

[[sources]]
name = "news-jr"
include_patterns = ["/articles/[jr]"]
{common}

[[sources]]
name = "down"
start_urls = ["{base_url}gone/index.html"]
""",
        encoding="utf-8",
    )
    return config


def prefect(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [PREFECT, "--no-prompt", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_flows_directory_holds_the_packages_flows():
    """flows/*.py are thin: the objects Prefect loads from them are the package's flows."""
    from prefect.flows import load_flow_from_entrypoint

    from translator_pipeline.flows import translate_all_sources, translate_and_publish

    child = load_flow_from_entrypoint(
        str(ROOT / "flows/translate_and_publish.py:translate_and_publish")
    )
    parent = load_flow_from_entrypoint(
        str(ROOT / "flows/translate_all_sources.py:translate_all_sources")
    )
    assert child.name == translate_and_publish.name == "translate-and-publish"
    assert parent.name == translate_all_sources.name
    assert child.fn is translate_and_publish.fn and parent.fn is translate_all_sources.fn


def test_prefect_yaml_declares_both_deployments_on_the_process_pool():
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    # No pull section: prefect deploy adds a set_working_directory step (this checkout).
    assert "pull" not in spec
    by_entry = {d["entrypoint"]: d for d in spec["deployments"]}
    child = by_entry["flows/translate_and_publish.py:translate_and_publish"]
    parent = by_entry["flows/translate_all_sources.py:translate_all_sources"]
    for deployment in (child, parent):
        assert deployment["work_pool"]["name"] == POOL
        assert deployment["parameters"]["config_path"] == "{{ $TP_CONFIG }}"
    assert child["schedules"] == []
    assert parent["parameters"]["deployment_name"] == CHILD
    assert parent["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}
    [schedule] = parent["schedules"]
    assert schedule["cron"] == "*/15 * * * *"


def test_fan_out_one_child_run_per_source_on_a_process_worker(
    prefect_server, site_server, tmp_path
):
    with receiving(Receiver(SECRET)) as receiver:
        _fan_out(prefect_server, site_server, tmp_path, receiver)


def _fan_out(prefect_server, site_server, tmp_path: Path, receiver: Receiver) -> None:
    config = write_config(tmp_path, site_server.base_url, receiver.url)
    env = prefect_server.client_env(tmp_path / "client-home", TP_CONFIG=str(config))

    prefect(["work-pool", "create", POOL, "--type", "process"], env)
    prefect(["deploy", "--all"], env)  # prefect.yaml, from the repository root

    child = prefect_server.deployment(CHILD)
    parent = prefect_server.deployment(PARENT)
    assert child is not None and parent is not None
    assert child["work_pool_name"] == parent["work_pool_name"] == POOL
    assert child["parameters"] == {"config_path": str(config)}
    assert parent["parameters"] == {"config_path": str(config), "deployment_name": CHILD}
    [schedule] = parent["schedules"]
    assert schedule["schedule"]["cron"] == "*/15 * * * *"
    assert schedule["active"] is True
    assert parent["global_concurrency_limit"]["limit"] == 1
    assert child["schedules"] == []
    # Flow runs start in this checkout, where flows/ is, wherever the worker runs.
    for deployment in (child, parent):
        [step] = deployment["pull_steps"]
        assert step["prefect.deployments.steps.set_working_directory"]["directory"] == str(ROOT)

    # The pool's schedule (*/15 above) as it runs in production, shortened for the test
    # by a second schedule through Prefect's own CLI: the server's scheduler creates
    # the parent runs, one of which must complete while the next ones fall due.
    prefect(["deployment", "schedule", "create", PARENT, "--interval", "5"], env)

    worker = Process(
        [PREFECT, "worker", "start", "--pool", POOL, "--type", "process"],
        prefect_server.client_env(
            tmp_path / "worker-home",
            PREFECT_WORKER_QUERY_SECONDS="1",
            PREFECT_WORKER_PREFETCH_SECONDS="1",
        ),
        tmp_path / "worker.log",
        cwd=tmp_path,  # not the checkout: the worker runs the installed package
    )
    try:
        run, collided = prefect_server.wait_for_scheduled_runs(
            parent["id"], watched=[worker], timeout=300
        )
    finally:
        prefect_server.pause_schedules(prefect_server.deployment(PARENT))
        worker.interrupt(timeout=60)
        worker.kill()  # and any flow-run process it left behind
    run_id = run["id"]
    assert run["auto_scheduled"] is True
    # A parent run due while another went was cancelled (concurrency limit 1, CANCEL_NEW).
    assert [r["state_type"] for r in collided] == ["CANCELLED"] * len(collided), [
        (r["name"], r["state_name"], r["state"]["message"]) for r in collided
    ]
    children = prefect_server.flow_runs(
        flow_runs={"parent_flow_run_id": {"any_": [run_id]}},
        deployments={"id": {"any_": [child["id"]]}},
    )

    states = {c["parameters"]["source_names"][0]: c["state_type"] for c in children}
    # One failed child does not fail the parent; it is listed in its summary.
    assert states == {"news-i": "COMPLETED", "news-jr": "COMPLETED", "down": "FAILED"}, [
        (c["name"], c["state_name"], c["state"]["message"]) for c in children
    ]
    [artifact] = [
        a
        for a in prefect_server.post("/artifacts/filter", {})
        if a["flow_run_id"] == run_id and a["key"] == "translate-all-sources"
    ]
    assert "| down | Failed |" in artifact["data"]
    assert "| news-i | Completed |" in artifact["data"]
    assert all(c["parameters"]["sweep"] is False for c in children)
    # Linked to the parent (as subflows: a task run of the parent stands for each).
    assert all(c["parent_task_run_id"] for c in children)

    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_source: dict[str, int] = {}
    for article in manifest["articles"]:
        by_source[article["source"]] = by_source.get(article["source"], 0) + 1
        assert len(article["variants"]) == 2
        for variant in article["variants"]:
            assert (out / variant["path"]).is_file()
            assert (out / variant["fragment_path"]).is_file()
    assert by_source == {"news-i": 2, "news-jr": 2}
    assert len(list(out.glob("*/*/index.html"))) == 8

    # The children left the outbox to the parent: each variant announced once.
    announced = sorted((e["article"]["url"], e["variant"]["language"]) for e in receiver.received)
    assert announced == sorted(
        (a["url"], v["language"]) for a in manifest["articles"] for v in a["variants"]
    )
    # Each child reported on its own source.
    for name in ("news-i", "news-jr"):
        report = json.loads((out / f"run-report-{name}.json").read_text(encoding="utf-8"))
        assert report["counts"]["published"] == 2
        assert report["webhooks"]["delivered"] == 0


def test_parent_fails_when_no_child_run_completes(prefect_harness, tmp_path):
    """A deployment nobody picks up: the children never finish, the parent fails
    (after ``child_timeout``) naming them, and writes no manifest."""
    from translator_pipeline.flows import translate_all_sources, translate_and_publish

    translate_and_publish.to_deployment(name="nobody-runs-it").apply()
    config = write_config(tmp_path, "http://127.0.0.1:9/")
    with pytest.raises(RuntimeError, match="every source's run failed: news-i: Scheduled"):
        translate_all_sources(
            config_path=str(config),
            deployment_name="translate-and-publish/nobody-runs-it",
            poll_interval=0.2,
            child_timeout=1,
        )
    # Only the output's marker (the parent claims the output before starting children).
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".translator-pipeline.json"]


def test_unknown_source_name_fails_the_run_before_any_fetch(prefect_harness, server, tmp_path):
    from translator_pipeline.errors import ConfigError
    from translator_pipeline.flows import translate_and_publish

    config = write_config(tmp_path, server.base_url)
    with pytest.raises(ConfigError, match=r"unknown source\(s\) \['nope'\]"):
        translate_and_publish(config_path=str(config), source_names=["news-i", "nope"])
    assert server.requests == []
