"""The scheduled job: discover → fetch/extract/detect → translate → publish.

One Prefect task per source for discovery; then per chunk of articles (see
:data:`~translator_pipeline.pipeline.CHUNK_SIZE`) one fetch-extract-detect task, one
translate-render task per target language and one publish task, never one per
segment or per article (a task costs tens of milliseconds, a 304 one or two).
Inside a task every article is handled on its own: a bad page becomes that
article's outcome, never the chunk's, so one broken article never fails the
run; the flow fails only when it could do nothing at all. Fetched chunks go on
to translation while later chunks are still being fetched.

Task runner: threads by default; with ``runner="dask"`` the translation tasks
(CPU-bound, one model set per worker process) go to a Dask cluster while
discovery, fetching and publishing stay in this process (see
:class:`PipelineTaskRunner`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from contextlib import nullcontext
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
from ..lease import RunLease
from ..models import Article, ArticleOutcome, Candidate, RunReport, Variant
from ..pipeline import (
    Discovery,
    check_engine,
    chunked,
    conditional_validators,
    deliver_events,
    detect_language,
    discover,
    engine_for,
    engine_signatures,
    fetch_candidate,
    note_gone,
    plan_languages,
    publish_manifest,
    publish_variants,
    render_translation,
    terminology_for,
)
from ..progress import SUMMARY_RECORD, current_progress
from ..publish import Publisher, publisher_for, slug_from_url, write_atomic
from ..render import check_templates
from ..report import (
    RUN_REPORT_NAME,
    format_summary,
    publish_glossary_artifact,
    publish_run_artifacts,
    review_run_id,
    run_report_bytes,
    timed_stage,
    write_review_report,
)
from ..state import StateStore, TranslationMemory, utc_now
from ..translate import Terminology, translate_articles
from ..webhooks import DeliveryReport

__all__ = ["PipelineTaskRunner", "translate_and_publish"]

MAX_WORKERS = 4
PUBLISH_RETRY_DELAYS = (2, 10)  # seconds before each new attempt after a storage error
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


@task(name="fetch-extract-detect", cache_policy=NO_CACHE)
def fetch_task(
    settings: Settings, candidates: list[Candidate], run_key: str
) -> list[Article | ArticleOutcome]:
    """Per candidate, in order: the extracted article with its languages detected,
    ``unchanged`` on a 304, or why it is skipped.

    The request is conditional (ETag/Last-Modified) only when everything published
    from the URL is current, so a 304 means there is nothing to do. No Prefect
    retries: the fetcher retries what is worth retrying (timeouts, 429, 5xx)
    itself, politely, and reports the rest.
    """
    engine = engine_for(settings)
    state = StateStore.from_settings(settings)
    publisher = publisher_for(settings)
    fetcher = _fetcher(settings, run_key)
    results: list[Article | ArticleOutcome] = []
    for candidate in candidates:
        try:
            validators = conditional_validators(candidate.url, settings, engine, state, publisher)
            result = fetch_candidate(
                candidate, settings.source(candidate.source), fetcher, *validators
            )
            if isinstance(result, Article):
                result = detect_language(result, settings)
        except (StateError, PublishError) as exc:  # ours, not the page's: a failure
            result = _failed(candidate.url, exc)
        except PipelineError as exc:
            result = _skipped(candidate.url, exc)
        except Exception as exc:  # a bug on one page must not cost the others theirs
            result = _failed(candidate.url, exc)
        results.append(result)
    return results


def _skipped(url: str, exc: PipelineError) -> ArticleOutcome:
    get_run_logger().warning("skipped %s: %s", url, exc.message)
    return ArticleOutcome(
        url,
        "skipped",
        reason=f"{type(exc).__name__}: {exc.message}",
        http_status=exc.status if isinstance(exc, HTTPStatusError) else None,
    )


def _failed(url: str, exc: BaseException, language: str | None = None) -> ArticleOutcome:
    if isinstance(exc, PipelineError):
        get_run_logger().error("failed %s: %s", url, exc.message)
        reason = f"{type(exc).__name__}: {exc.message}"
    else:
        get_run_logger().error("failed %s: unexpected error %r", url, exc)
        reason = f"unexpected error: {exc!r}"
    return ArticleOutcome(url, "failed", reason=reason, source_language=language)


@task(name="translate-render", cache_policy=NO_CACHE)
def translate_task(
    settings: Settings, work: list[tuple[Article, str, list[str]]], language: str
) -> list[Variant | ArticleOutcome]:
    """Articles ``(article, slug, all its target languages)`` translated into
    ``language`` in one engine call per language pair, and rendered; per article, in
    order, its variant or why it failed.

    The engine and models are looked up in the process that runs the task (a Dask
    worker loads them once). When a call fails and the chunk had several
    articles, each is tried again alone, so one page the engine chokes on does not
    fail the others.
    """
    terminology = terminology_for(settings)
    engine = engine_for(settings)
    memory = TranslationMemory(StateStore.from_settings(settings))
    articles = [article for article, _, _ in work]

    def translate(batch: list[Article]) -> dict[str, Any]:
        return translate_articles(batch, [language], engine, terminology=terminology, memory=memory)

    try:
        results = translate(articles)
    except Exception as exc:  # a bug on some page: translating each alone finds which
        results = dict.fromkeys((a.url for a in articles), exc)
    failed = [a for a in articles if isinstance(results[a.url], Exception)]
    if failed and len(articles) > 1:
        for article in failed:
            try:
                results.update(translate([article]))
            except Exception as exc:
                results[article.url] = exc
    out: list[Variant | ArticleOutcome] = []
    for article, slug, languages in work:
        result = results[article.url]
        try:
            if isinstance(result, Exception):
                if isinstance(result, PipelineError):
                    result.url = result.url or article.url
                raise result
            [translated] = result
            out.append(
                render_translation(article, translated, slug, languages, settings, terminology)
            )
        except Exception as exc:
            out.append(_failed(article.url, exc, article.language))
    return out


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(
    settings: Settings,
    articles: list[Article],
    translations: list[list[Variant | ArticleOutcome]],
) -> list[ArticleOutcome]:
    """Write each article's variants and record them, article by article.

    ``translations`` holds the translate tasks' results, one list per target
    language; an article whose translation failed in any language is not published
    and keeps that cause. Storage errors are retried with backoff
    (``PUBLISH_RETRY_DELAYS``), per article.
    """
    state = StateStore.from_settings(settings)
    publisher = publisher_for(settings)
    terminology = terminology_for(settings)
    order = {lang: i for i, lang in enumerate(settings.target_languages)}
    results: dict[str, list[Variant | ArticleOutcome]] = defaultdict(list)
    for per_language in translations:
        for r in per_language:
            results[r.article_url if isinstance(r, Variant) else r.url].append(r)
    outcomes = []
    for article in articles:
        mine = results[article.url]
        failure = next((r for r in mine if isinstance(r, ArticleOutcome)), None)
        if failure is not None:
            outcomes.append(failure)
            continue
        variants = sorted(
            (r for r in mine if isinstance(r, Variant)), key=lambda v: order.get(v.language, 0)
        )
        try:
            outcomes.append(
                _publish_with_retries(article, variants, settings, state, publisher, terminology)
            )
        except Exception as exc:
            outcomes.append(_failed(article.url, exc, article.language))
    return outcomes


def _publish_with_retries(
    article: Article,
    variants: list[Variant],
    settings: Settings,
    state: StateStore,
    publisher: Publisher,
    terminology: Terminology,
) -> ArticleOutcome:
    """publish_variants, tried again after each delay of ``PUBLISH_RETRY_DELAYS`` while
    it fails on storage (a full disk, a bucket or database briefly away). Writing is
    idempotent: a retry rewrites what the failed attempt may have written."""
    for delay in (*PUBLISH_RETRY_DELAYS, None):
        try:
            return publish_variants(article, variants, settings, state, publisher, terminology)
        except (PublishError, StateError) as exc:
            if delay is None:
                raise
            get_run_logger().warning(
                "publishing %s failed (%s); retrying in %ss", article.url, exc.message, delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


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


def _crash(future: PrefectFuture[Any]) -> Exception | None:
    """Why a task ended without a result (a timeout, a bug), or None when it has one."""
    try:
        future.result()
    except Exception as exc:  # reported per article by the caller
        return exc
    return None


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
    ``sweep=False`` is for runs sharing the output and state with others at once
    (fan-out children): they leave unlisted files alone and deliver no webhook
    (two runs sending one outbox would send events twice); the events stay
    queued and the parent sweeps and delivers once every child is done.
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
    report.engine_signatures = engine_signatures(settings, engine_obj)
    # So does a glossary with errors: GlossaryError names every one of them.
    terminology = terminology_for(settings)
    report.glossary_version = terminology.version
    check_templates(settings)  # and a broken page template, naming file and line
    untold = [lang for lang in settings.target_languages if not settings.has_disclaimer(lang)]
    if untold:
        get_run_logger().warning(
            "no disclaimer written in %s: those pages carry the English one (marked "
            "lang=en); add [disclaimers.<language>] text and link_text to the config",
            ", ".join(untold),
        )
    state = StateStore.from_settings(settings)
    publisher = publisher_for(settings)
    publisher.check()  # and an unreachable bucket or unwritable directory
    report.output_dir = publisher.url_for()

    # A fan-out child reports on its share of the sources in a file of its own.
    report_name = RUN_REPORT_NAME
    if source_names:
        report_name = f"run-report-{slug_from_url('/' + '-'.join(sorted(source_names)))}.json"
    # One run per output at a time (a fan-out child runs under its parent's lease).
    lease = RunLease(state, report.output_dir) if sweep else nullcontext()
    run_key = uuid.uuid4().hex
    try:
        with lease:
            return _run(
                settings,
                engine_obj,
                state,
                publisher,
                report,
                run_key,
                report_name,
                owns_output=sweep,
            )
    finally:
        _close_fetcher(run_key)


def _run(
    settings: Settings,
    engine_obj: Translator,
    state: StateStore,
    publisher: Publisher,
    report: RunReport,
    run_key: str,
    report_name: str,
    owns_output: bool = True,
) -> RunReport:
    logger = get_run_logger()
    progress = current_progress()
    with timed_stage(report, "discover"):
        progress.stage("discover", len(settings.sources))
        candidates = _discover(settings, state, report, run_key)
        progress.advance("discover", len(settings.sources))

    # Fetch in chunks; each chunk's articles to translate go to the translate and
    # publish tasks as soon as it is in, while later chunks are still fetching.
    with timed_stage(report, "fetch"):
        progress.stage("fetch", len(candidates))
        batches = [
            (batch, fetch_task.submit(settings, batch, run_key))
            for batch in chunked(candidates, MAX_WORKERS)
        ]
        seen_final: set[str] = set()
        gone: list[tuple[Candidate, ArticleOutcome]] = []
        reachable: set[str] = set()  # sources with at least one article that answered
        present: list[str] = []  # originals that answered (their gone-count resets)
        pending: list[tuple[list[Article], list[PrefectFuture[Any]], PrefectFuture[Any]]] = []
        planned = 0
        for batch, future in batches:
            crash = _crash(future)
            results = future.result() if crash is None else [_failed(c.url, crash) for c in batch]
            work: list[tuple[Article, str, list[str]]] = []
            for candidate, result in zip(batch, results, strict=True):
                if isinstance(result, ArticleOutcome) and result.http_status in (404, 410):
                    gone.append((candidate, result))
                    continue
                if not isinstance(result, ArticleOutcome) or result.status == "unchanged":
                    reachable.add(candidate.source)
                    present.append(candidate.url)
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
                    continue
                slug = state.slug_for(result.url, result.source, slug_from_url(result.url))
                work.append((result, slug, languages))
            progress.advance("fetch", len(batch))
            for part in chunked(work, workers=1):
                pending.append(_submit_translation(settings, part))
                planned += len(part)
        state.note_present(present)
        state.mark_checked([c.url for c in candidates])

    with timed_stage(report, "translate"):
        progress.stage("translate", planned)
        for articles, translations, _ in pending:
            for future in translations:
                future.wait()
            progress.advance("translate", len(articles))
    with timed_stage(report, "publish"):
        progress.stage("publish", planned)
        for articles, translations, future in pending:
            crash = next(filter(None, map(_crash, translations)), None) or _crash(future)
            if crash is None:
                outcomes = future.result()
            else:  # a translate task timed out or crashed: its chunk is not published
                outcomes = [_failed(a.url, crash, a.language) for a in articles]
            for outcome in outcomes:
                report.glossary_events.extend(outcome.glossary_events)
                report.outcomes.append(replace(outcome, glossary_events=()))
            progress.advance("publish", len(articles))
        _withdraw(gone, reachable, settings, state, publisher, report)

    with timed_stage(report, "manifest"):
        publish_manifest(state, publisher, settings, sweep=owns_output)
    with timed_stage(report, "review"):
        _review(settings, report)
    with timed_stage(report, "webhooks"):
        # After the manifest, so a receiver that reads it finds what the events announce.
        delivery = deliver_events(settings, state) if owns_output else DeliveryReport()
    if owns_output:  # not a fan-out child: keep the state tidy too
        _prune_memory(state, report)
    report.webhooks_delivered = delivery.delivered
    report.webhooks_pending = delivery.pending
    report.webhook_errors = delivery.errors
    progress.done()
    report.finished_at = utc_now()
    _write_run_report(report, settings, publisher, report_name)
    logger.info(format_summary(report), extra={SUMMARY_RECORD: True})
    if report.nothing_done:
        raise RuntimeError(
            "nothing could be done in this run: every source or article failed\n"
            + format_summary(report)
        )
    return report


def _discover(
    settings: Settings, state: StateStore, report: RunReport, run_key: str
) -> list[Candidate]:
    """Every source's article links (each URL once), then a few published articles
    the listings no longer show, re-checked so a deleted original is noticed."""
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
    configured = {s.name for s in settings.sources}
    listed = {c.url for c in candidates}
    for url, source in state.least_recently_checked(listed, settings.recheck_per_run):
        if source in configured:
            candidates.append(Candidate(url=url, source=source))
            report.rechecked += 1
    return candidates


def _submit_translation(
    settings: Settings, work: list[tuple[Article, str, list[str]]]
) -> tuple[list[Article], list[PrefectFuture[Any]], PrefectFuture[Any]]:
    """One translate task per target language for a chunk of articles, and the publish
    task that waits for all of them (an article's variants link to each other)."""
    translations = []
    for language in settings.target_languages:
        share = [w for w in work if language in w[2]]
        if share:
            translations.append(translate_task.submit(settings, share, language))
    articles = [article for article, _, _ in work]
    return articles, translations, publish_task.submit(settings, articles, translations)


def _withdraw(
    gone: list[tuple[Candidate, ArticleOutcome]],
    reachable: set[str],
    settings: Settings,
    state: StateStore,
    publisher: Publisher,
    report: RunReport,
) -> None:
    """Count the run for each original that answered 404/410; withdraw the variants of
    those gone long enough. A source whose every article is gone is more likely broken
    than emptied: never withdraw on its word alone."""
    for candidate, outcome in gone:
        withdrawn = None
        if candidate.source in reachable:
            try:
                withdrawn = note_gone(candidate.url, settings, state, publisher)
            except PipelineError as exc:  # files or state unwritable: try again next run
                get_run_logger().error("could not withdraw %s: %s", candidate.url, exc)
        report.outcomes.append(withdrawn or outcome)


def _prune_memory(state: StateStore, report: RunReport) -> None:
    """Drop translation-memory entries of engines this run no longer uses (see
    :meth:`StateStore.prune_memory`); a failure only costs the space."""
    try:
        pruned = state.prune_memory(sorted(set(report.engine_signatures.values())))
    except PipelineError as exc:
        get_run_logger().warning("could not prune the translation memory: %s", exc)
        return
    if pruned:
        get_run_logger().info(
            "translation memory: %d entries of engines no longer used removed", pruned
        )


def _write_run_report(
    report: RunReport, settings: Settings, publisher: Publisher, name: str
) -> None:
    """``run-report.json`` next to the manifest, or in ``run_report_dir``; and the
    run's Prefect artifacts. The variants are out by now: a report that cannot be
    written is logged, not raised."""
    data = run_report_bytes(report)
    try:
        if settings.run_report_dir is not None:
            write_atomic(settings.run_report_dir / name, data)
        else:
            publisher.write(
                name, data, cache_control=getattr(publisher, "manifest_cache_control", None)
            )
    except (OSError, PipelineError) as exc:
        get_run_logger().error("could not write %s: %s", name, exc)
    publish_run_artifacts(report)
