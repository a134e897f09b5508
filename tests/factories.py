"""Builders shared by the tests: paths, configs, articles, variants, settings.

One place, so a change to a data type or to the demo config is one edit, and
tests of different packages build their inputs the same way.
"""

from __future__ import annotations

import socket
from pathlib import Path

# Light imports only: tests/store/test_state_backends.py spawns processes that
# import this module; heavier ones are imported where they are used.
from translator_pipeline.models import Article, Block, Variant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SITE = EXAMPLES / "site"
FIXTURES = Path(__file__).resolve().parent / "data"
GLOSSARIES = ROOT / "glossaries"

DEMO_SOURCE_TOML = """link_selector = "ul.news-list a.news-link"
title_selector = "h1.article-title"
body_selector = "div.article-body"
date_selector = "time.article-date"
remove_selectors = [".share-buttons"]"""


def write_config(directory: Path, base_url: str, top: str = "", tables: str = "") -> Path:
    """The demo site's config for tests; ``top`` adds top-level keys, ``tables`` tables."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "site.toml"
    config.write_text(
        f"""
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "out"
state_path = "state/tp.sqlite3"
{top}

[[sources]]
name = "demo"
start_urls = ["{base_url}index.html"]
{DEMO_SOURCE_TOML}

[fetch]
host_delay = 0
{tables}
""",
        encoding="utf-8",
    )
    return config


def write_source_config(
    directory: Path, name: str, start_url: str, selectors: dict[str, str], extra: str = ""
) -> Path:
    """A config for one source on a test server: ar/fr/en with the pseudo engine,
    ``selectors`` as the source's CSS keys, no host delay; ``extra`` adds tables."""
    keys = "\n".join(f'{key} = "{value}"' for key, value in selectors.items())
    return write_text(
        directory,
        f"""
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[[sources]]
name = "{name}"
start_urls = ["{start_url}"]
{keys}

[fetch]
host_delay = 0
{extra}""",
        f"{name}.toml",
    )


def write_text(directory: Path, text: str, name: str = "config.toml") -> Path:
    """``text`` written to ``directory/name`` (created), for config and glossary files."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(root: Path, *, with_report: bool = False) -> dict[str, tuple[int, bytes]]:
    """Every published file with its mtime and bytes; without ``run-report.json``
    unless asked (each run writes its own: it is the one file a re-run changes)."""
    from translator_pipeline.run.report import RUN_REPORT_NAME

    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and (with_report or p.name != RUN_REPORT_NAME)
    }


def settings(name: str = "s", start_url: str = "https://s.org/", **extra):
    """Settings with one source and the defaults, for tests that never crawl."""
    from translator_pipeline.config.settings import Settings

    return Settings(sources=[{"name": name, "start_urls": [start_url]}], **extra)


def article(
    url: str = "https://s.org/news/a.html",
    *,
    title: str = "T",
    body: str = "<p>x</p>",
    language: str = "en",
    source: str = "s",
    published: str | None = None,
) -> Article:
    """An extracted article whose body is one block."""
    return Article(
        url=url,
        source=source,
        title=title,
        body_html=body,
        blocks=(Block(0, "p", body, body),),
        published=published,
        language=language,
    )


def body_article(
    body: str, language: str = "en", url: str = "http://s/a", title: str = "Title"
) -> Article:
    """An article whose blocks are marked in ``body`` as extraction marks them."""
    from bs4 import BeautifulSoup

    from translator_pipeline.html.segment import blocks_from_units, mark_blocks

    soup = BeautifulSoup(f"<div>{body}</div>", "html.parser")
    root = soup.div
    units = mark_blocks(root, soup)
    return Article(
        url=url,
        source="s",
        title=title,
        body_html=str(root),
        blocks=blocks_from_units(units),
        language=language,
    )


def variant(
    lang: str = "fr",
    *,
    slug: str = "a",
    html: str | None = None,
    fragment: str | None = None,
    url: str = "https://s.org/news/a.html",
    title: str = "Titre",
    source_language: str = "en",
    signature: str = "engine=x",
    pseudo: bool = False,
) -> Variant:
    """A rendered variant of ``url`` in ``lang``."""
    return Variant(
        article_url=url,
        source_language=source_language,
        language=lang,
        direction="rtl" if lang == "ar" else "ltr",
        slug=slug,
        title=title,
        page_html=f"<html>{lang}</html>" if html is None else html,
        fragment_html=f"<div>{lang}</div>" if fragment is None else fragment,
        signature=signature,
        pseudo=pseudo,
    )


def closed_port() -> int:
    """A port on 127.0.0.1 that refuses connections (bound, never listening)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
