"""translator-pipeline: offline, reviewable machine translation of institutional news sites.

The library is usable without Prefect: each stage is a module with plain
functions over the dataclasses in :mod:`translator_pipeline.models`. The
Prefect flow (:mod:`translator_pipeline.flows`) and the CLI are thin edges.
"""

__version__ = "0.1.0"

from .errors import (
    ConfigError,
    DiscoveryError,
    EngineError,
    EngineNotFoundError,
    ExtractionError,
    FetchError,
    GlossaryError,
    HTTPStatusError,
    LanguageError,
    PipelineError,
    PublishError,
    ResponseTooLargeError,
    RobotsDisallowedError,
    RunInProgressError,
    StateError,
    UnsafeURLError,
    UnsupportedContentError,
)

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
    "PipelineError",
    "PublishError",
    "ResponseTooLargeError",
    "RobotsDisallowedError",
    "RunInProgressError",
    "StateError",
    "UnsafeURLError",
    "UnsupportedContentError",
    "__version__",
]
