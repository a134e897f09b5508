"""The translators' review of a run's glossary work: compliance figures, a static
HTML page and a CSV per run, an index of the runs, and a Markdown summary.

Everything a glossary event carries comes from scraped pages: it is escaped on the
way into HTML, Markdown and spreadsheets alike."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from translator_pipeline.files import write_atomic
from translator_pipeline.models import GlossaryEvent
from translator_pipeline.publishing.render import templates as _templates

if TYPE_CHECKING:
    from translator_pipeline.glossary.model import Glossary


__all__ = [
    "CSV_FIELDS",
    "OVERALL",
    "Compliance",
    "ReviewReport",
    "compliance",
    "glossary_summary_markdown",
    "review_csv",
    "review_run_id",
    "write_review_report",
]


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
