"""How Arabic proclitics and French articles are written against a glossary term.

The rules come from the grammars, not from any corpus.

Arabic: the conjunctions و ف and the prepositions ب ك ل are written joined to
the next word, a conjunction first (وب، فل، وك …), and both may stand before the
article ال. Only ل changes the spelling: ل + ال drops the article's alif
(للوزير), and when the word after the article itself begins with ل the
article's lam goes too, so that no more than two lams are written in a row
(ل + اللجنة → للجنة, ل + الليل → لليل). ب and ك keep the alif (بالوزير، كالوزير).
A term without the article (a construct: وزارة الخارجية) takes the proclitic as
it is (لوزارة الخارجية).

French: le la de que ce ne se je me te jusque lorsque puisque quoique elide
before a vowel or a mute h (l', d', qu', jusqu' …); the determiner ce becomes
cet. à and de contract with le and les (au, aux, du, des), never with la or l'
(à la, de l', à l').
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "FR_CONTRACTIONS",
    "arabic_join",
    "arabic_proclitics",
    "arabic_readings",
    "capitalise",
    "french_article",
    "french_elides_before",
    "french_lead",
]

# --- Arabic ---------------------------------------------------------------------

AR_CONJUNCTIONS = ("", "و", "ف")
AR_PREPOSITIONS = ("", "ب", "ك", "ل")
_AR_ARTICLE = "ال"
_AR_LAM = "ل"


def arabic_readings(word: str) -> list[tuple[int, str]]:
    """(proclitic length, word to look up) for a folded Arabic ``word``: itself, and
    what it reads as once each possible proclitic chain is taken off.

    ``word`` is in :func:`.model.fold` form (alef variants folded, no tashkeel)."""
    out = [(0, word)]
    for conj in AR_CONJUNCTIONS:
        for prep in AR_PREPOSITIONS:
            prefix = conj + prep
            # At least two letters must stay: a one-letter "word" is a proclitic.
            if not word.startswith(prefix) or len(word) <= len(prefix) + 1:
                continue
            rest = word[len(prefix) :]
            if prefix:
                out.append((len(prefix), rest))
            if rest.startswith(_AR_ARTICLE) and len(rest) > 3:
                out.append((len(prefix), rest[2:]))  # the article absorbed by a bare term
            if prep == _AR_LAM and rest.startswith(_AR_LAM) and len(rest) > 2:
                out.append((len(prefix), "ا" + rest))  # للوزير = ل + الوزير
                out.append((len(prefix), _AR_ARTICLE + rest))  # للجنة = ل + اللجنة
                out.append((len(prefix), rest[1:]))  # للوزارة for a term without ال
    return out


# A word an engine wrote in front of a term: conjunction, preposition, then the
# article (or the لل that ل + ال contracts to).
_AR_CHAIN = re.compile("(?P<c>[وف]?)(?P<p>[بكل]?)(?P<al>ال|ل)?")


def arabic_proclitics(word: str) -> str | None:
    """The proclitics (conjunction + preposition) if ``word`` is nothing but a
    proclitic chain, possibly with the article; ``None`` for any other word.

    ``"ولل"`` → ``"ول"``, ``"بال"`` → ``"ب"``, ``"ال"`` → ``""``; ``"بل"`` and
    ``"كل"`` are words of their own (only ل + ال contracts to a double lam)."""
    m = _AR_CHAIN.fullmatch(word)
    if not word or m is None:
        return None
    if m["al"] == _AR_LAM and m["p"] != _AR_LAM:
        return None
    return m["c"] + m["p"]


def _base_letters(text: str, count: int) -> list[tuple[int, str]]:
    """The first ``count`` letters of ``text`` with their offsets, skipping tashkeel
    and tatweel (a glossary form may be vocalised)."""
    out: list[tuple[int, str]] = []
    for i, ch in enumerate(text):
        if unicodedata.combining(ch) or ch == "\u0640":
            continue
        out.append((i, ch))
        if len(out) == count:
            break
    return out


def arabic_join(proclitics: str, form: str) -> str:
    """``form`` written after ``proclitics`` (from :func:`arabic_proclitics`).

    The form decides whether the term has the article: an engine's ال before a
    term listed without it (a construct) is dropped by the caller."""
    if not proclitics.endswith(_AR_LAM):
        return proclitics + form
    letters = _base_letters(form, 3)
    if len(letters) < 3 or letters[0][1] not in "اٱ" or letters[1][1] != _AR_LAM:
        return proclitics + form
    if letters[2][1] == _AR_LAM:
        return proclitics + form[letters[2][0] :]  # ل + اللجنة → للجنة
    return proclitics + form[letters[1][0] :]  # ل + الأمم → للأمم


# --- French ---------------------------------------------------------------------

# contraction -> (preposition, article)
FR_CONTRACTIONS = {"du": ("de", "le"), "des": ("de", "les"), "au": ("à", "le"), "aux": ("à", "les")}
_FR_CONTRACT = {pair: word for word, pair in FR_CONTRACTIONS.items()}
FR_ARTICLES = ("le", "la", "les", "l'")

# Words that elide before a vowel sound; "ce" takes a t instead (cet accord).
FR_ELISION = {
    "le": "l'",
    "la": "l'",
    "de": "d'",
    "que": "qu'",
    "ce": "cet ",
    "ne": "n'",
    "se": "s'",
    "je": "j'",
    "me": "m'",
    "te": "t'",
    "jusque": "jusqu'",
    "lorsque": "lorsqu'",
    "puisque": "puisqu'",
    "quoique": "quoiqu'",
    "du": "de l'",
    "au": "à l'",
    "de la": "de l'",
    "à la": "à l'",
}
# And back, before a consonant, when the engine elided in front of a placeholder.
# l' is left out: whether it was le or la depends on the term's gender.
FR_UNELISION = {
    "d'": "de ",
    "qu'": "que ",
    "cet": "ce ",
    "n'": "ne ",
    "s'": "se ",
    "j'": "je ",
    "m'": "me ",
    "t'": "te ",
    "jusqu'": "jusque ",
    "lorsqu'": "lorsque ",
    "puisqu'": "puisque ",
    "quoiqu'": "quoique ",
}

_VOWELS = set("aeiouàâäéèêëîïôöùûüœæ")
# Words whose h is aspirated (no elision, no liaison: le handicap, du Haut-Commissariat),
# as the dictionaries mark them; any other initial h is mute (l'homme, l'hôpital).
# Matched as the beginning of a lower-cased word.
_H_ASPIRATED = (
    "hache", "haie", "haillon", "haine", "haïr", "hall", "halte", "hamac", "hamas",
    "hambourg", "hameau", "hamster", "hanche", "handball", "handicap", "hangar",
    "hanovre", "hanter", "happer", "harangu", "harcel", "harcèl", "hardi", "harem",
    "hareng", "hargn", "haricot", "harnais", "harpe", "hasard", "hâte", "hausse",
    "haut", "havane", "havre", "haye", "hennir", "hérisson", "hernie", "héron",
    "héros", "hêtre", "heurt", "hezbollah", "hibou", "hideu", "hiérarchi", "hisser",
    "hobby", "hockey", "holding", "hollande", "homard", "honduras", "hong", "honte",
    "hoquet", "hors", "hotte", "houblon", "houille", "houle", "housse", "hublot",
    "hue", "huit", "hurl", "hutte",
)  # fmt: skip


def french_elides_before(word: str) -> bool:
    """Whether a French ``word`` begins with a vowel sound (so le → l', de → d')."""
    w = word.lower()
    if not w:
        return False
    if w[0] in _VOWELS:
        return True
    if w[0] == "y":
        # y before a vowel is a consonant (le Yémen, le yoga); before a consonant,
        # a vowel (l'ypérite).
        return len(w) > 1 and w[1] not in _VOWELS
    if w[0] == "h":
        return not w.startswith(_H_ASPIRATED)
    return False


_FR_ARTICLE_AT_START = re.compile(r"(?P<a>l['’]|(?:les|le|la)\s+)(?=\w)", re.IGNORECASE)


def french_article(form: str) -> tuple[str, str] | None:
    """(article as written with its space or apostrophe, rest) when a French form
    begins with a definite article: ``"les Nations unies"`` → ``("les ", "Nations unies")``."""
    m = _FR_ARTICLE_AT_START.match(form)
    if m is None:
        return None
    return m["a"], form[m.end() :]


def _article_key(article: str) -> str:
    return article.strip().lower().replace("’", "'")


def french_lead(preposition: str, article: str) -> str:
    """The words a preposition (``""``, ``de``, ``à``) and a form's article are written
    as: de + le → ``"du "``, à + les → ``"aux "``, de + l' → ``"de l'"``.

    ``article`` is as the form writes it (``"Le "``, ``"l’"``); a contraction is
    lower-case, an article that stays keeps its form's case (à La Haye)."""
    contracted = _FR_CONTRACT.get((preposition.lower(), _article_key(article)))
    if contracted:
        return contracted + " "
    return f"{preposition} {article}" if preposition else article


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
