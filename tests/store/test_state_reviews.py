"""Variant reviews and approved segments in the state database (both backends)."""

import dataclasses

from tests.factories import article, variant
from translator_pipeline.models import InlineTag, QualityDecision, QualitySignal, SegmentRecord
from translator_pipeline.store.state import Approval, StateStore


def _record(i: int, method: str = "machine") -> SegmentRecord:
    return SegmentRecord(
        id=f"s{i}",
        where=f"block {i}",
        source_language="en",
        target_language="fr",
        source=f"Read <g1>the report</g1> number {i}.",
        tags=(InlineTag(1, "pair", '<a href="/r">', "</a>"),),
        source_text=f"Read the report number {i}.",
        target_html=f'Lisez <a href="/r">le rapport</a> numéro {i}.',
        method=method,
        score=-0.25 * i,
        signals=(QualitySignal("low-score", "mean log-probability -2.1", False),),
        terms=(("report", "rapport"),),
    )


def test_reviews_keep_decision_and_segment_records(state_url):
    state = StateStore(state_url)
    art = article()
    quality = QualityDecision("hold", ("2 segments repeat phrases",), ("s1",), 2, 1)
    v = dataclasses.replace(variant(), segments=(_record(1), _record(2, "pinned")), quality=quality)
    state.record_reviews(art.url, art.content_hash, [v], "g1", "r1")
    (review,) = state.reviews(art.url, with_records=True)
    assert (review.decision, review.reasons) == ("hold", ("2 segments repeat phrases",))
    assert (review.segments, review.flagged, review.approved) == (2, 1, 1)
    assert review.records == v.segments  # a lossless round trip, tags and signals included
    assert state.reviews(language="ar") == []
    assert state.reviews(since="9999") == []
    # A re-run replaces the row; records are left out unless asked for.
    later = dataclasses.replace(v, quality=QualityDecision(), segments=(_record(1),))
    state.record_reviews(art.url, art.content_hash, [later], "g1", "r1")
    (review,) = state.reviews()
    assert (review.decision, review.segments, review.records) == ("publish", 1, ())


def test_approving_the_same_segment_twice_changes_nothing(state_url):
    state = StateStore(state_url)
    one = Approval(
        "en",
        "fr",
        "Read  the report.",
        "Lisez <g1>le rapport</g1>.",
        "u1",
        "https://s.org/a",
        "r.xlf",
    )
    assert state.approve_segments([one]) == (1, 0)
    assert state.approve_segments([one]) == (0, 1)
    # The key is the whitespace-collapsed source: a new target for it replaces the old.
    again = dataclasses.replace(one, source_text="Read the report.", target="Lisez le rapport.")
    assert state.approve_segments([again]) == (1, 0)
    (pinned,) = StateStore(state_url).approved_segments()
    assert (pinned.source_language, pinned.target_language) == ("en", "fr")
    assert (pinned.source, pinned.target, pinned.id) == (
        "Read the report.",
        "Lisez le rapport.",
        "u1",
    )
    assert "r.xlf" in pinned.note
