"""The stages wired for one article at a time, without Prefect.

Each function is one step a Prefect task wraps (see :mod:`.flows`); they take
plain settings and dataclasses and raise :class:`~.errors.PipelineError`
subclasses that say what went wrong with which URL. Heavy objects (engine,
language detector) are created once per process and looked up here, never
passed through Prefect.
"""

from __future__ import annotations

from functools import cache

from .config import Settings
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
    "detect_language",
    "discover",
    "engine_for",
    "fetch_and_extract",
    "language_detector",
    "missing_pairs",
    "plan_languages",
    "publish_article",
    "publish_manifest",
    "translate_article",
    "variant_languages",
]


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector()


def fetch_and_extract(candidate: Candidate, settings: Settings, fetcher: Fetcher) -> Article:
    source = settings.source(candidate.source)
    page = fetcher.fetch(candidate.url, source.hosts)
    return extract_article(page, source)


def detect_language(article: Article, settings: Settings) -> Article:
    """Set the article's and blocks' languages; LanguageError if we do not translate from it."""
    detected = detect_article(article, language_detector(), supported=settings.translate_from)
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
    published = state.variants(article.url)
    for lang in wanted:
        have = published.get(lang)
        if (
            have is None
            or have.content_hash != article.content_hash
            or have.signature != str(engine.signature(str(article.language), lang))
            or not publisher.exists(have.path)
            or not publisher.exists(have.fragment_path)
        ):
            return wanted
    return []


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
