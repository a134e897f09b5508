"""What an interactive run shows on the console: progress per stage, a summary table
at the end, and log levels that keep Prefect's own chatter out of the way.

The flow only knows the small :class:`Progress` protocol and asks
:func:`current_progress` for the one in use; it never imports rich. The command
line picks one with :func:`make_progress` — bars (:class:`RichProgress`) when
stderr is a terminal and neither ``--quiet`` nor ``--json`` was given, otherwise
:class:`NullProgress` — and installs it around the flow with :func:`use_progress`.

Progress is a display of the process that runs the flow: call ``advance`` from
the flow body (as results are collected), not from inside tasks, which another
task runner may run in another process.

Logging (:func:`configure_logging`)::

    verbosity   our loggers (translator_pipeline.*)   Prefect's own records on the console
    -1 (-q)     WARNING                                WARNING
     0          INFO                                   WARNING
     1 (-v)     INFO                                   INFO
     2 (-vv)    DEBUG                                  DEBUG

Messages our flow logs through Prefect's run logger count as ours. Only the
console is filtered: Prefect's logger levels stay as configured
(``PREFECT_LOGGING_LEVEL``, INFO by default), so a Prefect server still receives
every flow and task log for its UI.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from translator_pipeline.models import RunReport
from translator_pipeline.run.report import run_report_dict

__all__ = [
    "SUMMARY_RECORD",
    "NullProgress",
    "Progress",
    "RichProgress",
    "configure_logging",
    "current_progress",
    "make_progress",
    "print_summary",
    "summary_table",
    "use_progress",
]

STAGE_LABELS = {
    "discover": "Discovering",
    "fetch": "Fetching",
    "translate": "Translating",
    "publish": "Publishing",
    "manifest": "Manifest",
    "review": "Review",
    "webhooks": "Webhooks",
}
MAX_PROBLEMS = 20  # skipped/failed/withdrawn articles listed under the summary table


@runtime_checkable
class Progress(Protocol):
    """Progress of a run, stage by stage. Every method is cheap and thread-safe."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Start (or re-size) stage ``name`` with ``total`` steps (None: unknown)."""
        ...

    def advance(self, name: str, n: int = 1) -> None:
        """``n`` more steps of stage ``name`` are done (ignored for an unknown stage)."""
        ...

    def done(self) -> None:
        """The run is over: stop displaying (idempotent)."""
        ...


class NullProgress:
    """Shows nothing: scripts, ``--quiet``, ``--json``, output that is not a terminal."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, name: str, n: int = 1) -> None:
        pass

    def done(self) -> None:
        pass


class _Writer:
    """Writes to rich's stderr proxy. A rich Console given the proxy itself would
    unwrap it (``rich_proxied_file``) and write under the bars instead of above."""

    def __init__(self, target: IO[str]) -> None:
        self._target = target

    def write(self, text: str) -> int:
        return self._target.write(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return True  # only ever installed while bars are drawn on a terminal


class RichProgress:
    """One rich progress bar per stage, on ``console`` (default: stderr).

    Nothing at all is written when the console is not a terminal. While the bars
    are shown, log handlers that write to stderr write above them instead of
    through them.
    """

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self.console = console if console is not None else Console(stderr=True)
        self.enabled = bool(self.console.is_terminal)
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._restore: list[tuple[Any, str, Any]] = []
        self._finished = False

    def _start(self) -> Any:
        from rich import progress as bars

        original = sys.stderr
        redirect = self.console.file is original
        self._progress = bars.Progress(
            bars.TextColumn("{task.description:<12}"),
            bars.BarColumn(),
            bars.MofNCompleteColumn(),
            bars.TimeElapsedColumn(),
            console=self.console,
            redirect_stdout=False,  # stdout is the report (--json): never touch it
            redirect_stderr=redirect,
        )
        self._progress.start()
        if redirect and sys.stderr is not original:  # rich's proxy is in place
            self._redirect_log_handlers(original=original, proxy=sys.stderr)
        return self._progress

    def _redirect_log_handlers(self, original: IO[str], proxy: IO[str]) -> None:
        """Send stderr log handlers through rich's proxy (lines go above the bars)."""
        for handler in _console_handlers():
            if getattr(handler, "stream", None) is original:
                self._restore.append((handler, "stream", original))
                handler.stream = proxy
            inner = getattr(handler, "console", None)  # Prefect's handler prints with rich
            if inner is not None and getattr(inner, "file", None) is original:
                self._restore.append((inner, "file", original))
                inner.file = _Writer(proxy)

    def stage(self, name: str, total: int | None = None) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self._finished:
                return
            progress = self._progress or self._start()
            if name in self._tasks:
                progress.update(self._tasks[name], total=total)
            else:
                label = STAGE_LABELS.get(name, name)
                self._tasks[name] = progress.add_task(label, total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if not self.enabled:
            return
        with self._lock:
            task = self._tasks.get(name)
            if task is not None and not self._finished:
                self._progress.advance(task, n)

    def done(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
            if self._progress is None:
                return
            for task in self._progress.tasks:  # a stage of unknown size ends as done
                if task.total is None:
                    self._progress.update(task.id, total=task.completed)
            self._progress.stop()
            for obj, attr, value in reversed(self._restore):
                setattr(obj, attr, value)
            self._restore.clear()

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.done()


def make_progress(*, quiet: bool = False, as_json: bool = False, console: Any = None) -> Progress:
    """Bars on stderr for people at a terminal; nothing for scripts and pipes."""
    if quiet or as_json:
        return NullProgress()
    if console is None:
        if not sys.stderr.isatty():  # decide before rich is imported at all
            return NullProgress()
        from rich.console import Console

        console = Console(stderr=True)
    return RichProgress(console) if console.is_terminal else NullProgress()


_current: Progress = NullProgress()
_current_lock = threading.Lock()


def current_progress() -> Progress:
    """The progress display of this process (a :class:`NullProgress` unless one is in use)."""
    return _current


@contextmanager
def use_progress(progress: Progress) -> Iterator[Progress]:
    """Make ``progress`` current for the ``with`` body, then stop it (also on errors)."""
    global _current
    with _current_lock:
        previous, _current = _current, progress
    try:
        yield progress
    finally:
        with _current_lock:
            _current = previous
        progress.done()


# --- the summary table ----------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value < 60 else f"{int(value // 60)} min {round(value % 60):02d} s"


def summary_renderable(report: RunReport) -> Any:
    """The run summary as a rich renderable: the figures, then the articles with problems."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    data = run_report_dict(report)
    counts, segments, glossary = data["counts"], data["segments"], data["glossary"]
    table = Table(title="translator-pipeline run", show_header=False, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")

    def row(label: str, value: str) -> None:
        table.add_row(label, Text(value))  # Text: scraped strings are never rich markup

    row("Run", f"{report.started_at} → {report.finished_at or '…'} ({_seconds(data['seconds'])})")
    row("Engine", report.engine)
    for pair, signature in data["engine"]["signatures"].items():
        row(f"  {pair}", signature)
    discovered = f"{counts['discovered']}" + (
        f" (+{counts['rechecked']} re-checked)" if counts["rechecked"] else ""
    )
    row("Discovered", discovered)
    row(
        "Published",
        f"{counts['published']} ({counts['new']} new, {counts['changed']} changed), "
        f"{counts['variants_published']} variant(s)",
    )
    row("Unchanged", str(counts["unchanged"]))
    row("Skipped", str(counts["skipped"]))
    row("Failed", str(counts["failed"]))
    if counts["withdrawn"]:
        row("Withdrawn", str(counts["withdrawn"]))
    if counts["refused_links"]:
        row("Refused links", str(counts["refused_links"]))
    for error in data["source_errors"]:
        row("Source error", f"{error['source']}: {error['error']}")
    rate = segments["memory_rate"]
    row(
        "Segments",
        f"{segments['translated']} translated, {segments['from_memory']} from memory"
        + (f" ({rate:.0%})" if rate is not None else ""),
    )
    if glossary["version"] or glossary["occurrences"] or glossary["pinned"]:
        row(
            "Glossary",
            f"compliance {glossary['percent']}: {glossary['occurrences']} term(s), "
            f"{glossary['missed']} missed"
            + (f", {glossary['pinned']} pinned" if glossary["pinned"] else ""),
        )
        if glossary["review_report"]:
            row("  review", glossary["review_report"])
    hooks = data["webhooks"]
    if hooks["delivered"] or hooks["pending"] or hooks["errors"]:
        row("Webhooks", f"{hooks['delivered']} delivered, {hooks['pending']} queued")
        for line in hooks.get("held", []):
            row("  held", line)
    if data["stage_seconds"]:
        row("Stages", " · ".join(f"{k} {_seconds(v)}" for k, v in data["stage_seconds"].items()))
    row("Output", report.output_dir)

    parts: list[Any] = [table]
    problems = [a for a in data["articles"] if a["status"] in ("skipped", "failed", "withdrawn")]
    if problems:
        issues = Table(title="Articles not published", title_justify="left")
        issues.add_column("Status", no_wrap=True)
        issues.add_column("URL", overflow="fold")
        issues.add_column("Reason", overflow="fold")
        for article in problems[:MAX_PROBLEMS]:
            issues.add_row(article["status"], Text(article["url"]), Text(article["reason"]))
        parts.append(issues)
        if len(problems) > MAX_PROBLEMS:
            parts.append(Text(f"… and {len(problems) - MAX_PROBLEMS} more (see --json)"))
    refused = data["refused_links"]
    if refused:
        links = Table(title="Links refused, not fetched", title_justify="left")
        links.add_column("Source", no_wrap=True)
        links.add_column("URL", overflow="fold")
        links.add_column("Reason", overflow="fold")
        for link in refused[:MAX_PROBLEMS]:
            links.add_row(Text(link["source"]), Text(link["url"]), Text(link["reason"]))
        parts.append(links)
        if len(refused) > MAX_PROBLEMS:
            parts.append(Text(f"… and {len(refused) - MAX_PROBLEMS} more (see --json)"))
    return parts[0] if len(parts) == 1 else Group(*parts)


def summary_table(report: RunReport, width: int = 100) -> str:
    """The summary table as plain text (box characters, no colour codes)."""
    from rich.console import Console

    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    console.print(summary_renderable(report))
    return buffer.getvalue()


def print_summary(report: RunReport, console: Any = None) -> None:
    """Print the summary table (default: to stdout)."""
    from rich.console import Console

    (console or Console()).print(summary_renderable(report))


# --- logging --------------------------------------------------------------------------

OUR_LOGGER = "translator_pipeline"
_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
# Loggers whose console handlers print Prefect's records (root, and the two Prefect
# configures with their own handler and propagate=False).
_CONSOLE_LOGGERS = ("", "uvicorn", "fastapi")
_PREFECT_NAMES = ("prefect", "uvicorn", "fastapi", "httpx", "httpcore", "alembic", "asyncio")


def _level(verbosity: int) -> tuple[int, int]:
    """(our level, level of Prefect's own records on the console)."""
    if verbosity < 0:
        return logging.WARNING, logging.WARNING
    if verbosity == 0:
        return logging.INFO, logging.WARNING
    if verbosity == 1:
        return logging.INFO, logging.INFO
    return logging.DEBUG, logging.DEBUG


def _ours(record: logging.LogRecord) -> bool:
    """Logged by our code, directly or through Prefect's run loggers."""
    return record.name.startswith(OUR_LOGGER) or record.pathname.startswith(_PACKAGE_DIR)


# Set (``extra={SUMMARY_RECORD: True}``) on the flow's closing summary record: the
# command line prints that summary itself, so its console shows the record only
# with -v. Prefect's API (the UI's logs) always gets it.
SUMMARY_RECORD = "tp_run_summary"


class ConsoleFilter(logging.Filter):
    """On a console handler: our records from ``ours``, Prefect's from ``prefect`` up;
    the flow's summary record only when Prefect's INFO records are shown too (-v)."""

    def __init__(self, ours: int, prefect: int) -> None:
        super().__init__()
        self.ours = ours
        self.prefect = prefect

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SUMMARY_RECORD, False) and record.levelno < self.prefect:
            return False
        if _ours(record):
            return record.levelno >= self.ours
        name = record.name
        if any(name == p or name.startswith(p + ".") for p in _PREFECT_NAMES):
            return record.levelno >= self.prefect
        return True  # other libraries: as their loggers are configured


def _console_handlers() -> list[logging.Handler]:
    found: list[logging.Handler] = []
    for name in (*_CONSOLE_LOGGERS, OUR_LOGGER):
        for handler in logging.getLogger(name).handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and not type(handler).__module__.startswith("_pytest")  # caplog's capture
                and handler not in found
            ):
                found.append(handler)
    return found


class _OwnHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Our console handler when nothing else prints logs (Prefect not set up)."""


def configure_logging(
    verbosity: int = 0, *, prefect: bool = True, stream: IO[str] | None = None
) -> None:
    """Console log levels for a command (see the module doc for the table).

    ``prefect=True`` sets Prefect's logging up first (importing Prefect, as a flow
    run would) and filters its console handlers; with ``prefect=False`` (commands
    that never run a flow) our loggers get a plain stderr handler. Safe to call again.
    """
    ours, theirs = _level(verbosity)
    our_logger = logging.getLogger(OUR_LOGGER)
    our_logger.setLevel(ours)
    if prefect:
        from prefect.logging.configuration import ensure_logging_setup

        ensure_logging_setup()
        if verbosity >= 2:
            logging.getLogger("prefect").setLevel(logging.DEBUG)
    for handler in list(our_logger.handlers):  # from an earlier call
        if isinstance(handler, _OwnHandler):
            our_logger.removeHandler(handler)
    our_logger.propagate = True
    handlers = _console_handlers()
    if not handlers:
        own = _OwnHandler(stream or sys.stderr)
        own.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        our_logger.addHandler(own)
        our_logger.propagate = False  # root has no handler: Python's last resort would repeat it
        handlers = [own]
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, ConsoleFilter)]:
            handler.removeFilter(old)
        handler.addFilter(ConsoleFilter(ours, theirs))
