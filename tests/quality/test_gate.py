"""The quality gate on engines whose misbehaviour each test controls: each kind of
fault lands in the decision an editor would take."""

import pytest

from tests.quality.engines import (
    Copies,
    DropsNumbers,
    Faithful,
    Lost,
    Repeats,
    Unsure,
    WrongLanguage,
    news_article,
)
from translator_pipeline.config.quality import QualitySettings
from translator_pipeline.language.langid import LanguageDetector
from translator_pipeline.quality.judge import LABELS, PSEUDO_REASON, judge
from translator_pipeline.translate.articles import translate_articles

DETECTOR = LanguageDetector(("ar", "fr", "en"))


DEFAULTS = QualitySettings()


def gate(engine, settings=DEFAULTS):
    article = news_article()
    [translated] = translate_articles([article], ["fr"], engine)[article.url]
    return judge(translated.segments, settings, DETECTOR)


def kinds(records):
    return {s.kind for r in records for s in r.signals}


def test_a_faithful_translation_is_published_without_signals():
    records, decision = gate(Faithful())
    assert decision.decision == "publish"
    assert kinds(records) == set()
    assert (decision.segments, decision.flagged, decision.reasons) == (len(records), 0, ())
    assert all(r.score == -0.2 for r in records)  # the engine's own scores reached the gate


@pytest.mark.parametrize(
    ("engine", "decision", "kind"),
    [
        (Repeats(), "hold", "repetition"),
        (Copies(), "hold", "identical"),
        (WrongLanguage(), "hold", "wrong-language"),
        (Lost(), "hold", "low-score"),
        (DropsNumbers(), "publish-noindex", "missing-number"),
        (Unsure(), "publish-noindex", "low-score"),
    ],
    ids=lambda v: getattr(v, "name", v),
)
def test_each_fault_lands_in_its_decision(engine, decision, kind):
    records, verdict = gate(engine)
    assert verdict.decision == decision, verdict.reasons
    assert kind in kinds(records)
    # A reason names the fault, with an example segment.
    assert any(LABELS[kind] in reason and ": " in reason for reason in verdict.reasons)
    # Weakest first: the first id is a segment carrying the fault.
    weakest = next(r for r in records if r.id == verdict.weakest[0])
    assert kind in {s.kind for s in weakest.signals}


def test_dropped_number_names_the_number_and_the_segment():
    records, verdict = gate(DropsNumbers())
    (flagged,) = [r for r in records if r.signals]
    assert "G20" in flagged.source_text
    (signal,) = flagged.signals
    assert (signal.kind, signal.severe) == ("missing-number", True)
    assert "20" in signal.detail
    assert verdict.reasons == (
        f"1 of {verdict.segments} segment(s) missing a number of the source "
        f"({flagged.where}: {signal.detail})",
    )


def test_copied_source_reads_as_the_source_language():
    records, _ = gate(Copies())
    body = next(r for r in records if r.where == "block 1")
    assert {s.kind for s in body.signals} >= {"identical", "wrong-language"}
    assert any("the source language" in s.detail for s in body.signals)


def test_action_caps_the_decision_but_keeps_the_reasons():
    _, verdict = gate(Repeats(), QualitySettings(action="publish-noindex"))
    assert verdict.decision == "publish-noindex" and verdict.reasons
    _, verdict = gate(Repeats(), QualitySettings(action="report"))
    assert verdict.decision == "publish" and verdict.flagged == verdict.segments


def test_thresholds_are_the_settings():
    # One broken segment in eight: not held at the default share, held at a tenth.
    _, verdict = gate(DropsNumbers(), QualitySettings(hold_share=0.1))
    assert verdict.decision == "hold"
    # Doubtful everywhere, but the score bar lowered below it: published.
    _, verdict = gate(Unsure(), QualitySettings(min_score=-2.5, severe_score=-5))
    assert verdict.decision == "publish"


def test_approved_segments_are_not_judged():
    from dataclasses import replace

    article = news_article()
    [translated] = translate_articles([article], ["fr"], Copies())[article.url]
    approved = tuple(replace(r, method="pinned") for r in translated.segments)
    records, verdict = judge(approved, QualitySettings(), DETECTOR)
    assert verdict.decision == "publish" and verdict.segments == 0
    assert kinds(records) == set()


def test_pseudo_output_is_never_held_and_never_indexed():
    article = news_article()
    [translated] = translate_articles([article], ["fr"], Copies())[article.url]
    _, verdict = judge(translated.segments, QualitySettings(), DETECTOR, pseudo=True)
    assert (verdict.decision, verdict.reasons) == ("publish-noindex", (PSEUDO_REASON,))


class SometimesSpanish(Faithful):
    """French, except every other segment comes out in Spanish (noted in ``spanish``)."""

    def __init__(self) -> None:
        super().__init__()
        self.spanish: set[str] = set()

    def _translate(self, text, source, target):
        from tests.quality.engines import SPANISH, _one_line

        key = _one_line(text)
        if sorted(SPANISH).index(key) % 2:
            self.spanish.add(key)
            return SPANISH[key]
        return super()._translate(text, source, target)


def test_only_the_segments_in_the_wrong_language_are_flagged():
    """The detector reads a variant's doubtful segments together (one guess per
    language their function words lean to): that must not smear a signal onto the
    French segments, nor lose one of the Spanish ones."""
    from tests.quality.engines import _one_line

    engine = SometimesSpanish()
    records, _ = gate(engine)
    flagged = {_one_line(r.source) for r in records if "wrong-language" in kinds([r])}
    assert len(engine.spanish) >= 3 and flagged == engine.spanish
