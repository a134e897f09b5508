"""A two-article English site translated into French and Arabic by a scripted engine, run
through the real pipeline: the state a review export reads."""

from __future__ import annotations

import json
from pathlib import Path

from tests.factories import write_source_config
from tests.quality.engines import BODY, FRENCH, TITLE, _one_line
from tests.support import server as http
from tests.support.engines import ScriptedEngine
from tests.support.server import Response
from translator_pipeline.config.settings import load_settings
from translator_pipeline.run.loop import run_once
from translator_pipeline.store.state import StateStore

OTHER_TITLE = "A second article"
OTHER_BODY = "<p>The second article has one paragraph about <b>schools</b>.</p>"
LISTING = (
    '<html><body><a class="item" href="/news/plan.html">Plan</a>'
    '<a class="item" href="/news/other.html">Other</a></body></html>'
)
SELECTORS = {"link_selector": "a.item", "title_selector": "h1.title", "body_selector": "div.body"}


def page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title></head><body>'
        f'<h1 class="title">{title}</h1><div class="body">{body}</div></body></html>'
    ).encode()


class Scripted(ScriptedEngine):
    """French from the careful table where it has the text, tagged copies otherwise."""

    def __init__(self, settings=None) -> None:
        super().__init__(self._translate, name="scripted")

    @staticmethod
    def _translate(text: str, source: str, target: str) -> str:
        if target == "fr" and _one_line(text) in FRENCH:
            return FRENCH[_one_line(text)]
        return f"[{target}] {text}"


def serve_site() -> http.TestServer:
    server = http.TestServer()
    server.route("/news/index.html", Response(LISTING.encode()))
    server.route("/news/plan.html", Response(page(TITLE, BODY)))
    server.route("/news/other.html", Response(page(OTHER_TITLE, OTHER_BODY)))
    return server


def write_config(directory: Path, server: http.TestServer) -> Path:
    # The gate only reports here: the scripted Arabic is not Arabic.
    config = write_source_config(
        directory,
        "news",
        server.url("/news/index.html"),
        SELECTORS,
        '\n[quality]\naction = "report"\n',
    )
    text = config.read_text().replace('engine = "pseudo"', 'engine = "scripted"')
    config.write_text(text)
    return config


def run(config: Path):
    return run_once(load_settings(config))


def manifest(config: Path) -> dict:
    return json.loads((config.parent / "out" / "manifest.json").read_text(encoding="utf-8"))


def pages(config: Path) -> dict[str, bytes]:
    out = config.parent / "out"
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.html")}


def article_entry(config: Path, name: str) -> dict:
    """The manifest entry of the article whose URL ends with ``name``."""
    [article] = [a for a in manifest(config)["articles"] if a["url"].endswith(name)]
    return article


def variant_entry(config: Path, name: str, language: str) -> dict:
    return next(v for v in article_entry(config, name)["variants"] if v["language"] == language)


def published_page(config: Path, variant: dict) -> str:
    """A manifest variant's published page."""
    return (config.parent / "out" / variant["path"]).read_text(encoding="utf-8")


def state(config: Path) -> StateStore:
    settings = load_settings(config)
    return StateStore(settings.state_url or settings.state_path)
