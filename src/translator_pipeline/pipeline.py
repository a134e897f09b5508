"""The stages wired for one article at a time, without Prefect.

Each function is one step a Prefect task wraps (see :mod:`.flows`); they take
plain settings and dataclasses and raise :class:`~.errors.PipelineError`
subclasses that say what went wrong with which URL. Heavy objects (engine,
language detector) are created once per process and looked up here, never
passed through Prefect.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from .config import Settings, SourceSettings
from .discover import Discovery, discover
from .engines import Translator, load_engine
from .errors import EngineError, LanguageError, PipelineError
from .extract import extract_article
from .fetch import Fetcher
from .langid import LanguageDetector, detect_article
from .models import Article, ArticleOutcome, Candidate
from .publish import FilesystemPublisher, slug_from_url
from .render import render_variant
from .state import StateStore
from .translate import TranslatedArticle, translate_articles

__all__ = [
    "Discovery",
    "check_engine",
    "conditional_validators",
    "detect_language",
    "discover",
    "engine_for",
    "fetch_and_extract",
    "fetch_candidate",
    "language_detector",
    "missing_pairs",
    "plan_languages",
    "publish_article",
    "publish_manifest",
    "translate_article",
    "variant_languages",
]


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
    publisher: FilesystemPublisher,
) -> list[str]:
    """Languages to (re)publish; empty when every variant is current.

    Current means: same extracted content, same engine signature, files still
    in place. When anything is stale every variant is redone, so their
    ``hreflang`` alternates stay consistent.
    """
    wanted = variant_languages(article, settings)
    current = _variants_current(
        article.url, str(article.language), article.content_hash, settings, engine, state, publisher
    )
    return [] if current else wanted


def _variants_current(
    url: str,
    language: str,
    content_hash: str,
    settings: Settings,
    engine: Translator,
    state: StateStore,
    publisher: FilesystemPublisher,
) -> bool:
    published = state.variants(url)
    for lang in settings.target_languages:
        if lang == language:
            continue
        have = published.get(lang)
        if (
            have is None
            or have.content_hash != content_hash
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
    publisher: FilesystemPublisher,
) -> tuple[str | None, str | None]:
    """ETag/Last-Modified to send for ``url``: only when everything published from it is
    current, so a 304 can safely mean "nothing to do"; otherwise (None, None)."""
    stored = state.article(url)
    if stored is None or not stored.language or not stored.content_hash:
        return None, None
    if not _variants_current(
        url, stored.language, stored.content_hash, settings, engine, state, publisher
    ):
        return None, None
    return state.validators(url)


def translate_article(
    article: Article, languages: list[str], engine: Translator
) -> list[TranslatedArticle]:
    result = translate_articles([article], languages, engine)[article.url]
    if isinstance(result, PipelineError):
        result.url = result.url or article.url
        raise result
    return result


def publish_article(
    article: Article,
    translations: list[TranslatedArticle],
    settings: Settings,
    state: StateStore,
    publisher: FilesystemPublisher,
) -> ArticleOutcome:
    """Render and write every variant, then record them (files first, then state)."""
    slug = state.slug_for(article.url, article.source, slug_from_url(article.url))
    languages = [t.language for t in translations]
    written = []
    for translated in translations:
        variant = render_variant(article, translated, slug, languages, settings)
        page, fragment = publisher.publish_variant(variant)
        written.append((variant, page, fragment))
    state.record_publication(article, written)
    state.remember_validators(article.url, article.etag, article.last_modified)
    fallbacks = sum(v.fallbacks for v, _, _ in written)
    return ArticleOutcome(
        url=article.url,
        status="published",
        reason=f"{fallbacks} block(s) rebuilt after placeholder loss" if fallbacks else "",
        languages=tuple(languages),
        source_language=article.language,
    )


def publish_manifest(state: StateStore, publisher: FilesystemPublisher) -> bool:
    return publisher.publish_manifest(state.published())


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
