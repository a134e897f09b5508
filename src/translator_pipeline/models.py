"""The data that flows between stages: small, frozen, serialisable dataclasses.

Stages are functions from one of these to the next; nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from translator_pipeline.html.placeholders import placeholder_text

__all__ = [
    "Approval",
    "Article",
    "ArticleOutcome",
    "Block",
    "Candidate",
    "EngineSignature",
    "FetchedPage",
    "GlossaryEvent",
    "InlineTag",
    "LanguageGuess",
    "PublishedVariant",
    "QualityDecision",
    "QualitySignal",
    "QueuedEvent",
    "ReviewState",
    "RunReport",
    "Segment",
    "SegmentRecord",
    "StoredArticle",
    "TranslatedArticle",
    "Variant",
    "VariantReview",
    "sha256_text",
]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Candidate:
    """A URL found by discovery, not fetched yet.

    ``lastmod`` is the feed's or sitemap's date for it (ISO 8601, UTC), if any.
    """

    url: str
    source: str
    lastmod: str | None = None


@dataclass(frozen=True)
class FetchedPage:
    """An HTML response decoded to text. ``url`` is the final URL after redirects.

    ``not_modified`` is True when a conditional request got ``304 Not Modified``:
    ``text`` is then empty and ``etag``/``last_modified`` are the validators to keep.
    """

    url: str
    requested_url: str
    status: int
    content_type: str
    encoding: str
    encoding_origin: Literal["header", "bom", "meta", "detected", "default"]
    text: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass(frozen=True)
class Block:
    """One translatable block of the article body (p, h2, li, td …).

    ``html`` is the block's inner HTML; the block element in ``Article.body_html``
    carries ``data-tp-block="<index>"`` so the translated inner HTML can be put
    back in place. ``declared_lang`` is a ``lang`` attribute found on the block
    or an ancestor inside the body: a hint, never the answer.
    """

    index: int
    tag: str
    html: str
    text: str
    declared_lang: str | None = None


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1 code, or "und"
    confidence: float  # 0..1
    script: str  # "Arab", "Latn", … or "Zyyy" when no letters

    @property
    def known(self) -> bool:
        return self.language != "und"


@dataclass(frozen=True)
class Article:
    """An extracted article. ``content_hash`` covers what we translate, not the page chrome."""

    url: str
    source: str
    title: str
    body_html: str
    blocks: tuple[Block, ...]
    published: str | None = None
    author: str | None = None
    declared_lang: str | None = None
    language: str | None = None
    language_confidence: float = 0.0
    block_languages: tuple[str | None, ...] = ()  # per block; None inherits ``language``
    etag: str | None = None  # validators of the response, sent back on the next run
    last_modified: str | None = None
    description: str | None = None  # the page's meta description, translated with the body
    # Config keys of the source's selectors that matched nothing on this page
    # ("title_selector", "remove_selectors[1]"); not part of the content.
    selector_misses: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        parts = [self.title, self.published or "", *(b.html for b in self.blocks)]
        if self.description:  # only when present: hashes of pages without one are unchanged
            parts.append(self.description)
        return sha256_text("\x1f".join(parts))


@dataclass(frozen=True)
class InlineTag:
    """An inline element replaced by a placeholder inside a segment.

    kind ``pair``: an element whose content is translated (``<a>``, ``<strong>``);
    ``void``: an empty element (``<br>``, ``<img>``); ``keep``: an element copied
    verbatim and never translated (``<code>``, ``translate="no"``), or a run of text
    that must not change (URL, e-mail, number, reference code), HTML-escaped;
    ``term``: a glossary term (``start`` is its source text, HTML-escaped), put back
    in the target language's glossary form (see :mod:`.enforce`).
    """

    id: int
    kind: Literal["pair", "void", "keep", "term"]
    start: str  # the opening tag as HTML, or the whole element for "keep"
    end: str = ""  # the closing tag for "pair"
    concept: str = ""  # the glossary concept of a "term"


Token = tuple[Literal["text", "open", "close", "void"], str | int]


@dataclass(frozen=True)
class Segment:
    """A block's inline content as engine input: text with paired placeholders.

    ``tokens`` keep the original structure so a block whose placeholders the
    engine mangled can be rebuilt piece by piece.
    """

    block_index: int
    tokens: tuple[Token, ...]
    tags: tuple[InlineTag, ...]

    @property
    def text(self) -> str:
        return placeholder_text(self.tokens)

    @property
    def plain_text(self) -> str:
        return "".join(str(v) for k, v in self.tokens if k == "text")


@dataclass(frozen=True)
class EngineSignature:
    """Identifies exactly what produced a translation (sacreBLEU-style).

    It goes into the translation-memory key and into every published variant.
    """

    engine: str
    model: str
    version: str
    pivot: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"engine={self.engine}|model={self.model}|version={self.version}"
        if self.pivot:
            text += "|pivot=" + ">".join(self.pivot)
        return text


@dataclass(frozen=True)
class QualitySignal:
    """One problem the quality gate saw in one translated segment, without a reference.

    ``kind`` is one of ``low-score``, ``wrong-language``, ``wrong-script``,
    ``copied-source``, ``repetition``, ``length-ratio``, ``missing-numbers``,
    ``lost-placeholders``, ``glossary-miss``; ``detail`` says what was seen
    ("mean log-probability -3.2 < -2.0"); a ``severe`` signal alone can hold a variant.
    """

    kind: str
    detail: str
    severe: bool = False

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


# publish: as usual; publish-noindex: published with <meta name=robots content=noindex>;
# hold: not published until its weak segments are approved or the gate is lowered.
Decision = Literal["publish", "publish-noindex", "hold"]


@dataclass(frozen=True)
class QualityDecision:
    """The quality gate's verdict on one variant, with its reasons (most serious first)
    and the ids of its weakest segments (weakest first)."""

    decision: Decision = "publish"
    reasons: tuple[str, ...] = ()
    weakest: tuple[str, ...] = ()
    segments: int = 0  # translated segments judged
    flagged: int = 0  # of which with at least one signal


@dataclass(frozen=True)
class SegmentRecord:
    """One translated segment of one variant, as the translators review it.

    ``source`` is the engine's input in placeholder form (``<g1>…</g1>``,
    ``<x2/>``; text HTML-escaped), ``tags`` what each placeholder stands for;
    ``target_html`` is the published segment as HTML (markup put back, terms in
    their glossary form). ``source_text`` is the plain text a pinned (approved)
    translation is keyed on. ``method`` is how it was made (see GlossaryMethod;
    "machine" for a segment without glossary terms, "pinned" for an approved one).
    ``score`` is the engine's mean token log-probability (None when unknown).
    """

    id: str
    where: str  # "title", "description", "block 3", "attribute"
    source_language: str
    target_language: str
    source: str
    tags: tuple[InlineTag, ...]
    source_text: str
    target_html: str
    method: str = "machine"
    score: float | None = None
    signals: tuple[QualitySignal, ...] = ()
    terms: tuple[tuple[str, str], ...] = ()  # (source term, glossary form)
    glossary_missed: int = 0  # glossary terms of the segment not in the output
    placeholders_lost: bool = False  # the engine's first answer lost placeholders

    @property
    def approved(self) -> bool:
        return self.method == "pinned"


@dataclass(frozen=True)
class Variant:
    """One published translation of an article."""

    article_url: str
    source_language: str
    language: str
    direction: Literal["ltr", "rtl"]
    slug: str
    title: str
    page_html: str
    fragment_html: str
    signature: str
    pseudo: bool = False
    fallbacks: int = 0  # blocks whose inline markup had to be rebuilt piecewise
    glossary_events: tuple[GlossaryEvent, ...] = ()  # for the review report, not published
    # Engine inputs: translated by the engine for this variant / served from the memory.
    segments_translated: int = 0
    segments_from_memory: int = 0
    summary: str = ""  # the translated lead as plain text, for feeds (see render.lead)
    segments: tuple[SegmentRecord, ...] = ()  # for the review export, not published
    quality: QualityDecision = QualityDecision()
    # What it was rendered from: the publish stage renders it again without the
    # alternates of languages the quality gate held.
    translation: TranslatedArticle | None = field(default=None, repr=False, compare=False)

    @property
    def held(self) -> bool:
        return self.quality.decision == "hold"

    @property
    def reviewed(self) -> int:
        """Segments a translator approved."""
        return sum(1 for s in self.segments if s.approved)

    @property
    def checksum(self) -> str:
        return sha256_text(self.page_html)


# How a glossary concept (or a translator-pinned segment) ended up in a variant:
# placeholder — the engine copied the term's placeholder; alternative — an n-best
# hypothesis of the engine did; substituted — the engine's own rendering of the term
# was replaced in its unprotected translation; rebuilt — the segment was rebuilt from
# separately translated pieces around the term; pinned — a translator's approved
# segment translation was used; missed — the glossary form is not in the output.
GlossaryMethod = Literal["placeholder", "alternative", "substituted", "rebuilt", "pinned", "missed"]


@dataclass(frozen=True)
class GlossaryEvent:
    """One occurrence of a glossary concept (or one pinned segment) in one variant,
    with what the machine said and what was published, for the translators' review."""

    article_url: str
    source_language: str
    target_language: str
    where: str  # "title", "description", "block 3", "attribute"
    concept: str  # concept id, or the pinned segment's id
    source_term: str  # as written in the source
    expected: str  # the glossary's form in the target language
    source_text: str  # the whole source segment, plain text
    machine: str  # the engine's translation of the segment without the glossary ("" if unknown)
    machine_term: str  # the engine's translation of the term alone ("" if unknown)
    result: str  # the published segment, plain text
    method: GlossaryMethod

    @property
    def complied(self) -> bool:
        return self.method != "missed"


# withdrawn: the original has been gone (404/410) for ``withdraw_after`` runs and its
# variants were removed.
OutcomeStatus = Literal["published", "unchanged", "skipped", "failed", "withdrawn"]


@dataclass(frozen=True)
class TranslatedArticle:
    """An article's translated title and body in one target language."""

    article_url: str
    language: str
    source_language: str
    title: str
    body_html: str
    signature: str
    pseudo: bool
    fallbacks: int = 0  # segments rebuilt piecewise because placeholders were mangled
    kept_blocks: int = 0  # blocks already in the target language, kept as written
    description: str | None = None  # the page's meta description, translated
    glossary_events: tuple[GlossaryEvent, ...] = ()  # terms enforced or missed, pinned segments
    # Every translated segment (kept blocks excluded), for review and the quality gate.
    segments: tuple[SegmentRecord, ...] = ()
    quality: QualityDecision = QualityDecision()
    # Engine inputs of this translation: sent to the engine because this article was
    # the first of the call to need them and the memory did not have them, and the rest
    # (served from the translation memory, or translated for an earlier article).
    segments_translated: int = 0
    segments_from_memory: int = 0


@dataclass(frozen=True)
class StoredArticle:
    url: str
    source: str
    slug: str
    language: str | None
    title: str | None
    published: str | None
    content_hash: str | None
    first_seen: str
    updated_at: str


@dataclass(frozen=True)
class ReviewState:
    """How much of a variant translators approved: ``state`` is "none", "partial" or
    "complete" (every segment approved)."""

    segments: int
    reviewed: int

    @property
    def complete(self) -> bool:
        return 0 < self.segments == self.reviewed

    @property
    def state(self) -> str:
        return "complete" if self.complete else "partial" if self.reviewed else "none"


@dataclass(frozen=True)
class PublishedVariant:
    article_url: str
    language: str
    direction: str
    path: str
    fragment_path: str
    title: str
    checksum: str
    signature: str
    content_hash: str
    pseudo: bool
    published_at: str
    glossary_hash: str = ""
    render_hash: str = ""  # what else shaped the page (templates, base URL …): render.py
    summary: str = ""  # the variant's lead, plain text (feeds); "" when published before it
    quality: str = "publish"  # the quality gate's decision (publish / publish-noindex)
    quality_reasons: tuple[str, ...] = ()
    segments: int = 0  # translated segments
    reviewed: int = 0  # of which approved by translators

    @property
    def review(self) -> ReviewState:
        return ReviewState(self.segments, self.reviewed)


@dataclass(frozen=True)
class QueuedEvent:
    """One event waiting for one webhook."""

    id: str
    webhook: str  # the webhook's URL
    type: str
    payload: bytes
    attempts: int


@dataclass(frozen=True)
class ArticleOutcome:
    """What the run did with one URL, with the reason when it did nothing."""

    url: str
    status: OutcomeStatus
    reason: str = ""
    languages: tuple[str, ...] = ()
    source_language: str | None = None
    http_status: int | None = None  # the last HTTP status of the fetch (304, 404, 500 …)
    # An unreachable URL (timeouts, 5xx): requests made this run, and when the next run
    # may try it again (UTC ISO 8601) while it backs off; attempts 0: it was not tried.
    attempts: int = 0
    next_attempt: str | None = None
    # Glossary terms enforced or missed and pinned segments used, for the review report;
    # the flow moves them into RunReport.glossary_events.
    glossary_events: tuple[GlossaryEvent, ...] = ()
    # For a published article: "new" when it had no published variant before this run,
    # "changed" when it had (content, engine, glossary, templates or files changed).
    change: Literal["", "new", "changed"] = ""
    # Engine inputs for this article over all its target languages: sent to the engine
    # (translation-memory misses) and served from the translation memory (hits).
    segments_translated: int = 0
    segments_from_memory: int = 0
    # A page extracted (or refused by extraction) this run: its selectors that matched
    # nothing, as Article.selector_misses; None when no page was extracted (404, 304 …).
    selector_misses: tuple[str, ...] | None = None
    # The quality gate's verdict on each variant translated this run, held ones
    # included: (language, decision), in target-language order.
    quality: tuple[tuple[str, QualityDecision], ...] = ()


@dataclass
class RunReport:
    """Summary of one run; serialisable with ``dataclasses.asdict``."""

    started_at: str
    finished_at: str = ""
    engine: str = ""
    discovered: int = 0
    rechecked: int = 0  # published articles no longer listed, fetched again to see they exist
    outcomes: list[ArticleOutcome] = field(default_factory=list)
    source_errors: list[tuple[str, str]] = field(default_factory=list)  # (source, error)
    # Links discovery would not follow: (source, url, reason). Never fetched.
    refused_links: list[tuple[str, str, str]] = field(default_factory=list)
    output_dir: str = ""
    glossary_version: str = ""  # content hash of the glossary the run used ("" if none)
    glossary_events: list[GlossaryEvent] = field(default_factory=list)
    review_report: str = ""  # path of the translators' review report, if written
    webhooks_delivered: int = 0
    webhooks_pending: int = 0  # events still queued after this run (receiver down …)
    webhook_errors: list[str] = field(default_factory=list)
    # Per webhook whose queue is stuck: what holds it, and what ops can do (one line each).
    webhooks_held: list[str] = field(default_factory=list)
    webhooks_refused: int = 0  # of those, events a receiver refused (4xx): ops must act
    # "<source>-<target>" → str(EngineSignature) for every pair the run may translate.
    engine_signatures: dict[str, str] = field(default_factory=dict)
    # Wall-clock seconds per stage of the flow (see report.STAGES), in the order run.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def count(self, status: OutcomeStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def variants_published(self) -> int:
        return sum(len(o.languages) for o in self.outcomes if o.status == "published")

    @property
    def nothing_done(self) -> bool:
        """True when the run could not do any of its work (every source or article failed)."""
        worked = any(o.status != "failed" for o in self.outcomes)
        return not worked and (bool(self.outcomes) or bool(self.source_errors))


@dataclass(frozen=True)
class VariantReview:
    """One translated variant as the last run left it."""

    article_url: str
    language: str
    source_language: str
    decision: str
    reasons: tuple[str, ...]
    segments: int
    flagged: int
    approved: int
    content_hash: str
    glossary_hash: str
    render_hash: str
    signature: str
    updated_at: str
    records: tuple[SegmentRecord, ...] = ()


@dataclass(frozen=True)
class Approval:
    """A translator's approved translation of one segment (from a review file)."""

    source_language: str
    target_language: str
    source_text: str
    target: str  # placeholder form
    unit_id: str
    article_url: str
    origin: str
