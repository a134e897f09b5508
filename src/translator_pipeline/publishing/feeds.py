"""``sitemap.xml`` with ``hreflang`` alternates, and one Atom feed per language.

Where they go, relative to the output directory::

    sitemap.xml          urlset: one <url> per variant, each listing the original,
                         every variant and x-default (the original) as xhtml:link
                         alternates. Over 50,000 URLs: a sitemap index pointing at
                         sitemap-1.xml, sitemap-2.xml … (beside it, as the sitemap
                         protocol wants files to sit above the URLs they list).
    <lang>/feed.atom     the latest variants in <lang>, newest first

Both are built from the state store only (``StateStore.published()``) and
contain no build time, so the same state gives the same bytes and an
unchanged re-run rewrites nothing. Both need ``public_base_url``: sitemaps and
Atom ids must be absolute URLs, and without it we do not know where the pages
live, so nothing is built (the functions return None / an empty dict and log
why). The sitemap lists only pages search engines may index: never
pseudo-translations, and nothing at all when ``noindex_machine_translations``
is on. Feeds list every variant (pseudo ones with a category saying so).

XML is built with lxml (never by string concatenation); characters XML 1.0
cannot carry (control characters, lone surrogates) are dropped from text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from lxml import etree

from translator_pipeline.config.settings import Settings
from translator_pipeline.language.facts import language_name
from translator_pipeline.models import PublishedVariant, StoredArticle
from translator_pipeline.publishing.render import variant_url

__all__ = [
    "ATOM_NS",
    "FEED_NAME",
    "SITEMAP_NAME",
    "SITEMAP_NS",
    "XHTML_NS",
    "build_atom_feed",
    "build_sitemap",
    "feed_files",
    "feed_path",
    "sitemap_files",
]

log = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP_NAME = "sitemap.xml"
FEED_NAME = "feed.atom"
SITEMAP_MAX_URLS = 50_000  # the sitemap protocol's limit per file
FEED_LIMIT = 50

Published = Iterable[tuple[StoredArticle, list[PublishedVariant]]]

# Characters outside XML 1.0's Char production.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# The feed's title, per feed language ("{site}: …"); others get the English one.
_FEED_TITLES = {
    "en": "{site}: machine-translated news ({language})",
    "fr": "{site} : actualités traduites automatiquement ({language})",
    "ar": "{site}: أخبار مترجمة آليًا ({language})",
}
_PSEUDO_NOTE = "PSEUDO-TRANSLATION: made by the test engine, this is not a translation. "


def _text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _no_base(what: str) -> None:
    log.info(
        "no %s written: public_base_url is not set, so the pages have no absolute URL "
        "(set public_base_url to where the web team serves the output directory)",
        what,
    )


def feed_path(language: str) -> str:
    """Where the Atom feed of ``language`` goes, relative to the output directory."""
    return f"{language}/{FEED_NAME}"


# --- sitemap --------------------------------------------------------------------------


def _sitemap_entries(
    published: Published, settings: Settings
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(loc, lastmod, alternates as (hreflang, href)) for every indexable variant."""
    entries = []
    for article, variants in published:
        indexable = [v for v in variants if not v.pseudo]
        if not indexable:
            continue
        urls = {v.language: variant_url(settings, v.path) for v in indexable}
        cluster: dict[str, str] = {}
        if article.language:
            cluster[article.language] = article.url
        for v in indexable:
            cluster.setdefault(v.language, str(urls[v.language]))
        alternates = [*cluster.items(), ("x-default", article.url)]
        entries += [(str(urls[v.language]), v.published_at, alternates) for v in indexable]
    return entries


def _urlset(entries: Sequence[tuple[str, str, list[tuple[str, str]]]]) -> bytes:
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for loc, lastmod, alternates in entries:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = _text(loc)
        etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = _text(lastmod)
        for hreflang, href in alternates:
            etree.SubElement(
                url,
                f"{{{XHTML_NS}}}link",
                rel="alternate",
                hreflang=_text(hreflang),
                href=_text(href),
            )
    return _serialise(urlset)


def sitemap_files(
    published: Published, settings: Settings, max_urls: int = SITEMAP_MAX_URLS
) -> dict[str, bytes]:
    """``{"sitemap.xml": …}``, or, over ``max_urls`` URLs, a sitemap index as
    ``sitemap.xml`` plus ``sitemap-1.xml`` … beside it. Empty (nothing to write)
    without ``public_base_url``, with ``noindex_machine_translations`` on, or when
    no variant may be indexed."""
    if not settings.public_base_url:
        _no_base("sitemap")
        return {}
    if settings.noindex_machine_translations:
        log.info("no sitemap written: noindex_machine_translations is on")
        return {}
    entries = _sitemap_entries(published, settings)
    if not entries:
        return {}
    if len(entries) <= max_urls:
        return {SITEMAP_NAME: _urlset(entries)}
    files: dict[str, bytes] = {}
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for number, start in enumerate(range(0, len(entries), max_urls), 1):
        part = entries[start : start + max_urls]
        name = f"sitemap-{number}.xml"
        files[name] = _urlset(part)
        sitemap = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = _text(
            settings.public_base_url + name
        )
        etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = max(e[1] for e in part)
    return {SITEMAP_NAME: _serialise(index), **files}


def build_sitemap(published: Published, settings: Settings) -> bytes | None:
    """``sitemap.xml`` (a urlset) for every indexable variant, or None when there is
    none to write (see :func:`sitemap_files`). Beyond 50,000 URLs use
    :func:`sitemap_files`, which splits it."""
    files = sitemap_files(published, settings, max_urls=10**9)
    return files.get(SITEMAP_NAME)


# --- Atom -----------------------------------------------------------------------------


def _atom(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{ATOM_NS}}}{name}", {k: _text(v) for k, v in attrs.items()}
    )
    if text is not None:
        element.text = _text(text)
    return element


def _zoned(value: str | None) -> str | None:
    """An RFC 3339 date-time (with zone) as Atom wants it, or None: a bare date or a
    time without zone is left out rather than given an invented zone."""
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", value):
        return value
    return None


def build_atom_feed(
    published: Published, language: str, settings: Settings, limit: int = FEED_LIMIT
) -> bytes | None:
    """The Atom feed of the ``limit`` most recently published variants in ``language``,
    newest first (ties by path); None without ``public_base_url`` or without variants
    in that language.

    Feed id: the feed's own URL. Entry id: the variant page's URL; ``updated``: its
    publication time; ``published``: the original's date when the site gave a full
    date-time with zone. Each entry links to the page (``rel="alternate"``) and to
    the original (``rel="via"``); its summary is the variant's lead (its translated
    description or first paragraph) followed by the disclaimer.
    """
    base = settings.public_base_url
    if not base:
        _no_base(f"{language} feed")
        return None
    chosen = sorted(
        ((a, v) for a, vs in published for v in vs if v.language == language),
        key=lambda av: (av[1].published_at, av[1].path),
        reverse=True,
    )[: max(limit, 0)]
    if not chosen:
        return None

    site = urlsplit(base).netloc
    feed_url = base + feed_path(language)
    title = _FEED_TITLES.get(language, _FEED_TITLES["en"]).format(
        site=site, language=language_name(language, language)
    )
    feed = etree.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: language}, nsmap={None: ATOM_NS})
    _atom(feed, "id", feed_url)
    _atom(feed, "title", title, type="text")
    _atom(feed, "updated", max(v.published_at for _, v in chosen))
    _atom(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    author = _atom(feed, "author")
    _atom(author, "name", site)
    _atom(author, "uri", base)
    _atom(feed, "generator", "translator-pipeline")

    disclaimer = settings.disclaimer(language)
    for article, variant in chosen:
        url = str(variant_url(settings, variant.path))
        src = article.language or "und"
        summary = disclaimer.text.format(
            source_language=language_name(src, language), source_code=src
        )
        entry = _atom(feed, "entry")
        _atom(entry, "id", url)
        _atom(entry, "title", variant.title, type="text")
        _atom(entry, "updated", variant.published_at)
        if stamp := _zoned(article.published):
            _atom(entry, "published", stamp)
        _atom(entry, "link", rel="alternate", type="text/html", hreflang=language, href=url)
        _atom(
            entry,
            "link",
            rel="via",
            type="text/html",
            hreflang=src,
            href=article.url,
            **({"title": article.title} if article.title else {}),
        )
        # The lead, then the disclaimer: the machine translation is said wherever it goes.
        text = f"{variant.summary}\n\n{summary}" if variant.summary else summary
        _atom(entry, "summary", (_PSEUDO_NOTE if variant.pseudo else "") + text, type="text")
        _atom(entry, "category", term="machine-translation")
        if variant.pseudo:
            _atom(entry, "category", term="pseudo-translation")
    return _serialise(feed)


def feed_files(
    published: Published, settings: Settings, limit: int = FEED_LIMIT
) -> dict[str, bytes]:
    """Every file this module makes, by path relative to the output directory:
    the sitemap file(s) and ``<lang>/feed.atom`` for each language with variants.
    Empty without ``public_base_url``."""
    rows = list(published)
    if not settings.public_base_url:
        _no_base("sitemap or feeds")
        return {}
    files = sitemap_files(rows, settings)
    languages = sorted({v.language for _, variants in rows for v in variants})
    for language in languages:
        feed = build_atom_feed(rows, language, settings, limit=limit)
        if feed is not None:
            files[feed_path(language)] = feed
    return files
