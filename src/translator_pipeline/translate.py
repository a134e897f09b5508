"""Translate articles: segment → batch per language pair → reassemble.

All segments of all articles handed in (titles, body units, descriptions and
reader-facing attributes) go to the engine in one ``translate_batch`` call
per language pair, duplicates once; a second call per pair translates, piece
by piece, the segments whose placeholders the engine mangled (so links and
emphasis survive). Arabic-script targets get Arabic punctuation. Blocks already in the target
language are kept as written; blocks in another language are translated from
their own language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import unescape

from bs4 import Tag

from .bidi import isolate_ltr_runs, isolate_ltr_text
from .engines.base import Translator
from .errors import EngineError
from .languages import arabic_punctuation, direction, uses_arabic_script
from .models import Article, Segment
from .segment import (
    apply_translations,
    attribute_texts,
    needs_translation,
    reassemble,
    rebuild_from_pieces,
    segment_body,
    text_pieces,
    text_segment,
)

__all__ = ["TranslatedArticle", "translate_articles", "translate_html", "translate_text"]


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


class _Batch:
    """Unique texts to translate for one language pair, in first-seen order."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.results: list[str] = []
        self.users: set[str] = set()  # article URLs that need this batch

    def add(self, text: str, url: str) -> None:
        self.index.setdefault(text, len(self.index))
        self.users.add(url)

    def run(self, engine: Translator, source: str, target: str) -> None:
        texts = list(self.index)
        if not texts:
            return
        out = engine.translate_batch(texts, source, target)
        if len(out) != len(texts):
            raise EngineError(
                f"engine {engine.name!r} returned {len(out)} results for {len(texts)} texts",
                source=source,
                target=target,
            )
        if uses_arabic_script(target):
            out = [arabic_punctuation(text) for text in out]
        self.results = list(out)

    def get(self, text: str) -> str:
        return self.results[self.index[text]]


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


def translate_articles(
    articles: Sequence[Article], targets: Iterable[str], engine: Translator
) -> dict[str, list[TranslatedArticle] | EngineError]:
    """Translate each article into each target other than its own language.

    Title, body units, the description and reader-facing attributes (alt, title …)
    all go in the same batches. Segments without words (a date, a figure) are
    copied through without an engine call.

    Returns, per article URL, its translations, or the :class:`EngineError`
    that stopped it (other articles go on).
    """
    targets = list(targets)
    segments = {a.url: segment_body(a.body_html) for a in articles}
    jobs = {a.url: _jobs(a, segments[a.url]) for a in articles}
    failed: dict[str, EngineError] = {}

    # Pass 1: one batch per (source, target) of every segment of every article.
    batches: dict[tuple[str, str], _Batch] = defaultdict(_Batch)
    for article in articles:
        src = str(article.language)
        for target in targets:
            if target == src:
                continue
            try:
                _check_pair(engine, src, target, article.url)
                for job in jobs[article.url]:
                    if job.source != target:
                        _check_pair(engine, job.source, target, article.url)
                        batches[(job.source, target)].add(job.segment.text, article.url)
            except EngineError as exc:
                failed[article.url] = exc
    _run_all(batches, engine, failed)

    # Pass 2: segments whose placeholders came back unusable, text piece by piece.
    done: dict[tuple[str, str], dict[_Key, str]] = defaultdict(dict)
    pending: list[tuple[str, str, _Job]] = []
    retry: dict[tuple[str, str], _Batch] = defaultdict(_Batch)
    for article in articles:
        if article.url in failed:
            continue
        for target in targets:
            if target == article.language:
                continue
            for job in jobs[article.url]:
                if job.source == target:
                    continue
                seg = job.segment
                html = reassemble(seg, batches[(job.source, target)].get(seg.text))
                if html is None:
                    pending.append((article.url, target, job))
                    for piece in text_pieces(seg):
                        retry[(job.source, target)].add(piece, article.url)
                else:
                    done[(article.url, target)][job.key] = html
    _run_all(retry, engine, failed)
    fallbacks: dict[tuple[str, str], int] = defaultdict(int)
    for url, target, job in pending:
        if url in failed:
            continue
        pieces = [retry[(job.source, target)].get(p) for p in text_pieces(job.segment)]
        done[(url, target)][job.key] = rebuild_from_pieces(job.segment, pieces)
        fallbacks[(url, target)] += 1

    results: dict[str, list[TranslatedArticle] | EngineError] = dict(failed)
    for article in articles:
        if article.url in failed:
            continue
        src = str(article.language)
        variants = []
        for target in targets:
            if target == src:
                continue
            out = done[(article.url, target)]
            seg_langs = {
                s.block_index: _block_language(article, s.block_index)
                for s in segments[article.url]
            }
            body = {k: v for k, v in out.items() if isinstance(k, int)}
            description = out.get(_DESCRIPTION)
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
                            _language_marker(seg_langs, target),
                            _attribute_lookup(article, out),
                        ),
                        target,
                    ),
                    signature=str(engine.signature(src, target)),
                    pseudo=engine.pseudo,
                    fallbacks=fallbacks[(article.url, target)],
                    kept_blocks=sum(1 for lang in seg_langs.values() if lang == target),
                    description=unescape(description)
                    if description is not None
                    else article.description,
                )
            )
        results[article.url] = variants
    return results


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


def _language_marker(seg_langs: dict[int, str], target: str) -> Callable[[Tag, int], None]:
    """A hook marking blocks kept in the target language with their ``lang``."""

    def mark(unit: Tag, index: int) -> None:
        # Kept as written inside a translated article: say so for screen readers and search.
        if seg_langs.get(index) == target:
            unit["lang"] = target

    return mark


def _run_all(
    batches: dict[tuple[str, str], _Batch], engine: Translator, failed: dict[str, EngineError]
) -> None:
    for (src, target), batch in batches.items():
        if batch.users <= failed.keys():
            continue
        try:
            batch.run(engine, src, target)
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


def translate_text(text: str, source: str, target: str, engine: Translator) -> str:
    """Translate plain text line by line (empty lines and line breaks are kept)."""
    lines = text.splitlines()
    todo = [line for line in lines if line.strip()]
    unique = list(dict.fromkeys(todo))
    done = (
        dict(zip(unique, engine.translate_batch(unique, source, target), strict=True))
        if unique
        else {}
    )
    out = [done.get(line, line) if line.strip() else line for line in lines]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def translate_html(document: str, source: str, target: str, engine: Translator) -> str:
    """Translate an HTML document or fragment, keeping its markup.

    A full document gets ``lang``/``dir`` for the target and its ``<title>``
    translated; a fragment comes back as a fragment.
    """
    from bs4 import BeautifulSoup

    from .segment import mark_blocks

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
    result = translate_articles([article], [target], engine)[article.url]
    if isinstance(result, EngineError):
        raise result
    [translated] = result
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
