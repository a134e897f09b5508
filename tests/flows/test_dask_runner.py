"""``runner="dask"``: translation tasks on a Dask LocalCluster of 2 worker processes
produce exactly the output of the default thread runner."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from tests.factories import ROOT
from tests.factories import write_config as write_site_config
from translator_pipeline.flows import translate_and_publish
from translator_pipeline.flows.translate_and_publish import DASK_TASKS

pytestmark = pytest.mark.usefixtures("prefect_harness")


def write_config(directory: Path, base_url: str) -> Path:
    glossary = ROOT / "glossaries"
    return write_site_config(
        directory,
        base_url,
        top='public_base_url = "https://www.example.org/translations/"',
        tables=f'[glossary]\npath = "{glossary / "institutional.csv"}"\n'
        f'segments = "{glossary / "segments.csv"}"',
    )


# Publication times are the only run-dependent bytes: the manifest's published_at,
# the sitemap's lastmod and the feeds' updated of each entry, and with them the
# order of a feed's entries (newest first; articles published in the same second
# come in whatever order their tasks finished, with threads as with Dask).
_TIMES = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_ENTRY = re.compile(rb"<entry>.*?</entry>", re.S)


def without_times(data: bytes) -> object:
    data = _TIMES.sub(b"<time>", data)
    entries = _ENTRY.findall(data)
    return _ENTRY.sub(b"<entry/>", data), sorted(entries)


def comparable(out: Path) -> dict[str, object]:
    files: dict[str, object] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        if rel == "run-report.json":  # what the run did, with its times: compared apart
            continue
        if rel == ".translator-pipeline.json":  # names the state: each run has its own
            continue
        if rel == "manifest.json":
            manifest = json.loads(data)
            # Articles come in order of first sight (a time to the second, then URL).
            manifest["articles"].sort(key=lambda a: a["url"])
            for article in manifest["articles"]:
                for key in ("first_seen", "updated_at"):
                    article.pop(key, None)
                for variant in article["variants"]:
                    assert variant.pop("published_at")
            files[rel] = manifest
        elif rel == "sitemap.xml" or rel.endswith("/feed.atom"):
            files[rel] = without_times(data)
        else:
            assert rel.endswith((".html", ".json")), rel
            files[rel] = data  # pages, fragments, the schema: byte for byte
    return files


@pytest.fixture
def submitted(monkeypatch) -> list[str]:
    """Names of the tasks the run sends to Dask, in order."""
    from prefect_dask import DaskTaskRunner

    names: list[str] = []
    original_submit = DaskTaskRunner.submit

    def spy(self, task, *args, **kwargs):
        names.append(task.name)
        return original_submit(self, task, *args, **kwargs)

    monkeypatch.setattr(DaskTaskRunner, "submit", spy)
    return names


def test_dask_local_cluster_output_is_byte_identical_to_threads(site_server, tmp_path, submitted):

    threads = write_config(tmp_path / "threads", site_server.base_url)
    report = translate_and_publish(config_path=str(threads))
    assert report.count("published") == 4, report.outcomes
    assert submitted == []

    dask = write_config(tmp_path / "dask", site_server.base_url)
    report = translate_and_publish(config_path=str(dask), runner="dask")
    assert report.count("published") == 4, report.outcomes
    assert report.count("failed") == 0
    # Every translation went to the cluster, nothing else did (fetching and
    # publishing stay in the flow's process).
    assert len(submitted) == 8
    assert set(submitted) == set(DASK_TASKS)

    # Both runs did the same work: same articles, same engine inputs (which of two
    # articles being translated at once sends a text they share is a matter of timing).
    reports = [
        json.loads((tmp_path / run / "out" / "run-report.json").read_bytes())
        for run in ("threads", "dask")
    ]
    assert reports[0]["counts"] == reports[1]["counts"]
    inputs = [r["segments"]["translated"] + r["segments"]["from_memory"] for r in reports]
    assert inputs[0] == inputs[1] > 0

    expected = comparable(tmp_path / "threads" / "out")
    got = comparable(tmp_path / "dask" / "out")
    assert sorted(got) == sorted(expected)
    assert len([p for p in got if p.endswith("/index.html")]) == 8
    assert {"ar/feed.atom", "fr/feed.atom", "en/feed.atom"} <= set(got)
    for rel in expected:
        assert got[rel] == expected[rel], rel

    # A re-run with nothing to translate starts no cluster and changes nothing.
    submitted.clear()
    again = translate_and_publish(config_path=str(dask), runner="dask")
    assert again.count("unchanged") == 4
    assert submitted == []


def test_dask_address_without_the_dask_runner_is_refused(site_server, tmp_path):
    from translator_pipeline.errors import ConfigError

    config = write_config(tmp_path, site_server.base_url)
    with pytest.raises(ConfigError, match="dask_address"):
        translate_and_publish(config_path=str(config), dask_address="tcp://127.0.0.1:1")
    assert site_server.requests == []


def test_unreachable_dask_scheduler_fails_before_any_fetch(site_server, tmp_path, monkeypatch):
    import socket

    from translator_pipeline.errors import PipelineError

    # The module (the package exports the flow object under the same name).
    module = importlib.import_module("translator_pipeline.flows.translate_and_publish")
    monkeypatch.setattr(module, "DASK_CONNECT_TIMEOUT", 2)

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = write_config(tmp_path, site_server.base_url)
    with pytest.raises(PipelineError, match="cannot reach the Dask scheduler"):
        translate_and_publish(
            config_path=str(config), runner="dask", dask_address=f"tcp://127.0.0.1:{port}"
        )
    assert site_server.requests == []


def test_existing_dask_scheduler_by_address(site_server, tmp_path, submitted):
    from distributed import LocalCluster

    config = write_config(tmp_path, site_server.base_url)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        report = translate_and_publish(
            config_path=str(config), runner="dask", dask_address=cluster.scheduler_address
        )
        assert len(cluster.scheduler.workers) == 1  # still up: the run only connected to it
    assert report.count("published") == 4, report.outcomes
    assert submitted == ["translate-render"] * 8


def test_cli_refuses_a_dask_address_with_the_thread_runner(tmp_path, capsys):
    from translator_pipeline.cli.main import main

    config = write_config(tmp_path, "http://127.0.0.1:9/")
    code = main(
        ["run", "--config", str(config), "--runner", "threads", "--dask-address", "tcp://h:8786"]
    )
    assert code == 2
    assert "--dask-address" in capsys.readouterr().err
