"""Translated article → a complete HTML page and an embeddable fragment.

Every page carries ``lang``/``dir``, the disclaimer in the page's language
(marked ``translate="no"``) with a link to the original, machine-translation
labels (``lang="fr-x-mtfrom-ar"`` on the translated content and a
``rel="alternate machine-translated-from"`` link), ``hreflang`` alternates
for the original and every variant plus ``x-default``, and the engine
signature. The translated body is sanitised with an allowlist on the way out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import jinja2
import nh3

from . import __version__
from .config import Settings
from .languages import direction, language_name
from .models import Article, Variant
from .translate import TranslatedArticle

__all__ = ["render_variant", "sanitise", "variant_path"]

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


def variant_path(language: str, slug: str) -> str:
    """Path of a variant's page, relative to the output directory."""
    return f"{language}/{slug}/index.html"


@dataclass(frozen=True)
class _Alternate:
    hreflang: str
    href: str


def _href(settings: Settings, language: str, slug: str, here: str) -> str:
    if settings.public_base_url:
        return f"{settings.public_base_url}{language}/{slug}/"
    # Without a public base URL, link relative to the page itself (<lang>/<slug>/).
    return f"../../{language}/{slug}/" if language != here else "./"


def render_variant(
    article: Article,
    translated: TranslatedArticle,
    slug: str,
    variant_languages: Sequence[str],
    settings: Settings,
) -> Variant:
    """Render one translated article as a page and fragment."""
    lang = translated.language
    src = translated.source_language
    disclaimer = settings.disclaimer(lang)
    alternates = [_Alternate(src, article.url)]
    alternates += [
        _Alternate(other, _href(settings, other, slug, lang)) for other in variant_languages
    ]
    alternates.append(_Alternate("x-default", article.url))
    context = {
        "lang": lang,
        "dir": direction(lang),
        "mt_lang": f"{lang}-x-mtfrom-{src}",
        "source_lang": src,
        "title": translated.title,
        "description": translated.description,
        "published": article.published,
        "body": sanitise(translated.body_html),
        "original_url": article.url,
        "disclaimer_text": disclaimer.text.format(
            source_language=language_name(src, lang), source_code=src
        ),
        "disclaimer_link": disclaimer.link_text,
        "pseudo": translated.pseudo,
        "signature": translated.signature,
        "version": __version__,
        "alternates": alternates,
        "canonical": f"{settings.public_base_url}{lang}/{slug}/"
        if settings.public_base_url
        else None,
        "noindex": False,
    }
    env = templates()
    fragment = env.get_template("fragment.html").render(context)
    page = env.get_template("page.html").render({**context, "fragment": fragment})
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
    )
