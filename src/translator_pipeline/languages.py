"""Language facts the pipeline needs: writing direction and display names.

Names are given in the languages we write disclaimers in; for any other
display language we fall back to the English name, then to the code.
"""

from __future__ import annotations

__all__ = ["RTL_LANGUAGES", "direction", "language_name", "normalise_code"]

RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku-arab", "ps", "sd", "ug", "ur", "yi"}
)

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
