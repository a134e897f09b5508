"""The protocol every translation engine implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from translator_pipeline.models import EngineSignature

__all__ = ["Translator"]


@runtime_checkable
class Translator(Protocol):
    """Translates batches of plain-text segments between two languages.

    Segments may contain placeholders (``<g1>…</g1>``, ``<x2/>``) that stand for
    inline markup; an engine should copy them through. The pipeline checks and
    repairs what comes back, so an engine that drops them is still usable.
    """

    #: registry name, e.g. ``"argos"``
    name: str
    #: True for engines whose output is not a real translation
    pseudo: bool

    def supports(self, source: str, target: str) -> bool:
        """Whether this engine can translate ``source`` → ``target``."""
        ...

    def signature(self, source: str, target: str) -> EngineSignature:
        """What exactly translates this pair (engine, model, version, pivot)."""
        ...

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate every text; the result has the same length and order."""
        ...
