"""Segment translations approved by translators (``glossaries/segments.csv``).

A pinned segment replaces the machine's translation of one exact source
segment (a title, a paragraph, a list item …) in one language pair, on every
run, until the row is removed. Columns: ``id,source_language,target_language,
source,target,note``. ``source`` is compared after Unicode NFC and whitespace
collapsing, otherwise exactly (case and punctuation matter: a pinned sentence
is a reviewed sentence). ``target`` is plain text, or may carry the
placeholders shown in the review report (``<g1>…</g1>``, ``<x2/>``) to keep
the segment's links and emphasis.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.model import read_glossary_text
from translator_pipeline.language.facts import normalise_code

__all__ = ["PinnedSegment", "PinnedSegments", "load_pinned"]

REQUIRED = ("source_language", "target_language", "source", "target")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.IGNORECASE)


def segment_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class PinnedSegment:
    id: str
    source_language: str
    target_language: str
    source: str
    target: str
    note: str = ""
    line: int = 0

    @cached_property
    def digest(self) -> str:
        parts = (self.id, self.source_language, self.target_language, self.source, self.target)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class PinnedSegments:
    """Lookup of pinned translations by (source language, target language, text)."""

    def __init__(self, entries: Iterable[PinnedSegment] = (), path: str | Path | None = None):
        self.entries = tuple(entries)
        self.path = Path(path) if path else None
        self._index = {
            (e.source_language, e.target_language, segment_key(e.source)): e for e in self.entries
        }

    def __bool__(self) -> bool:
        return bool(self.entries)

    def get(self, source: str, target: str, text: str) -> PinnedSegment | None:
        if not self._index:
            return None
        return self._index.get((normalise_code(source), normalise_code(target), segment_key(text)))

    def for_source(self, source: str, text: str) -> list[PinnedSegment]:
        """Every pinned translation of ``text`` (any target)."""
        key = segment_key(text)
        src = normalise_code(source)
        return [e for (s, _t, k), e in self._index.items() if s == src and k == key]

    @cached_property
    def version(self) -> str:
        digests = sorted(e.digest for e in self.entries)
        return hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]


def parse_pinned(
    text: str, path: str | Path = "<segments>"
) -> tuple[list[PinnedSegment], list[str]]:
    """Pinned segments from CSV text and the problems found (``path:line: message``)."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"{path}:1: missing column(s) {', '.join(missing)} (need {','.join(REQUIRED)})"]
    reader.fieldnames = header
    entries: list[PinnedSegment] = []
    seen: dict[tuple[str, str, str], PinnedSegment] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(f"{path}:{line}: more cells than the header has columns")
                continue
            cells = {k: (v or "").strip() for k, v in row.items()}
            if not any(cells.values()) or cells.get("id", "").startswith("#"):
                continue
            empty = [c for c in REQUIRED if not cells.get(c)]
            if empty:
                problems.append(f"{path}:{line}: empty {', '.join(empty)}")
                continue
            bad = [c for c in ("source_language", "target_language") if not _LANG.match(cells[c])]
            if bad:
                problems.append(
                    f"{path}:{line}: {', '.join(f'{c}={cells[c]!r}' for c in bad)} is not a "
                    "language code (use e.g. ar, fr, en)"
                )
                continue
            entry = PinnedSegment(
                id=cells.get("id") or f"line-{line}",
                source_language=normalise_code(cells["source_language"]),
                target_language=normalise_code(cells["target_language"]),
                source=unicodedata.normalize("NFC", cells["source"]),
                target=unicodedata.normalize("NFC", cells["target"]),
                note=cells.get("note", ""),
                line=line,
            )
            key = (entry.source_language, entry.target_language, segment_key(entry.source))
            if key in seen:
                other = seen[key]
                kind = "duplicate of" if other.target == entry.target else "conflicts with"
                problems.append(
                    f"{path}:{line}: the same source segment is pinned twice for "
                    f"{entry.source_language}→{entry.target_language} ({kind} line {other.line})"
                )
                continue
            seen[key] = entry
            entries.append(entry)
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: {exc}")
    return entries, problems


def load_pinned(path: str | Path) -> PinnedSegments:
    """Load pinned segments; :class:`GlossaryError` naming every problem if there are any."""
    entries, problems = parse_pinned(read_glossary_text(path), path)
    if problems:
        raise GlossaryError(f"pinned segments {path} have {len(problems)} error(s)", problems)
    return PinnedSegments(entries, path)
