"""The scheduled job: discover → fetch/extract/detect → translate → publish.

One Prefect task per source for discovery and per article for each stage,
never per segment (a task costs milliseconds, a segment microseconds). Tasks
return outcomes instead of raising for bad input, so one broken article never
fails the run; the flow fails only when it could do nothing at all.

Task runner: threads by default; with ``runner="dask"`` the translation tasks
(CPU-bound, one model set per worker process) go to a Dask cluster while
discovery, fetching and publishing stay in this process (see
:class:`PipelineTaskRunner`).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from ..config import Settings, load_settings
from ..engines import Translator
from ..errors import ConfigError, HTTPStatusError, PipelineError, PublishError, StateError
from ..fetch import Fetcher
from ..models import Article, ArticleOutcome, Candidate, RunReport, Variant
from ..pipeline import (
    Discovery,
    check_engine,
    conditional_validators,
    deliver_events,
    detect_language,
    discover,
    engine_for,
    fetch_candidate,
    note_gone,
    plan_languages,
    publish_manifest,
    publish_variants,
    render_translation,
    terminology_for,
    translate_article,
)
from ..publish import Publisher, publisher_for, slug_from_url
from ..render import check_templates
from ..report import format_summary, publish_glossary_artifact, review_run_id, write_review_report
from ..state import StateStore, utc_now

__all__ = ["PipelineTaskRunner", "translate_and_publish"]

MAX_WORKERS = 4
TRANSLATE_TIMEOUT = 1800  # seconds for one article into one language: a stuck engine
DASK_TASKS = frozenset({"translate-render"})  # what runner="dask" sends to the cluster
DASK_LOCAL_WORKERS = 2  # processes of the LocalCluster started when no address is given
DASK_CONNECT_TIMEOUT = 20  # seconds to reach a Dask scheduler given by address


class PipelineTaskRunner(ThreadPoolTaskRunner):
    """Threads for every task; after :meth:`use_dask`, translation tasks go to Dask.

    Discovery, fetching and publishing stay in this process's threads: they share
    the run's Fetcher (robots.txt cache, per-host politeness) and write the output
    and the state. Translation is CPU-bound and needs the models: on Dask each
    worker process loads them once (engines are looked up per process, never
    passed as task parameters). Without an address, a LocalCluster of
    ``DASK_LOCAL_WORKERS`` single-threaded processes is started at the first
    translation (a run with nothing to translate starts none) and stopped with
    the run.
    """

    def __init__(self, max_workers: int | None = MAX_WORKERS) -> None:
        super().__init__(max_workers=max_workers)
        self._dask: Any = None

    def duplicate(self) -> PipelineTaskRunner:
        return type(self)(max_workers=self._max_workers)

    def use_dask(self, address: str | None = None) -> None:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise PipelineError(
                "runner 'dask' needs prefect-dask: pip install 'translator-pipeline[dask]'"
            ) from None
        if address:
            dask = DaskTaskRunner(address=address, client_kwargs={"timeout": DASK_CONNECT_TIMEOUT})
        else:
            dask = DaskTaskRunner(
                cluster_class="distributed.LocalCluster",
                cluster_kwargs={
                    "n_workers": DASK_LOCAL_WORKERS,
                    "threads_per_worker": 1,
                    "processes": True,
                    "dashboard_address": None,
                },
            )
        self._dask = dask.__enter__()
        if address:  # an unreachable scheduler fails the run before anything is fetched
            try:
                dask.client  # noqa: B018 (connects)
            except (OSError, TimeoutError) as exc:
                self._close_dask(None, None, None)
                raise PipelineError(
                    f"cannot reach the Dask scheduler at {address}: {exc}"
                ) from None

    def submit(self, task, parameters, wait_for=None, dependencies=None):  # type: ignore[override]
        if self._dask is not None and task.name in DASK_TASKS:
            return self._dask.submit(task, parameters, wait_for, dependencies)
        return super().submit(task, parameters, wait_for, dependencies)

    def _close_dask(self, *exc_info: Any) -> None:
        dask, self._dask = self._dask, None
        if dask is not None:
            dask.__exit__(*exc_info)

    def __exit__(self, *exc_info: Any) -> None:
        try:
            super().__exit__(*exc_info)  # waits for the threads (they may wait on Dask)
        finally:
            self._close_dask(*exc_info)


RUNNERS = ("threads", "dask")


def _select_task_runner(runner: str, dask_address: str | None) -> None:
    """Route this run's translation tasks as ``runner`` says (see PipelineTaskRunner).

    ``runner`` is a plain ``str`` parameter, not a ``Literal``: a served flow's
    function is pickled by value, with only the globals its body uses, so an
    annotation naming ``Literal`` could not be resolved when Prefect validates
    the parameters of a run.
    """
    if runner not in RUNNERS:
        raise ConfigError("runner", [("runner", f"{runner!r} is not one of {list(RUNNERS)}")])
    if runner != "dask":
        if dask_address:
            raise ConfigError("runner", [("dask_address", "given without runner='dask'")])
        return
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    task_runner = context.task_runner if context else None
    if not isinstance(task_runner, PipelineTaskRunner):
        raise PipelineError(
            f"runner 'dask' needs the flow's PipelineTaskRunner, not {type(task_runner).__name__}"
        )
    task_runner.use_dask(dask_address)


def _only_sources(settings: Settings, names: list[str] | None) -> Settings:
    """The settings restricted to the sources named (a fan-out child's share)."""
    if not names:
        return settings
    known = [s.name for s in settings.sources]
    unknown = [n for n in names if n not in known]
    if unknown:
        where = str(settings.config_path or "config")
        raise ConfigError(
            where, [("source_names", f"unknown source(s) {unknown}; the config has {known}")]
        )
    return settings.model_copy(update={"sources": [s for s in settings.sources if s.name in names]})


def _without_sweep(publisher: Publisher) -> Publisher:
    """The publisher, writing the manifest but removing no unlisted file: for runs
    that share the output with others running at once (fan-out children), whose
    files written but not yet recorded a sweep would delete. Their parent sweeps
    once every child is done."""
    publisher.sweep = lambda published, keep=frozenset(): []  # type: ignore[method-assign]
    return publisher


# One Fetcher per run and process: robots.txt cache and per-host politeness only
# work when every task of the run shares it. Tasks get the run's key, not the
# object (task parameters stay serialisable for other task runners).
_fetchers: dict[str, Fetcher] = {}
_fetchers_lock = threading.Lock()


def _fetcher(settings: Settings, run_key: str) -> Fetcher:
    with _fetchers_lock:
        if run_key not in _fetchers:
            _fetchers[run_key] = Fetcher(settings.fetch)
        return _fetchers[run_key]


def _close_fetcher(run_key: str) -> None:
    with _fetchers_lock:
        fetcher = _fetchers.pop(run_key, None)
    if fetcher is not None:
        fetcher.close()


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(settings: Settings, source_name: str, run_key: str) -> Discovery:
    return discover(settings.source(source_name), _fetcher(settings, run_key))


@task(name="fetch-extract", cache_policy=NO_CACHE)
def fetch_task(
    settings: Settings,
    candidate: Candidate,
    run_key: str,
    validators: tuple[str | None, str | None] = (None, None),
) -> Article | ArticleOutcome:
    """The extracted article, ``unchanged`` on a 304, or why it is skipped.

    No Prefect retries: the fetcher retries what is worth retrying (timeouts,
    429, 5xx) itself, politely, and reports the rest.
    """
    try:
        result = fetch_candidate(
            candidate, settings.source(candidate.source), _fetcher(settings, run_key), *validators
        )
    except PipelineError as exc:
        return _skipped(candidate.url, exc)
    return result


@task(name="detect-language", cache_policy=NO_CACHE)
def detect_task(settings: Settings, fetched: Article | ArticleOutcome) -> Article | ArticleOutcome:
    """The article with its and its blocks' languages, or why it is skipped."""
    if isinstance(fetched, ArticleOutcome):
        return fetched
    try:
        return detect_language(fetched, settings)
    except PipelineError as exc:
        return _skipped(fetched.url, exc)


def _skipped(url: str, exc: PipelineError) -> ArticleOutcome:
    get_run_logger().warning("skipped %s: %s", url, exc.message)
    return ArticleOutcome(
        url,
        "skipped",
        reason=f"{type(exc).__name__}: {exc.message}",
        http_status=exc.status if isinstance(exc, HTTPStatusError) else None,
    )


@task(name="translate-render", cache_policy=NO_CACHE, timeout_seconds=TRANSLATE_TIMEOUT)
def translate_task(
    settings: Settings, article: Article, language: str, languages: list[str], slug: str
) -> Variant:
    """One target language of one article, translated and rendered. Raises
    :class:`PipelineError`; the publish task reports it for the whole article."""
    terminology = terminology_for(settings)
    state = StateStore.from_settings(settings)
    [translated] = translate_article(article, [language], engine_for(settings), terminology, state)
    return render_translation(article, translated, slug, languages, settings, terminology)


@task(
    name="publish",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=lambda task, run, state: _is_io_error(state),
)
def publish_task(settings: Settings, article: Article, variants: list[Variant]) -> ArticleOutcome:
    """Write the article's variants and record them; retried on storage errors only."""
    return publish_variants(
        article,
        variants,
        settings,
        StateStore.from_settings(settings),
        publisher_for(settings),
        terminology_for(settings),
    )


def _is_io_error(state: Any) -> bool:
    try:
        state.result()
    except (PublishError, StateError):
        return True
    except Exception:
        return False
    return False


def _review(settings: Settings, report: RunReport) -> None:
    """The translators' review of this run's glossary work: files and a Prefect artifact."""
    terminology = terminology_for(settings)
    if not (terminology.glossary or terminology.pinned) or not report.count("published"):
        return
    try:
        review = write_review_report(
            report.glossary_events,
            settings.glossary.review_dir or settings.state_path.parent / "review",
            run_id=review_run_id(report.started_at),
            started_at=report.started_at,
            glossary_version=report.glossary_version,
            glossary_path=str(settings.glossary.path) if settings.glossary.path else None,
            glossary=terminology.glossary,
        )
    except (OSError, PublishError, ValueError) as exc:  # the variants are out: log, go on
        get_run_logger().error("could not write the glossary review report: %s", exc)
        return
    report.review_report = str(review.html_path)
    publish_glossary_artifact(report.glossary_events, review)


def _result(future: PrefectFuture[Any], url: str) -> Any:
    """A task's result, or a failed outcome if the task itself crashed."""
    try:
        return future.result()
    except PipelineError as exc:
        get_run_logger().error("failed %s: %s", url, exc)
        return ArticleOutcome(url, "failed", reason=f"{type(exc).__name__}: {exc.message}")
    except Exception as exc:  # a bug in one article must not end the run
        return ArticleOutcome(url, "failed", reason=f"unexpected error: {exc!r}")


@flow(name="translate-and-publish", task_runner=PipelineTaskRunner(max_workers=MAX_WORKERS))
def translate_and_publish(
    config_path: str,
    engine: str | None = None,
    overrides: dict[str, Any] | None = None,
    source_names: list[str] | None = None,
    runner: str = "threads",
    dask_address: str | None = None,
    sweep: bool = True,
) -> RunReport:
    """Run the pipeline once over every source in the config file.

    ``engine`` overrides the config's engine; ``overrides`` sets other
    top-level config keys (after the file and ``TP_*`` variables).
    ``source_names`` restricts the run to those sources (one fan-out child).
    ``runner="dask"`` sends the translation tasks to the Dask scheduler at
    ``dask_address`` (``tcp://host:8786``), or to a LocalCluster of 2 processes.
    ``sweep=False`` leaves unlisted files alone (runs sharing the output at once).
    """
    settings = _only_sources(
        load_settings(config_path, engine=engine, **(overrides or {})), source_names
    )
    _select_task_runner(runner, dask_address)
    report = RunReport(
        started_at=utc_now(), engine=settings.engine, output_dir=str(settings.output_dir)
    )
    engine_obj = engine_for(settings)
    check_engine(settings, engine_obj)  # a missing model fails the run before any fetch
    # So does a glossary with errors: GlossaryError names every one of them.
    terminology = terminology_for(settings)
    report.glossary_version = terminology.version
    check_templates(settings)  # and a broken page template, naming file and line
    state = StateStore.from_settings(settings)
    publisher = publisher_for(settings)
    if not sweep:
        publisher = _without_sweep(publisher)
    publisher.check()  # and an unreachable bucket or unwritable directory
    report.output_dir = publisher.url_for()

    run_key = uuid.uuid4().hex
    try:
        return _run(settings, engine_obj, state, publisher, report, run_key)
    finally:
        _close_fetcher(run_key)


def _run(
    settings: Settings,
    engine_obj: Translator,
    state: StateStore,
    publisher: Publisher,
    report: RunReport,
    run_key: str,
) -> RunReport:
    logger = get_run_logger()
    candidates: list[Candidate] = []
    discovered = {s.name: discover_task.submit(settings, s.name, run_key) for s in settings.sources}
    for name, future in discovered.items():
        try:
            found = future.result()
        except Exception as exc:  # discovery reports bad input itself; this is a bug
            message = exc.message if isinstance(exc, PipelineError) else repr(exc)
            report.source_errors.append((name, message))
            logger.error("source %s could not be read: %s", name, message)
            continue
        for error in found.errors:
            report.source_errors.append((name, error))
            logger.error("source %s: %s", name, error)
        if found.refused:
            logger.info("source %s: refused %d link(s), not fetched", name, len(found.refused))
            report.refused_links.extend((name, url, reason) for url, reason in found.refused)
        candidates.extend(found.candidates)
    # The same URL can be listed by two sources; fetch it once.
    candidates = list({c.url: c for c in reversed(candidates)}.values())[::-1]
    report.discovered = len(candidates)
    # Published articles the listings no longer show are re-checked a few per run,
    # so an original that was deleted is noticed and its variants withdrawn.
    configured = {s.name for s in settings.sources}
    listed = {c.url for c in candidates}
    for url, source in state.least_recently_checked(listed, settings.recheck_per_run):
        if source in configured:
            candidates.append(Candidate(url=url, source=source))
            report.rechecked += 1

    fetched = []
    for c in candidates:
        validators = conditional_validators(c.url, settings, engine_obj, state, publisher)
        fetch_future = fetch_task.submit(settings, c, run_key, validators)
        fetched.append((c, detect_task.submit(settings, fetch_future)))
    work: list[tuple[Article, list[str]]] = []
    seen_final: set[str] = set()
    gone: list[tuple[Candidate, ArticleOutcome]] = []
    reachable: set[str] = set()  # sources with at least one article that answered
    for candidate, future in fetched:
        result = _result(future, candidate.url)
        if isinstance(result, ArticleOutcome) and result.http_status in (404, 410):
            gone.append((candidate, result))
            continue
        if not isinstance(result, ArticleOutcome) or result.status == "unchanged":
            reachable.add(candidate.source)
            state.note_present(candidate.url)
        if isinstance(result, ArticleOutcome):
            report.outcomes.append(result)
            continue
        if result.url in seen_final:  # two links redirected to one article
            continue
        seen_final.add(result.url)
        languages = plan_languages(result, settings, engine_obj, state, publisher)
        if not languages:
            state.remember_validators(result.url, result.etag, result.last_modified)
            report.outcomes.append(
                ArticleOutcome(result.url, "unchanged", source_language=result.language)
            )
        else:
            work.append((result, languages))

    for candidate, outcome in gone:
        # A source whose every article is "gone" is more likely broken than emptied:
        # never withdraw on its word alone.
        withdrawn = None
        if candidate.source in reachable:
            try:
                withdrawn = note_gone(candidate.url, settings, state, publisher)
            except PipelineError as exc:  # files or state unwritable: try again next run
                logger.error("could not withdraw %s: %s", candidate.url, exc)
        report.outcomes.append(withdrawn or outcome)
    state.mark_checked([c.url for c, _ in fetched])

    # One task per target language, then one publish task per article that waits
    # for all of them (its variants link to each other).
    published = []
    for article, languages in work:
        slug = state.slug_for(article.url, article.source, slug_from_url(article.url))
        variants = [
            translate_task.submit(settings, article, lang, languages, slug) for lang in languages
        ]
        published.append((article, variants, publish_task.submit(settings, article, variants)))
    for article, variants, future in published:
        # A failed translation stops its article's publication: report that cause.
        failures = (_result(v, article.url) for v in variants)
        failed = next((f for f in failures if isinstance(f, ArticleOutcome)), None)
        outcome = failed or _result(future, article.url)
        if outcome.status == "failed" and outcome.source_language is None:
            outcome = replace(outcome, source_language=article.language)
        report.glossary_events.extend(outcome.glossary_events)
        report.outcomes.append(replace(outcome, glossary_events=()))

    publish_manifest(state, publisher, settings)
    _review(settings, report)
    # After the manifest, so a receiver that reads it finds what the events announce.
    delivery = deliver_events(settings, state)
    report.webhooks_delivered = delivery.delivered
    report.webhooks_pending = delivery.pending
    report.webhook_errors = delivery.errors
    report.finished_at = utc_now()
    logger.info(format_summary(report))
    if report.nothing_done:
        raise RuntimeError(
            "nothing could be done in this run: every source or article failed\n"
            + format_summary(report)
        )
    return report
