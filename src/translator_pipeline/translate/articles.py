"""Translate articles: segment → batch per language pair → reassemble.

All segments of all articles handed in (titles, body units, descriptions and
reader-facing attributes) go to the engine in one ``translate_batch`` call
per language pair, duplicates once; a second call per pair translates, piece
by piece, the segments whose placeholders the engine mangled (so links and
emphasis survive). Arabic-script targets get Arabic punctuation. Blocks already in the target
language are kept as written; blocks in another language are translated from
their own language. Every element of a translated body then carries the
``lang``/``dir`` of the text it holds (see :mod:`translator_pipeline.html.languages`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape as html_escape
from html import unescape

from bs4 import BeautifulSoup, Tag

from translator_pipeline.engines.base import Translator
from translator_pipeline.errors import EngineError
from translator_pipeline.glossary.enforce import (
    TermUse,
    localise,
    plain_text,
    protect,
    realise,
    verify,
)
from translator_pipeline.glossary.model import EMPTY as EMPTY_GLOSSARY
from translator_pipeline.glossary.model import Glossary
from translator_pipeline.glossary.pinned import PinnedSegment, PinnedSegments
from translator_pipeline.html.bidi import isolate_ltr_runs, isolate_ltr_text
from translator_pipeline.html.languages import LanguagePlan, UnitLanguage, relabel_languages
from translator_pipeline.html.segment import (
    apply_translations,
    attribute_texts,
    needs_translation,
    reassemble,
    rebuild_from_pieces,
    segment_body,
    text_pieces,
    text_segment,
)
from translator_pipeline.language.facts import arabic_punctuation, direction, uses_arabic_script
from translator_pipeline.models import (
    Article,
    GlossaryEvent,
    GlossaryMethod,
    Segment,
    SegmentRecord,
    TranslatedArticle,
    sha256_text,
)
from translator_pipeline.translate.memory import TranslationMemoryProtocol as TranslationMemory
from translator_pipeline.translate.memory import memory_key

__all__ = [
    "NO_TERMINOLOGY",
    "Terminology",
    "TranslatedArticle",
    "glossary_texts",
    "terminology_fingerprint",
    "translate_articles",
    "translate_html",
    "translate_text",
]


class _Batch:
    """Unique texts to translate for one language pair, in first-seen order.

    With a translation memory, texts it already holds are not sent to the engine.
    Each text carries the glossary fingerprint of the terms written in it, which is
    part of its memory key.
    """

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.glossary: dict[str, str] = {}
        self.results: list[str] = []
        self.users: set[str] = set()  # article URLs that need this batch
        self.owner: list[str] = []  # per text: the first article that needed it
        self.used: dict[str, set[int]] = defaultdict(set)  # article URL → its texts
        self.sent: set[int] = set()  # texts given to the engine (not in the memory)
        self.scores: list[float | None] = []  # the engine's mean token log-probability

    def add(self, text: str, url: str, glossary: str = "") -> None:
        if text not in self.index:
            self.index[text] = len(self.index)
            self.glossary[text] = glossary
            self.owner.append(url)
        self.users.add(url)
        self.used[url].add(self.index[text])

    def tally(self, url: str) -> tuple[int, int]:
        """(sent to the engine on ``url``'s account, served otherwise) of its texts here."""
        mine = self.used.get(url, set())
        sent = sum(1 for i in mine if i in self.sent and self.owner[i] == url)
        return sent, len(mine) - sent

    def run(
        self, engine: Translator, source: str, target: str, memory: TranslationMemory | None
    ) -> None:
        texts = list(self.index)
        if not texts:
            return
        signature = str(engine.signature(source, target))
        keys = [memory_key(signature, source, target, self.glossary[t], t) for t in texts]
        known = memory.lookup(keys) if memory is not None else {}
        known_scores: dict[str, float | None] = getattr(memory, "scores", {})
        todo = [i for i, key in enumerate(keys) if key not in known]
        self.sent = set(todo)
        fresh, fresh_scores = _translate(engine, [texts[i] for i in todo], source, target)
        if len(fresh) != len(todo):
            raise EngineError(
                f"engine {engine.name!r} returned {len(fresh)} results for {len(todo)} texts",
                source=source,
                target=target,
            )
        out = [known.get(key, "") for key in keys]
        scores = [known_scores.get(key) for key in keys]
        for i, text, score in zip(todo, fresh, fresh_scores, strict=True):
            out[i], scores[i] = text, score
        self.scores = scores
        if memory is not None and todo:
            rows = [(keys[i], source, target, signature, texts[i], out[i]) for i in todo]
            if any(score is not None for score in fresh_scores) and hasattr(memory, "scored"):
                memory.scored({keys[i]: scores[i] for i in todo})
            memory.store(rows)
        if uses_arabic_script(target):
            out = [arabic_punctuation(text) for text in out]
        self.results = out

    def get(self, text: str) -> str:
        return self.results[self.index[text]]

    def score(self, text: str) -> float | None:
        i = self.index.get(text)
        return self.scores[i] if i is not None and i < len(self.scores) else None


def _translate(
    engine: Translator, texts: list[str], source: str, target: str
) -> tuple[list[str], list[float | None]]:
    """The engine's translations and, when it can say (``translate_batch_scored``), its
    mean token log-probability for each; None otherwise."""
    if not texts:
        return [], []
    scored = getattr(engine, "translate_batch_scored", None)
    if scored is None:
        out = engine.translate_batch(texts, source, target)
        return out, [None] * len(out)
    pairs = scored(texts, source, target)
    return [text for text, _ in pairs], [score for _, score in pairs]


def _check_pair(engine: Translator, source: str, target: str, url: str) -> None:
    if not engine.supports(source, target):
        raise EngineError(
            f"engine {engine.name!r} cannot translate this pair",
            url=url,
            source=source,
            target=target,
        )


# What a translated segment is for: a body unit (its index), the title, the
# description, or an attribute text ("attr", source language, text).
_Key = int | str | tuple[str, str, str]
_TITLE = "title"
_DESCRIPTION = "description"


@dataclass(frozen=True)
class _Job:
    key: _Key
    segment: Segment
    source: str

    @property
    def where(self) -> str:
        if isinstance(self.key, int):
            return f"block {self.key}"
        return self.key if isinstance(self.key, str) else "attribute"

    @property
    def source_text(self) -> str:
        """The segment as a reader sees it (kept numbers, URLs and codes included)."""
        return plain_text(reassemble(self.segment, self.segment.text) or self.segment.plain_text)


def _block_language(article: Article, block: int | None) -> str:
    langs = article.block_languages
    own = langs[block] if block is not None and 0 <= block < len(langs) else None
    return own or str(article.language)


def _jobs(article: Article, segments: Sequence[Segment]) -> list[_Job]:
    """Every segment of an article the engine must see (those with words in them)."""
    src = str(article.language)
    jobs = [_Job(_TITLE, text_segment(article.title), src)]  # title first, as it always was
    jobs += [_Job(s.block_index, s, _block_language(article, s.block_index)) for s in segments]
    if article.description:
        jobs.append(_Job(_DESCRIPTION, text_segment(article.description), src))
    attrs: dict[_Key, _Job] = {}
    for text, block in attribute_texts(article.body_html):
        lang = _block_language(article, block)
        attrs.setdefault(("attr", lang, text), _Job(("attr", lang, text), text_segment(text), lang))
    jobs.extend(attrs.values())
    return [job for job in jobs if needs_translation(job.segment)]


# Separates an article's text runs in glossary_texts(): not a space (so no term
# matches across two runs), not a word character (so runs keep their boundaries).
_RUN_SEPARATOR = "\x00"
_PINNED_PREFIX = "pin:"


@lru_cache(maxsize=64)
def glossary_texts(article: Article) -> tuple[tuple[str, str], ...]:
    """What the glossary and pinned segments are matched against in ``article``, as
    (language, text) pairs: enough to tell, without the page, whether a glossary
    edit concerns it (see :func:`terminology_fingerprint`).

    Cached: planning, rendering each language and publishing all ask for it."""
    out: list[tuple[str, str]] = []
    for job in _jobs(article, segment_body(article.body_html)):
        runs = [str(v) for k, v in job.segment.tokens if k == "text"]
        out.append((job.source, _RUN_SEPARATOR.join(runs)))
        out.append((_PINNED_PREFIX + job.source, job.source_text))
    return tuple(out)


def terminology_fingerprint(
    texts: Iterable[tuple[str, str]], terminology: Terminology, target: str | None = None
) -> str:
    """Hash of the glossary concepts and pinned segments found in ``texts`` ("" if none):
    it changes exactly when an edit changes what the article's variants depend on.

    With ``target``, only the segments pinned into that language count: approving a
    French segment leaves the Arabic variant current."""
    digests: set[str] = set()
    for lang, text in texts:
        if lang.startswith(_PINNED_PREFIX):
            src = lang[len(_PINNED_PREFIX) :]
            digests.update(
                p.digest
                for p in terminology.pinned.for_source(src, text)
                if target is None or p.target_language == target
            )
        else:
            digests.update(m.concept.digest for m in terminology.glossary.find(text, lang))
    if not digests:
        return ""
    return sha256_text("\n".join(sorted(digests)))[:16]


@dataclass(frozen=True)
class Terminology:
    """The glossary and pinned segments a run enforces."""

    glossary: Glossary = EMPTY_GLOSSARY
    pinned: PinnedSegments = field(default_factory=PinnedSegments)
    record_machine: bool = True  # also translate term segments without the glossary
    alternatives: int = 4  # n-best hypotheses tried when a placeholder is lost

    @property
    def version(self) -> str:
        if not self.glossary and not self.pinned:
            return ""
        return f"{self.glossary.version}.{self.pinned.version}"


NO_TERMINOLOGY = Terminology()


@dataclass
class _Plan:
    """How one segment of one article is translated into one target."""

    url: str
    target: str
    job: _Job
    protected: Segment
    uses: tuple[TermUse, ...] = ()
    pinned: PinnedSegment | None = None
    html: str | None = None
    method: GlossaryMethod = "placeholder"
    machine: str = ""  # the unprotected segment's translation, for the review
    score: float | None = None  # the engine's mean token log-probability
    lost: bool = False  # the engine's first answer lost placeholders

    @property
    def pair(self) -> tuple[str, str]:
        return (self.job.source, self.target)


def translate_articles(
    articles: Sequence[Article],
    targets: Iterable[str],
    engine: Translator,
    *,
    terminology: Terminology = NO_TERMINOLOGY,
    memory: TranslationMemory | None = None,
) -> dict[str, list[TranslatedArticle] | EngineError]:
    """Translate each article into each target other than its own language.

    Title, body units, the description and reader-facing attributes (alt, title …)
    all go in the same batches. Segments without words (a date, a figure) are
    copied through without an engine call. Glossary terms are protected and put
    back in their glossary form (see :mod:`.enforce`); a segment pinned by the
    translators is published as they wrote it.

    Returns, per article URL, its translations, or the :class:`EngineError`
    that stopped it (other articles go on).
    """
    targets = list(targets)
    glossary = terminology.glossary
    segments = {a.url: segment_body(a.body_html) for a in articles}
    jobs = {a.url: _jobs(a, segments[a.url]) for a in articles}
    failed: dict[str, EngineError] = {}

    # Pass 1: one batch per (source, target) of every segment of every article, with
    # (for the review) segments with terms as the engine would translate them alone.
    plans: dict[tuple[str, str], list[_Plan]] = defaultdict(list)
    batches: dict[tuple[str, str], _Batch] = defaultdict(_Batch)
    for article in articles:
        src = str(article.language)
        for target in targets:
            if target == src:
                continue
            try:
                _check_pair(engine, src, target, article.url)
                for job in jobs[article.url]:
                    if job.source == target:
                        continue
                    _check_pair(engine, job.source, target, article.url)
                    plan = _plan(article.url, target, job, terminology)
                    plans[(article.url, target)].append(plan)
                    if plan.pinned is not None:
                        continue
                    batch = batches[plan.pair]
                    batch.add(plan.protected.text, article.url)
                    if plan.uses and terminology.record_machine:
                        ids = {u.concept.id for u in plan.uses}
                        batch.add(job.segment.text, article.url, glossary.fingerprint(ids))
                        for use in plan.uses:
                            batch.add(use.surface, article.url, use.concept.digest)
            except EngineError as exc:
                failed[article.url] = exc
    _run_all(batches, engine, failed, memory)

    # Terms back in, placeholders checked; lost ones go to the next layers.
    lost: list[_Plan] = []
    for (url, _target), items in plans.items():
        if url in failed:
            continue
        for plan in items:
            if plan.pinned is not None:
                plan.html, plan.method = _pinned_html(plan), "pinned"
                continue
            batch = batches[plan.pair]
            plan.html = _reassemble(plan, batch.get(plan.protected.text))
            plan.score = batch.score(plan.protected.text)
            if plan.uses and terminology.record_machine:
                plan.machine = batch.get(plan.job.segment.text)
            if plan.html is None:
                plan.lost = True
                lost.append(plan)

    # n-best: another hypothesis of the engine may have kept every placeholder.
    if lost and terminology.alternatives > 1 and hasattr(engine, "translate_alternatives"):
        lost = _try_alternatives(lost, engine, terminology.alternatives, failed)

    # Substitution: the engine's own rendering of each term replaced in its
    # translation of the unprotected segment.
    still: list[_Plan] = []
    for plan in lost:
        if plan.uses and plan.machine:
            plan.html = _substitute(plan, batches[plan.pair])
            if plan.html is not None:
                plan.method = "substituted"
                continue
        still.append(plan)

    # Last layer: text pieces translated one by one, markup and terms put back around them.
    retry: dict[tuple[str, str], _Batch] = defaultdict(_Batch)
    for plan in still:
        for piece in text_pieces(plan.protected):
            retry[plan.pair].add(piece, plan.url)
    _run_all(retry, engine, failed, memory)
    fallbacks: dict[tuple[str, str], int] = defaultdict(int)
    for plan in still:
        if plan.url in failed:
            continue
        local = localise(plan.protected, plan.uses)
        pieces = [retry[plan.pair].get(p) for p in text_pieces(plan.protected)]
        plan.html = rebuild_from_pieces(local, pieces)
        plan.method = "rebuilt"
        fallbacks[(plan.url, plan.target)] += 1

    results: dict[str, list[TranslatedArticle] | EngineError] = dict(failed)
    for article in articles:
        if article.url in failed:
            continue
        src = str(article.language)
        variants = []
        seg_langs = {
            s.block_index: _block_language(article, s.block_index) for s in segments[article.url]
        }
        for target in targets:
            if target == src:
                continue
            items = plans[(article.url, target)]
            out = {p.job.key: str(p.html) for p in items}
            per_plan = [_events(p, batches.get(p.pair)) for p in items]
            events = tuple(e for found in per_plan for e in found)
            records = tuple(_record(p, found) for p, found in zip(items, per_plan, strict=True))
            body = {k: v for k, v in out.items() if isinstance(k, int)}
            description = out.get(_DESCRIPTION)
            tallies = [
                b.tally(article.url)
                for group in (batches, retry)
                for (_src, tgt), b in group.items()
                if tgt == target
            ]
            variants.append(
                TranslatedArticle(
                    article_url=article.url,
                    language=target,
                    source_language=src,
                    # Plain-text segments come back as HTML text: unescape them.
                    title=_isolate_title(
                        unescape(out[_TITLE]) if _TITLE in out else article.title, target
                    ),
                    body_html=_isolate_body(
                        apply_translations(
                            article.body_html,
                            body,
                            attribute_hook=_attribute_lookup(article, out),
                            tree_hook=_relabeller(
                                src, target, segments[article.url], seg_langs, body
                            ),
                        ),
                        target,
                    ),
                    signature=str(engine.signature(src, target)),
                    pseudo=engine.pseudo,
                    fallbacks=fallbacks[(article.url, target)],
                    segments_translated=sum(t[0] for t in tallies),
                    segments_from_memory=sum(t[1] for t in tallies),
                    kept_blocks=sum(1 for lang in seg_langs.values() if lang == target),
                    description=unescape(description)
                    if description is not None
                    else article.description,
                    glossary_events=events,
                    segments=records,
                )
            )
        results[article.url] = variants
    return results


def segment_id(url: str, target: str, where: str, source_text: str) -> str:
    """A segment's id in review files and the state: stable while its text and place are."""
    return sha256_text("\x1f".join((url, target, where, source_text)))[:16]


def _record(plan: _Plan, events: Sequence[GlossaryEvent]) -> SegmentRecord:
    """What the review export and the quality gate need of one translated segment."""
    job = plan.job
    method: str = plan.method
    if plan.pinned is None and not plan.uses and method == "placeholder":
        method = "machine"
    return SegmentRecord(
        id=segment_id(plan.url, plan.target, job.where, job.source_text),
        where=job.where,
        source_language=job.source,
        target_language=plan.target,
        source=job.segment.text,
        tags=job.segment.tags,
        source_text=job.source_text,
        target_html=str(plan.html),
        method=method,
        score=plan.score if plan.pinned is None else None,
        terms=tuple((u.surface, u.form) for u in plan.uses),
        glossary_missed=sum(1 for e in events if e.method == "missed"),
        placeholders_lost=plan.lost,
    )


def _plan(url: str, target: str, job: _Job, terminology: Terminology) -> _Plan:
    pin = (
        terminology.pinned.get(job.source, target, job.source_text) if terminology.pinned else None
    )
    if pin is not None:
        return _Plan(url, target, job, job.segment, pinned=pin)
    protected, uses = protect(job.segment, terminology.glossary, job.source, target)
    return _Plan(url, target, job, protected, uses)


def _reassemble(plan: _Plan, output: str) -> str | None:
    text, local = realise(plan.protected, plan.uses, output, plan.target)
    return reassemble(local, text)


def _pinned_html(plan: _Plan) -> str:
    assert plan.pinned is not None
    target = plan.pinned.target
    # A pinned translation may carry the segment's placeholders to keep its markup.
    rebuilt = reassemble(plan.job.segment, target) if "<" in target else None
    return rebuilt if rebuilt is not None else html_escape(target, quote=False)


def _try_alternatives(
    lost: list[_Plan], engine: Translator, n: int, failed: dict[str, EngineError]
) -> list[_Plan]:
    """Plans still without usable output after trying the engine's n-best hypotheses."""
    by_pair: dict[tuple[str, str], list[_Plan]] = defaultdict(list)
    for plan in lost:
        if plan.url not in failed:
            by_pair[plan.pair].append(plan)
    remaining = [p for p in lost if p.url in failed]
    for (src, target), items in by_pair.items():
        texts = list(dict.fromkeys(p.protected.text for p in items))
        try:
            found = engine.translate_alternatives(texts, src, target, n)  # type: ignore[attr-defined]
        except Exception:  # an optional extra: a failure here only skips this layer
            remaining.extend(items)
            continue
        options = dict(zip(texts, found, strict=False))
        for plan in items:
            for option in options.get(plan.protected.text, [])[1:]:
                if uses_arabic_script(target):
                    option = arabic_punctuation(option)
                html = _reassemble(plan, option)
                if html is not None:
                    plan.html, plan.method = html, "alternative"
                    break
            else:
                remaining.append(plan)
    return remaining


# Sentence punctuation an engine adds when it translates a term on its own.
_TERM_EDGES = " \t.!?;:,،؛؟\"'«»“”"


def _substitute(plan: _Plan, batch: _Batch) -> str | None:
    """The unprotected translation with each term's machine rendering replaced by the
    glossary form, or None if its markup is unusable or a rendering is not found."""
    html = reassemble(plan.job.segment, plan.machine)
    if html is None:
        return None
    for use in plan.uses:
        rendering = html_escape(batch.get(use.surface).strip(_TERM_EDGES), quote=False)
        # Whole words only: a rendering inside a longer word (or glued to an Arabic
        # proclitic) is not the term, and replacing it would glue the form to letters.
        found = re.search(rf"(?<![\w&]){re.escape(rendering)}(?!\w)", html) if rendering else None
        if found is None:
            return None
        form = html_escape(use.form, quote=False)
        html = html[: found.start()] + form + html[found.end() :]
    return html


def _events(plan: _Plan, batch: _Batch | None) -> list[GlossaryEvent]:
    """What the review report says about one segment: each term, or the pinned segment."""
    if plan.html is None:
        return []
    result = plain_text(plan.html)
    common = {
        "article_url": plan.url,
        "source_language": plan.job.source,
        "target_language": plan.target,
        "where": plan.job.where,
        "source_text": plan.job.source_text,
        "result": result,
    }
    if plan.pinned is not None:
        return [
            GlossaryEvent(
                concept=plan.pinned.id,
                source_term="",
                expected=plan.pinned.target,
                machine="",
                machine_term="",
                method="pinned",
                **common,
            )
        ]
    if not plan.uses:
        return []
    machine = ""
    if plan.machine:
        machine = plain_text(reassemble(plan.job.segment, plan.machine) or plan.machine)
    found = verify(plan.html, plan.uses, plan.target)
    return [
        GlossaryEvent(
            concept=use.concept.id,
            source_term=use.surface,
            expected=use.form,
            machine=machine,
            machine_term=batch.get(use.surface) if batch and machine else "",
            method=plan.method if ok else "missed",
            **common,
        )
        for use, ok in zip(plan.uses, found, strict=True)
    ]


def _isolate_body(body_html: str, target: str) -> str:
    # Latin codes and formatted numbers inside RTL text get reordered by the bidi
    # algorithm unless isolated; LTR variants need nothing.
    return isolate_ltr_runs(body_html) if direction(target) == "rtl" else body_html


def _isolate_title(title: str, target: str) -> str:
    # The title is plain text (it also goes into <title>): FSI/PDI instead of <bdi>.
    return isolate_ltr_text(title) if direction(target) == "rtl" else title


def _attribute_lookup(
    article: Article, done: dict[_Key, str]
) -> Callable[[str, int | None], str | None]:
    """The attribute hook for :func:`apply_translations`: translated text, or None to keep."""

    def lookup(text: str, block: int | None) -> str | None:
        html = done.get(("attr", _block_language(article, block), text))
        return unescape(html) if html is not None else None

    return lookup


def _relabeller(
    src: str,
    target: str,
    segments: Sequence[Segment],
    seg_langs: dict[int, str],
    translated: dict[int, str],
) -> Callable[[BeautifulSoup, list[Tag]], None]:
    """The tree hook for :func:`apply_translations` that gives every element of the
    variant's body the ``lang`` (and ``dir``) of the text it now holds."""
    units = {
        s.block_index: UnitLanguage(
            seg_langs[s.block_index], s.block_index in translated, needs_translation(s)
        )
        for s in segments
    }
    # The label render.py gives the article element the body is published in.
    plan = LanguagePlan(context=f"{target}-x-mtfrom-{src}", source=src, units=units)

    def relabel(soup: BeautifulSoup, attributes: list[Tag]) -> None:
        relabel_languages(soup, plan, attributes)

    return relabel


def _run_all(
    batches: dict[tuple[str, str], _Batch],
    engine: Translator,
    failed: dict[str, EngineError],
    memory: TranslationMemory | None = None,
) -> None:
    for (src, target), batch in batches.items():
        if batch.users <= failed.keys():
            continue
        try:
            batch.run(engine, src, target, memory)
        except EngineError as exc:
            error = exc
        except Exception as exc:  # an engine bug must not take the run down
            error = EngineError(
                f"engine {engine.name!r} failed: {exc!r}", source=src, target=target
            )
        else:
            continue
        # The whole pair failed: every article that needed it fails with it.
        for url in batch.users:
            failed.setdefault(url, error)


def translate_text(
    text: str,
    source: str,
    target: str,
    engine: Translator,
    terminology: Terminology = NO_TERMINOLOGY,
    events: list[GlossaryEvent] | None = None,
) -> str:
    """Translate plain text line by line (empty lines and line breaks are kept).

    With a glossary or pinned segments, each line goes through the pipeline's own
    path (a paragraph of an article: terms enforced, sentences split) and the
    glossary events are appended to ``events``."""
    lines = text.splitlines()
    todo = [line for line in lines if line.strip()]
    unique = list(dict.fromkeys(todo))
    if not unique:
        done: dict[str, str] = {}
    elif terminology.glossary or terminology.pinned:
        paragraphs = "".join(f"<p>{html_escape(line)}</p>" for line in unique)
        html = translate_html(paragraphs, source, target, engine, terminology, events)
        found = [p.get_text() for p in BeautifulSoup(html, "html.parser").find_all("p")]
        done = dict(zip(unique, found, strict=True))
    else:
        done = dict(zip(unique, engine.translate_batch(unique, source, target), strict=True))
    out = [done.get(line, line) if line.strip() else line for line in lines]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def translate_html(
    document: str,
    source: str,
    target: str,
    engine: Translator,
    terminology: Terminology = NO_TERMINOLOGY,
    events: list[GlossaryEvent] | None = None,
) -> str:
    """Translate an HTML document or fragment, keeping its markup.

    A full document gets ``lang``/``dir`` for the target and its ``<title>``
    translated; a fragment comes back as a fragment. Glossary terms and pinned
    segments of ``terminology`` are enforced; their events go to ``events``.
    """
    from translator_pipeline.html.segment import mark_blocks

    is_document = "<html" in document[:2048].lower() or "<body" in document.lower()
    soup = BeautifulSoup(document, "lxml" if is_document else "html.parser")
    root = soup.body if is_document and soup.body else soup
    if not is_document:
        holder = soup.new_tag("div")
        for node in list(soup.contents):
            holder.append(node.extract())
        soup.append(holder)
        root = holder
    mark_blocks(root, soup)
    title_tag = soup.title if is_document else None
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    article = Article(
        url="about:document",
        source="cli",
        title=title or "-",
        body_html=str(root),
        blocks=(),
        language=source,
    )
    result = translate_articles([article], [target], engine, terminology=terminology)[article.url]
    if isinstance(result, EngineError):
        raise result
    [translated] = result
    if events is not None:
        events.extend(translated.glossary_events)
    new_root = BeautifulSoup(translated.body_html, "html.parser")
    if not is_document:
        return "".join(str(c) for c in new_root.div.contents)
    root.replace_with(new_root.body or new_root)
    if title_tag is not None and title:
        title_tag.string = translated.title
    if soup.html is not None:
        soup.html["lang"] = target
        soup.html["dir"] = direction(target)
    return str(soup)
