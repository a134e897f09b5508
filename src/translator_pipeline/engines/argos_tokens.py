"""The two tokenizers real Argos packages ship, as the engine needs them.

Argos packages carry either a ``sentencepiece.model`` (Argos-trained models,
and the Opus-MT ports, whose file covers only the *source* side) or a
``bpe.model`` (older OpenNMT models: Moses tokenisation, then subword-nmt BPE
with ``@@`` continuation marks). argostranslate's own ``decode`` turns every
``_`` into a space (SentencePiece) and its Moses tokeniser splits ``<g1>`` into
``&lt; g1 &gt;``; the engine needs neither, so each codec here does:

* ``encode(sentence)``: the tokens the model was trained on (argostranslate's);
* ``decode(tokens, source)``: text, with the engine's placeholders (``<g1>``,
  ``</g1>``, ``<x2/>``) rebuilt and spaced as in the source;
* ``word_starts(tokens)``: where a long token list may be cut without
  splitting a word.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from translator_pipeline.html.placeholders import LOOSE_PLACEHOLDER as _LOOSE_PLACEHOLDER
from translator_pipeline.html.placeholders import PLACEHOLDER as _PLACEHOLDER

__all__ = ["BPECodec", "Codec", "SentencePieceCodec", "codec_for", "tidy_placeholders"]

_SP_SPACE = "\u2581"
_BPE_JOIN = "@@"

# Runs the Moses tokeniser must keep whole: URLs, e-mail addresses, snake_case names.
_PROTECTED = [
    r"(?:https?|ftp)://[^\s<>\"]+[^\s<>\".,;:!?)»]",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    r"\w+(?:_\w+)+(?:\.\w+)*",
]


class Codec(Protocol):
    def encode(self, sentence: str) -> list[str]: ...

    def decode(self, tokens: list[str], source: str = "") -> str: ...

    def word_starts(self, tokens: list[str]) -> list[bool]: ...


def codec_for(package: Any) -> Codec:
    """The codec for an ``argostranslate.package.Package``'s tokenizer."""
    tokenizer = package.tokenizer
    if hasattr(tokenizer, "lazy_processor"):
        return SentencePieceCodec(tokenizer)
    return BPECodec(tokenizer)


class SentencePieceCodec:
    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def encode(self, sentence: str) -> list[str]:
        return list(self._tokenizer.lazy_processor().encode(sentence, out_type=str))

    def decode(self, tokens: list[str], source: str = "") -> str:
        text = str(self._tokenizer.lazy_processor().decode_pieces(tokens))
        # Pieces the shipped model does not know (target pieces of a source-only
        # Opus-MT model) come back verbatim, word marks and all. Only U+2581 is
        # replaced: a real "_" stays.
        if _SP_SPACE in text:
            text = re.sub(" {2,}", " ", text.replace(_SP_SPACE, " "))
        return _tidy_placeholders(text.strip(), source)

    def word_starts(self, tokens: list[str]) -> list[bool]:
        return [t.startswith(_SP_SPACE) for t in tokens]


class BPECodec:
    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def encode(self, sentence: str) -> list[str]:
        # argostranslate's steps (Moses normalise, tokenise, BPE), except that URLs,
        # e-mail addresses and snake_case names stay whole: Moses would split them
        # at every "_" or "/" and its detokeniser does not join them again.
        tokenizer = self._tokenizer
        tokenizer.lazy_load()
        normalized = tokenizer.normalizer.normalize(sentence)
        words = tokenizer.tokenizer.tokenize(normalized, protected_patterns=_PROTECTED)
        words = " ".join(words).strip("\r\n ").split(" ")
        return list(tokenizer.bpe_source.segment_tokens(words))

    def decode(self, tokens: list[str], source: str = "") -> str:
        tokenizer = self._tokenizer
        tokenizer.lazy_load()
        # Join continued pieces; a dangling "@@" (output cut short) is dropped.
        words = " ".join(tokens).replace(_BPE_JOIN + " ", "").split()
        words = [w.removesuffix(_BPE_JOIN) for w in words]
        text = str(tokenizer.detokenizer.detokenize(words))
        return _tidy_placeholders(text.strip(), source)

    def word_starts(self, tokens: list[str]) -> list[bool]:
        return [i == 0 or not tokens[i - 1].endswith(_BPE_JOIN) for i in range(len(tokens))]


def _tidy_placeholders(text: str, source: str) -> str:
    """Rebuild spread-out placeholders and give each the spacing it had in the source.

    Moses tokenisation always separates ``<g1>`` from its neighbours, so
    ``la <g1> déclaration </g1>.`` comes back where the source had
    ``la <g1>déclaration</g1>.``; inside-tag spaces would become part of a link.
    """
    if "<" not in text:
        return text
    text = _LOOSE_PLACEHOLDER.sub(lambda m: f"<{m[1]}{m[2]}{m[3]}{m[4]}>", text)
    for tag in set(_PLACEHOLDER.findall(source)):
        at = source.index(tag)
        space_before = at > 0 and source[at - 1].isspace()
        end = at + len(tag)
        space_after = end < len(source) and source[end].isspace()
        escaped = re.escape(tag)
        if not space_before:
            text = re.sub(r"(?<=\S)\s+" + escaped, tag, text)
        if not space_after:
            text = re.sub(escaped + r"\s+(?=\S)", tag, text)
    return text


#: Public name: the other CTranslate2 families' codecs tidy the same way.
tidy_placeholders = _tidy_placeholders
