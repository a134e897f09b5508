"""Segment records and variant reviews built from real HTML, as a run would store them."""

from __future__ import annotations

from translator_pipeline.html.placeholders import placeholder_text
from translator_pipeline.html.segment import reassemble, segment_body
from translator_pipeline.models import QualitySignal, SegmentRecord, VariantReview
from translator_pipeline.translate.articles import segment_id

URL = "https://news.example.org/2026/plan.html"

# (HTML of a block, its French translation in placeholder form)
BLOCKS = [
    (
        '<p>Read <a href="/r?a=1&amp;b=2">the <b>final</b> report</a> of 2024 &amp; more.</p>',
        "Lisez <g1>le rapport <g2>final</g2></g1> de <x3/> et plus.",
    ),
    (
        "<p>Line one<br>line two, see <code>x &lt; y</code>.</p>",
        "Ligne un<x1/>ligne deux, voir <x2/>.",
    ),
    ("<p>Plain text with a &lt;literal&gt; bracket.</p>", "Texte avec un crochet <literal>."),
]


def record(
    html: str, target: str, index: int = 0, *, signals=(), score=None, method="machine"
) -> SegmentRecord:
    marked = html.replace("<p>", f'<p data-tp-block="{index}">', 1)
    [segment] = segment_body(marked)
    source = placeholder_text(segment.tokens)
    target_html = reassemble(segment, target)
    assert target_html is not None, target
    where = f"block {index}"
    text = "".join(str(v) for k, v in segment.tokens if k == "text")
    return SegmentRecord(
        id=segment_id(URL, "fr", where, text),
        where=where,
        source_language="en",
        target_language="fr",
        source=source,
        tags=segment.tags,
        source_text=text,
        target_html=target_html,
        method=method,
        score=score,
        signals=tuple(signals),
    )


def records() -> tuple[SegmentRecord, ...]:
    out = [record(h, t, i) for i, (h, t) in enumerate(BLOCKS)]
    out[2] = record(
        *BLOCKS[2],
        2,
        signals=(QualitySignal("copied-source", "output equals the source", severe=True),),
        score=-2.5,
    )
    return tuple(out)


def variant(recs=None, *, url=URL, language="fr", source="en", decision="publish"):
    recs = records() if recs is None else tuple(recs)
    return VariantReview(
        article_url=url,
        language=language,
        source_language=source,
        decision=decision,
        reasons=(),
        segments=len(recs),
        flagged=sum(1 for r in recs if r.signals),
        approved=sum(1 for r in recs if r.approved),
        content_hash="c",
        glossary_hash="g",
        render_hash="r",
        signature="engine=test",
        updated_at="2026-12-07T00:00:00+00:00",
        records=recs,
    )


__all__ = ["BLOCKS", "URL", "QualitySignal", "record", "records", "variant"]
