"""run-report.json, stage timing and the run's Prefect artifacts (summary and table)."""

from __future__ import annotations

import json

import pytest

from translator_pipeline.flows.artifacts import publish_run_artifacts
from translator_pipeline.models import ArticleOutcome, GlossaryEvent, QualityDecision, RunReport
from translator_pipeline.run.report import (
    RUN_REPORT_NAME,
    STAGES,
    format_summary,
    run_report_bytes,
    run_report_dict,
    run_report_markdown,
    run_report_rows,
    timed_stage,
)

NEW = "https://news.example.org/en/new-partnership"
EDITED = "https://news.example.org/fr/forum-icesco"
SAME = "https://news.example.org/ar/alecso-programme"
GERMAN = "https://news.example.org/de/bericht"
GERMAN_2 = "https://news.example.org/de/zweiter-bericht"
BROKEN = "https://news.example.org/en/broken"
GONE = "https://news.example.org/en/deleted"
HOSTILE = "Bad [link](javascript:alert(1)) <script>alert(2)</script> | pipe"


def term(url: str, method: str) -> GlossaryEvent:
    return GlossaryEvent(
        url, "fr", "ar", "block 1", "icesco", "ICESCO", "الإيسيسكو",
        "Le forum de l'ICESCO", "", "", "منتدى الإيسيسكو", method,  # type: ignore[arg-type]
    )  # fmt: skip


def sample_report() -> RunReport:
    return RunReport(
        started_at="2026-03-09T10:00:00Z",
        finished_at="2026-03-09T10:02:05Z",
        engine="argos",
        discovered=7,
        rechecked=1,
        outcomes=[
            ArticleOutcome(
                NEW,
                "published",
                languages=("ar", "fr"),
                source_language="en",
                change="new",
                segments_translated=26,
                quality=(
                    ("ar", QualityDecision("publish", (), (), 8, 0)),
                    ("fr", QualityDecision("publish-noindex", ("1 of 8 …",), ("s1",), 8, 1)),
                    ("en", QualityDecision("hold", ("2 of 8 …",), ("s2", "s3"), 8, 2)),
                ),
            ),
            ArticleOutcome(
                EDITED,
                "published",
                languages=("ar", "en"),
                source_language="fr",
                change="changed",
                segments_translated=2,
                segments_from_memory=24,
                reason="1 glossary term(s) missed (see the review report)",
            ),
            ArticleOutcome(SAME, "unchanged", reason="not modified (HTTP 304)"),
            ArticleOutcome(
                GERMAN, "skipped", reason=f"LanguageError: article is in 'de' [{GERMAN}]"
            ),
            ArticleOutcome(
                GERMAN_2, "skipped", reason=f"LanguageError: article is in 'de' [{GERMAN_2}]"
            ),
            ArticleOutcome(BROKEN, "failed", reason=HOSTILE, source_language="en"),
            ArticleOutcome(
                GONE,
                "withdrawn",
                languages=("ar", "fr"),
                reason="original gone for 3 run(s); 2 variant(s) withdrawn",
            ),
        ],
        source_errors=[("wire", "feed https://wire.example.org/rss: not XML")],
        refused_links=[("main", "javascript:void(0)", "not http(s)")],
        output_dir="/srv/www/translations",
        glossary_version="g-1234",
        glossary_events=[
            term(EDITED, "placeholder"),
            term(EDITED, "missed"),
            term(EDITED, "pinned"),
        ],
        review_report="/var/lib/tp/review/20260309T100000Z/glossary-review.html",
        webhooks_delivered=4,
        webhooks_pending=1,
        webhook_errors=["https://cms.example.org/hook: HTTP 503"],
        engine_signatures={
            "fr-en": "engine=argos|model=fr_en@1.0|version=2.1",
            "en-ar": "engine=argos|model=en_ar@1.0|version=2.1",
        },
        stage_seconds={"fetch": 12.34567, "discover": 0.5, "translate": 80.0, "custom": 1},
    )


def test_run_report_has_every_figure_of_the_issue() -> None:
    data = run_report_dict(sample_report())

    assert data["started_at"] == "2026-03-09T10:00:00Z"
    assert data["finished_at"] == "2026-03-09T10:02:05Z"
    assert data["seconds"] == 125.0
    assert data["engine"] == {
        "name": "argos",
        "signatures": {  # sorted by pair, whatever order the flow filled them in
            "en-ar": "engine=argos|model=en_ar@1.0|version=2.1",
            "fr-en": "engine=argos|model=fr_en@1.0|version=2.1",
        },
    }
    assert data["counts"] == {
        "discovered": 7,
        "rechecked": 1,
        "published": 2,
        "new": 1,
        "changed": 1,
        "unchanged": 1,
        "skipped": 2,
        "failed": 1,
        "withdrawn": 1,
        "variants_published": 4,
        "variants_held": 1,
        "variants_noindex": 1,
        "refused_links": 1,
        "source_errors": 1,
    }
    # The quality gate's verdict per variant, held ones included.
    assert data["articles"][0]["quality"] == data_quality()
    assert data["articles"][1]["quality"] == []
    # Equal causes group together once the article's own URL is taken out.
    assert data["reasons"]["skipped"] == {"LanguageError: article is in 'de'": 2}
    assert data["reasons"]["failed"] == {HOSTILE: 1}
    assert data["reasons"]["unchanged"] == {"not modified (HTTP 304)": 1}
    assert data["segments"] == {"translated": 28, "from_memory": 24, "memory_rate": 0.461538}
    assert data["glossary"] == {
        "version": "g-1234",
        "occurrences": 2,
        "complied": 1,
        "missed": 1,
        "pinned": 1,
        "rate": 0.5,
        "percent": "50.0 %",
        "review_report": "/var/lib/tp/review/20260309T100000Z/glossary-review.html",
    }
    assert data["webhooks"] == {
        "delivered": 4,
        "pending": 1,
        "errors": ["https://cms.example.org/hook: HTTP 503"],
        "held": [],
        "refused": 0,
    }
    # Known stages in flow order, others after them; milliseconds.
    assert data["stage_seconds"] == {
        "discover": 0.5,
        "fetch": 12.346,
        "translate": 80.0,
        "custom": 1.0,
    }
    assert list(data["stage_seconds"])[:3] == [s for s in STAGES if s in data["stage_seconds"]]
    assert data["source_errors"] == [
        {"source": "wire", "error": "feed https://wire.example.org/rss: not XML"}
    ]
    assert data["refused_links"] == [
        {"source": "main", "url": "javascript:void(0)", "reason": "not http(s)"}
    ]
    assert data["output"] == "/srv/www/translations"


def data_quality() -> list[dict]:
    return [
        {"language": "ar", "decision": "publish", "reasons": [], "segments": 8, "flagged": 0},
        {
            "language": "fr",
            "decision": "publish-noindex",
            "reasons": ["1 of 8 …"],
            "segments": 8,
            "flagged": 1,
        },
        {
            "language": "en",
            "decision": "hold",
            "reasons": ["2 of 8 …"],
            "segments": 8,
            "flagged": 2,
        },
    ]


def test_each_article_carries_its_own_figures_and_compliance() -> None:
    articles = {a["url"]: a for a in run_report_dict(sample_report())["articles"]}

    assert list(articles) == [NEW, EDITED, SAME, GERMAN, GERMAN_2, BROKEN, GONE]  # run order
    assert articles[NEW] == {
        "url": NEW,
        "status": "published",
        "change": "new",
        "source_language": "en",
        "languages": ["ar", "fr"],
        "segments_translated": 26,
        "segments_from_memory": 0,
        "glossary": None,
        "quality": data_quality(),
        "reason": "",
        "http_status": None,
        "attempts": 0,
        "next_attempt": None,
    }
    assert articles[EDITED]["change"] == "changed"
    assert articles[EDITED]["glossary"]["percent"] == "50.0 %"
    assert articles[EDITED]["glossary"]["pinned"] == 1
    assert articles[SAME]["change"] is None
    assert articles[GONE]["status"] == "withdrawn"


def test_run_report_bytes_are_deterministic_json() -> None:
    one = sample_report()
    two = sample_report()
    # The same content filled in another order serialises to the same bytes.
    two.engine_signatures = dict(reversed(list(two.engine_signatures.items())))
    two.stage_seconds = dict(reversed(list(two.stage_seconds.items())))

    data = run_report_bytes(one)
    assert data == run_report_bytes(two)
    assert data.endswith(b"}\n")
    assert "الإيسيسكو".encode() not in data  # events are summarised, not copied
    parsed = json.loads(data)
    assert list(parsed)[:4] == ["report_version", "started_at", "finished_at", "seconds"]
    assert parsed == run_report_dict(one)
    assert RUN_REPORT_NAME == "run-report.json"


def test_an_empty_or_unfinished_run_still_has_a_report() -> None:
    data = run_report_dict(RunReport(started_at="2026-03-09T10:00:00Z"))
    assert data["finished_at"] is None and data["seconds"] is None
    assert data["segments"] == {"translated": 0, "from_memory": 0, "memory_rate": None}
    assert data["glossary"]["percent"] == "100.0 %"
    assert data["stage_seconds"] == {} and data["articles"] == []
    assert json.loads(run_report_bytes(RunReport(started_at="x")))["seconds"] is None


def test_timed_stage_adds_up_and_counts_a_failing_stage() -> None:
    report = RunReport(started_at="t")
    with timed_stage(report, "fetch"):
        pass
    first = report.stage_seconds["fetch"]
    with pytest.raises(ValueError), timed_stage(report, "fetch"):
        raise ValueError("boom")
    assert report.stage_seconds["fetch"] >= first >= 0
    assert list(report.stage_seconds) == ["fetch"]


def test_markdown_summary_escapes_scraped_text() -> None:
    markdown = run_report_markdown(sample_report())
    assert "## Run report" in markdown
    assert "| published | 2 |" in markdown and "| new | 1 |" in markdown
    assert "28 translated by the engine, 24 from the translation memory" in markdown
    assert "Glossary compliance 50.0 %" in markdown
    assert "4 delivered, 1 still queued" in markdown
    assert "| fetch | 12.35 |" in markdown
    assert "engine=argos\\|model=en\\_ar@1.0\\|version=2.1" in markdown
    assert "2 × LanguageError: article is in 'de'" in markdown
    # No live link, HTML or table break from a reason written by a web page.
    assert "](javascript" not in markdown and "<script>" not in markdown
    assert "\\[link\\]\\(javascript:alert\\(1\\)\\)" in markdown
    assert "\\<script\\>" in markdown


def test_the_summary_counts_what_the_quality_gate_held() -> None:
    summary = format_summary(sample_report())
    assert "quality gate: 1 variant(s) held, 1 published noindex" in summary
    assert "review export" in summary
    assert "quality gate" not in format_summary(RunReport(started_at="t"))


def test_table_rows_one_per_article() -> None:
    rows = run_report_rows(sample_report())
    assert [r["url"] for r in rows] == [NEW, EDITED, SAME, GERMAN, GERMAN_2, BROKEN, GONE]
    assert rows[1] == {
        "url": EDITED,
        "status": "published (changed)",
        "languages": "ar, en",
        "segments_translated": 2,
        "segments_from_memory": 24,
        "compliance": "50.0 %",
        "quality": "",
        "reason": "1 glossary term(s) missed (see the review report)",
    }
    assert rows[0]["compliance"] == ""  # no term in it: nothing to comply with
    assert rows[0]["quality"] == "fr publish-noindex, en hold"
    assert rows[3]["reason"] == f"LanguageError: article is in 'de' [{GERMAN}]"


def test_long_reasons_are_cut_in_the_table() -> None:
    report = RunReport(started_at="t", outcomes=[ArticleOutcome(NEW, "failed", reason="x" * 5000)])
    [row] = run_report_rows(report)
    assert len(row["reason"]) == 300 and row["reason"].endswith("…")


def test_artifacts_are_not_created_outside_a_run() -> None:
    assert publish_run_artifacts(sample_report()) == (None, None)


@pytest.mark.usefixtures("prefect_harness")
def test_artifacts_are_attached_to_the_flow_run() -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.runtime import flow_run

    report = sample_report()

    @flow
    def run_flow() -> tuple[object, object, str]:
        markdown_id, table_id = publish_run_artifacts(report)
        return markdown_id, table_id, flow_run.id

    markdown_id, table_id, run_id = run_flow()
    assert markdown_id is not None and table_id is not None
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["run-report", "run-report-articles"])
            )
        )
    by_id = {a.id: a for a in artifacts}
    markdown, table = by_id[markdown_id], by_id[table_id]
    assert markdown.type == "markdown" and table.type == "table"
    assert str(markdown.flow_run_id) == str(table.flow_run_id) == run_id
    assert markdown.data == run_report_markdown(report)
    assert "2 published" in (markdown.description or "")
    table_data = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert table_data == run_report_rows(report)
