"""The stages of a run over chunks of articles, and the rules each applies.

Each ``*_chunk`` function is one unit of work the run loop hands to its
executor (a thread, a Prefect task, a Dask worker): it takes the run's
:class:`~translator_pipeline.run.context.RunContext` and a chunk, and returns
one result per item. Inside a chunk every article is handled on its own: a bad
page becomes that article's outcome (``skipped`` with the reason, or
``failed`` when the fault is ours), never the chunk's.
"""

from __future__ import annotations

import contextvars
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from translator_pipeline.crawl.discover import Discovery, discover, pattern_refusal
from translator_pipeline.crawl.extract import extract_article
from translator_pipeline.errors import (
    EngineError,
    ExtractionError,
    FetchError,
    LanguageError,
    NotAnArticleError,
    PipelineError,
    PublishError,
    StateError,
    UnreachableError,
)
from translator_pipeline.language.langid import LanguageDetector, detect_article
from translator_pipeline.models import (
    Article,
    ArticleOutcome,
    Candidate,
    PublishedVariant,
    StoredArticle,
    TranslatedArticle,
    Variant,
)
from translator_pipeline.publishing.manifest import variant_entry
from translator_pipeline.publishing.render import render_variant
from translator_pipeline.publishing.slugs import slug_from_url
from translator_pipeline.publishing.webhooks import DeliveryReport, deliver_outbox, event_payload
from translator_pipeline.quality.judge import judge
from translator_pipeline.run.context import RunContext, run_logger
from translator_pipeline.run.ownership import publish_with_marker
from translator_pipeline.store.memory import TranslationMemory
from translator_pipeline.store.outbox import EventFactory
from translator_pipeline.translate.articles import (
    glossary_texts,
    terminology_fingerprint,
    translate_articles,
)

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings, SourceSettings
    from translator_pipeline.crawl.fetch import Fetcher
    from translator_pipeline.engines import Translator
    from translator_pipeline.publishing.storage import Publisher
    from translator_pipeline.store.fetch_failures import FetchFailure
    from translator_pipeline.store.state import StateStore

__all__ = [
    "Work",
    "article_events",
    "check_engine",
    "chunked",
    "conditional_validators",
    "deliver_events",
    "detect_language",
    "discover_source",
    "engine_signatures",
    "failed",
    "fetch_candidate",
    "fetch_chunk",
    "missing_pairs",
    "note_gone",
    "plan_languages",
    "publish_chunk",
    "publish_manifest",
    "skipped",
    "translate_chunk",
]

T = TypeVar("T")

# Articles per fetch, translate and publish unit of work. Prefect costs tens of
# milliseconds per task (more with a server recording it), a 304 one or two: one
# task per article would cost more than the work of a re-run. Chunks keep a
# 500-article run to ~100 tasks; per-article outcomes are in the run report.
CHUNK_SIZE = 25
PUBLISH_RETRY_DELAYS = (2, 10)  # seconds before each new attempt after a storage error

#: One article to translate: the article, its slug, all its target languages.
Work = tuple[Article, str, list[str]]


def chunked(items: Sequence[T], workers: int = 4, size: int = CHUNK_SIZE) -> list[list[T]]:
    """``items`` in order, in chunks of at most ``size``, but in at least ``workers``
    chunks when there are that many items (a small run still runs in parallel).
    Chunk sizes differ by at most one."""
    if not items:
        return []
    count = max(min(len(items), workers), math.ceil(len(items) / size))
    per, extra = divmod(len(items), count)
    out, start = [], 0
    for i in range(count):
        end = start + per + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


# --- outcomes ---------------------------------------------------------------------------


# How the reason of a page skipped as a listing starts (see :func:`skipped`).
NOT_AN_ARTICLE = f"{NotAnArticleError.__name__}:"


def is_listing(outcome: ArticleOutcome) -> bool:
    """True for a page skipped because it is a listing, not an article."""
    return outcome.status == "skipped" and outcome.reason.startswith(NOT_AN_ARTICLE)


def skipped(url: str, exc: PipelineError) -> ArticleOutcome:
    """The page cannot be used (not HTML, robots, 404 …): skipped, with the reason."""
    run_logger().warning("skipped %s: %s", url, exc.message)
    return ArticleOutcome(
        url,
        "skipped",
        reason=f"{type(exc).__name__}: {exc.message}",
        http_status=exc.status if isinstance(exc, FetchError) else None,
    )


def unreachable(url: str, exc: UnreachableError, next_attempt: str | None) -> ArticleOutcome:
    """The site's backend failed (timeouts, refused connections, 5xx after every
    retry): failed, not skipped, since the page may well be fine once it is back."""
    run_logger().error("failed %s: %s", url, exc.message)
    return ArticleOutcome(
        url,
        "failed",
        reason=f"{type(exc).__name__}: {exc.message}",
        http_status=exc.status,
        attempts=exc.attempts,
        next_attempt=next_attempt,
    )


def backing_off(failure: FetchFailure) -> ArticleOutcome:
    """A URL unreachable on earlier runs whose next try is not due: failed, not fetched."""
    runs = "run" if failure.failures == 1 else f"{failure.failures} runs in a row"
    return ArticleOutcome(
        failure.url,
        "failed",
        reason=f"UnreachableError: not fetched, backing off: unreachable on the last {runs} "
        f"since {failure.first_failed_at} ({failure.reason}); next try after "
        f"{failure.next_attempt_iso}",
        http_status=failure.status,
        next_attempt=failure.next_attempt_iso,
    )


def failed(url: str, exc: BaseException, language: str | None = None) -> ArticleOutcome:
    """Our side failed (storage, a bug, the engine): failed, with the cause."""
    if isinstance(exc, PipelineError):
        run_logger().error("failed %s: %s", url, exc.message)
        reason = f"{type(exc).__name__}: {exc.message}"
    else:
        run_logger().error("failed %s: unexpected error %r", url, exc)
        reason = f"unexpected error: {exc!r}"
    return ArticleOutcome(url, "failed", reason=reason, source_language=language)


# --- discover and fetch -------------------------------------------------------------------


def discover_source(ctx: RunContext, name: str) -> Discovery:
    """The article links of the source called ``name`` (never raises for bad input)."""
    return discover(ctx.settings.source(name), ctx.fetcher)


def fetch_candidate(
    candidate: Candidate,
    source: SourceSettings,
    fetcher: Fetcher,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Article | ArticleOutcome:
    """Fetch and extract one article; with validators, a 304 comes back as ``unchanged``
    without extraction. Raises :class:`PipelineError` for pages that cannot be used."""
    page = fetcher.fetch(candidate.url, source.hosts, etag=etag, last_modified=last_modified)
    if page.not_modified:
        return ArticleOutcome(
            candidate.url, "unchanged", reason="not modified (HTTP 304)", http_status=304
        )
    article = extract_article(page, source)
    return replace(article, etag=page.etag, last_modified=page.last_modified)


def detect_language(
    article: Article, settings: Settings, detector: LanguageDetector | None = None
) -> Article:
    """Set the article's and blocks' languages; LanguageError if we do not translate from it."""
    if detector is None:
        languages = dict.fromkeys([*settings.translate_from, *settings.target_languages])
        detector = LanguageDetector(tuple(languages))
    detected = detect_article(article, detector, supported=settings.translate_from)
    if detected.language == "und":
        raise LanguageError(
            f"language could not be determined (confidence {detected.language_confidence:.2f})",
            url=article.url,
        )
    if detected.language not in settings.translate_from:
        raise LanguageError(
            f"article is in {detected.language!r}, which this deployment does not translate "
            f"from (source_languages: {', '.join(settings.translate_from)})",
            url=article.url,
        )
    return detected


MAX_FETCH_THREADS = 16  # per chunk; the fetcher's per-host gates set the real limit


def fetch_chunk(ctx: RunContext, candidates: list[Candidate]) -> list[Article | ArticleOutcome]:
    """Per candidate, in order: the extracted article with its languages detected,
    ``unchanged`` on a 304, or why it is skipped or failed.

    The articles are fetched at the same time, as many per host as the fetcher's
    politeness gate lets through (``host_concurrency``), so one slow page holds
    up only itself. A URL unreachable on earlier runs is not fetched until its
    backoff is over. The request is conditional (ETag/Last-Modified) only when
    everything published from the URL is current, so a 304 means there is
    nothing to do. The fetcher retries what is worth retrying (timeouts, 429,
    5xx) itself, politely.
    """
    if not candidates:
        return []
    fetch = ctx.settings.fetch
    try:
        failures = ctx.state.fetch_failures(c.url for c in candidates)
    except StateError as exc:  # the state is needed for everything after: say so per URL
        return [failed(c.url, exc) for c in candidates]
    now = ctx.state.clock.time()
    due: list[int] = []
    results: list[Article | ArticleOutcome | None] = [None] * len(candidates)
    for i, candidate in enumerate(candidates):
        failure = failures.get(candidate.url)
        if failure is not None and fetch.failure_backoff and now < failure.next_attempt:
            results[i] = backing_off(failure)
        else:
            due.append(i)
    hosts = {urlsplit(candidates[i].url).hostname for i in due}
    threads = min(len(due), MAX_FETCH_THREADS, fetch.host_concurrency * max(len(hosts), 1))
    if threads > 1:
        with ThreadPoolExecutor(threads, thread_name_prefix="tp-fetch") as pool:
            # Each call in a copy of this thread's context: Prefect's run logger (and
            # so the UI's logs) is found through context variables.
            futures = [
                pool.submit(contextvars.copy_context().run, _fetch_one, ctx, candidates[i])
                for i in due
            ]
            fetched = [future.result() for future in futures]
    else:
        fetched = [_fetch_one(ctx, candidates[i]) for i in due]
    answered = []
    for i, result in zip(due, fetched, strict=True):
        results[i] = result
        if candidates[i].url in failures and not (
            isinstance(result, ArticleOutcome) and result.attempts
        ):
            answered.append(candidates[i].url)
    if answered:
        try:
            ctx.state.clear_fetch_failures(answered)
        except StateError as exc:  # the backoff is a convenience: the articles stand
            run_logger().warning("could not clear the fetch failures of %d URL(s): %s",
                                 len(answered), exc)  # fmt: skip
    return [r for r in results if r is not None]


def _fetch_one(ctx: RunContext, candidate: Candidate) -> Article | ArticleOutcome:
    settings = ctx.settings
    misses: tuple[str, ...] | None = None  # selectors that found nothing, once extracted
    try:
        validators = conditional_validators(ctx, candidate.url)
        result = fetch_candidate(
            candidate, settings.source(candidate.source), ctx.fetcher, *validators
        )
        if isinstance(result, Article):
            misses = result.selector_misses
            result = detect_language(result, settings, ctx.detector)
        return result
    except (StateError, PublishError) as exc:  # ours, not the page's: a failure
        return failed(candidate.url, exc)
    except UnreachableError as exc:
        return unreachable(candidate.url, exc, _note_unreachable(ctx, candidate.url, exc))
    except ExtractionError as exc:  # raised once the selectors were tried: their misses
        return replace(skipped(candidate.url, exc), selector_misses=exc.selector_misses)
    except PipelineError as exc:
        return replace(skipped(candidate.url, exc), selector_misses=misses)
    except Exception as exc:  # a bug on one page must not cost the others theirs
        return failed(candidate.url, exc)


def _note_unreachable(ctx: RunContext, url: str, exc: UnreachableError) -> str | None:
    """Record the failure for the backoff; when the URL will be tried again, or None."""
    fetch = ctx.settings.fetch
    if not fetch.failure_backoff:
        return None
    try:
        failure = ctx.state.record_fetch_failure(
            url, exc.message, exc.status, base=fetch.failure_backoff, cap=fetch.failure_backoff_max
        )
    except StateError as error:
        run_logger().warning("could not record the fetch failure of %s: %s", url, error)
        return None
    return failure.next_attempt_iso


# --- is there anything to do? ----------------------------------------------------------------


def variant_languages(article: Article, settings: Settings) -> list[str]:
    return [t for t in settings.target_languages if t != article.language]


def plan_languages(ctx: RunContext, article: Article) -> list[str]:
    """Languages to (re)publish; empty when every variant is current.

    Current means: same extracted content, same engine signature, same glossary
    concepts, same page templates, files still in place. When anything is stale
    every variant is redone, so their ``hreflang`` alternates stay consistent.
    """
    current = _variants_current(
        ctx,
        ctx.state.variants(article.url),
        str(article.language),
        article.content_hash,
        lambda lang: ctx.terminology_hash(article, lang),
    )
    if current:
        # Checked against this glossary: the next run need not look again before fetching.
        ctx.state.remember_glossary_inputs(
            article.url, glossary_texts(article), ctx.terminology.version
        )
    return [] if current else variant_languages(article, ctx.settings)


def _variants_current(
    ctx: RunContext,
    published: Mapping[str, PublishedVariant],
    language: str,
    content_hash: str,
    glossary_hash: Callable[[str], str],
) -> bool:
    """Whether the ``published`` variants (the state's, by language) are all current;
    ``glossary_hash``: a target language's terminology fingerprint."""
    engine, publisher = ctx.engine, ctx.publisher
    for lang in ctx.settings.target_languages:
        if lang == language:
            continue
        have = published.get(lang)
        if (
            have is None
            or have.content_hash != content_hash
            or have.glossary_hash != glossary_hash(lang)
            or have.render_hash != ctx.render_hash
            or not engine.supports(language, lang)
            or have.signature != str(engine.signature(language, lang))
            or not publisher.exists(have.path)
            or not publisher.exists(have.fragment_path)
        ):
            return False
    return True


def conditional_validators(ctx: RunContext, url: str) -> tuple[str | None, str | None]:
    """ETag/Last-Modified to send for ``url``: only when everything published from it is
    current, so a 304 can safely mean "nothing to do"; otherwise (None, None).

    Current includes the glossary: when it changed since the article was last
    checked, the article's stored texts are matched again; only if the concepts
    (or pinned segments) it contains changed is it fetched and translated again.
    """
    state, terminology = ctx.state, ctx.terminology
    stored = state.article(url)
    if stored is None or not stored.language or not stored.content_hash:
        return None, None
    published = state.variants(url)
    texts, checked = state.glossary_inputs(url)
    if checked == terminology.version:
        recorded = {lang: v.glossary_hash for lang, v in published.items()}

        def fingerprint(lang: str) -> str:
            return recorded.get(lang, "")
    elif texts is None:
        # Published before its texts were kept: one full fetch settles it.
        return None, None
    else:

        def fingerprint(lang: str) -> str:
            return terminology_fingerprint(texts, terminology, lang)

    if not _variants_current(ctx, published, stored.language, stored.content_hash, fingerprint):
        return None, None
    if checked != terminology.version:
        state.remember_glossary_inputs(url, None, terminology.version)
    return state.validators(url)


# --- translate and render --------------------------------------------------------------------


def render_translation(
    ctx: RunContext,
    article: Article,
    translated: TranslatedArticle,
    slug: str,
    languages: list[str],
) -> Variant:
    """One variant's page and fragment, judged by the quality gate, carrying its
    glossary events and segment records for the review."""
    records, decision = judge(
        translated.segments, ctx.settings.quality, ctx.detector, pseudo=translated.pseudo
    )
    translated = replace(translated, segments=records, quality=decision)
    variant = render_variant(
        article,
        translated,
        slug,
        languages,
        ctx.settings,
        glossary_version=ctx.terminology_hash(article, translated.language),
    )
    return replace(
        variant,
        glossary_events=translated.glossary_events,
        segments_translated=translated.segments_translated,
        segments_from_memory=translated.segments_from_memory,
        translation=translated,
    )


def translate_chunk(
    ctx: RunContext, work: list[Work], language: str
) -> list[Variant | ArticleOutcome]:
    """Articles translated into ``language`` in one engine call per language pair, and
    rendered; per article, in order, its variant or why it failed.

    When a call fails and the chunk had several articles, each is tried again
    alone, so one page the engine chokes on does not fail the others.
    """
    memory = TranslationMemory(ctx.state)
    articles = [article for article, _, _ in work]

    def translate(batch: list[Article]) -> dict[str, Any]:
        return translate_articles(
            batch, [language], ctx.engine, terminology=ctx.terminology, memory=memory
        )

    try:
        results = translate(articles)
    except Exception as exc:  # a bug on some page: translating each alone finds which
        results = dict.fromkeys((a.url for a in articles), exc)
    broken = [a for a in articles if isinstance(results[a.url], Exception)]
    if broken and len(articles) > 1:
        for article in broken:
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
            out.append(render_translation(ctx, article, translated, slug, languages))
        except Exception as exc:
            out.append(failed(article.url, exc, article.language))
    return out


# --- publish -------------------------------------------------------------------------------


def event_factory(settings: Settings, article: Mapping[str, object]) -> EventFactory | None:
    """How this run queues webhook events about ``article`` (None without webhooks)."""
    if not settings.webhooks:
        return None
    hooks = tuple((h.url, tuple(h.events)) for h in settings.webhooks)
    fields = dict(article)

    def build(kind: str, event_id: str, created: str, variant: PublishedVariant) -> bytes:
        # The variant as the manifest describes it: one vocabulary for the web team.
        return event_payload(kind, event_id, created, fields, variant_entry(variant, settings))

    return EventFactory(hooks, build)


def article_fields(article: Article | StoredArticle, slug: str) -> dict[str, object]:
    """What a webhook event says about the original article."""
    return {
        "url": article.url,
        "source": article.source,
        "slug": slug,
        "language": article.language,
        "title": article.title,
        "published": article.published,
    }


def publish_variants(ctx: RunContext, article: Article, variants: list[Variant]) -> ArticleOutcome:
    """Write every variant the quality gate lets through, then record them (files
    first, then state); every variant's decision and segments go to the review records."""
    settings, state, publisher = ctx.settings, ctx.state, ctx.publisher
    slug = state.slug_for(article.url, article.source, slug_from_url(article.url))
    before = state.variants(article.url)
    change = "changed" if before else "new"
    glossary_hash = {v.language: ctx.terminology_hash(article, v.language) for v in variants}
    state.record_reviews(
        article.url, article.content_hash, variants, glossary_hash, ctx.render_hash
    )
    held = [v for v in variants if v.held]
    variants = [v for v in variants if not v.held]
    if held:
        missing = {v.language for v in held if v.language not in before}
        variants = _without_alternates(ctx, article, variants, missing)
    written = []
    for variant in variants:
        page, fragment = publisher.publish_variant(variant)
        written.append((variant, page, fragment))
    if written:  # held variants are not current: the next run judges them again
        state.record_publication(
            article,
            written,
            glossary_hash=glossary_hash,
            events=event_factory(settings, article_fields(article, slug)),
            render_hash=ctx.render_hash,
            output=ctx.output_id,
        )
    state.remember_validators(article.url, article.etag, article.last_modified)
    state.remember_glossary_inputs(article.url, glossary_texts(article), ctx.terminology.version)
    fallbacks = sum(v.fallbacks for v in variants)
    events = tuple(e for v in [*variants, *held] for e in v.glossary_events)
    missed = sum(1 for e in events if e.method == "missed")
    notes = [_held_note(v, v.language in before) for v in held]
    notes += [
        f"{v.language} not indexed: {v.quality.reasons[0]}"
        for v in variants
        if v.quality.decision == "publish-noindex" and v.quality.reasons and not v.pseudo
    ]
    if fallbacks:
        notes.append(f"{fallbacks} block(s) rebuilt after placeholder loss")
    if missed:
        notes.append(f"{missed} glossary term(s) missed (see the review report)")
    every = [*variants, *held]
    return ArticleOutcome(
        url=article.url,
        status="published" if written else "skipped",
        reason="; ".join(notes),
        languages=tuple(v.language for v in variants),
        source_language=article.language,
        glossary_events=events,
        change=change if written else "",
        segments_translated=sum(v.segments_translated for v in every),
        segments_from_memory=sum(v.segments_from_memory for v in every),
        quality=tuple((v.language, v.quality) for v in sorted(every, key=_target_order(ctx))),
    )


def _target_order(ctx: RunContext) -> Callable[[Variant], int]:
    order = {lang: i for i, lang in enumerate(ctx.settings.target_languages)}
    return lambda v: order.get(v.language, len(order))


def _held_note(variant: Variant, had_earlier: bool) -> str:
    reasons = "; ".join(variant.quality.reasons[:2]) or "no reason given"
    tail = ", its earlier version stays published" if had_earlier else ""
    return f"{variant.language} held by the quality gate ({reasons}){tail}"


def _without_alternates(
    ctx: RunContext, article: Article, variants: list[Variant], missing: set[str]
) -> list[Variant]:
    """``variants`` rendered again without ``hreflang`` links to the ``missing``
    languages (held, with no published page to link to)."""
    if not missing:
        return variants
    languages = [lang for lang in variant_languages(article, ctx.settings) if lang not in missing]
    out = []
    for v in variants:
        if v.translation is None:
            out.append(v)
            continue
        again = render_variant(
            article,
            v.translation,
            v.slug,
            languages,
            ctx.settings,
            glossary_version=ctx.terminology_hash(article, v.language),
        )
        out.append(replace(v, page_html=again.page_html, fragment_html=again.fragment_html))
    return out


def _publish_with_retries(
    ctx: RunContext, article: Article, variants: list[Variant]
) -> ArticleOutcome:
    """publish_variants, tried again after each delay of ``PUBLISH_RETRY_DELAYS`` while
    it fails on storage (a full disk, a bucket or database briefly away). Writing is
    idempotent: a retry rewrites what the failed attempt may have written."""
    for delay in (*PUBLISH_RETRY_DELAYS, None):
        try:
            return publish_variants(ctx, article, variants)
        except (PublishError, StateError) as exc:
            if delay is None:
                raise
            run_logger().warning(
                "publishing %s failed (%s); retrying in %ss", article.url, exc.message, delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def publish_chunk(
    ctx: RunContext,
    articles: list[Article],
    translations: list[list[Variant | ArticleOutcome]],
) -> list[ArticleOutcome]:
    """Write each article's variants and record them, article by article.

    ``translations`` holds the translate stage's results, one list per target
    language; an article whose translation failed in any language is not
    published and keeps that cause. Its variants are written in the order of
    ``target_languages``.
    """
    order = {lang: i for i, lang in enumerate(ctx.settings.target_languages)}
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
            outcomes.append(_publish_with_retries(ctx, article, variants))
        except Exception as exc:
            outcomes.append(failed(article.url, exc, article.language))
    return outcomes


def publish_manifest(
    state: StateStore,
    publisher: Publisher,
    settings: Settings,
    *,
    sweep: bool = True,
    output: str | None = None,
) -> bool:
    """Sitemap, feeds and manifest of the output ``output`` (its id; None: everything
    the state published) from the state, then the output's marker; then unlisted files
    are removed (unless ``sweep=False``: runs sharing the output at once)."""
    return publish_with_marker(state, publisher, settings, output, sweep=sweep)


# --- withdrawal and webhooks -------------------------------------------------------------------


def withdraw_article(ctx: RunContext, url: str, why: str) -> ArticleOutcome | None:
    """Forget every published variant of ``url`` and queue a ``variant.removed`` event
    each (their files are deleted after the next manifest, by its sweep: a consumer
    following the old manifest still finds them until then). ``why`` starts the
    outcome's reason. None when nothing of ``url`` is published."""
    settings, state = ctx.settings, ctx.state
    stored = state.article(url)
    if stored is None or not state.variants(url):
        return None
    gone = state.withdraw(url, event_factory(settings, article_fields(stored, stored.slug)))
    run_logger().warning("withdrew %s: %s", url, why)
    return ArticleOutcome(
        url,
        "withdrawn",
        reason=f"{why}; {len(gone)} variant(s) withdrawn",
        languages=tuple(v.language for v in gone),
        source_language=stored.language,
    )


def article_events(settings: Settings) -> Callable[[StoredArticle], EventFactory | None]:
    """How to queue webhook events about a published article (None without webhooks)."""
    return lambda stored: event_factory(settings, article_fields(stored, stored.slug))


def note_gone(ctx: RunContext, url: str) -> ArticleOutcome | None:
    """The original answered 404/410: count the run; once it has been gone for
    ``withdraw_after`` runs, forget its variants and queue a ``variant.removed``
    event each (see :func:`withdraw_article`). Returns the withdrawal, or None."""
    settings, state = ctx.settings, ctx.state
    if state.article(url) is None or not state.variants(url):
        return None
    if state.note_missing(url) < settings.withdraw_after:
        return None
    return withdraw_article(ctx, url, f"original gone for {settings.withdraw_after} run(s)")


def withdraw_refused(ctx: RunContext) -> list[ArticleOutcome]:
    """Withdraw what is published from URLs the source's include/exclude patterns now
    refuse (the patterns were tightened after it was published). Articles of sources
    no longer configured are left alone: that is ops' call (``withdraw``)."""
    settings = ctx.settings
    sources = {source.name: source for source in settings.sources}
    outcomes = []
    for stored, variants in ctx.state.published(ctx.output_id):  # this output's only
        source = sources.get(stored.source)
        if source is None or not variants:
            continue
        reason = pattern_refusal(source, stored.url)
        if reason is None:
            continue
        try:
            done = withdraw_article(ctx, stored.url, f"source {source.name}: {reason}")
        except PipelineError as exc:  # files or state unwritable: try again next run
            run_logger().error("could not withdraw %s: %s", stored.url, exc)
            continue
        if done is not None:
            outcomes.append(done)
    return outcomes


def withdraw_listing(ctx: RunContext, outcome: ArticleOutcome) -> ArticleOutcome:
    """A page skipped as not an article: withdraw it if it had been published."""
    try:
        done = withdraw_article(ctx, outcome.url, outcome.reason)
    except PipelineError as exc:
        run_logger().error("could not withdraw %s: %s", outcome.url, exc)
        return outcome
    return replace(done, selector_misses=outcome.selector_misses) if done else outcome


def deliver_events(settings: Settings, state: StateStore) -> DeliveryReport:
    """Send the webhook outbox (after the manifest: receivers may read it at once)."""
    if not settings.webhooks:
        return DeliveryReport()
    report = deliver_outbox(state, settings.webhooks)
    state.prune_outbox()
    return report


# --- the engine ---------------------------------------------------------------------------------


def missing_pairs(settings: Settings, engine: Translator) -> list[str]:
    """Language pairs the run may need that ``engine`` cannot translate."""
    return [
        f"{src}→{tgt}"
        for src in settings.translate_from
        for tgt in settings.target_languages
        if src != tgt and not engine.supports(src, tgt)
    ]


def check_engine(settings: Settings, engine: Translator) -> None:
    """Fail before fetching anything when the engine lacks a pair the run needs."""
    missing = missing_pairs(settings, engine)
    if missing:
        languages = " ".join(dict.fromkeys([*settings.translate_from, *settings.target_languages]))
        fix = (
            f"; install them with: translator-pipeline models install {languages}"
            if engine.name == "argos"
            else "; install a converted model for them with: translator-pipeline models "
            "install PATH, or route them in [engines.ctranslate2.routes] (docs/models.md)"
            if engine.name == "ctranslate2"
            else ""
        )
        raise EngineError(f"engine {engine.name!r} cannot translate {', '.join(missing)}{fix}")


def engine_signatures(settings: Settings, engine: Translator) -> dict[str, str]:
    """``"<source>-<target>"`` → the engine's signature, for every pair the run may use."""
    return {
        f"{src}-{tgt}": str(engine.signature(src, tgt))
        for src in settings.translate_from
        for tgt in settings.target_languages
        if src != tgt and engine.supports(src, tgt)
    }
