"""Language facts the pipeline needs: writing direction and display names.

Names are given in the languages we write disclaimers in; for any other
display language we fall back to the English name, then to the code.
"""

from __future__ import annotations

import re

__all__ = [
    "ARABIC_SCRIPT_LANGUAGES",
    "arabic_punctuation",
    "direction",
    "is_arabic_letter",
    "language_name",
    "normalise_code",
    "uses_arabic_script",
]

RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku-arab", "ps", "sd", "ug", "ur", "yi"}
)

# Written in Arabic script by default, so they take Arabic punctuation (، ؛ ؟).
ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "arz", "ary", "ckb", "fa", "ks", "ps", "sd", "ug", "ur"})

# Arabic letters and harakat; Arabic-Indic digits (U+0660–0669, U+06F0–06F9) and
# Arabic punctuation are deliberately outside, so "٣,٥" is left alone.
ARABIC_LETTER = (
    "[\u0620-\u065f\u066e\u066f\u0670-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
# A Latin , ; ? after an Arabic letter, optionally past closing inline placeholders
# (</g3>) and one space. Kept tokens (<x3/>) are not letters, so a comma after a kept
# number or URL stays Latin.
_LATIN_AFTER_ARABIC = re.compile(rf"({ARABIC_LETTER}(?:</g\d+>)*[ \u00a0]?)([,;?])")
_ARABIC_MARK = {",": "\u060c", ";": "\u061b", "?": "\u061f"}
_IS_ARABIC_LETTER = re.compile(ARABIC_LETTER).fullmatch


def is_arabic_letter(char: str) -> bool:
    """Whether ``char`` is a letter (or haraka) of the Arabic script, any block."""
    return _IS_ARABIC_LETTER(char) is not None


def uses_arabic_script(code: str) -> bool:
    """True for a language written in Arabic script (``ar``, ``fa``, ``ur``, ``ku-Arab`` …)."""
    tags = code.strip().replace("_", "-").lower().split("-")
    return tags[0] in ARABIC_SCRIPT_LANGUAGES or "arab" in tags[1:]


def arabic_punctuation(text: str) -> str:
    """Latin ``,`` ``;`` ``?`` that follow Arabic letters → ``،`` ``؛`` ``؟``.

    Engines trained on mixed data often emit Latin punctuation in Arabic output.
    Works on engine output with placeholders in it: they are never rewritten.
    """
    return _LATIN_AFTER_ARABIC.sub(lambda m: m.group(1) + _ARABIC_MARK[m.group(2)], text)


# code -> {display language -> name}
_NAMES: dict[str, dict[str, str]] = {
    "ar": {"en": "Arabic", "fr": "arabe", "ar": "العربية"},
    "fr": {"en": "French", "fr": "français", "ar": "الفرنسية"},
    "en": {"en": "English", "fr": "anglais", "ar": "الإنجليزية"},
    "es": {"en": "Spanish", "fr": "espagnol", "ar": "الإسبانية"},
    "de": {"en": "German", "fr": "allemand", "ar": "الألمانية"},
    "it": {"en": "Italian", "fr": "italien", "ar": "الإيطالية"},
    "pt": {"en": "Portuguese", "fr": "portugais", "ar": "البرتغالية"},
    "tr": {"en": "Turkish", "fr": "turc", "ar": "التركية"},
    "fa": {"en": "Persian", "fr": "persan", "ar": "الفارسية"},
    "ur": {"en": "Urdu", "fr": "ourdou", "ar": "الأردية"},
    "ru": {"en": "Russian", "fr": "russe", "ar": "الروسية"},
    "zh": {"en": "Chinese", "fr": "chinois", "ar": "الصينية"},
    "id": {"en": "Indonesian", "fr": "indonésien", "ar": "الإندونيسية"},
    "ms": {"en": "Malay", "fr": "malais", "ar": "الملايوية"},
    "ha": {"en": "Hausa", "fr": "haoussa", "ar": "الهوسا"},
    "sw": {"en": "Swahili", "fr": "swahili", "ar": "السواحيلية"},
    "he": {"en": "Hebrew", "fr": "hébreu", "ar": "العبرية"},
}


def normalise_code(code: str) -> str:
    """``'FR-fr'`` → ``'fr'``; keeps only the primary subtag, lower-cased."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def direction(code: str) -> str:
    return "rtl" if normalise_code(code) in RTL_LANGUAGES else "ltr"


def language_name(code: str, in_language: str) -> str:
    names = _NAMES.get(normalise_code(code), {})
    return names.get(normalise_code(in_language)) or names.get("en") or code
