"""Run summaries for people (text) and machines (JSON), and the translators' review
of the glossary: a static HTML page and a CSV per run, an index of the runs, and a
Markdown summary for a Prefect artifact.

Everything a glossary event carries comes from scraped pages: it is escaped on the
way into HTML, Markdown and spreadsheets alike.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from uuid import UUID

from markupsafe import Markup, escape

from .models import ArticleOutcome, GlossaryEvent, RunReport
from .publish import write_atomic
from .render import templates as _templates

if TYPE_CHECKING:
    from .glossary import Glossary

__all__ = [
    "CSV_FIELDS",
    "OVERALL",
    "RUN_REPORT_NAME",
    "STAGES",
    "Compliance",
    "ReviewReport",
    "compliance",
    "format_summary",
    "glossary_summary_markdown",
    "publish_glossary_artifact",
    "publish_run_artifacts",
    "review_csv",
    "review_run_id",
    "run_report_bytes",
    "run_report_dict",
    "run_report_markdown",
    "run_report_rows",
    "timed_stage",
    "write_review_report",
]

MAX_REASONS = 5  # refusal reasons listed in the text summary; the JSON has every link

log = logging.getLogger(__name__)


# --- text and JSON run summaries -----------------------------------------------------


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
        reasons = Counter(reason for _, _, reason in report.refused_links)
        for reason, count in reasons.most_common(MAX_REASONS):
            lines.append(f"    {count} × {reason}")
        if len(reasons) > MAX_REASONS:
            lines.append(f"    … and {len(reasons) - MAX_REASONS} other reason(s) (see --json)")
    for outcome in report.outcomes:
        if outcome.status in ("skipped", "failed", "withdrawn"):
            lines.append(f"  {outcome.status}: {outcome.url} — {outcome.reason}")
        elif outcome.status == "published" and outcome.reason:
            lines.append(f"  note: {outcome.url} — {outcome.reason}")
    if report.glossary_version or report.glossary_events or report.review_report:
        lines.append("  " + _glossary_line(report))
    if report.webhooks_delivered or report.webhooks_pending or report.webhook_errors:
        lines.append(
            f"  webhooks: {report.webhooks_delivered} event(s) delivered, "
            f"{report.webhooks_pending} still queued"
        )
        lines.extend(f"    {error}" for error in report.webhook_errors)
    lines.append(f"  output: {report.output_dir}")
    return "\n".join(lines)


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


# --- compliance ----------------------------------------------------------------------

OVERALL = "*"  # key of the whole run's figure in compliance(); never an article URL


@dataclass(frozen=True)
class Compliance:
    """Glossary term occurrences and how many came out as the glossary says.

    Pinned segments are translator-approved translations, not term occurrences:
    they are counted apart and do not move the rate.
    """

    occurrences: int = 0
    complied: int = 0
    missed: int = 0
    pinned: int = 0

    @property
    def rate(self) -> float:
        return self.complied / self.occurrences if self.occurrences else 1.0

    @property
    def percent(self) -> str:
        """The rate rounded *down* to 0.1 %, so one miss in 10,000 never shows 100.0 %."""
        if not self.occurrences:
            return "100.0 %"
        tenths = self.complied * 1000 // self.occurrences
        return f"{tenths // 10}.{tenths % 10} %"


def _tally(events: Iterable[GlossaryEvent]) -> Compliance:
    counts = Counter(
        "pinned" if e.method == "pinned" else "complied" if e.complied else "missed" for e in events
    )
    return Compliance(
        occurrences=counts["complied"] + counts["missed"],
        complied=counts["complied"],
        missed=counts["missed"],
        pinned=counts["pinned"],
    )


def compliance(events: Iterable[GlossaryEvent]) -> dict[str, Compliance]:
    """Compliance per article URL, in first-seen order, plus the run's under ``OVERALL``."""
    events = list(events)
    by_url: dict[str, list[GlossaryEvent]] = defaultdict(list)
    for event in events:
        by_url[event.article_url].append(event)
    result = {url: _tally(group) for url, group in by_url.items()}
    result[OVERALL] = _tally(events)
    return result


# --- the review report: HTML, CSV, index -----------------------------------------------

CSV_FIELDS = (
    "article_url",
    "source_language",
    "target_language",
    "where",
    "concept",
    "method",
    "source_term",
    "expected",
    "source_text",
    "machine",
    "machine_term",
    "result",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# injection"): scraped text like =HYPERLINK(…) must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
HTML_NAME = "glossary-review.html"
CSV_NAME = "glossary-review.csv"
SUMMARY_NAME = "summary.json"  # per run: what the index shows, without parsing HTML
INDEX_NAME = "index.html"
METHODS = {
    "placeholder": "the engine kept the protected term",
    "alternative": "another hypothesis of the engine kept the protected term",
    "substituted": "the engine's own rendering of the term was replaced by the glossary form",
    "rebuilt": "the sentence was rebuilt from pieces translated around the term",
    "pinned": "a translator-approved translation of the whole segment was used",
    "missed": "the glossary form is NOT in the published text",
}


@dataclass(frozen=True)
class ReviewReport:
    """Where one run's review report was written."""

    html_path: Path
    csv_path: Path
    index_path: Path


def review_run_id(started_at: str) -> str:
    """A run id usable as a directory name from an ISO time: ``20240501T100000Z``."""
    return re.sub(r"[^0-9A-Za-z]", "", started_at) or "run"


def write_review_report(
    events: Iterable[GlossaryEvent],
    directory: str | Path,
    *,
    run_id: str,
    started_at: str,
    glossary_version: str,
    glossary_path: str | None,
    glossary: Glossary | None = None,
) -> ReviewReport:
    """Write ``<directory>/<run_id>/glossary-review.{html,csv}`` and rebuild
    ``<directory>/index.html``; every file atomically."""
    if not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"run id {run_id!r}: use letters, digits, '.', '_' and '-' only")
    events = list(events)
    root = Path(directory)
    run_dir = root / run_id
    total = compliance(events)[OVERALL]
    context = _review_context(events, run_id, started_at, glossary_version, glossary_path)
    context["concepts"] = _concept_sections(events, glossary)
    html = _templates().get_template("glossary_review.html").render(context)
    summary = {
        "run_id": run_id,
        "started_at": started_at,
        "glossary_version": glossary_version,
        "glossary_path": glossary_path or "",
        **asdict(total),
    }
    write_atomic(run_dir / CSV_NAME, review_csv(events))
    write_atomic(run_dir / SUMMARY_NAME, json.dumps(summary, indent=2).encode("utf-8"))
    write_atomic(run_dir / HTML_NAME, html.encode("utf-8"))
    index = _write_index(root)
    return ReviewReport(run_dir / HTML_NAME, run_dir / CSV_NAME, index)


def review_csv(events: Iterable[GlossaryEvent]) -> bytes:
    """One row per event. UTF-8 *with* a BOM: without it Excel reads the file in the
    machine's ANSI code page and Arabic and accented French come out as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for event in events:
        writer.writerow([_csv_cell(getattr(event, name)) for name in CSV_FIELDS])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: str) -> str:
    # The apostrophe makes spreadsheets show the cell as text; it is visible in the
    # raw CSV, which is the accepted price of not running scraped formulas.
    return "'" + value if value.startswith(_FORMULA_START) else value


def _review_context(
    events: list[GlossaryEvent],
    run_id: str,
    started_at: str,
    glossary_version: str,
    glossary_path: str | None,
) -> dict[str, Any]:
    terms = [e for e in events if e.method != "pinned"]
    return {
        "run_id": run_id,
        "started_at": started_at,
        "glossary_version": glossary_version,
        "glossary_path": glossary_path or "",
        "total": compliance(events)[OVERALL],
        "methods": METHODS,
        "misses": [_row(e) for e in terms if not e.complied],
        "articles": _article_rows(terms),
        "pinned": [_row(e) for e in events if e.method == "pinned"],
    }


def _row(event: GlossaryEvent) -> dict[str, Any]:
    """An event as the template shows it; text with highlights is pre-escaped Markup."""
    return {
        "event": event,
        "link": _is_web_url(event.article_url),
        "pair": f"{event.source_language} → {event.target_language}",
        "source_html": highlight(event.source_text, event.source_term),
        "result_html": highlight(event.result, event.expected),
        "miss": not event.complied,
    }


def _concept_sections(
    events: list[GlossaryEvent], glossary: Glossary | None
) -> list[dict[str, Any]]:
    by_concept: dict[str, list[GlossaryEvent]] = defaultdict(list)
    for event in events:
        if event.method != "pinned":
            by_concept[event.concept].append(event)
    sections = []
    for number, concept_id in enumerate(sorted(by_concept), 1):
        group = by_concept[concept_id]
        concept = glossary.by_id.get(concept_id) if glossary is not None else None
        forms = []
        if concept is not None:
            for lang, form in sorted(concept.terms.items()):
                forms.append((lang, form, concept.variants.get(lang, ())))
        sections.append(
            {
                "id": concept_id,
                "anchor": f"concept-{number}",  # a valid, unique HTML id whatever the concept id
                "note": concept.note if concept is not None else "",
                "forms": forms,
                "total": _tally(group),
                "rows": [_row(e) for e in group],
            }
        )
    return sections


def _article_rows(events: list[GlossaryEvent]) -> list[dict[str, Any]]:
    """One row per article and language pair, in first-seen order."""
    groups: dict[tuple[str, str, str], list[GlossaryEvent]] = defaultdict(list)
    for e in events:
        groups[(e.article_url, e.source_language, e.target_language)].append(e)
    return [
        {"url": url, "link": _is_web_url(url), "pair": f"{src} → {tgt}", "total": _tally(group)}
        for (url, src, tgt), group in groups.items()
    ]


def highlight(text: str, term: str) -> Markup:
    """``text`` escaped, with every occurrence of ``term`` (any case) in ``<mark>``."""
    if not term:
        return escape(text)
    out, last = Markup(), 0
    for match in re.finditer(re.escape(term), text, re.IGNORECASE):
        out += escape(text[last : match.start()])
        out += Markup("<mark>%s</mark>") % match.group()
        last = match.end()
    return out + escape(text[last:])


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _write_index(root: Path) -> Path:
    """Rebuild the list of runs from the run directories present, newest first."""
    runs = []
    for run_dir in root.iterdir() if root.is_dir() else ():
        if (run_dir / HTML_NAME).is_file() and _RUN_ID.fullmatch(run_dir.name):
            runs.append(_run_entry(run_dir))
    runs.sort(key=lambda r: (r["started_at"], r["run_id"]), reverse=True)
    html = _templates().get_template("glossary_index.html").render(runs=runs)
    path = root / INDEX_NAME
    write_atomic(path, html.encode("utf-8"))
    return path


def _run_entry(run_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((run_dir / SUMMARY_NAME).read_text(encoding="utf-8"))
        counts = Compliance(**{k: int(data[k]) for k in asdict(Compliance())})
    except (OSError, ValueError, KeyError, TypeError):
        data, counts = {}, None  # a run from before summaries, or a damaged file
    return {
        "run_id": run_dir.name,
        "href": quote(run_dir.name) + "/" + HTML_NAME,
        "csv_href": quote(run_dir.name) + "/" + CSV_NAME,
        "started_at": str(data.get("started_at", "")),
        "glossary_version": str(data.get("glossary_version", "")),
        "total": counts,
    }


# --- Markdown summary and Prefect artifact ---------------------------------------------

ARTIFACT_KEY = "glossary-review"  # Prefect keys: lowercase letters, digits and dashes
MAX_MISSES = 20
MAX_CONCEPTS = 10
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def glossary_summary_markdown(events: Iterable[GlossaryEvent], report: ReviewReport | None) -> str:
    """A short Markdown summary of the run's glossary compliance."""
    events = list(events)
    total = compliance(events)[OVERALL]
    lines = [
        "## Glossary review",
        "",
        f"**Compliance {total.percent}**: {total.occurrences} term occurrence(s), "
        f"{total.complied} enforced, {total.missed} missed; "
        f"{total.pinned} pinned segment(s).",
        "",
    ]
    if report is not None:
        lines += [f"Full report: {_md(str(report.html_path))} (CSV: {_md(str(report.csv_path))})"]
        lines.append("")
    lines += _markdown_misses([e for e in events if not e.complied])
    lines += _markdown_concepts([e for e in events if e.method != "pinned"])
    return "\n".join(lines).rstrip() + "\n"


def _markdown_misses(misses: Sequence[GlossaryEvent]) -> list[str]:
    if not misses:
        return ["No misses.", ""]
    lines = [
        f"### Misses ({len(misses)})",
        "",
        "| Article | Where | Languages | Concept | Expected |",
        "|---|---|---|---|---|",
    ]
    for e in misses[:MAX_MISSES]:
        cells = (
            e.article_url,
            e.where,
            f"{e.source_language} → {e.target_language}",
            e.concept,
            e.expected,
        )
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if len(misses) > MAX_MISSES:
        lines.append(f"\n… and {len(misses) - MAX_MISSES} more in the full report.")
    return [*lines, ""]


def _markdown_concepts(terms: Sequence[GlossaryEvent]) -> list[str]:
    if not terms:
        return []
    counts = Counter(e.concept for e in terms)
    missed = Counter(e.concept for e in terms if not e.complied)
    lines = [
        "### Concepts by occurrences",
        "",
        "| Concept | Occurrences | Missed |",
        "|---|---|---|",
    ]
    for concept, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CONCEPTS]:
        lines.append(f"| {_md(concept)} | {count} | {missed[concept]} |")
    return [*lines, ""]


def _md(text: str, limit: int = 200) -> str:
    """Scraped text as inert Markdown: one line, bounded, no links, HTML or emphasis."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", text)


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


# --- run-report.json, stage timing and the run's Prefect artifacts ----------------------

RUN_REPORT_NAME = "run-report.json"
RUN_REPORT_VERSION = 1  # changes whenever a field of run-report.json is removed or changes meaning
# The flow's stages, in the order they run; RunReport.stage_seconds uses these keys.
STAGES = ("discover", "fetch", "translate", "publish", "manifest", "review", "webhooks")
RUN_ARTIFACT_KEY = "run-report"
RUN_TABLE_ARTIFACT_KEY = "run-report-articles"
MAX_TABLE_ROWS = 2000  # rows of the table artifact; run-report.json lists every article
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
                "reason": o.reason,
                "http_status": o.http_status,
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
        },
        "stage_seconds": stages,
        "source_errors": [{"source": s, "error": e} for s, e in report.source_errors],
        "refused_links": [{"source": s, "url": u, "reason": r} for s, u, r in report.refused_links],
        "articles": articles,
        "output": report.output_dir,
    }


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
                "reason": _cell(o.reason),
            }
        )
    return rows


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
