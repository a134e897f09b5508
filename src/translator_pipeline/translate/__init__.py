"""Translating articles: terminology, batching, translation memory, repair layers."""

from translator_pipeline.translate.articles import (
    Terminology,
    translate_articles,
    translate_html,
    translate_text,
)

__all__ = ["Terminology", "translate_articles", "translate_html", "translate_text"]
