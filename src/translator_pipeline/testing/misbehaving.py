"""Translation engines whose handling of placeholders a test or benchmark controls.

:class:`DictionaryEngine` translates word by word (longest phrase first) with a
small built-in English/French/Arabic lexicon; unknown words pass through, so the
output is deterministic and readable enough to check. It copies placeholders
(``<g1>…</g1>``, ``<x2/>``) faithfully. Its rendering of an institutional term
is deliberately *not* the glossary's form — "Director-General" becomes
"directeur-général" in French and "مدير عام" in Arabic, "ICESCO" becomes
"ايسيسكو" — so a term that reaches the output without the glossary is visible.

The subclasses misbehave in one way each, on the engine's output, on the ``x``
placeholders only (the engine cannot tell a glossary term from a kept number:
both are ``<xN/>``; ``<gN>`` pairs are always copied):

========== ===============================================================
faithful   copies every placeholder
drop       drops every ``<xN/>`` (``every=k``: one in k, counted per batch)
duplicate  writes the first ``<xN/>`` of each text twice
mangle     puts junk inside it: ``<xع1/>``, ``<x1ع/>``, ``<x#1/>`` (in turn)
clitic     Arabic: attaches a proclitic, glued or spaced (``و<x1/>``,
           ``ل <x1/>``; و ل ب ال in turn); French: ``le``/``de``/``du`` before
           it; English: ``the``
case       ``<X1/>``
spaces     ``< x1 />``
reorder    moves the first ``<xN/>`` to the end of the sentence
alternatives  ``translate_batch`` drops placeholders; ``translate_alternatives``
           gives that first, then the faithful translation, then a duplicated one
========== ===============================================================

:data:`BEHAVIOURS` maps these names to factories (``drop-some`` drops one in three).
Every engine records its calls in ``calls`` as ``(source, target, texts)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from itertools import count

from translator_pipeline.html.placeholders import PLACEHOLDER as _PLACEHOLDER
from translator_pipeline.models import EngineSignature

__all__ = [
    "BEHAVIOURS",
    "LANGUAGES",
    "LEXICON",
    "AlternativesEngine",
    "CaseEngine",
    "CliticEngine",
    "DictionaryEngine",
    "DropEngine",
    "DuplicateEngine",
    "MangleEngine",
    "ReorderEngine",
    "SpacesEngine",
    "make_engine",
]

LANGUAGES = ("en", "fr", "ar")

# One row per meaning: (en, fr, ar). In a cell, "|" separates the forms recognised in a
# source; the first one is what the engine writes. An empty cell writes nothing (Arabic
# has no word for "the" or "of").
LEXICON: tuple[tuple[str, str, str], ...] = (
    # Institutional terms, rendered unlike the glossary on purpose.
    ("general director|Director-General|Director General", "directeur-général|directeur général", "مدير عام|المدير العام"),  # noqa: E501
    ("deputy general director|Deputy Director-General|Deputy Director General", "directeur-général adjoint|directeur général adjoint", "نائب مدير عام|نائب المدير العام"),  # noqa: E501
    ("general secretary|Secretary-General|Secretary General", "secrétaire-général|secrétaire général", "أمين عام|الأمين العام"),  # noqa: E501
    ("member countries|Member States", "pays membres|États membres|Etats membres", "البلدان الأعضاء|الدول الأعضاء"),  # noqa: E501
    ("Muslim World League", "Ligue du monde musulman|Ligue islamique mondiale", "رابطة العالم المسلم|رابطة العالم الإسلامي"),  # noqa: E501
    ("ICESCO|ISESCO", "ICESCO|ISESCO", "ايسيسكو|الإيسيسكو|إيسيسكو"),
    ("ALECSO", "ALECSO", "الكسو|الألكسو|ألكسو"),
    ("Rabat", "Rabat", "الرباط"),
    # Function words.
    ("the", "le|la|les|l'", ""),
    ("of the", "du|des", ""),
    ("of", "de|d'", ""),
    ("and", "et", "و"),
    ("in", "dans|en", "في"),
    ("at", "à", "في"),
    ("to the", "au|aux", "إلى"),
    ("to", "à", "إلى"),
    ("for", "pour", "من أجل|ل"),
    ("with", "avec", "مع"),
    ("on", "sur", "على"),
    ("by", "par", "من طرف|ب"),
    ("from", "depuis", "من"),
    ("a|an", "un|une", ""),
    ("between", "entre", "بين"),
    ("this", "ce|cette", "هذا"),
    ("also", "également|aussi", "أيضا"),
    # News vocabulary.
    ("met", "a rencontré", "التقى"),
    ("welcomed", "a accueilli", "استقبل"),
    ("announced", "a annoncé", "أعلن"),
    ("signed", "a signé", "وقع"),
    ("visited", "a visité", "زار"),
    ("said", "a déclaré", "قال"),
    ("praised", "a salué", "أشاد"),
    ("received", "a reçu", "تلقى"),
    ("attended", "a assisté à", "حضر"),
    ("presented", "a présenté", "قدم"),
    ("agreement", "accord|convention", "اتفاقية"),
    ("cooperation", "coopération", "التعاون"),
    ("partnership", "partenariat", "شراكة"),
    ("meeting", "réunion", "اجتماع"),
    ("headquarters", "siège", "مقر"),
    ("programme|program", "programme", "برنامج"),
    ("new", "nouveau|nouvelle", "جديد"),
    ("minister", "ministre", "الوزير"),
    ("ministers", "ministres", "الوزراء"),
    ("delegation", "délégation", "وفد"),
    ("conference", "conférence", "مؤتمر"),
    ("education", "éducation", "التربية"),
    ("culture", "culture", "الثقافة"),
    ("science|sciences", "science|sciences", "العلوم"),
    ("language", "langue", "اللغة"),
    ("Arabic", "arabe", "العربية"),
    ("schools", "écoles", "المدارس"),
    ("teachers", "enseignants", "المعلمين"),
    ("students", "étudiants|élèves", "الطلاب"),
    ("report", "rapport", "تقرير"),
    ("plan", "plan", "خطة"),
    ("on Monday", "lundi", "يوم الإثنين"),
    ("Monday", "lundi", "الإثنين"),
    ("today", "aujourd'hui", "اليوم"),
    ("president", "président", "رئيس"),
    ("world", "monde", "العالم"),
    ("national", "national|nationale", "الوطني"),
)  # fmt: skip

_X = re.compile(r"<x(\d+)/>")
_TOKEN = re.compile(
    r"(?P<elided>(?<!\w)(?:[cdjlmnst]|qu)['’](?=\w|$))"
    r"|(?P<word>\w+(?:[-'’]\w+)*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.IGNORECASE | re.DOTALL,
)
_MAX_PHRASE = 4
_FR_CONTRACT = (
    (r"\bde les\b", "des"),
    (r"\bde le\b", "du"),
    (r"\bà les\b", "aux"),
    (r"\bà le\b", "au"),
)
_FR_ELIDE = re.compile(r"\b(l[ea]|de|que)\s+(?=[aeiouyàâéèêëîïôûœ]\w)", re.IGNORECASE)


def _tidy(text: str) -> str:
    """Spaces left by a removed placeholder: collapsed, none before . or ,"""
    return re.sub(r" +([.,،])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("’", "'").lower()


def _build_maps() -> dict[tuple[str, str], dict[str, str]]:
    maps: dict[tuple[str, str], dict[str, str]] = {}
    for src_i, src in enumerate(LANGUAGES):
        for tgt_i, tgt in enumerate(LANGUAGES):
            if src == tgt:
                continue
            table: dict[str, str] = {}
            for row in LEXICON:
                written = row[tgt_i].split("|")[0]
                for form in row[src_i].split("|"):
                    if form:
                        table.setdefault(_key(form), written)
            maps[(src, tgt)] = table
    return maps


_MAPS = _build_maps()


class DictionaryEngine:
    """Word-by-word en/fr/ar translation that copies placeholders faithfully."""

    pseudo = False
    behaviour = "faithful"

    def __init__(self) -> None:
        self.name = f"misbehaving-{self.behaviour}"
        self.calls: list[tuple[str, str, list[str]]] = []
        self._counter = count()

    # --- the Translator protocol -----------------------------------------------

    def supports(self, source: str, target: str) -> bool:
        return source != target and source in LANGUAGES and target in LANGUAGES

    def signature(self, source: str, target: str) -> EngineSignature:
        return EngineSignature(self.name, "dictionary", "1")

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.calls.append((source, target, list(texts)))
        self._counter = count()  # per batch, so a run is deterministic
        return [self.misbehave(self.render(t, source, target), target) for t in texts]

    # --- what subclasses change -------------------------------------------------

    def misbehave(self, output: str, target: str) -> str:
        """The faithful ``output`` as this engine returns it."""
        return output

    def _next(self) -> int:
        return next(self._counter)

    # --- the faithful translation ------------------------------------------------

    def render(self, text: str, source: str, target: str) -> str:
        """``text`` translated word by word, placeholders copied where they were."""
        table = _MAPS[(source, target)]
        parts = []
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            parts.append(self._words(text[pos : m.start()], table, source))
            parts.append(m.group())
            pos = m.end()
        parts.append(self._words(text[pos:], table, source))
        out = re.sub(r"[ \t]{2,}", " ", "".join(parts)).strip()
        if target == "fr":
            for pattern, repl in _FR_CONTRACT:
                out = re.sub(pattern, repl, out)
            out = _FR_ELIDE.sub(
                lambda m: m.group(1)[0] + "'" if m.group(1) != "que" else "qu'", out
            )
        elif target == "ar":
            out = re.sub(r"(?<!\w)و (?=[^\W\d_])", "و", out)  # و is written joined to a word
        return out

    def _words(self, run: str, table: dict[str, str], source: str) -> str:
        tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(run)]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            kind, value = tokens[i]
            if kind not in ("word", "elided"):
                out.append(value)
                i += 1
                continue
            # Longest phrase first: words joined by single spaces (or an elision).
            best: tuple[int, str] | None = None
            words, j = [value], i
            while True:
                found = table.get(_key(" ".join(words)).replace("' ", "'"))
                if found is not None:
                    best = (j, found)
                if len(words) >= _MAX_PHRASE:
                    break
                nxt = j + 1
                if nxt < len(tokens) and tokens[j][0] == "elided":
                    pass  # l'ICESCO: the next word follows without a space
                elif nxt + 1 < len(tokens) and tokens[nxt] == ("space", " "):
                    nxt += 1
                else:
                    break
                if nxt >= len(tokens) or tokens[nxt][0] != "word":
                    break
                words.append(tokens[nxt][1])
                j = nxt
            if best is None:
                out.append(self._unknown(value, table, source))
                i += 1
                continue
            end, written = best
            if written and value[:1].isupper() and written[:1].islower():
                written = written[:1].upper() + written[1:]
            out.append(written + (" " if tokens[i][0] == "elided" and end == i else ""))
            i = end + 1
        return "".join(out)

    @staticmethod
    def _unknown(word: str, table: dict[str, str], source: str) -> str:
        # Arabic joins و (and) to the next word: translate both parts when the rest is known.
        if source == "ar" and len(word) > 1 and word[0] in "وف":
            rest = table.get(_key(word[1:]))
            if rest:
                return f"{table.get('و', '')} {rest}".strip()
        return word


class DropEngine(DictionaryEngine):
    """Drops ``<xN/>`` placeholders: all of them, or one in ``every`` (per batch)."""

    behaviour = "drop"

    def __init__(self, every: int = 1) -> None:
        self.every = every
        super().__init__()
        if every != 1:
            self.name = f"misbehaving-drop-1-in-{every}"

    def misbehave(self, output: str, target: str) -> str:
        def drop(m: re.Match[str]) -> str:
            return "" if self._next() % self.every == self.every - 1 else m.group()

        return _tidy(_X.sub(drop, output))


class DuplicateEngine(DictionaryEngine):
    """Writes the first ``<xN/>`` of each text twice."""

    behaviour = "duplicate"

    def misbehave(self, output: str, target: str) -> str:
        return _X.sub(lambda m: f"{m.group()} {m.group()}", output, count=1)


class MangleEngine(DictionaryEngine):
    """Puts junk inside every ``<xN/>``: an Arabic letter or a stray character."""

    behaviour = "mangle"
    FORMS = ("<xع{n}/>", "<x{n}ع/>", "<x#{n}/>")

    def misbehave(self, output: str, target: str) -> str:
        return _X.sub(
            lambda m: self.FORMS[self._next() % len(self.FORMS)].format(n=m.group(1)), output
        )


class CliticEngine(DictionaryEngine):
    """Writes a clitic or article before every ``<xN/>``, as a real engine might."""

    behaviour = "clitic"
    ARABIC = ("و", "ل", "ب", "ال", "و ", "ل ", "ب ", "ال ")
    FRENCH = ("le ", "de ", "du ")

    def misbehave(self, output: str, target: str) -> str:
        if target == "ar":
            words = self.ARABIC
        elif target == "fr":
            words = self.FRENCH
        else:
            words = ("the ",)
        return _X.sub(lambda m: words[self._next() % len(words)] + m.group(), output)


class CaseEngine(DictionaryEngine):
    """Upper-cases the placeholders' letter: ``<X1/>``."""

    behaviour = "case"

    def misbehave(self, output: str, target: str) -> str:
        return _X.sub(lambda m: f"<X{m.group(1)}/>", output)


class SpacesEngine(DictionaryEngine):
    """Writes spaces inside the placeholders: ``< x1 />``."""

    behaviour = "spaces"

    def misbehave(self, output: str, target: str) -> str:
        return _X.sub(lambda m: f"< x{m.group(1)} />", output)


class ReorderEngine(DictionaryEngine):
    """Moves the first ``<xN/>`` of each text to the end of its sentence."""

    behaviour = "reorder"

    def misbehave(self, output: str, target: str) -> str:
        m = _X.search(output)
        if m is None:
            return output
        rest = _tidy(output[: m.start()] + output[m.end() :])
        end = re.search(r"[.!?؟…]*$", rest)
        cut = end.start() if end else len(rest)
        return f"{rest[:cut]} {m.group()}{rest[cut:]}".strip()


class AlternativesEngine(DropEngine):
    """Best hypothesis drops the placeholders; the second (n-best) keeps them."""

    behaviour = "alternatives"

    def __init__(self) -> None:
        super().__init__(every=1)
        self.name = "misbehaving-alternatives"
        self.alternative_calls: list[tuple[str, str, list[str], int]] = []

    def translate_alternatives(
        self, texts: Sequence[str], source: str, target: str, n: int
    ) -> list[list[str]]:
        """Up to ``n`` hypotheses per text: dropped placeholders, faithful, duplicated."""
        self.alternative_calls.append((source, target, list(texts), n))
        out = []
        for text in texts:
            faithful = self.render(text, source, target)
            self._counter = count()
            options = [
                self.misbehave(faithful, target),
                faithful,
                _X.sub(lambda m: f"{m.group()} {m.group()}", faithful, count=1),
            ]
            out.append(options[: max(1, n)])
        return out


BEHAVIOURS: dict[str, Callable[[], DictionaryEngine]] = {
    "faithful": DictionaryEngine,
    "drop": DropEngine,
    "drop-some": lambda: DropEngine(every=3),
    "duplicate": DuplicateEngine,
    "mangle": MangleEngine,
    "clitic": CliticEngine,
    "case": CaseEngine,
    "spaces": SpacesEngine,
    "reorder": ReorderEngine,
    "alternatives": AlternativesEngine,
}


def make_engine(behaviour: str) -> DictionaryEngine:
    """A fresh engine for one of :data:`BEHAVIOURS`; ``KeyError`` names the known ones."""
    try:
        factory = BEHAVIOURS[behaviour]
    except KeyError:
        raise KeyError(f"unknown behaviour {behaviour!r}; known: {', '.join(BEHAVIOURS)}") from None
    return factory()
