"""The run's Prefect artifacts: the run report and the glossary review, attached
to the flow run. Outside a Prefect run they do nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

from translator_pipeline.models import GlossaryEvent, RunReport

if TYPE_CHECKING:
    pass
from translator_pipeline.glossary.review import (
    OVERALL,
    ReviewReport,
    compliance,
    glossary_summary_markdown,
)
from translator_pipeline.run.report import run_report_dict, run_report_markdown, run_report_rows

log = logging.getLogger(__name__)

__all__ = ["publish_glossary_artifact", "publish_run_artifacts"]


ARTIFACT_KEY = "glossary-review"  # Prefect keys: lowercase letters, digits and dashes


def publish_glossary_artifact(
    events: Iterable[GlossaryEvent], report: ReviewReport | None
) -> UUID | None:
    """Attach the Markdown summary to the current Prefect flow or task run.

    Returns the artifact's id; None outside a Prefect run, or if the API refused it
    (the run's translations are published by then: a missing artifact must not fail it).
    Call it from synchronous code: in an async function Prefect's dispatcher would
    hand back a coroutine.
    """
    from prefect.artifacts import create_markdown_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return None
    events = list(events)
    total = compliance(events)[OVERALL]
    try:
        return create_markdown_artifact(
            key=ARTIFACT_KEY,
            markdown=glossary_summary_markdown(events, report),
            description=f"Glossary compliance {total.percent}, {total.missed} miss(es)",
        )
    except Exception as exc:  # the API down or refusing: say so, keep the run
        log.warning("could not attach the glossary review artifact: %s", exc)
        return None


RUN_ARTIFACT_KEY = "run-report"


RUN_TABLE_ARTIFACT_KEY = "run-report-articles"


MAX_TABLE_ROWS = 2000  # rows of the table artifact; run-report.json lists every article


def publish_run_artifacts(report: RunReport) -> tuple[UUID | None, UUID | None]:
    """Attach the run summary (Markdown) and the per-article table to the current
    Prefect flow run: ``(markdown id, table id)``, each None when it was not created.

    Outside a Prefect run it does nothing; an API that refuses an artifact is
    logged, never raised (the run's work is done by then). Call it from
    synchronous code, like :func:`publish_glossary_artifact`.
    """
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.context import get_run_context
    from prefect.exceptions import MissingContextError

    try:
        get_run_context()
    except MissingContextError:
        return None, None
    counts = run_report_dict(report)["counts"]
    summary = (
        f"{counts['discovered']} discovered: {counts['published']} published, "
        f"{counts['unchanged']} unchanged, {counts['skipped']} skipped, {counts['failed']} failed"
    )
    ids: list[UUID | None] = []
    rows = run_report_rows(report)
    for create, kwargs in (
        (
            create_markdown_artifact,
            {"key": RUN_ARTIFACT_KEY, "markdown": run_report_markdown(report)},
        ),
        (
            create_table_artifact,
            {
                "key": RUN_TABLE_ARTIFACT_KEY,
                "table": rows[:MAX_TABLE_ROWS],
                "description": f"One row per article ({len(rows)})"
                + (f", first {MAX_TABLE_ROWS} shown" if len(rows) > MAX_TABLE_ROWS else ""),
            },
        ),
    ):
        kwargs.setdefault("description", summary)
        try:
            ids.append(create(**kwargs))
        except Exception as exc:  # the API down or refusing: say so, keep the run
            log.warning("could not attach the %s artifact: %s", kwargs["key"], exc)
            ids.append(None)
    return ids[0], ids[1]
