"""What a run shows: progress per stage, the run report file and the flow run's
artifacts, and the command line's --json / --quiet output."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from tests.factories import write_config
from translator_pipeline.cli.main import main
from translator_pipeline.flows import translate_and_publish
from translator_pipeline.flows.artifacts import RUN_ARTIFACT_KEY, RUN_TABLE_ARTIFACT_KEY
from translator_pipeline.run.progress import use_progress
from translator_pipeline.run.stages import chunked

pytestmark = pytest.mark.usefixtures("prefect_harness")


class Recorder:
    """A Progress that remembers every stage's total and how far it got."""

    def __init__(self) -> None:
        self.totals: dict[str, int | None] = {}
        self.done_count: dict[str, int] = defaultdict(int)
        self.finished = 0

    def stage(self, name: str, total: int | None = None) -> None:
        self.totals[name] = total

    def advance(self, name: str, n: int = 1) -> None:
        assert name in self.totals, f"advance before stage {name!r}"
        self.done_count[name] += n

    def done(self) -> None:
        self.finished += 1


def test_progress_report_file_and_artifacts_of_a_real_run(site_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    config = write_config(tmp_path, site_server.base_url)
    recorder = Recorder()
    with use_progress(recorder):
        state = translate_and_publish(config_path=str(config), return_state=True)
    report = state.result()
    assert report.count("published") == 4
    # Every stage was announced with its size and went all the way.
    assert recorder.totals == {"discover": 1, "fetch": 4, "translate": 4, "publish": 4}
    assert dict(recorder.done_count) == recorder.totals
    assert recorder.finished >= 1

    data = json.loads((tmp_path / "out" / "run-report.json").read_text("utf-8"))
    assert data["counts"]["published"] == 4
    assert [a["url"] for a in data["articles"]] == [o.url for o in report.outcomes]

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                key=ArtifactFilterKey(any_=[RUN_ARTIFACT_KEY, RUN_TABLE_ARTIFACT_KEY]),
            )
        )
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {RUN_ARTIFACT_KEY, RUN_TABLE_ARTIFACT_KEY}
    assert "4 discovered: 4 published" in (by_key[RUN_ARTIFACT_KEY].description or "")
    rows = by_key[RUN_TABLE_ARTIFACT_KEY].data
    rows = json.loads(rows) if isinstance(rows, str) else rows
    assert sorted(r["url"] for r in rows) == sorted(o.url for o in report.outcomes)
    assert all(r["status"] == "published (new)" for r in rows)


def test_cli_json_prints_only_the_report_and_quiet_prints_nothing(site_server, tmp_path, capsys):
    config = write_config(tmp_path, site_server.base_url)
    assert main(["run", "--config", str(config), "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)  # stdout is the JSON report and nothing else
    assert report["counts"]["published"] == 4
    assert report == {**json.loads((tmp_path / "out" / "run-report.json").read_bytes())}

    assert main(["run", "--config", str(config), "--quiet"]) == 0
    assert capsys.readouterr().out == ""

    assert main(["run", "--config", str(config)]) == 0
    assert "4 unchanged" in capsys.readouterr().out  # not a terminal: the plain summary


def test_run_report_dir_keeps_the_report_out_of_the_published_output(site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url, top='run_report_dir = "reports"')
    report = translate_and_publish(config_path=str(config))
    data = json.loads((tmp_path / "reports" / "run-report.json").read_text("utf-8"))
    assert data["counts"]["published"] == report.count("published") == 4
    assert not (tmp_path / "out" / "run-report.json").exists()
    assert (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.parametrize(
    ("count", "workers", "size", "expected"),
    [
        (0, 4, 25, []),
        (3, 4, 25, [1, 1, 1]),
        (10, 4, 25, [3, 3, 2, 2]),
        (500, 4, 25, [25] * 20),
        (101, 4, 25, [21, 20, 20, 20, 20]),
        (7, 1, 25, [7]),
    ],
)
def test_chunks_are_bounded_even_and_keep_order(count, workers, size, expected):
    items = list(range(count))
    chunks = chunked(items, workers=workers, size=size)
    assert [len(c) for c in chunks] == expected
    assert [i for c in chunks for i in c] == items


def test_an_article_the_engine_chokes_on_fails_alone_in_its_chunk(
    site_server, tmp_path, monkeypatch
):
    """Every article in one chunk: the engine call for the chunk fails because of one
    article's text; the others are translated again on their own and published."""
    import importlib

    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.engines import load_engine
    from translator_pipeline.errors import EngineError

    module = importlib.import_module("translator_pipeline.flows.translate_and_publish")
    monkeypatch.setattr(module, "MAX_WORKERS", 1)  # one chunk of four articles
    config = write_config(tmp_path, site_server.base_url)
    settings = load_settings(config)
    engine = load_engine(settings.engine, settings)
    real = engine.translate_batch

    def choking(texts, source, target):
        if any("Journée mondiale" in t for t in texts):
            raise EngineError("the model ran out of memory", source=source, target=target)
        return real(texts, source, target)

    monkeypatch.setattr(engine, "translate_batch", choking)
    state = translate_and_publish(config_path=str(config), return_state=True)
    assert state.is_completed()  # one article failing never fails the run
    report = state.result()
    by_name = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    bad = by_name.pop("journee-langue-arabe.html")
    assert bad.status == "failed"
    assert "ran out of memory" in bad.reason and bad.source_language == "fr"
    assert {o.status for o in by_name.values()} == {"published"}
    # Its French neighbour shared the failing fr→ar and fr→en calls; it was retried alone.
    neighbour = by_name["rencontre-jeunes-chercheurs.html"]
    assert neighbour.languages == ("ar", "en")
    data = json.loads((tmp_path / "out" / "run-report.json").read_text("utf-8"))
    assert data["counts"]["failed"] == 1 and data["counts"]["published"] == 3


def test_a_bug_on_one_page_while_translating_costs_only_that_page(
    site_server, tmp_path, monkeypatch
):
    import importlib

    flow_module = importlib.import_module("translator_pipeline.flows.translate_and_publish")
    monkeypatch.setattr(flow_module, "MAX_WORKERS", 1)  # one chunk of four articles
    module = importlib.import_module("translator_pipeline.run.stages")
    real = module.translate_articles

    def buggy(articles, *args, **kwargs):
        if any(a.url.endswith("rencontre-jeunes-chercheurs.html") for a in articles):
            raise ZeroDivisionError("a bug in segmentation")
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(module, "translate_articles", buggy)
    config = write_config(tmp_path, site_server.base_url)
    report = translate_and_publish(config_path=str(config))
    by_name = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    bad = by_name.pop("rencontre-jeunes-chercheurs.html")
    assert bad.status == "failed" and "ZeroDivisionError" in bad.reason
    assert {o.status for o in by_name.values()} == {"published"}


def test_a_state_error_while_fetching_is_a_failure_not_a_skip(site_server, tmp_path, monkeypatch):
    import importlib

    from translator_pipeline.errors import StateError

    module = importlib.import_module("translator_pipeline.run.stages")
    real = module.conditional_validators

    def flaky(ctx, url):
        if url.endswith("journee-langue-arabe.html"):
            raise StateError("state database busy")
        return real(ctx, url)

    monkeypatch.setattr(module, "conditional_validators", flaky)
    config = write_config(tmp_path, site_server.base_url)
    report = translate_and_publish(config_path=str(config))
    by_name = {o.url.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert by_name["journee-langue-arabe.html"].status == "failed"
    assert "state database busy" in by_name["journee-langue-arabe.html"].reason
    assert report.count("published") == 3
