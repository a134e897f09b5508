"""The per-variant decision of the quality gate: publish, publish-noindex or hold.

A segment is *broken* when one of its signals is severe, *doubtful* when it has
only mild ones. A variant is held when broken segments reach ``hold_share`` of
those judged (or its title is broken, with ``hold_on_title``); it is published
but kept out of search engines when any segment is broken or doubtful ones
reach ``noindex_share``; otherwise it is published. ``action`` caps the
decision. Segments a translator approved are not judged: approving the broken
ones is how a held variant gets out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from translator_pipeline.models import Decision, QualityDecision, SegmentRecord
from translator_pipeline.quality.signals import (
    KIND_RANK,
    in_kind_order,
    language_signals,
    segment_signals,
)

if TYPE_CHECKING:
    from translator_pipeline.config.quality import QualitySettings
    from translator_pipeline.language.langid import LanguageDetector

__all__ = ["LABELS", "PSEUDO_REASON", "judge", "judge_segments", "weakness"]

PSEUDO_REASON = "pseudo-translation: not a translation, never indexed"
_RANK: dict[Decision, int] = {"publish": 0, "publish-noindex": 1, "hold": 2}
_CAP: dict[str, Decision] = {
    "hold": "hold",
    "publish-noindex": "publish-noindex",
    "report": "publish",
}
LABELS = {
    "wrong-script": "in the wrong script",
    "wrong-language": "in the wrong language",
    "identical": "copied from the source",
    "repetition": "repeating a phrase",
    "missing-number": "missing a number of the source",
    "missing-link": "missing an address of the source",
    "low-score": "with a low engine score",
    "length-ratio": "of unusual length",
    "placeholders-lost": "whose markup the engine lost",
    "glossary-miss": "missing a glossary term",
}


def judge_segments(
    records: Sequence[SegmentRecord],
    settings: QualitySettings,
    detector: LanguageDetector | None = None,
) -> tuple[SegmentRecord, ...]:
    """The records with their signals filled in."""
    pending: list[tuple[SegmentRecord, str, str]] = []
    judged = [replace(r, signals=segment_signals(r, settings, detector, pending)) for r in records]
    if not pending or detector is None:
        return tuple(judged)
    wrong = language_signals(pending, detector)
    return tuple(
        replace(r, signals=in_kind_order((*r.signals, wrong[r.id]))) if r.id in wrong else r
        for r in judged
    )


def judge(
    records: Sequence[SegmentRecord],
    settings: QualitySettings,
    detector: LanguageDetector | None = None,
    *,
    pseudo: bool = False,
) -> tuple[tuple[SegmentRecord, ...], QualityDecision]:
    """Signals for every segment, and the variant's decision with its reasons."""
    if pseudo:  # pseudo output is meant to look wrong; it is never indexed anyway
        return tuple(records), QualityDecision(
            "publish-noindex", (PSEUDO_REASON,), (), len(records), 0
        )
    judged = judge_segments(records, settings, detector)
    considered = [r for r in judged if not r.approved]
    broken = [r for r in considered if any(s.severe for s in r.signals)]
    flagged = [r for r in considered if r.signals]
    total = len(considered)
    decision: Decision = "publish"
    if total:
        title_broken = any(r.where == "title" for r in broken)
        if len(broken) / total >= settings.hold_share or (settings.hold_on_title and title_broken):
            decision = "hold"
        elif broken or len(flagged) / total >= settings.noindex_share:
            decision = "publish-noindex"
    cap = _CAP[settings.action]
    if _RANK[decision] > _RANK[cap]:
        decision = cap
    weakest = sorted(flagged, key=weakness)
    return judged, QualityDecision(
        decision=decision,
        reasons=_reasons(considered),
        weakest=tuple(r.id for r in weakest),
        segments=total,
        flagged=len(flagged),
    )


def weakness(record: SegmentRecord) -> tuple[int, int, float]:
    """Sort key, weakest first: severe signals, then signals, then the engine score."""
    severe = sum(1 for s in record.signals if s.severe)
    score = record.score if record.score is not None else 0.0
    return (-severe, -len(record.signals), score)


def _reasons(considered: list[SegmentRecord]) -> tuple[str, ...]:
    """One line per kind of signal, severe kinds first, e.g. "2 of 9 segments repeating
    a phrase (block 3: “the the the” 5 times)"."""
    total = len(considered)
    kinds: Counter[str] = Counter()
    severe: Counter[str] = Counter()
    example: dict[str, str] = {}
    for record in considered:
        for signal in record.signals:
            kinds[signal.kind] += 1
            severe[signal.kind] += int(signal.severe)
            example.setdefault(signal.kind, f"{record.where}: {signal.detail}")
    ranked = sorted(kinds, key=lambda k: (-severe[k], KIND_RANK[k]))
    return tuple(f"{kinds[k]} of {total} segment(s) {LABELS[k]} ({example[k]})" for k in ranked)
