"""What translation wants of a translation memory, and how its keys are made.

The memory itself lives in the state database
(:class:`translator_pipeline.store.memory.TranslationMemory`); translation
only needs something with ``lookup`` and ``store``, so it never imports the
database layer (nor SQLAlchemy).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from translator_pipeline.models import sha256_text

__all__ = ["TranslationMemoryProtocol", "memory_key"]

#: (key, signature, source, target, engine input, engine output)
MemoryRow = tuple[str, str, str, str, str, str]


@runtime_checkable
class TranslationMemoryProtocol(Protocol):
    def lookup(self, keys: list[str]) -> dict[str, str]:
        """Key → stored engine output, for the keys the memory has."""
        ...

    def store(self, rows: list[MemoryRow]) -> None: ...


def memory_key(signature: str, source: str, target: str, glossary: str, text: str) -> str:
    """Translation-memory key: engine signature, pair, glossary fingerprint, engine input."""
    return sha256_text("\x1f".join((signature, source, target, glossary, text)))
