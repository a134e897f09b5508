"""What one run derives from its settings, built once and shared by its stages.

A run needs the engine, the glossary and pinned segments, the language
detector, one HTTP fetcher (its robots.txt cache and per-host politeness only
work when every stage of the run shares it), the state store, the publisher,
and a few fingerprints that are the same for every article. :class:`RunContext`
builds each on first use and keeps it for the run; nothing of it outlives the
run except what is worth keeping per process (loaded engine models, see
:func:`~translator_pipeline.engines.load_engine`).

Stages that run in other processes (translation on Dask workers) get the
settings and the run's key, never the context: :func:`context_for` gives each
process its own context for that run, built from the same settings.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translator_pipeline.crawl.fetch import Fetcher
from translator_pipeline.engines import Translator, load_engine
from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.load import load_glossary
from translator_pipeline.glossary.model import EMPTY as EMPTY_GLOSSARY
from translator_pipeline.glossary.pinned import PinnedSegments, load_pinned
from translator_pipeline.language.langid import LanguageDetector
from translator_pipeline.publishing.render import render_fingerprint
from translator_pipeline.publishing.storage import Publisher, publisher_for
from translator_pipeline.store.state import StateStore
from translator_pipeline.translate.articles import (
    Terminology,
    glossary_texts,
    terminology_fingerprint,
)

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings
    from translator_pipeline.models import Article

__all__ = [
    "RunContext",
    "close_context",
    "context_for",
    "load_terminology",
    "open_context",
    "run_logger",
]

LOGGER_NAME = "translator_pipeline.run"


def run_logger() -> logging.Logger | logging.LoggerAdapter[Any]:
    """Prefect's run logger inside a flow or task run (its records reach the UI),
    else the package's own logger. Prefect is never imported here: if it is not
    loaded yet, nothing of this process runs under it."""
    if "prefect" in sys.modules:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()
    return logging.getLogger(LOGGER_NAME)


def load_terminology(settings: Settings) -> Terminology:
    """The glossary and pinned segments the settings name; :class:`GlossaryError` naming
    every problem when either file has errors (a run must not start on a broken one)."""
    g = settings.glossary
    if g.path is not None and not g.path.exists():
        raise GlossaryError(f"glossary {g.path} does not exist (settings: glossary.path)")
    if g.segments is not None and not g.segments.exists():
        raise GlossaryError(
            f"pinned segments file {g.segments} does not exist (settings: glossary.segments)"
        )
    return Terminology(
        glossary=load_glossary(g.path) if g.path else EMPTY_GLOSSARY,
        pinned=load_pinned(g.segments) if g.segments else PinnedSegments(),
        record_machine=g.record_machine_rendering,
        alternatives=g.alternatives,
    )


class RunContext:
    """Everything one run derives from ``settings``, each built on first use.

    Thread-safe: the stages of a run call it from several threads at once, and
    each part is built once (two fetchers would mean two politeness gates).
    ``close()`` releases the fetcher's connections.
    """

    def __init__(self, settings: Settings, key: str | None = None) -> None:
        self.settings = settings
        self.key = key or uuid.uuid4().hex
        self._lock = threading.RLock()
        self._parts: dict[str, Any] = {}
        self._fingerprints: dict[tuple[str, str], str] = {}
        # The id of the output this run publishes to, once the run claimed it
        # (see translator_pipeline.run.ownership); None before.
        self.output_id: str | None = None

    def __repr__(self) -> str:
        return f"RunContext(key={self.key!r}, config={self.settings.config_path!s})"

    def _part(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._parts:
                self._parts[name] = build()
            return self._parts[name]

    @property
    def engine(self) -> Translator:
        return self._part("engine", lambda: load_engine(self.settings.engine, self.settings))

    @property
    def terminology(self) -> Terminology:
        return self._part("terminology", self._terminology)

    def _terminology(self) -> Terminology:
        """The configured glossary and pinned segments, plus the segment translations
        approved through review files (a CSV row for the same segment wins)."""
        terminology = load_terminology(self.settings)
        approved = self.state.approved_segments()
        if not approved:
            return terminology
        own = terminology.pinned
        extra = [
            p for p in approved if own.get(p.source_language, p.target_language, p.source) is None
        ]
        pinned = PinnedSegments([*own.entries, *extra], own.path)
        return dataclasses.replace(terminology, pinned=pinned)

    @property
    def detector(self) -> LanguageDetector:
        s = self.settings
        languages = tuple(dict.fromkeys([*s.translate_from, *s.target_languages]))
        return self._part("detector", lambda: LanguageDetector(languages))

    @property
    def fetcher(self) -> Fetcher:
        return self._part("fetcher", lambda: Fetcher(self.settings.fetch))

    @property
    def state(self) -> StateStore:
        return self._part("state", lambda: StateStore.from_settings(self.settings))

    @property
    def publisher(self) -> Publisher:
        return self._part("publisher", lambda: publisher_for(self.settings))

    @property
    def render_hash(self) -> str:
        """What besides the translation shapes a page (templates, disclaimers): one
        value for the whole run, so the templates are read once."""
        return self._part("render_hash", lambda: render_fingerprint(self.settings))

    def terminology_hash(self, article: Article, target: str) -> str:
        """The glossary fingerprint of ``article``'s variant in ``target`` (planning,
        rendering and publishing all need it; it is computed once per variant and run)."""
        key = (article.url, article.content_hash, target)
        with self._lock:
            found = self._fingerprints.get(key)
        if found is None:
            found = terminology_fingerprint(glossary_texts(article), self.terminology, target)
            with self._lock:
                self._fingerprints[key] = found
        return found

    def close(self) -> None:
        with self._lock:
            fetcher = self._parts.pop("fetcher", None)
        if fetcher is not None:
            fetcher.close()


# This process's contexts by run key. A Dask worker lives through many runs and is
# never told one ended: the oldest contexts beyond MAX_CONTEXTS are closed.
MAX_CONTEXTS = 4
_contexts: OrderedDict[str, RunContext] = OrderedDict()
_contexts_lock = threading.Lock()


def open_context(settings: Settings) -> RunContext:
    """A new run's context, registered so that :func:`context_for` finds it here."""
    context = RunContext(settings)
    _remember(context)
    return context


def context_for(settings: Settings, key: str) -> RunContext:
    """This process's context of the run ``key`` (built from ``settings`` the first time).

    A Prefect or Dask task gets the settings and the key as parameters (they
    serialise); the context itself never travels.
    """
    with _contexts_lock:
        found = _contexts.get(key)
        if found is not None:
            _contexts.move_to_end(key)
            return found
    return _remember(RunContext(settings, key))


def _remember(context: RunContext) -> RunContext:
    evicted = []
    with _contexts_lock:
        context = _contexts.setdefault(context.key, context)
        while len(_contexts) > MAX_CONTEXTS:
            evicted.append(_contexts.popitem(last=False)[1])
    for old in evicted:
        old.close()
    return context


def close_context(key: str) -> None:
    """Forget the run ``key`` in this process and release what it holds."""
    with _contexts_lock:
        found = _contexts.pop(key, None)
    if found is not None:
        found.close()
