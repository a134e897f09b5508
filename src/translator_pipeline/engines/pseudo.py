"""Deterministic pseudo-translation for dry runs, demos and layout tests.

Pseudo-localisation is an established i18n practice: the output is obviously
not a translation, yet it has the target's script and direction, so layout,
RTL, disclaimers and markup handling can be checked without a model. Every
segment starts with ``[xx~]`` so nobody mistakes it for a translation, and the
rendered page says so too.

Placeholders, URLs, e-mail addresses and numbers are copied unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from translator_pipeline.language.facts import direction
from translator_pipeline.models import EngineSignature

__all__ = ["PseudoTranslator"]

_KEEP = re.compile(
    r"(</?g\d+>|<x\d+/>|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|\d[\d.,:/\-]*)"
)
# Latin letters → accented look-alikes (text stays readable for a layout check).
_ACCENT = str.maketrans("aceinouyACEINOUY", "áçéîñöûýÁÇÉÎÑÖÛÝ")
# Latin → Arabic letters, so an RTL variant really is right-to-left text.
_LATIN_TO_ARABIC = dict(
    zip("abcdefghijklmnopqrstuvwxyz", "ابكديفغهيجكلمنوبقرستوفوشيز", strict=True)
)
_TO_ARABIC = str.maketrans(
    {
        **_LATIN_TO_ARABIC,
        **{k.upper(): v for k, v in _LATIN_TO_ARABIC.items()},
        ",": "،",
        ";": "؛",
        "?": "؟",
    }
)
# Arabic letters → Latin, so an LTR variant of an Arabic article is Latin text.
_FROM_ARABIC = {
    **dict.fromkeys("اأإآء", "a"),
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "'",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "a",
    "و": "w",
    "ي": "y",
    "ى": "a",
    "ئ": "'",
    "ؤ": "'",
    "،": ",",
    "؛": ";",
    "؟": "?",
}
_FROM_ARABIC_TABLE = str.maketrans(_FROM_ARABIC)
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")


class PseudoTranslator:
    """Engine ``pseudo``: visibly fake, deterministic, supports every pair."""

    name = "pseudo"
    pseudo = True
    version = "1"

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings

    def supports(self, source: str, target: str) -> bool:
        return source != target

    def signature(self, source: str, target: str) -> EngineSignature:
        return EngineSignature(engine="pseudo", model="charmap", version=self.version)

    def _word(self, text: str, target: str) -> str:
        text = _DIACRITICS.sub("", text).translate(_FROM_ARABIC_TABLE)
        if direction(target) == "rtl":
            return text.translate(_TO_ARABIC)
        return text.translate(_ACCENT)

    def translate_one(self, text: str, target: str) -> str:
        parts = _KEEP.split(text)
        out = [p if i % 2 else self._word(p, target) for i, p in enumerate(parts)]
        return f"[{target}~] " + "".join(out)

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [self.translate_one(t, target) if t.strip() else t for t in texts]
