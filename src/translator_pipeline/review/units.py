"""What a review file holds, independent of its format (XLIFF 1.2/2.0, TMX).

One :class:`ReviewFile` per variant (an article in one target language), one
:class:`ReviewUnit` per translated segment. Texts are in the pipeline's
placeholder form (``<g1>…</g1>`` for paired inline markup, ``<x2/>`` for
empty elements and kept runs; text HTML-escaped as the engine sees it); the
formats turn placeholders into their own inline elements and back.
"""

from __future__ import annotations

from dataclasses import dataclass

from translator_pipeline.models import InlineTag

__all__ = ["APPROVED_STATES", "MACHINE_STATE", "ReviewFile", "ReviewUnit"]

#: XLIFF 1.2 ``state`` values that mean a translator is done with the unit.
APPROVED_STATES = frozenset({"translated", "signed-off", "final"})
#: The state of machine output nobody has looked at.
MACHINE_STATE = "needs-review-translation"


@dataclass(frozen=True)
class ReviewUnit:
    """One segment: source, target and what a reviewer needs to know about it."""

    id: str  # stable across exports: the segment's id in the state database
    where: str  # "title", "block 3", "description", "attribute"
    source: str  # placeholder form
    target: str  # placeholder form; "" when there is none
    tags: tuple[InlineTag, ...] = ()  # what each placeholder stands for
    state: str = MACHINE_STATE  # XLIFF 1.2 state of the target
    machine: bool = True  # the target is machine output (state-qualifier leveraged-mt)
    notes: tuple[str, ...] = ()  # quality signals, score … (one note each)
    terms: tuple[tuple[str, str], ...] = ()  # glossary (source term, target form) pairs
    problem: str = ""  # read from a file: why the unit cannot be imported as it is

    @property
    def approved(self) -> bool:
        return self.state in APPROVED_STATES


@dataclass(frozen=True)
class ReviewFile:
    """One variant: an article (``original``: its URL) in one target language."""

    original: str
    source_language: str
    target_language: str
    units: tuple[ReviewUnit, ...]
    notes: tuple[str, ...] = ()  # the quality decision and its reasons
