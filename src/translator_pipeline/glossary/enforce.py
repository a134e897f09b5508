"""Glossary enforcement on segments: protect → realise in the target → verify.

1. :func:`protect` replaces every glossary term in a segment's text with a
   ``term`` placeholder (``<x3/>``) the engine copies. Arabic proclitics in
   front of a term (و ب ل …) stay in the text, as a separate word.
2. :func:`realise` puts the glossary's target form where the engine put the
   placeholder, and fixes the words that touch it: Arabic proclitics the engine
   wrote next to the placeholder join the term (و + المدير العام → والمدير العام,
   ل + ال → لل, ل + اللجنة → للجنة), French words elide before a vowel sound
   (de + ICESCO → d'ICESCO, le → l', du → de l', au → à l') and a term listed
   with its article takes it in place of the engine's, contracted with the
   preposition (de + le Premier ministre → du Premier ministre). The rules are
   in :mod:`.orthography`.
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
from translator_pipeline.glossary.orthography import (
    FR_ARTICLES,
    FR_CONTRACTIONS,
    FR_ELISION,
    FR_UNELISION,
    arabic_join,
    arabic_proclitics,
    capitalise,
    french_article,
    french_elides_before,
    french_lead,
)
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
            if match.preposition:
                before += match.preposition + " "  # du Premier ministre → de <x1/>
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


# The Arabic word an engine wrote before (or glued to) a placeholder; whether it is
# a proclitic chain is for arabic_proclitics() to say.
_AR_BEFORE = re.compile(r"(?<![\w])(?P<w>[\w]+)\s*$")
# French articles an engine writes in the singular before a placeholder it cannot
# see into; before a plural term they become plural (le → les, du → des, au → aux).
_FR_PLURAL = {"le": "les", "la": "les", "l'": "les", "du": "des", "au": "aux"}
_FR_PLURAL_BEFORE = re.compile(
    r"(?<![\w'’])(?P<w>(?:de la|à la|de l['’]|à l['’])|(?:le|la|du|au)\s|l['’])\s*$", re.IGNORECASE
)
_FR_PLURAL_COMPOUND = {"de la": "des", "à la": "aux", "de l'": "des", "à l'": "aux"}
# The last French word (or preposition + article) before a placeholder.
_FR_BEFORE = re.compile(
    r"(?<![\w'’])(?P<w>(?:de|à)\s+(?:la\s+|l['’]\s*)|\w+['’]\s*|\w+\s+)$", re.IGNORECASE
)
# What precedes a term, as a preposition and an article: the term's own article
# replaces the engine's, and contracts with the preposition.
_FR_DECOMPOSED = {
    **{w: (p, a) for w, (p, a) in FR_CONTRACTIONS.items()},
    "de": ("de", ""),
    "d'": ("de", ""),
    "à": ("à", ""),
    "de la": ("de", "la"),
    "de l'": ("de", "l'"),
    "à la": ("à", "la"),
    "à l'": ("à", "l'"),
    **{a: ("", a) for a in FR_ARTICLES},
}
# A sentence starts at the start of the output or after . ! ? …, past opening
# markup, quotes and brackets.
_SENTENCE_START = re.compile(
    r"(?:^|(?<!\b[A-Z])(?<!\bMM)(?<!\bMme)(?<!\bMgr)(?<!\bDr)(?<!\bPr)[.!?…]\s)"
    r"[\s«“\"‘'(\[]*(?:<g\d+>[\s«“\"‘'(\[]*)*$"
)


def _french_key(word: str) -> str:
    return re.sub(r"\s+", " ", word.strip().lower().replace("’", "'")).replace("' ", "'")


def _french_gender(concept: Concept) -> str:
    """The term's gender from the glossary's ``pos`` (noun m, n.f., fem …): ``m``,
    ``f``, or empty when it does not say."""
    pos = concept.pos.lower()
    if re.search(r"(?<![a-zé])(?:f|fem|féminin|feminine|fém|nf)(?![a-zé])", pos):
        return "f"
    if re.search(r"(?<![a-zé])(?:m|masc|masculin|masculine|nm)(?![a-zé])", pos):
        return "m"
    return ""


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


def _join_before(
    before: str, form: str, target: str, plural: bool = False, gender: str = ""
) -> tuple[str, str]:
    """(text before the term, term as written) after clitics and elision are applied."""
    lang = normalise_code(target)
    if uses_arabic_script(lang):
        m = _AR_BEFORE.search(before)
        proclitics = arabic_proclitics(m["w"]) if m else None
        if m and proclitics is not None:
            # The glossary form decides whether the term takes the article.
            return before[: m.start()], arabic_join(proclitics, form)
        return before, form
    if lang != "fr":
        return before, form
    m = _FR_BEFORE.search(before)
    word = m["w"] if m else ""
    key = _french_key(word)
    article = french_article(form)
    if article is not None:
        # The form's article wins over the engine's; a preposition stays and
        # contracts with it (de + le Premier ministre → du Premier ministre).
        if m and key in _FR_DECOMPOSED:
            lead = french_lead(_FR_DECOMPOSED[key][0], article[0])
            if word[0].isupper():  # the engine's word knows whether a sentence starts
                lead = capitalise(lead)
            return before[: m.start()], lead + article[1]
        if _SENTENCE_START.search(before):
            return before, capitalise(form)
        return before, form
    if plural:
        pluralised = _pluralise_article(before)
        if pluralised != before:
            return pluralised, form
    if not m:
        return before, form
    elides = french_elides_before(form)
    if elides and key in FR_ELISION:
        new = FR_ELISION[key]
    elif not elides and key in FR_UNELISION:
        new = FR_UNELISION[key]
    elif not elides and key in ("l'", "de l'", "à l'") and gender:
        # Which article l' was depends on the term's gender.
        article_word = "le " if gender == "m" else "la "
        new = french_lead(_FR_DECOMPOSED[key][0], article_word)
    else:
        return before, form
    if word[0].isupper():
        new = capitalise(new)
    return before[: m.start()] + new, form


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
        new_before, form = _join_before(
            before, use.form, target, is_plural(use), _french_gender(use.concept)
        )
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
