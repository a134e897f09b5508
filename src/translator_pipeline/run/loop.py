"""One run of the pipeline: discover → fetch/extract/detect → translate → publish.

The rules of a run live here, whatever executes its stages:

- every source is discovered; a URL listed by two sources is fetched once; a
  few published articles the listings no longer show are re-checked, so a
  deleted original is noticed;
- articles are fetched in chunks (see :func:`~.stages.chunked`); each chunk's
  articles to translate go on to translation (one unit per target language)
  and publishing while later chunks are still being fetched;
- two links that redirect to one article make one article; an article whose
  variants are all current is ``unchanged`` (and its validators are kept, so
  the next run can ask with ``If-None-Match``); the others get their slug;
- an original that answers 404/410 counts towards withdrawing its variants,
  but only when its source answered for some other article: a source whose
  every article is gone is more likely broken than emptied;
- a page skipped as a listing (pager, tag, category … see
  :mod:`~translator_pipeline.crawl.pagekind`) is withdrawn if it had been
  published, and so is what the source's include/exclude patterns now refuse;
- then the manifest (and the sweep of unlisted files), the glossary review,
  the webhooks (after the manifest: receivers may read it at once), the run
  report; a run that could do nothing at all raises :class:`RunFailedError`.

:func:`run_once` runs it all in this process on threads; the Prefect flow
(:mod:`translator_pipeline.flows`) runs the same loop with Prefect tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from translator_pipeline.config.settings import Settings
from translator_pipeline.errors import ConfigError, PipelineError, PublishError, RunFailedError
from translator_pipeline.files import write_atomic
from translator_pipeline.glossary.review import review_run_id, write_review_report
from translator_pipeline.models import Article, ArticleOutcome, Candidate, RunReport
from translator_pipeline.publishing.render import check_templates
from translator_pipeline.publishing.slugs import slug_from_url
from translator_pipeline.publishing.webhooks import DeliveryReport
from translator_pipeline.run import stages
from translator_pipeline.run.context import RunContext, close_context, open_context, run_logger
from translator_pipeline.run.executors import Executor, StageFuture, ThreadExecutor
from translator_pipeline.run.lease import RunLease
from translator_pipeline.run.ownership import begin_publishing, claim_output, output_in_use
from translator_pipeline.run.progress import SUMMARY_RECORD, current_progress
from translator_pipeline.run.report import (
    RUN_REPORT_NAME,
    SelectorTally,
    format_summary,
    run_report_bytes,
    timed_stage,
)
from translator_pipeline.store.db import utc_now

__all__ = [
    "MAX_WORKERS",
    "RunHooks",
    "WithdrawalReport",
    "execute_run",
    "run_once",
    "select_sources",
    "withdraw_urls",
]

MAX_WORKERS = 4  # stages at once (threads of this process, or Prefect's task runner)


@dataclass(frozen=True)
class RunHooks:
    """What an edge adds to a run (the Prefect flow: artifacts). Each gets the
    finished piece of work and must not raise."""

    on_review: Callable[[RunReport, Any], None] | None = None  # (report, ReviewReport)
    on_report: Callable[[RunReport], None] | None = None


def select_sources(settings: Settings, names: Sequence[str] | None) -> Settings:
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


def report_name_for(source_names: Sequence[str] | None) -> str:
    """``run-report.json``; a fan-out child reports on its share in a file of its own."""
    if not source_names:
        return RUN_REPORT_NAME
    return f"run-report-{slug_from_url('/' + '-'.join(sorted(source_names)))}.json"


def prepare_run(ctx: RunContext) -> RunReport:
    """Everything that must hold before anything is fetched, checked in this order:
    the engine has every pair (a missing model fails the run), the glossary has no
    errors (GlossaryError names every one), the page templates compile, the output
    can be written. Returns the run's report, started."""
    settings = ctx.settings
    report = RunReport(
        started_at=utc_now(), engine=settings.engine, output_dir=str(settings.output_dir)
    )
    stages.check_engine(settings, ctx.engine)
    report.engine_signatures = stages.engine_signatures(settings, ctx.engine)
    report.glossary_version = ctx.terminology.version
    check_templates(settings)
    untold = [lang for lang in settings.target_languages if not settings.has_disclaimer(lang)]
    if untold:
        run_logger().warning(
            "no disclaimer written in %s: those pages carry the English one (marked "
            "lang=en); add [disclaimers.<language>] text and link_text to the config",
            ", ".join(untold),
        )
    ctx.publisher.check()
    report.output_dir = ctx.publisher.url_for()
    return report


def execute_run(
    ctx: RunContext,
    executor: Executor,
    *,
    source_names: Sequence[str] | None = None,
    sweep: bool = True,
    workers: int = MAX_WORKERS,
    hooks: RunHooks = RunHooks(),
) -> RunReport:
    """Check, take the output's lease and run the loop on ``executor``.

    ``sweep=False`` is for runs sharing the output and state with others at once
    (fan-out children): they leave unlisted files alone, take no lease (they run
    under their parent's) and deliver no webhook (two runs sending one outbox
    would send events twice); the parent sweeps and delivers once all are done.
    """
    report = prepare_run(ctx)
    lease = RunLease(ctx.state, report.output_dir) if sweep else nullcontext()
    with lease:
        # Before anything is written: is the output this state's? (A lost, older or
        # foreign state would delete and re-announce its pages.)
        ctx.output_id = claim_output(ctx.state, ctx.publisher, ctx.settings)
        if sweep:  # after a run killed mid-publish, the manifest is put right first
            begin_publishing(
                ctx.state,
                ctx.publisher,
                ctx.settings,
                ctx.output_id,
                stages.article_events(ctx.settings),
            )
        try:
            return run_loop(
                ctx,
                report,
                executor,
                report_name=report_name_for(source_names),
                owns_output=sweep,
                workers=workers,
                hooks=hooks,
            )
        finally:
            if sweep:
                _checkpoint(ctx)


def run_once(
    settings: Settings,
    *,
    source_names: Sequence[str] | None = None,
    sweep: bool = True,
    workers: int = MAX_WORKERS,
) -> RunReport:
    """One whole run in this process, on ``workers`` threads, without Prefect.

    Raises what :func:`prepare_run` raises before anything is fetched, and
    :class:`RunFailedError` when nothing at all could be done; otherwise every
    problem is an article's outcome in the returned report.
    """
    ctx = open_context(select_sources(settings, source_names))
    try:
        with ThreadExecutor(ctx, max_workers=workers) as executor:
            return execute_run(
                ctx, executor, source_names=source_names, sweep=sweep, workers=workers
            )
    finally:
        close_context(ctx.key)


def _crash(future: StageFuture) -> Exception | None:
    """Why a unit of work ended without a result (a timeout, a bug), or None."""
    try:
        future.result()
    except Exception as exc:  # reported per article by the caller
        return exc
    return None


def run_loop(
    ctx: RunContext,
    report: RunReport,
    executor: Executor,
    *,
    report_name: str = RUN_REPORT_NAME,
    owns_output: bool = True,
    workers: int = MAX_WORKERS,
    hooks: RunHooks = RunHooks(),
) -> RunReport:
    """The run itself, after :func:`prepare_run` (see the module's rules)."""
    settings, state = ctx.settings, ctx.state
    progress = current_progress()
    with timed_stage(report, "discover"):
        progress.stage("discover", len(settings.sources))
        candidates = _discover(ctx, executor, report)
        progress.advance("discover", len(settings.sources))

    with timed_stage(report, "fetch"):
        progress.stage("fetch", len(candidates))
        batches = [
            (batch, executor.submit("fetch", batch))
            for batch in stages.chunked(candidates, workers)
        ]
        seen_final: set[str] = set()
        gone: list[tuple[Candidate, ArticleOutcome]] = []
        reachable: set[str] = set()  # sources with at least one article that answered
        present: list[str] = []  # originals that answered (their gone-count resets)
        selectors = SelectorTally()  # configured selectors that matched nothing, per source
        listings: list[ArticleOutcome] = []  # pages skipped as listings, not articles
        pending: list[tuple[list[Article], list[StageFuture], StageFuture]] = []
        planned = 0
        for batch, future in batches:
            crash = _crash(future)
            results = (
                future.result() if crash is None else [stages.failed(c.url, crash) for c in batch]
            )
            work: list[stages.Work] = []
            for candidate, result in zip(batch, results, strict=True):
                selectors.add(candidate.source, result.selector_misses)
                if isinstance(result, ArticleOutcome) and result.http_status in (404, 410):
                    gone.append((candidate, result))
                    continue
                if not isinstance(result, ArticleOutcome) or result.status == "unchanged":
                    reachable.add(candidate.source)
                    present.append(candidate.url)
                if isinstance(result, ArticleOutcome):
                    if result.status == "skipped" and result.reason.startswith(
                        stages.NOT_AN_ARTICLE
                    ):
                        listings.append(result)  # withdrawn with the others, if published
                    else:
                        report.outcomes.append(result)
                    continue
                if result.url in seen_final:  # two links redirected to one article
                    continue
                seen_final.add(result.url)
                languages = stages.plan_languages(ctx, result)
                if not languages:
                    state.remember_validators(result.url, result.etag, result.last_modified)
                    report.outcomes.append(
                        ArticleOutcome(result.url, "unchanged", source_language=result.language)
                    )
                    continue
                slug = state.slug_for(result.url, result.source, slug_from_url(result.url))
                work.append((result, slug, languages))
            progress.advance("fetch", len(batch))
            for part in stages.chunked(work, workers=1):
                pending.append(_submit_translation(ctx, executor, part))
                planned += len(part)
        state.note_present(present)
        for name, problem in selectors.problems(settings):
            report.source_errors.append((name, problem))
            run_logger().error("source %s: %s", name, problem)
        state.mark_checked([c.url for c in candidates])

    with timed_stage(report, "translate"):
        progress.stage("translate", planned)
        for articles, translations, _ in pending:
            for future in translations:
                _crash(future)  # waits; a crash is reported with the publish results
            progress.advance("translate", len(articles))
    with timed_stage(report, "publish"):
        progress.stage("publish", planned)
        for articles, translations, future in pending:
            crash = next(filter(None, map(_crash, translations)), None) or _crash(future)
            if crash is None:
                outcomes = future.result()
            else:  # a translation timed out or crashed: its chunk is not published
                outcomes = [stages.failed(a.url, crash, a.language) for a in articles]
            for outcome in outcomes:
                report.glossary_events.extend(outcome.glossary_events)
                report.outcomes.append(replace(outcome, glossary_events=()))
            progress.advance("publish", len(articles))
        _withdraw(ctx, gone, reachable, report)
        report.outcomes.extend(stages.withdraw_listing(ctx, outcome) for outcome in listings)
        report.outcomes.extend(stages.withdraw_refused(ctx))

    with timed_stage(report, "manifest"):
        stages.publish_manifest(
            state, ctx.publisher, settings, sweep=owns_output, output=ctx.output_id
        )
    with timed_stage(report, "review"):
        _review(ctx, report, hooks)
    with timed_stage(report, "webhooks"):
        delivery = stages.deliver_events(settings, state) if owns_output else DeliveryReport()
    if owns_output:  # not a fan-out child: keep the state tidy too
        _prune_memory(ctx, report)
    report.webhooks_delivered = delivery.delivered
    report.webhooks_pending = delivery.pending
    report.webhook_errors = delivery.errors
    config = str(settings.config_path or "FILE")
    report.webhooks_held = [held.message(config) for held in delivery.held]
    report.webhooks_refused = sum(1 for held in delivery.held if held.refused)
    for line in report.webhooks_held:
        run_logger().error("webhook %s", line)
    progress.done()
    report.finished_at = utc_now()
    _write_run_report(ctx, report, report_name, hooks)
    run_logger().info(format_summary(report), extra={SUMMARY_RECORD: True})
    if report.nothing_done:
        raise RunFailedError(
            "nothing could be done in this run: every source or article failed\n"
            + format_summary(report)
        )
    return report


def _discover(ctx: RunContext, executor: Executor, report: RunReport) -> list[Candidate]:
    """Every source's article links (each URL once), then a few published articles
    the listings no longer show, re-checked so a deleted original is noticed."""
    settings, logger = ctx.settings, run_logger()
    candidates: list[Candidate] = []
    discovered = {s.name: executor.submit("discover", s.name) for s in settings.sources}
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
    candidates = _own_candidates(ctx, candidates, report)
    configured = {s.name for s in settings.sources}
    listed = {c.url for c in candidates}
    recheck = ctx.state.least_recently_checked(
        listed, settings.recheck_per_run, output=ctx.output_id
    )
    for url, source in recheck:
        if source in configured:
            candidates.append(Candidate(url=url, source=source))
            report.rechecked += 1
    return candidates


def _own_candidates(
    ctx: RunContext, candidates: list[Candidate], report: RunReport
) -> list[Candidate]:
    """``candidates`` without the articles this state publishes to another output still
    in use (two configs sharing one state database and one article): each is reported
    skipped. Articles of an output that is gone, or that this config published to
    before it was pointed at another, are this run's to publish."""
    if ctx.output_id is None:
        return candidates
    owners = ctx.state.outputs_of(c.url for c in candidates)
    others = {output for output in owners.values() if output != ctx.output_id}
    if not others:
        return candidates
    # Another config's output, still there. (An output this config published before
    # it was pointed elsewhere is not: its articles move to the new output.)
    config = str(ctx.settings.config_path or "")
    known = {o.id: o for o in ctx.state.outputs()}
    locations = {o.id: o.location for o in known.values()}
    live = {
        o
        for o in others
        if o in known and known[o].config != config and output_in_use(known[o].location, o)
    }
    foreign = {url for url, output in owners.items() if output in live}
    for url in sorted(foreign):
        where = locations.get(owners[url], owners[url])
        report.outcomes.append(
            ArticleOutcome(
                url,
                "skipped",
                reason=f"already published to another output ({where}) from the same state "
                "database; give each config its own state_path (or state_url) to publish "
                "an article twice",
            )
        )
    return [c for c in candidates if c.url not in foreign]


def _checkpoint(ctx: RunContext) -> None:
    """Fold the SQLite write-ahead log into the database file at the end of a run, so
    that the file alone is the whole state (see ``state backup``)."""
    try:
        ctx.state.checkpoint()
    except PipelineError as exc:
        run_logger().warning("could not checkpoint the state database: %s", exc)


def _submit_translation(
    ctx: RunContext, executor: Executor, work: list[stages.Work]
) -> tuple[list[Article], list[StageFuture], StageFuture]:
    """One translation per target language for a chunk of articles, and the publishing
    that waits for all of them (an article's variants link to each other)."""
    translations = []
    for language in ctx.settings.target_languages:
        share = [w for w in work if language in w[2]]
        if share:
            translations.append(executor.submit("translate", share, language))
    articles = [article for article, _, _ in work]
    return articles, translations, executor.submit("publish", articles, translations)


def _withdraw(
    ctx: RunContext,
    gone: list[tuple[Candidate, ArticleOutcome]],
    reachable: set[str],
    report: RunReport,
) -> None:
    """Count the run for each original that answered 404/410; withdraw the variants of
    those gone long enough, but never on the word of a source none of whose articles
    answered."""
    for candidate, outcome in gone:
        withdrawn = None
        if candidate.source in reachable:
            try:
                withdrawn = stages.note_gone(ctx, candidate.url)
            except PipelineError as exc:  # files or state unwritable: try again next run
                run_logger().error("could not withdraw %s: %s", candidate.url, exc)
        report.outcomes.append(withdrawn or outcome)


def _review(ctx: RunContext, report: RunReport, hooks: RunHooks) -> None:
    """The translators' review of this run's glossary work."""
    settings, terminology = ctx.settings, ctx.terminology
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
        run_logger().error("could not write the glossary review report: %s", exc)
        return
    report.review_report = str(review.html_path)
    if hooks.on_review is not None:
        hooks.on_review(report, review)


def _prune_memory(ctx: RunContext, report: RunReport) -> None:
    """Drop translation-memory entries of engines this run no longer uses; a failure
    only costs the space."""
    try:
        pruned = ctx.state.prune_memory(sorted(set(report.engine_signatures.values())))
    except PipelineError as exc:
        run_logger().warning("could not prune the translation memory: %s", exc)
        return
    if pruned:
        run_logger().info(
            "translation memory: %d entries of engines no longer used removed", pruned
        )


def _write_run_report(ctx: RunContext, report: RunReport, name: str, hooks: RunHooks) -> None:
    """``run-report.json`` next to the manifest, or in ``run_report_dir``. The variants
    are out by now: a report that cannot be written is logged, not raised."""
    data = run_report_bytes(report)
    publisher = ctx.publisher
    try:
        if ctx.settings.run_report_dir is not None:
            write_atomic(ctx.settings.run_report_dir / name, data)
        else:
            publisher.write(
                name, data, cache_control=getattr(publisher, "manifest_cache_control", None)
            )
    except (OSError, PipelineError) as exc:
        run_logger().error("could not write %s: %s", name, exc)
    if hooks.on_report is not None:
        hooks.on_report(report)


# --- withdrawal by ops ---------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawalReport:
    """What ``withdraw_urls`` did: the withdrawals, the URLs with nothing published,
    and the webhook delivery of the ``variant.removed`` events."""

    withdrawn: tuple[ArticleOutcome, ...]
    not_published: tuple[str, ...]
    delivery: DeliveryReport


def withdraw_urls(settings: Settings, urls: Sequence[str], reason: str) -> WithdrawalReport:
    """Withdraw every published variant of ``urls`` (ops found a page that should not
    have been published): ``variant.removed`` events queued, the manifest, sitemap and
    feeds rebuilt without them, their files swept, the events delivered. Holds the
    output's lease as a run does, so it cannot interleave with one. A URL is looked up
    as given, then in the normalised form discovery stores."""
    from translator_pipeline.crawl.discover import normalise_url

    ctx = open_context(settings)
    try:
        state = ctx.state
        ctx.publisher.check()
        with RunLease(state, ctx.publisher.url_for()):
            # Only an output this state owns, and only its own articles, are touched.
            ctx.output_id = claim_output(state, ctx.publisher, settings)
            mine = {stored.url for stored, _ in state.published(ctx.output_id)}
            withdrawn: list[ArticleOutcome] = []
            missing: list[str] = []
            for url in urls:
                keys = [url]
                if (normal := normalise_url(url.strip())) and normal != url:
                    keys.append(normal)
                done = None
                for key in [k for k in keys if k in mine]:
                    done = stages.withdraw_article(ctx, key, reason)
                    if done is not None:
                        break
                if done is None:
                    missing.append(url)
                else:
                    withdrawn.append(done)
            if withdrawn:
                stages.publish_manifest(state, ctx.publisher, settings, output=ctx.output_id)
            delivery = stages.deliver_events(settings, state)
        return WithdrawalReport(tuple(withdrawn), tuple(missing), delivery)
    finally:
        close_context(ctx.key)
