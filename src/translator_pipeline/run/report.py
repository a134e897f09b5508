"""Run summaries for people (text, Markdown) and machines (``run-report.json``),
and the stage timing that goes into them."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from translator_pipeline.config.settings import Settings
from translator_pipeline.crawl.extract import configured_selectors
from translator_pipeline.glossary.review import MAX_MISSES, OVERALL, Compliance, _md, compliance
from translator_pipeline.models import ArticleOutcome, RunReport
from translator_pipeline.quality.judge import PSEUDO_REASON

__all__ = [
    "RUN_REPORT_NAME",
    "STAGES",
    "SelectorTally",
    "format_summary",
    "run_report_bytes",
    "run_report_dict",
    "run_report_markdown",
    "run_report_rows",
    "timed_stage",
]


MAX_REASONS = 5  # refusal reasons listed in the text summary; the JSON has every link
MAX_LINKS = 5  # refused links listed under each reason


log = logging.getLogger(__name__)


def format_summary(report: RunReport) -> str:
    lines = [
        f"translator-pipeline run {report.started_at} → {report.finished_at or '…'} "
        f"(engine: {report.engine})",
        f"  discovered {report.discovered} article(s): "
        f"{report.count('published')} published ({report.variants_published} variant(s)), "
        f"{report.count('unchanged')} unchanged, {report.count('skipped')} skipped, "
        f"{report.count('failed')} failed"
        + (f", {report.count('withdrawn')} withdrawn" if report.count("withdrawn") else "")
        + (f" (+{report.rechecked} re-checked)" if report.rechecked else ""),
    ]
    for source, error in report.source_errors:
        lines.append(f"  source {source}: {error}")
    if report.refused_links:
        lines.append(f"  refused {len(report.refused_links)} link(s), not fetched:")
        by_reason: dict[str, list[str]] = {}
        for _, url, reason in report.refused_links:
            by_reason.setdefault(reason, []).append(url)
        ranked = sorted(by_reason.items(), key=lambda item: -len(item[1]))  # stable: ties in order
        for reason, urls in ranked[:MAX_REASONS]:
            lines.append(f"    {len(urls)} × {reason}")
            lines.extend(f"      {url}" for url in urls[:MAX_LINKS])
            if len(urls) > MAX_LINKS:
                lines.append(f"      … and {len(urls) - MAX_LINKS} more")
        if len(ranked) > MAX_REASONS:
            lines.append(f"    … and {len(ranked) - MAX_REASONS} other reason(s) (see --json)")
    for outcome in report.outcomes:
        if outcome.status in ("skipped", "failed", "withdrawn"):
            lines.append(f"  {outcome.status}: {outcome.url} — {outcome.reason}")
        elif outcome.status == "published" and outcome.reason:
            lines.append(f"  note: {outcome.url} — {outcome.reason}")
    held = _decisions(report.outcomes, "hold")
    # Pseudo output is always noindexed: nothing for translators there.
    noindex = sum(
        1
        for o in report.outcomes
        for _, q in o.quality
        if q.decision == "publish-noindex" and q.reasons != (PSEUDO_REASON,)
    )
    if held or noindex:
        lines.append(
            f"  quality gate: {held} variant(s) held, {noindex} published noindex; "
            "`translator-pipeline review export --config …` writes them for translators"
        )
    if report.glossary_version or report.glossary_events or report.review_report:
        lines.append("  " + _glossary_line(report))
    if report.webhooks_delivered or report.webhooks_pending or report.webhook_errors:
        lines.append(
            f"  webhooks: {report.webhooks_delivered} event(s) delivered, "
            f"{report.webhooks_pending} still queued"
        )
        if report.webhooks_held:
            lines.extend(f"    held: {line}" for line in report.webhooks_held)
        else:
            lines.extend(f"    {error}" for error in report.webhook_errors)
    lines.append(f"  output: {report.output_dir}")
    return "\n".join(lines)


class SelectorTally:
    """Per source, the pages extracted in a run and how many times each configured
    selector matched nothing on them: one that never matched is a source problem (a
    typo, or a site redesign), reported once instead of hidden in every article."""

    def __init__(self) -> None:
        self.pages: Counter[str] = Counter()
        self.misses: dict[str, Counter[str]] = {}

    def add(self, source: str, misses: Iterable[str] | None) -> None:
        if misses is None:  # no page was extracted (404, 304, unreachable …)
            return
        self.pages[source] += 1
        self.misses.setdefault(source, Counter()).update(misses)

    def problems(self, settings: Settings) -> list[tuple[str, str]]:
        """``(source, message)`` for each selector that matched nothing on every page."""
        found = []
        for source in settings.sources:
            pages, misses = self.pages[source.name], self.misses.get(source.name, Counter())
            for key, selector in configured_selectors(source):
                if pages and misses[key] == pages:
                    shown = json.dumps(selector, ensure_ascii=False)
                    message = f"{key} {shown} matched nothing on any of {pages} article(s)"
                    found.append((source.name, message))
        return found


def _glossary_line(report: RunReport) -> str:
    total = compliance(report.glossary_events)[OVERALL]
    line = (
        f"glossary: {total.occurrences} term occurrence(s), {total.complied} enforced, "
        f"{total.missed} missed (compliance {total.percent})"
    )
    if total.pinned:
        line += f", {total.pinned} pinned segment(s)"
    if report.review_report:
        line += f" — review: {report.review_report}"
    return line


RUN_REPORT_NAME = "run-report.json"


RUN_REPORT_VERSION = 1  # changes whenever a field of run-report.json is removed or changes meaning


# The flow's stages, in the order they run; RunReport.stage_seconds uses these keys.
STAGES = ("discover", "fetch", "translate", "publish", "manifest", "review", "webhooks")


MAX_CELL = 300  # characters of a reason in the table artifact


@contextmanager
def timed_stage(report: RunReport, stage: str) -> Iterator[None]:
    """Add the wall-clock time of the ``with`` body to ``report.stage_seconds[stage]``
    (added, so a stage entered twice counts both times), even when the body raises."""
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        report.stage_seconds[stage] = report.stage_seconds.get(stage, 0.0) + elapsed


def _seconds_between(started: str, finished: str) -> float | None:
    try:
        start = datetime.fromisoformat(started.replace("Z", "+00:00"))
        end = datetime.fromisoformat(finished.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max((end - start).total_seconds(), 0.0)


def _ordered_stages(stage_seconds: dict[str, float]) -> dict[str, float]:
    """Known stages in flow order, then any others by name; rounded to the millisecond."""
    names = [s for s in STAGES if s in stage_seconds]
    names += sorted(set(stage_seconds) - set(STAGES))
    return {name: round(float(stage_seconds[name]), 3) for name in names}


def _reason_key(outcome: ArticleOutcome) -> str:
    """The reason without the article's own URL, so equal causes group together."""
    if not outcome.reason:
        return "variants current" if outcome.status == "unchanged" else "(no reason given)"
    reason = outcome.reason
    return reason.replace(f" [{outcome.url}]", "").replace(outcome.url, "<url>")


def _reasons(outcomes: Iterable[ArticleOutcome], status: str) -> dict[str, int]:
    """Reasons of the outcomes with ``status``, most frequent first (then by text)."""
    counts = Counter(_reason_key(o) for o in outcomes if o.status == status)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _compliance_dict(total: Compliance) -> dict[str, Any]:
    return {
        "occurrences": total.occurrences,
        "complied": total.complied,
        "missed": total.missed,
        "pinned": total.pinned,
        "rate": round(total.rate, 6),
        "percent": total.percent,
    }


def run_report_dict(report: RunReport) -> dict[str, Any]:
    """What the run did, for machines: the content of ``run-report.json``.

    Keys come in a fixed order (no sets, no dict from outside left unordered), so
    two equal reports serialise to the same bytes. Articles are in the run's order;
    each carries its own glossary compliance, computed from ``report.glossary_events``.
    """
    outcomes = report.outcomes
    published = [o for o in outcomes if o.status == "published"]
    per_article = compliance(report.glossary_events)
    translated = sum(o.segments_translated for o in outcomes)
    from_memory = sum(o.segments_from_memory for o in outcomes)
    stages = _ordered_stages(report.stage_seconds)
    wall = _seconds_between(report.started_at, report.finished_at)
    articles = []
    for o in outcomes:
        own = per_article.get(o.url)
        articles.append(
            {
                "url": o.url,
                "status": o.status,
                "change": o.change or None,
                "source_language": o.source_language,
                "languages": list(o.languages),
                "segments_translated": o.segments_translated,
                "segments_from_memory": o.segments_from_memory,
                "glossary": _compliance_dict(own) if own is not None else None,
                "quality": [
                    {
                        "language": lang,
                        "decision": q.decision,
                        "reasons": list(q.reasons),
                        "segments": q.segments,
                        "flagged": q.flagged,
                    }
                    for lang, q in o.quality
                ],
                "reason": o.reason,
                "http_status": o.http_status,
                "attempts": o.attempts,
                "next_attempt": o.next_attempt,
            }
        )
    return {
        "report_version": RUN_REPORT_VERSION,
        "started_at": report.started_at,
        "finished_at": report.finished_at or None,
        "seconds": round(wall, 3) if wall is not None and report.finished_at else None,
        "engine": {
            "name": report.engine,
            "signatures": {
                pair: report.engine_signatures[pair] for pair in sorted(report.engine_signatures)
            },
        },
        "counts": {
            "discovered": report.discovered,
            "rechecked": report.rechecked,
            "published": len(published),
            "new": sum(1 for o in published if o.change == "new"),
            "changed": sum(1 for o in published if o.change == "changed"),
            "unchanged": report.count("unchanged"),
            "skipped": report.count("skipped"),
            "failed": report.count("failed"),
            "withdrawn": report.count("withdrawn"),
            "variants_published": report.variants_published,
            "variants_held": _decisions(outcomes, "hold"),
            "variants_noindex": _decisions(outcomes, "publish-noindex"),
            "refused_links": len(report.refused_links),
            "source_errors": len(report.source_errors),
        },
        "reasons": {
            status: _reasons(outcomes, status) for status in ("skipped", "failed", "unchanged")
        },
        "segments": {
            "translated": translated,
            "from_memory": from_memory,
            "memory_rate": round(from_memory / (translated + from_memory), 6)
            if translated + from_memory
            else None,
        },
        "glossary": {
            "version": report.glossary_version or None,
            **_compliance_dict(per_article[OVERALL]),
            "review_report": report.review_report or None,
        },
        "webhooks": {
            "delivered": report.webhooks_delivered,
            "pending": report.webhooks_pending,
            "errors": list(report.webhook_errors),
            "held": list(report.webhooks_held),
            "refused": report.webhooks_refused,
        },
        "stage_seconds": stages,
        "source_errors": [{"source": s, "error": e} for s, e in report.source_errors],
        "refused_links": [{"source": s, "url": u, "reason": r} for s, u, r in report.refused_links],
        "articles": articles,
        "output": report.output_dir,
    }


def _decisions(outcomes: list[ArticleOutcome], decision: str) -> int:
    """Variants of this run the quality gate gave ``decision``."""
    return sum(1 for o in outcomes for _, q in o.quality if q.decision == decision)


def run_report_bytes(report: RunReport) -> bytes:
    """``run-report.json``: :func:`run_report_dict` as UTF-8 JSON, indented, newline-ended."""
    text = json.dumps(run_report_dict(report), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def run_report_markdown(report: RunReport) -> str:
    """The run summary as Markdown (scraped text escaped), for the flow run's artifact."""
    data = run_report_dict(report)
    counts, segments, glossary = data["counts"], data["segments"], data["glossary"]
    lines = [
        "## Run report",
        "",
        f"{_md(report.started_at)} → {_md(report.finished_at or '…')} "
        f"({_duration(data['seconds'])}), engine **{_md(report.engine)}**",
        "",
        "| Articles | Count |",
        "|---|---|",
    ]
    for key in (
        "discovered",
        "rechecked",
        "published",
        "new",
        "changed",
        "unchanged",
        "skipped",
        "failed",
        "withdrawn",
        "variants_published",
        "refused_links",
    ):
        lines.append(f"| {key.replace('_', ' ')} | {counts[key]} |")
    rate = segments["memory_rate"]
    lines += [
        "",
        f"**Segments**: {segments['translated']} translated by the engine, "
        f"{segments['from_memory']} from the translation memory"
        + (f" ({rate:.1%} from memory)" if rate is not None else "")
        + ".",
        "",
        f"**Glossary compliance {glossary['percent']}**: {glossary['occurrences']} term "
        f"occurrence(s), {glossary['missed']} missed, {glossary['pinned']} pinned segment(s).",
        "",
    ]
    if report.webhooks_delivered or report.webhooks_pending or report.webhook_errors:
        lines += [
            f"**Webhooks**: {report.webhooks_delivered} delivered, "
            f"{report.webhooks_pending} still queued, {len(report.webhook_errors)} error(s).",
            "",
        ]
    if data["stage_seconds"]:
        lines += ["| Stage | Seconds |", "|---|---|"]
        lines += [f"| {_md(k)} | {v:.2f} |" for k, v in data["stage_seconds"].items()]
        lines.append("")
    if data["engine"]["signatures"]:
        lines += ["| Pair | Engine signature |", "|---|---|"]
        lines += [f"| {_md(k)} | {_md(v)} |" for k, v in data["engine"]["signatures"].items()]
        lines.append("")
    for source, error in report.source_errors[:MAX_MISSES]:
        lines.append(f"- source {_md(source)}: {_md(error)}")
    for status in ("failed", "skipped"):
        reasons = data["reasons"][status]
        if reasons:
            lines += [f"### {status.capitalize()} ({counts[status]})", ""]
            lines += [f"- {n} × {_md(reason)}" for reason, n in list(reasons.items())[:MAX_REASONS]]
            if len(reasons) > MAX_REASONS:
                lines.append(f"- … and {len(reasons) - MAX_REASONS} other reason(s)")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def run_report_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per article for the table artifact (values are plain text and numbers)."""
    per_article = compliance(report.glossary_events)
    rows = []
    for o in report.outcomes:
        own = per_article.get(o.url)
        rows.append(
            {
                "url": o.url,
                "status": o.status + (f" ({o.change})" if o.change else ""),
                "languages": ", ".join(o.languages),
                "segments_translated": o.segments_translated,
                "segments_from_memory": o.segments_from_memory,
                "compliance": own.percent if own is not None and own.occurrences else "",
                # Only what needs a look: "en hold, fr publish-noindex".
                "quality": ", ".join(
                    f"{lang} {q.decision}" for lang, q in o.quality if q.decision != "publish"
                ),
                "reason": _cell(o.reason),
            }
        )
    return rows
