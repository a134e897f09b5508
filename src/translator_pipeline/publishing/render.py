"""Translated article → a complete HTML page and an embeddable fragment.

Every page carries ``lang``/``dir``, the disclaimer in the page's language
(marked ``translate="no"``, naming the source language) with a link to the
original, machine-translation labels (``lang="fr-x-mtfrom-ar"`` on the
translated content and a ``rel="alternate machine-translated-from"`` link),
``hreflang`` alternates for the original and every variant plus ``x-default``
(the original), a canonical URL when ``public_base_url`` is set, the
provenance signature (engine, model, glossary) in a meta element, and
``noindex`` when configured. The translated body is sanitised with an
allowlist on the way out.

The page shell is Jinja2 (``templates/page.html`` and ``fragment.html``);
``templates_dir`` in the settings puts a directory of the web team's own
``page.html`` / ``fragment.html`` in front of the packaged ones. A template
there can also ``{% extends "translator_pipeline/page.html" %}`` and override
only the blocks it needs. The variables are documented at the top of
``templates/page.html``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import unescape
from pathlib import Path

import jinja2
import nh3

from translator_pipeline import __version__
from translator_pipeline.config.settings import Settings
from translator_pipeline.errors import PublishError
from translator_pipeline.html.bidi import strip_controls
from translator_pipeline.language.facts import direction, language_name
from translator_pipeline.models import Article, TranslatedArticle, Variant

__all__ = [
    "check_templates",
    "lead",
    "page_templates",
    "provenance",
    "render_fingerprint",
    "render_variant",
    "sanitise",
    "variant_path",
    "variant_url",
]

# The templates a deployment may override through ``templates_dir``.
PAGE_TEMPLATES = ("page.html", "fragment.html")
# Packaged templates stay reachable under this prefix, for ``{% extends %}``.
PACKAGE_PREFIX = "translator_pipeline"

SAFE_TAGS = frozenset(nh3.ALLOWED_TAGS - {"nav", "map", "area"}) | {
    "figure",
    "figcaption",
    "time",
    "bdi",
}
SAFE_ATTRIBUTES = {
    "*": {"lang", "dir", "title", "translate", "aria-label"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "ol": {"start", "reversed", "type"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "abbr": {"title"},
    "bdo": {"dir"},
}


# The HTML parser drops one newline right after <pre> and nh3 does not write it back,
# so a <pre> whose text starts with a newline would lose it (a blank line, if two).
_PRE_NEWLINE = re.compile(r"(<pre\b[^>]*>)(?=\r?\n)", re.IGNORECASE)


def sanitise(fragment: str) -> str:
    """Allowlist-sanitise an HTML fragment: no scripts, handlers or javascript: URLs."""
    return nh3.clean(
        _PRE_NEWLINE.sub(r"\1\n", fragment),
        tags=set(SAFE_TAGS),
        attributes={k: set(v) for k, v in SAFE_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "tel"},
        clean_content_tags={"script", "style"},
        link_rel=None,
    )


@cache
def templates() -> jinja2.Environment:
    """The package's Jinja2 templates (autoescaped), loaded once."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("translator_pipeline", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def page_templates(templates_dir: Path | None = None) -> jinja2.Environment:
    """The environment pages are rendered with: ``templates_dir`` (when set) first,
    then the packaged templates, which are also reachable as
    ``translator_pipeline/<name>`` so an override can extend them."""
    return _page_templates(Path(templates_dir).resolve() if templates_dir else None)


@cache
def _page_templates(templates_dir: Path | None) -> jinja2.Environment:
    package = jinja2.PackageLoader("translator_pipeline", "templates")
    loaders: list[jinja2.BaseLoader] = [package]
    if templates_dir is not None:
        # FileSystemLoader checks the files' mtime: a long-running process sees edits.
        loaders.insert(0, jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.PrefixLoader({PACKAGE_PREFIX: package}))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _template_error(exc: jinja2.TemplateError, name: str) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"page template {exc.filename or name}, line {exc.lineno}: {exc.message}"
    return f"page template {name}: {exc}"


def check_templates(settings: Settings) -> None:
    """Compile the page templates and render a sample page with them: a broken
    override (bad syntax, an unknown variable) stops a run before anything is
    fetched. Raises :class:`PublishError` naming the file and, for syntax, the line."""
    env = page_templates(settings.templates_dir)
    for name in PAGE_TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            raise PublishError(f"{_template_error(exc, name)} (settings: templates_dir)") from None
    sample = Article(
        url="https://example.org/original",
        source="sample",
        title="Sample",
        body_html="<p>Sample</p>",
        blocks=(),
        published="2026-01-01",
        language="en",
    )
    translated = TranslatedArticle(
        article_url=sample.url,
        language="fr",
        source_language="en",
        title="Exemple",
        body_html="<p>Exemple</p>",
        signature="engine=sample|model=sample|version=0",
        pseudo=False,
        description="Exemple",
    )
    try:
        render_variant(sample, translated, "sample", ["fr"], settings, glossary_version="0" * 16)
    except PublishError as exc:
        raise PublishError(f"{exc.message} (settings: templates_dir)") from None


def render_fingerprint(settings: Settings) -> str:
    """A short hash of everything besides the translation that shapes a page: the
    packaged page templates, every file in ``templates_dir`` (an override may
    extend or include others), ``public_base_url``, ``noindex_machine_translations``
    and the configured disclaimers. When it changes, published pages are stale."""
    package = templates().loader
    assert package is not None
    digest = hashlib.sha256()
    for name in PAGE_TEMPLATES:
        source = package.get_source(templates(), name)[0]
        digest.update(f"package/{name}\0{source}\0".encode())
    if settings.templates_dir is not None:
        root = Path(settings.templates_dir)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            digest.update(f"user/{relative}\0".encode() + path.read_bytes() + b"\0")
    digest.update(
        json.dumps(
            {
                "public_base_url": settings.public_base_url,
                "noindex": settings.noindex_machine_translations,
                "disclaimers": {k: v.model_dump() for k, v in sorted(settings.disclaimers.items())},
            },
            sort_keys=True,
        ).encode()
    )
    return digest.hexdigest()[:16]


def variant_path(language: str, slug: str) -> str:
    """Path of a variant's page, relative to the output directory."""
    return f"{language}/{slug}/index.html"


def variant_url(settings: Settings, path: str) -> str | None:
    """Absolute URL where the web team serves the page at ``path`` (relative to the
    output directory; ``…/index.html`` becomes ``…/``), None without ``public_base_url``."""
    if not settings.public_base_url:
        return None
    return settings.public_base_url + path.removesuffix("index.html")


def provenance(signature: str, glossary_version: str = "") -> str:
    """The page's provenance signature: the engine signature, plus
    ``|glossary=<fingerprint>`` when glossary concepts or pinned segments applied."""
    return f"{signature}|glossary={glossary_version}" if glossary_version else signature


@dataclass(frozen=True)
class _Alternate:
    hreflang: str
    href: str


def _href(settings: Settings, language: str, slug: str, here: str) -> str:
    absolute = variant_url(settings, variant_path(language, slug))
    if absolute:
        return absolute
    # Without a public base URL, link relative to the page itself (<lang>/<slug>/).
    return f"../../{language}/{slug}/" if language != here else "./"


def render_variant(
    article: Article,
    translated: TranslatedArticle,
    slug: str,
    variant_languages: Sequence[str],
    settings: Settings,
    glossary_version: str = "",
) -> Variant:
    """Render one translated article as a page and fragment.

    ``variant_languages`` are all the languages the article is published in (this
    one included): each gets an ``hreflang`` alternate. ``glossary_version`` is the
    fingerprint of the glossary concepts and pinned segments applied to the article
    (``""``: none); it goes into the provenance meta element.
    """
    lang = translated.language
    src = translated.source_language
    disclaimer = settings.disclaimer(lang)
    alternates = [_Alternate(src, article.url)]
    alternates += [
        _Alternate(other, _href(settings, other, slug, lang))
        for other in dict.fromkeys(variant_languages)
        if other != src
    ]
    alternates.append(_Alternate("x-default", article.url))
    canonical = variant_url(settings, variant_path(lang, slug))
    said_in = settings.disclaimer_language(lang)
    source_name = language_name(src, said_in)
    context = {
        "lang": lang,
        "dir": direction(lang),
        "mt_lang": f"{lang}-x-mtfrom-{src}",
        "source_lang": src,
        "source_language_name": source_name,
        "slug": slug,
        "title": translated.title,
        "description": translated.description,
        "published": article.published,
        "body": sanitise(translated.body_html),
        "original_url": article.url,
        "disclaimer_text": disclaimer.text.format(source_language=source_name, source_code=src),
        "disclaimer_link": disclaimer.link_text,
        "disclaimer_lang": said_in,
        "disclaimer_dir": direction(said_in),
        "pseudo": translated.pseudo,
        "signature": translated.signature,
        "glossary": glossary_version,
        "provenance": provenance(translated.signature, glossary_version),
        "version": __version__,
        "alternates": alternates,
        "canonical": canonical,
        # Pseudo output is never meant for search engines, whatever the setting.
        "noindex": settings.noindex_machine_translations or translated.pseudo,
    }
    env = page_templates(settings.templates_dir)
    name = "fragment.html"
    try:
        fragment = env.get_template(name).render(context)
        name = "page.html"
        page = env.get_template(name).render({**context, "fragment": fragment})
    except jinja2.TemplateError as exc:
        raise PublishError(_template_error(exc, name), url=article.url) from None
    return Variant(
        article_url=article.url,
        source_language=src,
        language=lang,
        direction=context["dir"],
        slug=slug,
        title=translated.title,
        page_html=page,
        fragment_html=fragment,
        signature=translated.signature,
        pseudo=translated.pseudo,
        fallbacks=translated.fallbacks,
        summary=lead(context["body"], translated.description),
    )


LEAD_MAX = 300  # characters of a variant's lead in feeds
_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_MIN_LEAD_WORDS = 5  # a shorter first paragraph (a date line, a credit) is not the lead


def lead(body_html: str, description: str | None = None, limit: int = LEAD_MAX) -> str:
    """A variant's lead as plain text for feeds: its translated meta description,
    else its first paragraph of at least a few words; cut at a word, bidi
    isolation marks removed. ``body_html`` is the sanitised body."""
    text = description or ""
    if not text.strip():
        for match in _PARAGRAPH.finditer(body_html):
            candidate = unescape(_TAG.sub(" ", match.group(1)))
            if len(candidate.split()) >= _MIN_LEAD_WORDS:
                text = candidate
                break
    text = " ".join(strip_controls(text).split())
    if len(text) > limit:
        cut = text[: limit - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
    return text
