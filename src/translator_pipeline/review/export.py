"""What goes into a review file: the state's variant reviews as :class:`.ReviewFile`\\ s.

One file per variant (article × target language), one unit per translated
segment the translators have not approved yet, with the quality gate's
signals and the glossary terms as notes. By default the weakest come first:
held variants before noindexed ones before the rest, and inside a variant the
segments with severe signals, then those with most signals, then the lowest
engine score; ``order="document"`` keeps reading order instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Literal

from translator_pipeline.html.segment import placeholders_from_html
from translator_pipeline.models import InlineTag, Segment, SegmentRecord, VariantReview
from translator_pipeline.quality.judge import weakness
from translator_pipeline.review.units import MACHINE_STATE, ReviewFile, ReviewUnit

__all__ = ["machine_target", "plain_target", "review_files"]

Order = Literal["weakest", "document"]

_DECISION_RANK = {"hold": 0, "publish-noindex": 1, "publish": 2}
_METHOD_NOTES = {
    "rebuilt": "the engine lost the markup: translated piece by piece between the tags",
    "alternative": "the engine's first answer lost the markup: an alternative hypothesis",
    "substituted": "glossary terms put in after translation",
}


def machine_target(record: SegmentRecord) -> str | None:
    """The published translation of a segment in placeholder form; ``None`` when its
    markup cannot be mapped onto the source's tags."""
    return placeholders_from_html(Segment(-1, (), record.tags), record.target_html)


def plain_target(target: str, tags: Sequence[InlineTag]) -> str:
    """A placeholder-form target as plain text: markup dropped, kept text spelled out."""
    by_id = {t.id: t for t in tags}

    def spell(m: re.Match[str]) -> str:
        token = m.group()
        if token.startswith("<x"):
            tag = by_id.get(int(re.sub(r"\D", "", token)))
            if tag is not None and tag.kind == "keep":
                return html.unescape(re.sub(r"<[^>]*>", "", tag.start))
        return ""

    return re.sub(r"</?g\d+>|<x\d+/>", spell, target)


def _notes(record: SegmentRecord, mapped: bool) -> tuple[str, ...]:
    notes = [f"{'SEVERE ' if s.severe else ''}{s}" for s in record.signals]
    if record.score is not None:
        notes.append(f"engine score {record.score:.2f} (mean token log-probability)")
    if record.method in _METHOD_NOTES:
        notes.append(_METHOD_NOTES[record.method])
    if not mapped:
        notes.append(
            "the published translation's markup does not map onto the source's tags: "
            "no machine target is given, translate from the source"
        )
    return tuple(notes)


def _unit(record: SegmentRecord) -> ReviewUnit:
    target = machine_target(record)
    approved = record.approved
    return ReviewUnit(
        id=record.id,
        where=record.where,
        source=record.source,
        target=target or "",
        tags=record.tags,
        state="signed-off" if approved else MACHINE_STATE,
        machine=not approved,
        notes=_notes(record, target is not None),
        terms=tuple(dict.fromkeys(record.terms)),
    )


def _file_notes(review: VariantReview) -> tuple[str, ...]:
    head = f"quality gate: {review.decision}"
    if review.reasons:
        head += " — " + "; ".join(review.reasons)
    counts = f"{review.segments} segments, {review.flagged} flagged, {review.approved} approved"
    return (head, counts, f"engine: {review.signature}")


def review_files(
    reviews: Iterable[VariantReview],
    *,
    order: Order = "weakest",
    include_approved: bool = False,
) -> list[ReviewFile]:
    """Review files for ``reviews`` (read ``with_records=True``); variants with nothing
    left to review are left out unless ``include_approved``."""
    files: list[tuple[tuple, ReviewFile]] = []
    for n, review in enumerate(reviews):
        seen: set[str] = set()
        records = []
        for record in review.records:
            if record.id in seen or (record.approved and not include_approved):
                continue
            seen.add(record.id)
            records.append(record)
        if not records:
            continue
        if order == "weakest":
            records.sort(key=weakness)  # stable: reading order among equals
        units = tuple(_unit(r) for r in records)
        key = (
            (_DECISION_RANK.get(review.decision, 3), weakness(records[0]), n)
            if order == "weakest"
            else (n,)
        )
        files.append(
            (
                key,
                ReviewFile(
                    original=review.article_url,
                    source_language=review.source_language,
                    target_language=review.language,
                    units=units,
                    notes=_file_notes(review),
                ),
            )
        )
    files.sort(key=lambda item: item[0])
    return [f for _, f in files]
