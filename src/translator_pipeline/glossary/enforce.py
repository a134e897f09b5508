"""Glossary enforcement on segments: protect → realise in the target → verify.

1. :func:`protect` replaces every glossary term in a segment's text with a
   ``term`` placeholder (``<x3/>``) the engine copies. Arabic proclitics in
   front of a term (و ب ل …) stay in the text, as a separate word.
2. :func:`realise` puts the glossary's target form where the engine put the
   placeholder, and fixes the words that touch it: Arabic proclitics the engine
   wrote next to the placeholder join the term (و + المدير العام → والمدير العام,
   ل + ال → لل), French articles elide before a vowel (de + ICESCO → d'ICESCO,
   le → l', du → de l', au → à l').
3. :func:`verify` checks that the published segment contains each term's
   glossary form as many times as the source contained the concept.

What to do when the engine loses a placeholder (n-best, substitution, rebuild)
is decided in :mod:`.translate`, which calls these.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from translator_pipeline.glossary.model import Concept, Glossary
from translator_pipeline.html.placeholders import repair_placeholders
from translator_pipeline.html.segment import renumber
from translator_pipeline.language.facts import normalise_code, uses_arabic_script
from translator_pipeline.models import InlineTag, Segment, Token

__all__ = ["TermUse", "localise", "plain_text", "protect", "realise", "verify"]


@dataclass(frozen=True)
class TermUse:
    """One protected term of a segment: its placeholder, concept and target form."""

    tag_id: int
    concept: Concept
    surface: str  # as written in the source
    form: str  # the glossary's form in the target language


def protect(
    segment: Segment, glossary: Glossary, source: str, target: str
) -> tuple[Segment, tuple[TermUse, ...]]:
    """``segment`` with each glossary term that has a ``target`` form as a placeholder."""
    if not glossary:
        return segment, ()
    tokens: list[Token] = []
    tags: list[InlineTag] = list(segment.tags)
    forms: dict[int, tuple[Concept, str, str]] = {}
    next_id = max((t.id for t in tags), default=0) + 1
    arabic_source = uses_arabic_script(source)
    for kind, value in segment.tokens:
        if kind != "text":
            tokens.append((kind, value))
            continue
        text, pos = str(value), 0
        for match in glossary.find(text, source):
            form = match.concept.target(target, match.surface)
            if not form:
                continue  # the glossary says nothing for this target: the engine decides
            before = text[pos : match.start]
            if match.clitic and arabic_source:
                before += " "  # the proclitic stays a word of its own for the engine
            if before:
                tokens.append(("text", before))
            tags.append(
                InlineTag(
                    next_id,
                    "term",
                    html.escape(match.surface, quote=False),
                    concept=match.concept.id,
                )
            )
            forms[next_id] = (match.concept, match.surface, form)
            tokens.append(("void", next_id))
            next_id += 1
            pos = match.end
        if pos < len(text):
            tokens.append(("text", text[pos:]))
    if not forms:
        return segment, ()
    # renumber() numbers placeholders by first appearance; follow it for our records.
    position: dict[int, int] = {}
    for kind, value in tokens:
        if kind != "text" and int(value) not in position:
            position[int(value)] = len(position) + 1
    new_tokens, new_tags = renumber(tokens, tags)
    uses = sorted(
        (
            TermUse(position[old], concept, surface, form)
            for old, (concept, surface, form) in forms.items()
        ),
        key=lambda u: u.tag_id,
    )
    return Segment(segment.block_index, tuple(new_tokens), tuple(new_tags)), tuple(uses)


# Proclitics an engine may write before (or glued to) an Arabic placeholder.
_AR_BEFORE = re.compile(r"(?<![\w])(?P<c>[وف]?[بكل]?)(?P<al>ال)?\s*$")
# French articles an engine writes in the singular before a placeholder it cannot
# see into; before a plural term they become plural (le → les, du → des, au → aux).
_FR_PLURAL = {"le": "les", "la": "les", "l'": "les", "du": "des", "au": "aux"}
_FR_PLURAL_BEFORE = re.compile(
    r"(?<![\w'’])(?P<w>(?:de la|à la|de l['’]|à l['’])|(?:le|la|du|au)\s|l['’])\s*$", re.IGNORECASE
)
_FR_PLURAL_COMPOUND = {"de la": "des", "à la": "aux", "de l'": "des", "à l'": "aux"}
# French words that elide or contract before a vowel.
_FR_ELISION = {"le": "l'", "la": "l'", "de": "d'", "du": "de l'", "au": "à l'", "que": "qu'"}
_FR_BEFORE = re.compile(r"(?<![\w'’])(?P<w>le|la|de|du|au|que)\s+$", re.IGNORECASE)
_VOWEL = re.compile(r"[aeiouyàâäéèêëîïôöùûüœæ]", re.IGNORECASE)


def _arabic_join(clitics: str, form: str) -> str:
    if clitics.endswith("ل") and form.startswith("ال"):
        return clitics + form[1:]  # ل + المدير → للمدير
    return clitics + form


def is_plural(use: TermUse) -> bool:
    """Whether the term is plural: as the glossary's ``pos`` says ("pl", "plural";
    "sg", "singular"), else when both the source as written and the French form's
    first word end in -s/-x (``Member States`` / ``États membres``; not ``Fund`` /
    ``Fonds``)."""
    pos = use.concept.pos.lower()
    if re.search(r"\b(?:pl|plural|pluriel)\b", pos):
        return True
    if re.search(r"\b(?:sg|sing|singular|singulier)\b", pos):
        return False
    words = use.form.split()
    source = use.surface.split()
    return bool(
        words
        and source
        and re.search(r"[^s]s$|x$", words[0], re.IGNORECASE)
        and re.search(r"[^s']s$", source[-1], re.IGNORECASE)
    )


def _pluralise_article(before: str) -> str:
    """``before`` with a singular French article at its end made plural."""
    m = _FR_PLURAL_BEFORE.search(before)
    if not m:
        return before
    word = m.group("w").strip().replace("’", "'")
    low = word.lower()
    plural = _FR_PLURAL_COMPOUND.get(low) or _FR_PLURAL.get(low)
    if plural is None:
        return before
    if word[0].isupper():
        plural = plural[0].upper() + plural[1:]
    return before[: m.start()] + plural + " "


def _join_before(before: str, form: str, target: str, plural: bool = False) -> tuple[str, str]:
    """(text before the term, term as written) after clitics and elision are applied."""
    lang = normalise_code(target)
    if lang == "fr" and plural:
        pluralised = _pluralise_article(before)
        if pluralised != before:
            return pluralised, form
    if uses_arabic_script(lang):
        m = _AR_BEFORE.search(before)
        if m and (m.group("c") or m.group("al")):
            # The glossary form decides whether the term takes the article.
            return before[: m.start()], _arabic_join(m.group("c"), form)
        return before, form
    if lang == "fr" and _VOWEL.match(form):
        m = _FR_BEFORE.search(before)
        if m:
            word = m.group("w")
            elided = _FR_ELISION[word.lower()]
            if word[0].isupper():
                elided = elided[0].upper() + elided[1:]
            return before[: m.start()] + elided, form
    return before, form


def localise(segment: Segment, uses: Sequence[TermUse]) -> Segment:
    """``segment`` with its term placeholders standing for their target forms."""
    forms = {u.tag_id: u.form for u in uses}
    tags = tuple(
        InlineTag(t.id, "keep", html.escape(forms[t.id], quote=False), concept=t.concept)
        if t.id in forms
        else t
        for t in segment.tags
    )
    return Segment(segment.block_index, segment.tokens, tags)


def realise(
    segment: Segment, uses: Sequence[TermUse], output: str, target: str
) -> tuple[str, Segment]:
    """Engine ``output`` and a localised ``segment`` ready for :func:`.segment.reassemble`.

    Words the engine attached to a term's placeholder are merged into the term
    (see the module docstring); a placeholder that is missing or repeated is left
    for reassembly to reject.
    """
    output = repair_placeholders(output)
    forms = {u.tag_id: u.form for u in uses}
    for use in uses:
        marker = f"<x{use.tag_id}/>"
        if output.count(marker) != 1:
            continue
        before, after = output.split(marker)
        new_before, form = _join_before(before, use.form, target, is_plural(use))
        forms[use.tag_id] = form
        output = new_before + marker + after
    tags = tuple(
        InlineTag(t.id, "keep", html.escape(forms[t.id], quote=False), concept=t.concept)
        if t.id in forms
        else t
        for t in segment.tags
    )
    return output, Segment(segment.block_index, segment.tokens, tags)


_TAG = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub("", fragment))).strip()


@lru_cache(maxsize=4096)
def _form_finder(form: str, target: str) -> Glossary:
    return Glossary([Concept("form", {target: form}, case_sensitive=True)])


def verify(fragment: str, uses: Iterable[TermUse], target: str) -> list[bool]:
    """Whether each use's glossary form is in the published ``fragment`` (in order:
    when a concept occurs n times and its form only m < n times, the last n-m fail)."""
    uses = list(uses)
    text = plain_text(fragment)
    have: Counter[str] = Counter()
    for form in {u.form for u in uses}:
        have[form] = len(_form_finder(form, normalise_code(target)).find(text, target))
    seen: Counter[str] = Counter()
    out = []
    for use in uses:
        seen[use.form] += 1
        out.append(seen[use.form] <= have[use.form])
    return out
