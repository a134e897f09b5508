"""Run summaries for people (text) and machines (JSON)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from .models import RunReport

__all__ = ["format_summary", "report_json"]

MAX_REASONS = 5  # refusal reasons listed in the text summary; the JSON has every link


def format_summary(report: RunReport) -> str:
    lines = [
        f"translator-pipeline run {report.started_at} → {report.finished_at or '…'} "
        f"(engine: {report.engine})",
        f"  discovered {report.discovered} article(s): "
        f"{report.count('published')} published ({report.variants_published} variant(s)), "
        f"{report.count('unchanged')} unchanged, {report.count('skipped')} skipped, "
        f"{report.count('failed')} failed",
    ]
    for source, error in report.source_errors:
        lines.append(f"  source {source}: {error}")
    if report.refused_links:
        lines.append(f"  refused {len(report.refused_links)} link(s), not fetched:")
        reasons = Counter(reason for _, _, reason in report.refused_links)
        for reason, count in reasons.most_common(MAX_REASONS):
            lines.append(f"    {count} × {reason}")
        if len(reasons) > MAX_REASONS:
            lines.append(f"    … and {len(reasons) - MAX_REASONS} other reason(s) (see --json)")
    for outcome in report.outcomes:
        if outcome.status in ("skipped", "failed"):
            lines.append(f"  {outcome.status}: {outcome.url} — {outcome.reason}")
        elif outcome.status == "published" and outcome.reason:
            lines.append(f"  note: {outcome.url} — {outcome.reason}")
    lines.append(f"  output: {report.output_dir}")
    return "\n".join(lines)


def report_json(report: RunReport) -> str:
    data = asdict(report)
    data["summary"] = {
        status: report.count(status) for status in ("published", "unchanged", "skipped", "failed")
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
