"""Reviewed files back in: which units become approved segment translations, and why
the others do not.

A unit is checked against the variant the state holds now (not the one that
was exported: the article may have changed since):

- its file must name a translated variant (article URL and target language)
  whose source language matches the file's, else the whole file is rejected;
- the unit must still be a segment of that variant, with the same source;
- its target must carry exactly the source's tags, properly nested: a tag the
  translator lost or invented would lose or invent a link on the page;
- it counts as reviewed when its state says so (``translated``,
  ``signed-off``, ``final``, or ``approved="yes"``); with ``accept_edited``
  also when its target differs from the machine output we exported, for CAT
  tools that leave the state as they found it (OmegaT does);
  ``accept_all`` takes every target in the file.

A reviewed unit whose translation is already the approved one is
``unchanged``, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from translator_pipeline.glossary.pinned import segment_key
from translator_pipeline.html.segment import reassemble
from translator_pipeline.language.facts import normalise_code
from translator_pipeline.models import Approval, Segment, SegmentRecord, VariantReview
from translator_pipeline.review.export import machine_target
from translator_pipeline.review.units import ReviewFile, ReviewUnit

__all__ = ["FileReport", "ImportCheck", "check_review_files", "tag_problem"]

_TOKEN = re.compile(r"<(/?)([gx])(\d+)(/?)>")


@dataclass
class FileReport:
    """What became of one ``<file>`` of a review file."""

    original: str
    source_language: str
    target_language: str
    approved: int = 0
    unchanged: int = 0
    not_reviewed: int = 0  # still machine output in a state nobody signed
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (unit id, reason)
    error: str = ""  # the whole file was rejected (wrong languages, unknown variant)


@dataclass
class ImportCheck:
    """The outcome of checking review files: reports per file, approvals to store."""

    files: list[FileReport] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)

    def total(self, what: str) -> int:
        if what == "rejected":
            return sum(len(f.rejected) for f in self.files)
        return sum(getattr(f, what) for f in self.files)


def tag_problem(target: str, record: SegmentRecord) -> str:
    """Why ``target``'s placeholders do not fit the segment's tags ("" when they do)."""
    if reassemble(Segment(-1, (), record.tags), target) is not None:
        return ""
    expected = {t.id for t in record.tags}
    found = [int(m.group(3)) for m in _TOKEN.finditer(target)]
    lost = sorted(expected - set(found))
    invented = sorted(set(found) - expected)
    parts = []
    if lost:
        parts.append("tags lost by the translation: " + ", ".join(_name(i, record) for i in lost))
    if invented:
        parts.append("tags not in the source: " + ", ".join(str(i) for i in invented))
    if not parts:
        parts.append("tags repeated, or closed out of order")
    return "; ".join(parts)


def _name(tag_id: int, record: SegmentRecord) -> str:
    tag = next((t for t in record.tags if t.id == tag_id), None)
    return f"{tag_id} ({tag.start[:40]})" if tag is not None else str(tag_id)


def _same_language(a: str, b: str) -> bool:
    return normalise_code(a) == normalise_code(b)


def check_review_files(
    files: Iterable[ReviewFile],
    variants: Mapping[tuple[str, str], VariantReview],
    approved: Mapping[tuple[str, str, str], str],
    *,
    origin: str,
    accept_edited: bool = True,
    accept_all: bool = False,
) -> ImportCheck:
    """Check ``files`` against ``variants`` (by (article URL, language), read with
    records) and the ``approved`` translations already stored (by (source language,
    target language, segment key) → target)."""
    out = ImportCheck()
    taken: dict[tuple[str, str, str], str] = {}
    # A regional tag in the file (fr-FR) names the variant of its language.
    by_language = {(url, normalise_code(lang)): v for (url, lang), v in variants.items()}
    for rf in files:
        report = FileReport(rf.original, rf.source_language, rf.target_language)
        out.files.append(report)
        variant = by_language.get((rf.original, normalise_code(rf.target_language)))
        if variant is None:
            report.error = (
                f"no {rf.target_language or '?'} variant of {rf.original or '(no original)'} "
                "in the state: the article was removed, or never translated into it"
            )
            report.rejected = [(u.id, "variant unknown") for u in rf.units]
            continue
        if not _same_language(variant.source_language, rf.source_language):
            report.error = (
                f"wrong languages: the file says {rf.source_language}→{rf.target_language}, "
                f"the article is {variant.source_language}→{variant.language}"
            )
            report.rejected = [(u.id, "wrong languages") for u in rf.units]
            continue
        records = {r.id: r for r in variant.records}
        for unit in rf.units:
            verdict = _check_unit(unit, records.get(unit.id), accept_edited, accept_all)
            if verdict == "not-reviewed":
                report.not_reviewed += 1
                continue
            if verdict:
                report.rejected.append((unit.id, verdict))
                continue
            record = records[unit.id]
            key = (variant.source_language, variant.language, segment_key(record.source_text))
            if approved.get(key) == unit.target or taken.get(key) == unit.target:
                report.unchanged += 1
                continue
            taken[key] = unit.target
            report.approved += 1
            out.approvals.append(
                Approval(
                    source_language=variant.source_language,
                    target_language=variant.language,
                    source_text=record.source_text,
                    target=unit.target,
                    unit_id=unit.id,
                    article_url=variant.article_url,
                    origin=origin,
                )
            )
    return out


def _check_unit(
    unit: ReviewUnit, record: SegmentRecord | None, accept_edited: bool, accept_all: bool
) -> str:
    """ "" to approve, "not-reviewed", or the reason for rejecting the unit."""
    if record is None:
        return "segment no longer in the article (its text or place changed since the export)"
    if unit.problem:
        return unit.problem
    if " ".join(unit.source.split()) != " ".join(record.source.split()):
        return "the unit's source is not the article's segment (edited in the file?)"
    if not unit.target.strip():
        return "empty target"
    reviewed = accept_all or unit.approved
    if not reviewed and accept_edited and not record.approved:
        reviewed = unit.target != (machine_target(record) or "")
    if not reviewed:
        return "not-reviewed"
    return tag_problem(unit.target, record)
