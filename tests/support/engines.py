"""Translation engines whose behaviour a test controls completely."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from translator_pipeline.models import EngineSignature


class ScriptedEngine:
    """Applies ``transform`` to every text and records each batch call."""

    pseudo = False

    def __init__(
        self,
        transform: Callable[[str, str, str], str] = lambda text, src, tgt: text,
        name: str = "scripted",
        pairs: set[tuple[str, str]] | None = None,
    ) -> None:
        self.transform = transform
        self.name = name
        self.pairs = pairs
        self.calls: list[tuple[str, str, list[str]]] = []

    def supports(self, source: str, target: str) -> bool:
        return source != target and (self.pairs is None or (source, target) in self.pairs)

    def signature(self, source: str, target: str) -> EngineSignature:
        return EngineSignature(self.name, "test-model", "1")

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.calls.append((source, target, list(texts)))
        return [self.transform(t, source, target) for t in texts]


def upper(text: str, src: str, tgt: str) -> str:
    """Upper-cases text but leaves placeholders intact."""
    return re.sub(r"(</?g\d+>|<x\d+/>)|([^<]+)", lambda m: m.group(1) or m.group(2).upper(), text)


def drop_placeholders(text: str, src: str, tgt: str) -> str:
    return re.sub(r"</?g\d+>|<x\d+/>", "", text).upper()


def duplicate_first_placeholder(text: str, src: str, tgt: str) -> str:
    match = re.search(r"<g\d+>", text)
    return text + match.group(0) if match else text
