"""Prefect flows: thin wrappers over :mod:`translator_pipeline.run.stages`."""

from translator_pipeline.flows.deploy import serve, translate_all_sources
from translator_pipeline.flows.translate_and_publish import (
    PipelineTaskRunner,
    translate_and_publish,
)

__all__ = ["PipelineTaskRunner", "serve", "translate_all_sources", "translate_and_publish"]
