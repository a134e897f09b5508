"""The stages wired for one article at a time, without Prefect.

Each function is one step a Prefect task wraps (see :mod:`.flows`); they take
plain settings and dataclasses and raise :class:`~.errors.PipelineError`
subclasses that say what went wrong with which URL. Heavy objects (engine,
language detector) are created once per process and looked up here, never
passed through Prefect.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TypeVar

from .config import Settings, SourceSettings
from .discover import Discovery, discover
from .engines import Translator, load_engine
from .errors import EngineError, GlossaryError, LanguageError, PipelineError
from .extract import extract_article
from .fetch import Fetcher
from .glossary import EMPTY as EMPTY_GLOSSARY
from .glossary import load_glossary
from .langid import LanguageDetector, detect_article
from .manifest import variant_entry
from .models import Article, ArticleOutcome, Candidate, Variant
from .pinned import PinnedSegments, load_pinned
from .publish import Publisher, slug_from_url
from .render import render_fingerprint, render_variant
from .state import (
    EventFactory,
    PublishedVariant,
    StateStore,
    StoredArticle,
    TranslationMemory,
)
from .translate import (
    Terminology,
    TranslatedArticle,
    glossary_texts,
    terminology_fingerprint,
    translate_articles,
)
from .webhooks import DeliveryReport, deliver_outbox, event_payload

__all__ = [
    "CHUNK_SIZE",
    "Discovery",
    "article_fields",
    "check_engine",
    "chunked",
    "conditional_validators",
    "deliver_events",
    "detect_language",
    "discover",
    "engine_for",
    "engine_signatures",
    "event_factory",
    "fetch_and_extract",
    "fetch_candidate",
    "language_detector",
    "missing_pairs",
    "note_gone",
    "plan_languages",
    "publish_article",
    "publish_manifest",
    "publish_variants",
    "render_translation",
    "terminology_for",
    "translate_article",
    "variant_languages",
]


T = TypeVar("T")

# Articles per fetch, translate and publish task of the flow. Prefect costs tens of
# milliseconds per task (more with a server recording it), a 304 one or two: one
# task per article would cost more than the work of a re-run. Chunks keep a
# 500-article run to ~100 tasks; per-article outcomes are in the run report.
CHUNK_SIZE = 25


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


# One Terminology per process and file contents: a long-lived `serve` process
# picks up an edited glossary on its next run; unchanged files load once.
_terminology: dict[tuple[object, ...], Terminology] = {}
_terminology_lock = threading.Lock()


def _stamp(path: Path | None) -> tuple[object, ...]:
    if path is None:
        return (None,)
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def terminology_for(settings: Settings) -> Terminology:
    """The run's glossary and pinned segments; :class:`GlossaryError` naming every problem
    when either file has errors (a run must not start on a broken glossary)."""
    g = settings.glossary
    key = (*_stamp(g.path), *_stamp(g.segments), g.record_machine_rendering, g.alternatives)
    with _terminology_lock:
        found = _terminology.get(key)
        if found is None:
            if g.path is not None and not g.path.exists():
                raise GlossaryError(f"glossary {g.path} does not exist (settings: glossary.path)")
            if g.segments is not None and not g.segments.exists():
                raise GlossaryError(
                    f"pinned segments file {g.segments} does not exist "
                    "(settings: glossary.segments)"
                )
            found = Terminology(
                glossary=load_glossary(g.path) if g.path else EMPTY_GLOSSARY,
                pinned=load_pinned(g.segments) if g.segments else PinnedSegments(),
                record_machine=g.record_machine_rendering,
                alternatives=g.alternatives,
            )
            _terminology.clear()  # the old version is never needed again
            _terminology[key] = found
        return found


@cache
def language_detector(languages: tuple[str, ...] = ("ar", "fr", "en")) -> LanguageDetector:
    """One detector per language set and process (its profiles load once)."""
    return LanguageDetector(languages)


def deployment_languages(settings: Settings) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*settings.translate_from, *settings.target_languages]))


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
        return ArticleOutcome(candidate.url, "unchanged", reason="not modified (HTTP 304)")
    article = extract_article(page, source)
    return replace(article, etag=page.etag, last_modified=page.last_modified)


def fetch_and_extract(candidate: Candidate, settings: Settings, fetcher: Fetcher) -> Article:
    """Unconditional fetch and extraction (no validators, so never a 304)."""
    result = fetch_candidate(candidate, settings.source(candidate.source), fetcher)
    assert isinstance(result, Article)  # no validators were sent
    return result


def detect_language(article: Article, settings: Settings) -> Article:
    """Set the article's and blocks' languages; LanguageError if we do not translate from it."""
    detector = language_detector(deployment_languages(settings))
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


def variant_languages(article: Article, settings: Settings) -> list[str]:
    return [t for t in settings.target_languages if t != article.language]


def plan_languages(
    article: Article,
    settings: Settings,
    engine: Translator,
    state: StateStore,
    publisher: Publisher,
) -> list[str]:
    """Languages to (re)publish; empty when every variant is current.

    Current means: same extracted content, same engine signature, files still
    in place. When anything is stale every variant is redone, so their
    ``hreflang`` alternates stay consistent.
    """
    wanted = variant_languages(article, settings)
    terminology = terminology_for(settings)
    texts = glossary_texts(article)
    fingerprint = terminology_fingerprint(texts, terminology)
    current = _variants_current(
        state.variants(article.url),
        str(article.language),
        article.content_hash,
        fingerprint,
        settings,
        engine,
        publisher,
    )
    if current:
        # Checked against this glossary: the next run need not look again before fetching.
        state.remember_glossary_inputs(article.url, texts, terminology.version)
    return [] if current else wanted


def _variants_current(
    published: Mapping[str, PublishedVariant],
    language: str,
    content_hash: str,
    glossary_hash: str,
    settings: Settings,
    engine: Translator,
    publisher: Publisher,
) -> bool:
    """Whether the ``published`` variants (the state's, by language) are all current."""
    for lang in settings.target_languages:
        if lang == language:
            continue
        have = published.get(lang)
        if (
            have is None
            or have.content_hash != content_hash
            or have.glossary_hash != glossary_hash
            or have.render_hash != render_fingerprint(settings)
            or not engine.supports(language, lang)
            or have.signature != str(engine.signature(language, lang))
            or not publisher.exists(have.path)
            or not publisher.exists(have.fragment_path)
        ):
            return False
    return True


def conditional_validators(
    url: str,
    settings: Settings,
    engine: Translator,
    state: StateStore,
    publisher: Publisher,
) -> tuple[str | None, str | None]:
    """ETag/Last-Modified to send for ``url``: only when everything published from it is
    current, so a 304 can safely mean "nothing to do"; otherwise (None, None).

    Current includes the glossary: when it changed since the article was last
    checked, the article's stored texts are matched again; only if the concepts
    (or pinned segments) it contains changed is it fetched and translated again.
    """
    stored = state.article(url)
    if stored is None or not stored.language or not stored.content_hash:
        return None, None
    published = state.variants(url)
    terminology = terminology_for(settings)
    texts, checked = state.glossary_inputs(url)
    recorded = {v.glossary_hash for v in published.values()}
    if checked == terminology.version and len(recorded) == 1:
        fingerprint = recorded.pop()
    elif texts is None:
        # Published before its texts were kept: one full fetch settles it.
        return None, None
    else:
        fingerprint = terminology_fingerprint(texts, terminology)
    if not _variants_current(
        published, stored.language, stored.content_hash, fingerprint, settings, engine, publisher
    ):
        return None, None
    if checked != terminology.version:
        state.remember_glossary_inputs(url, None, terminology.version)
    return state.validators(url)


def translate_article(
    article: Article,
    languages: list[str],
    engine: Translator,
    terminology: Terminology | None = None,
    state: StateStore | None = None,
) -> list[TranslatedArticle]:
    """Translate one article; with ``state``, through its translation memory."""
    result = translate_articles(
        [article],
        languages,
        engine,
        terminology=terminology or Terminology(),
        memory=TranslationMemory(state) if state is not None else None,
    )[article.url]
    if isinstance(result, PipelineError):
        result.url = result.url or article.url
        raise result
    return result


def render_translation(
    article: Article,
    translated: TranslatedArticle,
    slug: str,
    languages: list[str],
    settings: Settings,
    terminology: Terminology | None = None,
) -> Variant:
    """One variant's page and fragment, carrying its glossary events for the review."""
    terminology = terminology or terminology_for(settings)
    fingerprint = terminology_fingerprint(glossary_texts(article), terminology)
    variant = render_variant(
        article, translated, slug, languages, settings, glossary_version=fingerprint
    )
    return replace(
        variant,
        glossary_events=translated.glossary_events,
        segments_translated=translated.segments_translated,
        segments_from_memory=translated.segments_from_memory,
    )


def publish_variants(
    article: Article,
    variants: list[Variant],
    settings: Settings,
    state: StateStore,
    publisher: Publisher,
    terminology: Terminology | None = None,
) -> ArticleOutcome:
    """Write every variant's files, then record them (files first, then state)."""
    terminology = terminology or terminology_for(settings)
    texts = glossary_texts(article)
    fingerprint = terminology_fingerprint(texts, terminology)
    slug = state.slug_for(article.url, article.source, slug_from_url(article.url))
    change = "changed" if state.variants(article.url) else "new"
    written = []
    for variant in variants:
        page, fragment = publisher.publish_variant(variant)
        written.append((variant, page, fragment))
    state.record_publication(
        article,
        written,
        glossary_hash=fingerprint,
        events=event_factory(settings, article_fields(article, slug)),
        render_hash=render_fingerprint(settings),
    )
    state.remember_glossary_inputs(article.url, texts, terminology.version)
    state.remember_validators(article.url, article.etag, article.last_modified)
    fallbacks = sum(v.fallbacks for v in variants)
    events = tuple(e for v in variants for e in v.glossary_events)
    missed = sum(1 for e in events if e.method == "missed")
    notes = []
    if fallbacks:
        notes.append(f"{fallbacks} block(s) rebuilt after placeholder loss")
    if missed:
        notes.append(f"{missed} glossary term(s) missed (see the review report)")
    return ArticleOutcome(
        url=article.url,
        status="published",
        reason="; ".join(notes),
        languages=tuple(v.language for v in variants),
        source_language=article.language,
        glossary_events=events,
        change=change,
        segments_translated=sum(v.segments_translated for v in variants),
        segments_from_memory=sum(v.segments_from_memory for v in variants),
    )


def publish_article(
    article: Article,
    translations: list[TranslatedArticle],
    settings: Settings,
    state: StateStore,
    publisher: Publisher,
    terminology: Terminology | None = None,
) -> ArticleOutcome:
    """Render and write every variant, then record them (files first, then state)."""
    terminology = terminology or terminology_for(settings)
    slug = state.slug_for(article.url, article.source, slug_from_url(article.url))
    languages = [t.language for t in translations]
    variants = [
        render_translation(article, t, slug, languages, settings, terminology) for t in translations
    ]
    return publish_variants(article, variants, settings, state, publisher, terminology)


def publish_manifest(
    state: StateStore, publisher: Publisher, settings: Settings, *, sweep: bool = True
) -> bool:
    """Sitemap, feeds and manifest from the state; then unlisted files are removed
    (unless ``sweep=False``: runs sharing the output at once)."""
    return publisher.publish_manifest(state.published(), settings, sweep=sweep)


# --- webhooks and withdrawal ----------------------------------------------------------


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


def note_gone(
    url: str, settings: Settings, state: StateStore, publisher: Publisher
) -> ArticleOutcome | None:
    """The original answered 404/410: count the run; once it has been gone for
    ``withdraw_after`` runs, forget its variants and queue a ``variant.removed``
    event each (their files are deleted after the next manifest). Returns the
    withdrawal, or None."""
    stored = state.article(url)
    if stored is None or not state.variants(url):
        return None
    if state.note_missing(url) < settings.withdraw_after:
        return None
    # The files go when the manifest no longer lists them (publish_manifest's sweep):
    # a consumer following the old manifest still finds them until then.
    gone = state.withdraw(url, event_factory(settings, article_fields(stored, stored.slug)))
    return ArticleOutcome(
        url,
        "withdrawn",
        reason=f"original gone for {settings.withdraw_after} run(s); "
        f"{len(gone)} variant(s) withdrawn",
        languages=tuple(v.language for v in gone),
        source_language=stored.language,
    )


def deliver_events(settings: Settings, state: StateStore) -> DeliveryReport:
    """Send the webhook outbox (after the manifest: receivers may read it at once)."""
    if not settings.webhooks:
        return DeliveryReport()
    report = deliver_outbox(state, settings.webhooks)
    state.prune_outbox()
    return report


def engine_for(settings: Settings) -> Translator:
    return load_engine(settings.engine, settings)


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
