"""The engine's view of both Argos tokenizers: round trips, placeholders, word boundaries.

A model that copied its input token for token must give the input back: the
placeholders the HTML stage puts in a sentence (``<g1>``, ``</g1>``, ``<x2/>``)
must survive each tokenizer's encode/decode exactly as written.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
import sentencepiece as spm
from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer

from translator_pipeline.config.settings import ArgosSettings
from translator_pipeline.engines.argos import ArgosTranslator
from translator_pipeline.engines.argos_tokens import BPECodec, SentencePieceCodec
from translator_pipeline.testing.tiny_argos import DEFAULT_CORPUS

SENTENCES = [
    "Read the <g1>full statement</g1> on the official website<x2/>.",
    "The <g1>minister</g1> met <g2>delegates</g2> from 12 countries.",
    "Le <g1>ministre</g1> a reçu la délégation<x3/> au palais.",
    "Files named report_2025_final.pdf are kept.",
]


@pytest.fixture(scope="module")
def bpe_codec(tmp_path_factory) -> BPECodec:
    """A BPE tokenizer as argostranslate loads it, with merges learnt from a few words."""
    codes = tmp_path_factory.mktemp("bpe") / "bpe.model"
    merges = ["t h", "th e</w>", "m i", "mi n", "s t", "e n", "o n", "a l</w>", "r e", "i n"]
    codes.write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    return BPECodec(BPETokenizer(codes, "en", "fr"))


@pytest.fixture(scope="module")
def sp_codec(tmp_path_factory) -> SentencePieceCodec:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(DEFAULT_CORPUS),
        model_writer=buffer,
        vocab_size=300,
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=1,
    )
    path = tmp_path_factory.mktemp("sp") / "sentencepiece.model"
    path.write_bytes(buffer.getvalue())
    return SentencePieceCodec(SentencePieceTokenizer(path))


@pytest.mark.parametrize("sentence", SENTENCES)
def test_bpe_round_trip_keeps_placeholders_and_spacing(bpe_codec, sentence):
    tokens = bpe_codec.encode(sentence)
    assert any(t.endswith("@@") for t in tokens)  # words really were split
    assert bpe_codec.decode(tokens, sentence) == sentence


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentencepiece_round_trip_keeps_placeholders_and_underscores(sp_codec, sentence):
    assert sp_codec.decode(sp_codec.encode(sentence), sentence) == sentence


def test_bpe_output_cut_short_loses_no_text_to_join_marks(bpe_codec):
    assert bpe_codec.decode(["the", "mi@@", "n@@"]) == "the min"


def test_word_starts_of_each_tokenizer(bpe_codec, sp_codec):
    tokens = bpe_codec.encode("the ministers")
    starts = bpe_codec.word_starts(tokens)
    words = ["".join(t.removesuffix("@@") for t in tokens[i:j])
             for i, j in _spans(starts)]  # fmt: skip
    assert words == ["the", "ministers"]
    sp_tokens = sp_codec.encode("the ministers")
    assert sp_codec.word_starts(sp_tokens) == [t.startswith("▁") for t in sp_tokens]


def _spans(starts: list[bool]) -> list[tuple[int, int]]:
    begins = [i for i, s in enumerate(starts) if s] + [len(starts)]
    return list(itertools.pairwise(begins))


def test_long_bpe_input_is_cut_between_words(bpe_codec, tmp_path):
    engine = ArgosTranslator(ArgosSettings(packages_dir=tmp_path, max_input_tokens=16))
    tokens = bpe_codec.encode(" ".join(["the ministers in session"] * 20))
    chunks = engine._chunks(tokens, bpe_codec.word_starts(tokens))
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= 16
    assert [t for c in chunks for t in c] == tokens
    assert all(not chunk[-1].endswith("@@") for chunk in chunks)


def test_installed_bpe_package_is_read_by_the_engine(tmp_path: Path):
    """The engine picks the BPE codec for a package with bpe.model (Package decides)."""
    from argostranslate.package import Package

    from translator_pipeline.engines.argos_tokens import codec_for

    package = tmp_path / "en_fr"
    package.mkdir()
    (package / "metadata.json").write_text('{"from_code": "en", "to_code": "fr"}')
    (package / "bpe.model").write_text("#version: 0.2\nt h\n", encoding="utf-8")
    assert isinstance(codec_for(Package(package)), BPECodec)


def test_bpe_keeps_urls_addresses_and_snake_case_whole(bpe_codec):
    sentence = "Write to press@un.org or see https://example.org/a_b?q=1 for data_2025."
    assert bpe_codec.decode(bpe_codec.encode(sentence), sentence) == sentence
