"""Deployable entry point: the scheduled fan-out parent, one child run per source.

prefect.yaml points here (``flows/translate_all_sources.py:translate_all_sources``);
the children are runs of the ``translate-and-publish/site`` deployment. The
flow is the installed package's; this file only makes it findable.
"""

from translator_pipeline.flows import translate_all_sources

__all__ = ["translate_all_sources"]
