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
from datetime import date, datetime
from functools import cache, lru_cache
from html import unescape
from pathlib import Path

import babel
import jinja2
import nh3
from babel.dates import format_date, format_datetime, format_skeleton
from bs4 import BeautifulSoup, NavigableString

from translator_pipeline import __version__
from translator_pipeline.config.settings import DEFAULT_DISCLAIMERS, Settings
from translator_pipeline.errors import PublishError
from translator_pipeline.html.bidi import strip_controls
from translator_pipeline.html.images import clean_images
from translator_pipeline.language.facts import (
    direction,
    language_name,
    normalise_code,
    uses_arabic_script,
)
from translator_pipeline.models import Article, ReviewState, TranslatedArticle, Variant

__all__ = [
    "check_templates",
    "display_date",
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


_LANGUAGE_MARK = re.compile(r"\s(?:lang|dir)\s*=", re.IGNORECASE)
_DROPPED_WITH_CONTENT = frozenset({"script", "style"})


def _hand_down_languages(fragment: str) -> str:
    """The sanitiser unwraps elements outside the allowlist (section, main, address …)
    and their ``lang``/``dir`` would go with them: give those to the children first,
    so the text inside keeps its language."""
    if not _LANGUAGE_MARK.search(fragment):
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    changed = False
    for tag in soup.find_all(True):  # document order: a parent before its children
        if tag.name in SAFE_TAGS or tag.name in _DROPPED_WITH_CONTENT:
            continue
        marks = {k: str(tag[k]) for k in ("lang", "dir") if tag.get(k)}
        if not marks:
            continue
        changed = True
        for child in list(tag.children):
            if isinstance(child, NavigableString):
                if child.strip() and type(child) is NavigableString:
                    child.wrap(soup.new_tag("span", attrs=dict(marks)))
            else:
                for name, value in marks.items():
                    child.attrs.setdefault(name, value)
    return str(soup) if changed else fragment


def sanitise(fragment: str) -> str:
    """Allowlist-sanitise an HTML fragment: no scripts, handlers or javascript: URLs.

    The language of text inside an element the allowlist unwraps is kept."""
    return nh3.clean(
        _PRE_NEWLINE.sub(r"\1\n", _hand_down_languages(fragment)),
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
    the configured disclaimers and the quality gate's settings (they decide noindex).
    When it changes, published pages are stale."""
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
                "quality": settings.quality.model_dump(),
                # Dates are written with the CLDR data of this Babel, in these digits.
                "date_digits": settings.publish.date_digits,
                "babel": babel.__version__,
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


def review_state(translated: TranslatedArticle) -> ReviewState:
    records = translated.segments
    return ReviewState(len(records), sum(1 for r in records if r.approved))


def disclaimer_text(settings: Settings, language: str, review: ReviewState) -> str:
    """The disclaimer for a variant as reviewed as ``review`` says (still with its
    ``{source_language}`` fields): the reviewed wording once translators approved every
    segment, the machine wording plus the counts while they approved some. A configured
    disclaimer without those wordings borrows the language's default ones."""
    disclaimer = settings.disclaimer(language)
    default = DEFAULT_DISCLAIMERS.get(
        settings.disclaimer_language(language), DEFAULT_DISCLAIMERS["en"]
    )
    if review.complete:
        return disclaimer.reviewed_text or default.reviewed_text or disclaimer.text
    if review.reviewed:
        partly = disclaimer.partly_reviewed_text or default.partly_reviewed_text or ""
        counts = partly.format(reviewed=review.reviewed, segments=review.segments)
        # Braces in the counts sentence were written doubled; keep them literal for the
        # second format call.
        return f"{disclaimer.text} {counts.replace('{', '{{').replace('}', '}}')}".strip()
    return disclaimer.text


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
    review = review_state(translated)
    body = sanitise(clean_images(translated.body_html, article.url))
    mt_lang = f"{lang}-x-mtfrom-{src}"
    if review.complete:
        # Reviewed text is the institution's own: no machine-translation label on it.
        body = body.replace(f'lang="{mt_lang}"', f'lang="{lang}"')
        mt_lang = lang
    context = {
        "lang": lang,
        "dir": direction(lang),
        "mt_lang": mt_lang,
        "source_lang": src,
        "source_language_name": source_name,
        "slug": slug,
        "title": translated.title,
        "description": translated.description,
        "published": article.published,
        "published_text": display_date(article.published, lang, settings.publish.date_digits),
        "body": body,
        "original_url": article.url,
        "disclaimer_text": disclaimer_text(settings, lang, review).format(
            source_language=source_name, source_code=src
        ),
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
        "review": review.state,
        "reviewed": review.reviewed,
        "segments": review.segments,
        "quality": translated.quality.decision,
        # Pseudo output is never meant for search engines, whatever the setting; nor is
        # what the quality gate doubts. Reviewed text is no machine translation.
        "noindex": (settings.noindex_machine_translations and not review.complete)
        or translated.pseudo
        or translated.quality.decision != "publish",
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
        segments=translated.segments,
        quality=translated.quality,
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


# --- dates as readers read them -----------------------------------------------------

# What crawl/dates.py produces (YYYY-MM-DD, with a time and zone or not), plus a year
# and month or a year alone, which other sources of a date may give.
_ISO_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?)?)?",
    re.ASCII,
)
# Zero of each numbering system CLDR locales default to (ten consecutive code points
# each); Babel knows which system a locale uses but writes dates in ASCII digits.
DIGIT_ZERO = {
    "latn": 0x30,
    "arab": 0x660,
    "arabext": 0x6F0,
    "adlm": 0x1E950,
    "beng": 0x9E6,
    "cakm": 0x11136,
    "deva": 0x966,
    "hmnp": 0x1E140,
    "mtei": 0xABF0,
    "mymr": 0x1040,
    "nkoo": 0x7C0,
    "olck": 0x1C50,
    "tibt": 0xF20,
}


@lru_cache(maxsize=128)
def _locale(language: str) -> babel.Locale | None:
    """The CLDR locale of a language tag (``pt-BR``, ``zh-Hant``), else of its primary
    language, else None."""
    for candidate in dict.fromkeys((language.replace("_", "-"), normalise_code(language))):
        try:
            return babel.Locale.parse(candidate, sep="-")
        except (ValueError, TypeError, babel.UnknownLocaleError):
            continue
    return None


def _digits(text: str, language: str, locale: babel.Locale, choice: str) -> str:
    if choice == "latn":
        system = "latn"
    elif choice in ("arab", "arabext") and uses_arabic_script(language):
        system = choice
    else:
        system = locale.default_numbering_system
    zero = DIGIT_ZERO.get(system, 0x30)
    return text.translate({0x30 + i: zero + i for i in range(10)}) if zero != 0x30 else text


def display_date(value: str | None, language: str, digits: str = "locale") -> str | None:
    """An ISO 8601 date as readers of ``language`` write it: ``22 novembre 2026``,
    ``November 22, 2026``, ``٢٢ نوفمبر ٢٠٢٦`` (with ``digits = "arab"``). A year and
    month give ``novembre 2026``; a time (other than midnight, which CMSs write for
    "no time") is added as the article gives it, in its own time zone.

    ``digits``: ``locale`` (the locale's own), ``latn``, or ``arab`` / ``arabext`` for
    Arabic-script languages. A language CLDR does not know, or a value that is no
    date, gives the value as it is: never an error on a page."""
    if not value or not value.strip():
        return None
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return value
    year, month, day, hour, minute, second, _zone = match.groups()
    locale = _locale(language)
    if locale is None:  # the ISO date itself, and the time without its seconds
        timed = hour is not None and (hour, minute) != ("00", "00")
        return value[:10] + (f" {hour}:{minute}" if timed else "")
    try:
        if day is None and month is None:
            text = str(int(year))
        elif day is None:
            text = format_skeleton("yMMMM", date(int(year), int(month), 1), locale=locale)
        elif hour is None or (hour, minute, second or "00") == ("00", "00", "00"):
            text = format_date(date(int(year), int(month), int(day)), "long", locale=locale)
        else:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1))
            pattern = (
                str(locale.datetime_formats["long"])
                .replace("{1}", locale.date_formats["long"].pattern)
                .replace("{0}", locale.time_formats["short"].pattern)
            )
            text = format_datetime(moment, pattern, locale=locale)
    except (ValueError, KeyError, AttributeError):
        return value  # 2026-02-30, or locale data without these formats
    return _digits(text, language, locale, digits)
