"""``lang`` and ``dir`` of a translated body: each element says what its text now is.

The ``lang``/``dir`` attributes of a source page describe the source text. Once
units are translated, a ``<blockquote lang="en">`` holding Arabic text lies, and
a paragraph kept in French inside an Arabic variant inherits ``ar`` unless it
says otherwise. :func:`relabel_languages` throws the page's declarations away
and writes new ones from what is known of every piece of text:

- text of a translated unit is the variant's machine-translated text (the
  *context* label the published page gives the article, ``ar-x-mtfrom-fr``);
- text of a unit kept as written (already in the target language, or with
  nothing to translate) is in that unit's language;
- never-translated content (code, ``translate="no"``, ``notranslate``) is in
  the language it was declared in on the page, else that of its unit, else
  the article's.

A page's declaration is kept when it names the same language as detection
(``en-GB`` for ``en``). Labels are written on the highest element whose text is
all in one language and differs from what it inherits; ``dir`` is added
where that language's direction differs from the surrounding one (on an
inline element a ``dir`` also isolates it for the bidi algorithm). A ``dir``
the page put on an element whose text was translated is removed with its
``lang``; one on untranslated content stays, as the page wrote it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag

from translator_pipeline.html.segment import (
    _NON_TEXT,
    BLOCK_ATTR,
    RUN_TAG,
    TRANSLATED_ATTRS,
    _has_letters,
    _is_excluded,
)
from translator_pipeline.language.facts import direction, normalise_code

__all__ = ["LanguagePlan", "UnitLanguage", "relabel_languages"]


@dataclass(frozen=True)
class UnitLanguage:
    """What one unit holds after translation: text ``translated`` from ``language``,
    or text kept as written in ``language``. A unit without ``words`` (only numbers,
    URLs, codes) has no language of its own: its text takes none."""

    language: str
    translated: bool
    words: bool = True


@dataclass(frozen=True)
class LanguagePlan:
    """What :func:`relabel_languages` needs to know about one variant's body."""

    context: str  # the label the body inherits where it is published ("ar-x-mtfrom-fr")
    source: str  # the article's language: content outside every unit is in it
    units: Mapping[int, UnitLanguage] = field(default_factory=dict)


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _refined(language: str, declared: str | None) -> str:
    # The page's own tag is kept when it agrees with detection: it may say more (en-GB).
    if declared and normalise_code(declared) == normalise_code(language):
        return declared
    return language


@dataclass(frozen=True)
class _Where:
    """Where a node stands, as seen walking down from the body root."""

    unit: int | None = None
    declared: str | None = None  # nearest lang on the way down (the root's own excluded)
    in_unit: str | None = None  # nearest lang below the unit element
    at_unit: str | None = None  # nearest lang at or above the unit element
    excluded: bool = False  # inside never-translated content (below the unit, if any)


def _body_root(soup: BeautifulSoup | Tag) -> Tag:
    tags = [c for c in soup.contents if isinstance(c, Tag)]
    loose = any(isinstance(c, NavigableString) and c.strip() for c in soup.contents)
    return tags[0] if len(tags) == 1 and not loose else soup


def relabel_languages(
    soup: BeautifulSoup | Tag,
    plan: LanguagePlan,
    translated_attributes: Iterable[Tag] = (),
) -> None:
    """Rewrite ``lang``/``dir`` under ``soup`` (a body whose units still carry
    ``data-tp-block``) so each element carries the language of the text it holds.

    ``translated_attributes`` are elements whose reader-facing attributes (alt,
    title …) were translated: those count as translated text of the element.
    """
    root = _body_root(soup)
    done_attrs = {id(t) for t in translated_attributes}
    # label(s) of each element's own text and attributes; whether it holds translated text
    direct: dict[int, list[tuple[NavigableString | None, str]]] = {}
    order: list[Tag] = []

    def label_of(where: _Where) -> tuple[str | None, bool]:
        """(label, or None for no language; translated?) of text standing at ``where``."""
        if where.unit is None:
            return where.declared or plan.source, False
        unit = plan.units.get(where.unit, UnitLanguage(plan.source, False))
        if where.excluded:
            return where.in_unit or _refined(unit.language, where.at_unit), False
        if unit.translated:
            return plan.context, True
        if not unit.words:
            return None, False
        return _refined(unit.language, where.at_unit), False

    translated: set[int] = set()
    stack: list[tuple[Tag, _Where]] = [(root, _Where())]
    while stack:  # iterative: hostile pages nest deeply
        tag, where = stack.pop()
        order.append(tag)
        own = tag.get("lang") if tag is not root else None
        own = str(own) if own else None
        if tag.get(BLOCK_ATTR) is not None:
            where = _Where(
                unit=int(str(tag[BLOCK_ATTR])),
                declared=own or where.declared,
                at_unit=own or where.declared,
            )
        elif own:
            where = _Where(
                where.unit,
                own,
                own if where.unit is not None else None,
                where.at_unit,
                where.excluded,
            )
        if tag is not root and _is_excluded(tag):
            where = _Where(where.unit, where.declared, where.in_unit, where.at_unit, True)
        labels = direct.setdefault(id(tag), [])
        if id(tag) in done_attrs:
            labels.append((None, plan.context))
            translated.add(id(tag))
        elif any(_has_letters(str(tag.get(a) or "")) for a in TRANSLATED_ATTRS):
            label = label_of(where)[0]
            if label is not None:
                labels.append((None, label))
        children = []
        for child in tag.children:
            if isinstance(child, Tag):
                children.append((child, where))
            elif not isinstance(child, _NON_TEXT) and _has_letters(str(child)):
                label, is_translated = label_of(where)
                if label is not None:
                    labels.append((child, label))
                if is_translated:
                    translated.add(id(tag))
        stack.extend(reversed(children))

    # Bottom-up: every element's set of labels, and whether translated text is below it.
    below: dict[int, set[str]] = {}
    for tag in reversed(order):
        key = id(tag)
        found = below.setdefault(key, set())
        found.update(label for _node, label in direct[key])
        parent = tag.parent
        if tag is not root and parent is not None:
            below.setdefault(id(parent), set()).update(found)
            if key in translated:
                translated.add(id(parent))

    # The page's declarations go; a dir stays only on content that was not translated.
    for tag in order:
        for name in ("lang", "xml:lang"):
            if name in tag.attrs:
                del tag[name]
        if id(tag) in translated and tag.name != "bdo":
            value = str(tag.get("dir", "")).lower()
            if value in ("ltr", "rtl"):
                del tag["dir"]

    # Top-down: a label where the language changes, a dir where the direction does.
    maker = soup if isinstance(soup, BeautifulSoup) else BeautifulSoup("", "html.parser")
    walk: list[tuple[Tag, str, str]] = [(root, plan.context, direction(plan.context))]
    while walk:
        tag, inherited, inherited_dir = walk.pop()
        labels = below.get(id(tag), set())
        mine = [label for _node, label in direct.get(id(tag), [])]
        if isinstance(tag, BeautifulSoup) or (tag.name == RUN_TAG and not mine):
            # A document has no attributes to write; a temporary wrapper would stay as a
            # <span> only to carry the label: the elements inside carry it.
            own = inherited
        elif len(labels) == 1:
            own = next(iter(labels))
        elif mine:
            own = Counter(mine).most_common(1)[0][0]
        else:
            own = inherited
        current_dir = inherited_dir
        if tag.get("dir") in ("ltr", "rtl"):
            current_dir = str(tag["dir"])
        if not _same(own, inherited):
            _mark(tag, own, inherited_dir)
            current_dir = str(tag.get("dir") or direction(own))
        if len(set(mine)) > 1:
            for node, label in direct[id(tag)]:
                if node is not None and not _same(label, own):
                    span = maker.new_tag("span")
                    _mark(span, label, current_dir)
                    node.wrap(span)
        walk.extend(
            (child, own, current_dir) for child in reversed(tag.contents) if isinstance(child, Tag)
        )


def _mark(tag: Tag, label: str, around_dir: str) -> None:
    tag["lang"] = label
    wanted = direction(label)
    if tag.get("dir") is None and wanted != around_dir:
        tag["dir"] = wanted
