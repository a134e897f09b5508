"""Console output of interactive runs: progress bars, the summary table, log levels."""

from __future__ import annotations

import logging
import threading
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

import translator_pipeline.run.progress as progress_module
from translator_pipeline.models import ArticleOutcome, GlossaryEvent, RunReport
from translator_pipeline.run.progress import (
    ConsoleFilter,
    NullProgress,
    Progress,
    RichProgress,
    configure_logging,
    current_progress,
    make_progress,
    summary_table,
    use_progress,
)


def terminal() -> tuple[Console, StringIO]:
    buffer = StringIO()
    return Console(file=buffer, force_terminal=True, width=100), buffer


def plain() -> tuple[Console, StringIO]:
    buffer = StringIO()
    return Console(file=buffer, width=100), buffer  # a file: not a terminal


def run_stages(progress: Progress) -> None:
    progress.stage("discover", 1)
    progress.advance("discover")
    progress.stage("fetch", 3)
    for _ in range(3):
        progress.advance("fetch")
    progress.stage("translate", 4)
    progress.advance("translate", 2)
    progress.advance("nowhere")  # an unknown stage is ignored
    progress.done()
    progress.done()  # idempotent


def test_both_implementations_follow_the_protocol() -> None:
    assert isinstance(NullProgress(), Progress)
    assert isinstance(RichProgress(plain()[0]), Progress)


def test_nothing_is_written_when_the_console_is_not_a_terminal() -> None:
    console, buffer = plain()
    progress = RichProgress(console)
    run_stages(progress)
    assert buffer.getvalue() == ""
    assert not progress.enabled


def test_stages_are_shown_on_a_terminal() -> None:
    console, buffer = terminal()
    run_stages(RichProgress(console))
    out = buffer.getvalue()
    assert "Discovering" in out and "1/1" in out
    assert "Fetching" in out and "3/3" in out
    assert "Translating" in out and "2/4" in out


def test_a_stage_can_be_resized_and_advanced_from_threads() -> None:
    console, buffer = terminal()
    progress = RichProgress(console)
    progress.stage("publish")  # size unknown at first
    progress.stage("publish", 200)

    def work() -> None:
        for _ in range(50):
            progress.advance("publish")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    progress.done()
    assert "200/200" in buffer.getvalue()


def test_no_bars_for_scripts_quiet_or_json() -> None:
    tty, _ = terminal()
    assert isinstance(make_progress(console=tty), RichProgress)
    assert isinstance(make_progress(console=plain()[0]), NullProgress)
    assert isinstance(make_progress(quiet=True, console=tty), NullProgress)
    assert isinstance(make_progress(as_json=True, console=tty), NullProgress)
    assert isinstance(make_progress(), NullProgress)  # pytest's stderr is not a terminal


def test_use_progress_makes_it_current_then_stops_it() -> None:
    console, buffer = terminal()
    bars = RichProgress(console)
    assert isinstance(current_progress(), NullProgress)
    with pytest.raises(RuntimeError), use_progress(bars):
        assert current_progress() is bars
        current_progress().stage("fetch", 1)
        raise RuntimeError("the flow failed")
    assert isinstance(current_progress(), NullProgress)
    assert "Fetching" in buffer.getvalue()
    bars.stage("translate", 1)  # stopped: nothing more is drawn
    assert "Translating" not in buffer.getvalue()


def test_summary_table_content() -> None:
    event = GlossaryEvent(
        "https://x.example/fr/a", "fr", "ar", "block 1", "icesco", "ICESCO", "الإيسيسكو",
        "l'ICESCO", "", "", "الإيسيسكو", "placeholder",
    )  # fmt: skip
    report = RunReport(
        started_at="2026-03-09T10:00:00Z",
        finished_at="2026-03-09T10:00:42Z",
        engine="pseudo",
        discovered=4,
        outcomes=[
            ArticleOutcome(
                "https://x.example/fr/a",
                "published",
                languages=("ar", "en"),
                change="new",
                segments_translated=20,
                segments_from_memory=6,
            ),
            ArticleOutcome("https://x.example/en/b", "unchanged"),
            ArticleOutcome(
                "https://x.example/de/c",
                "skipped",
                reason="LanguageError: article is in 'de' [bold red]x[/]",
            ),
            ArticleOutcome("https://x.example/en/d", "failed", reason="EngineError: boom"),
        ],
        glossary_version="g1",
        glossary_events=[event],
        webhooks_delivered=2,
        engine_signatures={"fr-ar": "engine=pseudo|model=pseudo|version=1"},
        stage_seconds={"discover": 0.2, "fetch": 3.0, "translate": 30.5},
        output_dir="/srv/out",
    )
    text = summary_table(report, width=120)
    assert "2026-03-09T10:00:00Z → 2026-03-09T10:00:42Z (42.0 s)" in text
    assert "engine=pseudo|model=pseudo|version=1" in text
    assert "1 (1 new, 0 changed), 2 variant(s)" in text
    assert "20 translated, 6 from memory (23%)" in text
    assert "compliance 100.0 %: 1 term(s), 0 missed" in text
    assert "2 delivered, 0 queued" in text
    assert "discover 0.2 s · fetch 3.0 s · translate 30.5 s" in text
    assert "/srv/out" in text
    # The articles not published, with their reasons; scraped text is not rich markup.
    assert "Articles not published" in text
    assert "https://x.example/de/c" in text and "[bold red]x[/]" in text
    assert "EngineError: boom" in text
    assert "\x1b[" not in text  # plain text, no colour codes


def test_summary_table_of_a_clean_run_has_no_problem_list() -> None:
    text = summary_table(RunReport(started_at="t", engine="pseudo", discovered=0))
    assert "Articles not published" not in text
    assert "Glossary" not in text and "Webhooks" not in text


# --- logging ----------------------------------------------------------------------------


def record(name: str, level: int, pathname: str) -> logging.LogRecord:
    return logging.LogRecord(name, level, pathname, 1, "message", None, None)


OURS = str(Path(progress_module.__file__).parents[1] / "run" / "loop.py")
PREFECTS = "/venv/lib/python3.11/site-packages/prefect/task_engine.py"


@pytest.mark.parametrize(
    ("verbosity", "shown"),
    [
        (-1, {"our warning", "other warning", "prefect warning"}),
        (0, {"our info", "our info via prefect", "our warning", "other warning",
             "prefect warning"}),
        (1, {"our info", "our info via prefect", "our warning", "other warning",
             "prefect warning", "prefect info", "run summary"}),
        (2, {"our debug", "our info", "our info via prefect", "our warning", "other warning",
             "prefect warning", "prefect info", "prefect debug", "run summary"}),
    ],
)  # fmt: skip
def test_console_filter_levels(verbosity: int, shown: set[str]) -> None:
    records = {
        "our debug": record("translator_pipeline.crawl.fetch", logging.DEBUG, OURS),
        "our info": record("translator_pipeline.crawl.fetch", logging.INFO, OURS),
        "our info via prefect": record("prefect.flow_runs", logging.INFO, OURS),
        "our warning": record("translator_pipeline.crawl.fetch", logging.WARNING, OURS),
        "prefect debug": record("prefect.client", logging.DEBUG, PREFECTS),
        "prefect info": record("prefect.task_runs", logging.INFO, PREFECTS),
        "prefect warning": record("prefect.task_runs", logging.WARNING, PREFECTS),
        "other warning": record("urllib3", logging.WARNING, "/x/urllib3/pool.py"),
        # The flow's closing summary: the command line prints it itself.
        "run summary": record("prefect.flow_runs", logging.INFO, OURS),
    }
    setattr(records["run summary"], progress_module.SUMMARY_RECORD, True)
    ours, theirs = progress_module._level(verbosity)
    console = ConsoleFilter(ours, theirs)
    # Loggers still drop what is under their level before a handler sees it.
    our_level = ours
    passed = {
        name
        for name, rec in records.items()
        if console.filter(rec) and (not name.startswith("our") or rec.levelno >= our_level)
    }
    assert passed == shown


@pytest.fixture
def restore_logging():
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()  # what configure_logging does first: save the state after it
    ours = logging.getLogger("translator_pipeline")
    saved = (ours.level, ours.propagate, list(ours.handlers))
    prefect = logging.getLogger("prefect")
    prefect_level = prefect.level
    yield prefect_level
    ours.setLevel(saved[0])
    ours.propagate = saved[1]
    ours.handlers[:] = saved[2]
    prefect.setLevel(prefect_level)
    for handler in progress_module._console_handlers():
        for f in [f for f in handler.filters if isinstance(f, ConsoleFilter)]:
            handler.removeFilter(f)


def test_configure_logging_filters_prefect_console_handlers_once(restore_logging) -> None:
    configure_logging(0)
    configure_logging(0)  # again: still one filter per handler
    handlers = progress_module._console_handlers()
    assert handlers, "Prefect sets up a console handler on the root logger"
    for handler in handlers:
        assert sum(isinstance(f, ConsoleFilter) for f in handler.filters) == 1
    assert logging.getLogger("translator_pipeline").getEffectiveLevel() == logging.INFO
    # Only the console is filtered: Prefect's loggers (and its API handler, the UI's
    # logs) keep their level.
    assert logging.getLogger("prefect").level == restore_logging
    configure_logging(2)
    assert logging.getLogger("prefect").level == logging.DEBUG
    assert logging.getLogger("translator_pipeline").getEffectiveLevel() == logging.DEBUG


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_without_prefect_handlers(monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "_CONSOLE_LOGGERS", ())  # as before Prefect is set up
    stream = StringIO()
    configure_logging(0, prefect=False, stream=stream)
    log = logging.getLogger("translator_pipeline.bench")
    log.info("shown at the default level")
    log.debug("hidden at the default level")
    configure_logging(-1, prefect=False, stream=stream)  # --quiet replaces the handler
    log.info("hidden when quiet")
    log.warning("warnings always")
    text = stream.getvalue()
    assert "shown at the default level" in text and "warnings always" in text
    assert "hidden" not in text
    assert text.count("warnings always") == 1
