"""translator-pipeline: offline, reviewable machine translation of institutional news sites.

The public API is what ``__all__`` lists; everything else is internal and may
change between versions::

    from translator_pipeline import load_settings, run_once

    report = run_once(load_settings("site.toml"))   # one whole run, no Prefect

- settings: :func:`load_settings`, :class:`Settings`
- runs: :func:`run_once` (the library loop; the Prefect flow runs the same one)
- translation: :func:`translate_text`, :func:`translate_html` with any
  :class:`Translator` (:func:`load_engine` finds one by name)
- webhooks: :func:`verify_signature` for receivers
- errors: :class:`PipelineError` and its subclasses, the one exception tree

Names other than the exceptions are imported on first use, so that importing a
stage module (``translator_pipeline.publishing.render``) does not load the
engines, the state database or Prefect.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from translator_pipeline.errors import (
    ConfigError,
    DiscoveryError,
    EngineError,
    EngineNotFoundError,
    ExtractionError,
    FetchError,
    GlossaryError,
    HTTPStatusError,
    LanguageError,
    NotAnArticleError,
    OutputOwnershipError,
    PipelineError,
    PrefectServerError,
    PublishError,
    ResponseTooLargeError,
    ReviewFileError,
    RobotsDisallowedError,
    RunFailedError,
    RunInProgressError,
    ServerError,
    StateError,
    UnreachableError,
    UnsafeURLError,
    UnsupportedContentError,
)

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings, load_settings
    from translator_pipeline.engines import Translator, load_engine
    from translator_pipeline.publishing.webhooks import verify_signature
    from translator_pipeline.run.loop import run_once
    from translator_pipeline.translate.articles import translate_html, translate_text

_LAZY = {
    "Settings": "translator_pipeline.config.settings",
    "load_settings": "translator_pipeline.config.settings",
    "Translator": "translator_pipeline.engines",
    "load_engine": "translator_pipeline.engines",
    "verify_signature": "translator_pipeline.publishing.webhooks",
    "run_once": "translator_pipeline.run.loop",
    "translate_html": "translator_pipeline.translate.articles",
    "translate_text": "translator_pipeline.translate.articles",
}

__all__ = [
    "ConfigError",
    "DiscoveryError",
    "EngineError",
    "EngineNotFoundError",
    "ExtractionError",
    "FetchError",
    "GlossaryError",
    "HTTPStatusError",
    "LanguageError",
    "NotAnArticleError",
    "OutputOwnershipError",
    "PipelineError",
    "PrefectServerError",
    "PublishError",
    "ResponseTooLargeError",
    "ReviewFileError",
    "RobotsDisallowedError",
    "RunFailedError",
    "RunInProgressError",
    "ServerError",
    "Settings",
    "StateError",
    "Translator",
    "UnreachableError",
    "UnsafeURLError",
    "UnsupportedContentError",
    "__version__",
    "load_engine",
    "load_settings",
    "run_once",
    "translate_html",
    "translate_text",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'translator_pipeline' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
