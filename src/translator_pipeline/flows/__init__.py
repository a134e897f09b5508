"""Prefect flows: thin wrappers over :mod:`translator_pipeline.pipeline`."""

from .translate_and_publish import translate_and_publish

__all__ = ["translate_and_publish"]
