"""Converted-model directories of each CTranslate2 family, random weights, built offline.

What ``ct2-transformers-converter`` / ``ct2-opus-mt-converter`` write for
OPUS-MT (Marian), NLLB-200, M2M-100 and MADLAD-400 (T5), with the original
model's SentencePiece file(s) copied in, is rebuilt here from
``ctranslate2.specs``: the same architecture per family (layer layout,
normalisation, activation, position scheme, decoder start token, special and
language tokens), random weights, and SentencePiece models trained on a few
sentences. Outputs are nonsense; the engine's whole path runs for real.

====================  ======================================================================
family                architecture (as CTranslate2's converters declare it)
====================  ======================================================================
marian (OPUS-MT)      post-norm, Swish, sinusoidal positions, decoder starts from a zero
                      embedding after ``</s>``; ``source.spm`` and ``target.spm``; one shared
                      vocabulary (``split_vocab``: ``source_``/``target_vocabulary.json``);
                      ``target_tokens`` adds ``>>ara<<``-style tokens (tc-big en→ar needs one)
nllb / m2m100         pre-norm, ReLU, decoder starts with ``</s>``, language tokens
                      (``eng_Latn`` / ``__en__``), ``sentencepiece.bpe.model``; a length model
                      (see :mod:`.tiny_argos`) makes outputs stop near the source length
madlad (T5)           pre-norm RMSNorm, gated GELU, relative attention bias, no position
                      table, unscaled embeddings, decoder starts with ``<pad>``, ``<2xx>``
                      tokens, ``spiece.model``
====================  ======================================================================

``shape`` picks real sizes for benchmarks (:data:`SHAPES`): random weights at the
real layer counts, widths and vocabulary sizes cost what the real models cost.
Vocabulary entries beyond the SentencePiece model's own pieces are never emitted
(their output bias is -1e4) but are in every output projection, as in the real model.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

from translator_pipeline.testing.tiny_argos import (
    CORPUS_BY_LANGUAGE,
    DEFAULT_CORPUS,
    _train_sentencepiece,
    _transformer_spec,
)

__all__ = [
    "NLLB_CODES",
    "SHAPES",
    "archive_model",
    "build_m2m100_model",
    "build_madlad_model",
    "build_marian_model",
    "build_nllb_model",
]

NLLB_CODES = {"en": "eng_Latn", "fr": "fra_Latn", "ar": "arb_Arab", "es": "spa_Latn"}

#: Real shapes: (encoder layers, decoder layers, d_model, heads, head_dim, ffn, vocabulary).
SHAPES: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "tiny": (2, 2, 64, 4, 16, 128, 0),
    "opus-mt-base": (6, 6, 512, 8, 64, 2048, 60_000),
    "opus-mt-tc-big": (6, 6, 1024, 16, 64, 4096, 60_000),
    "nllb-600m": (12, 12, 1024, 16, 64, 4096, 256_206),
    "m2m100-418m": (12, 12, 1024, 16, 64, 4096, 128_112),
    "madlad-3b": (32, 32, 1024, 16, 128, 8192, 256_000),
}


def _pieces(model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [
        processor.id_to_piece(i)
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]


def _filled(vocabulary: list[str], size: int, stem: str) -> list[str]:
    """``vocabulary`` padded with never-emitted entries up to ``size``."""
    return vocabulary + [f"{stem}{i}" for i in range(max(0, size - len(vocabulary)))]


def _corpus(
    languages: Sequence[str], drop: str = "", corpus: dict[str, Sequence[str]] | None = None
) -> list[str]:
    texts = {**CORPUS_BY_LANGUAGE, **(corpus or {})}
    sentences = [s for code in languages for s in texts.get(code, DEFAULT_CORPUS)]
    if drop:
        sentences = [s.translate({ord(c): None for c in drop}) for s in sentences]
    return sentences


def _save(spec: Any, work: Path, files: dict[str, bytes], final: Path, quantization: str | None):
    spec.validate()
    spec.optimize(quantization=quantization)
    work.mkdir(parents=True)
    spec.save(str(work))
    for name, data in files.items():
        (work / name).write_bytes(data)
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(work), str(final))
    return final


def _sentencepiece(
    sentences: list[str],
    size: int,
    symbols: list[str],
    seed: int,
    corpus: dict[str, Sequence[str]] | None,
) -> bytes:
    """A SentencePiece model; with a caller's ``corpus``, a BPE model learnt from it
    alone: a small repetitive text (a benchmark's) keeps its words whole that way,
    where the synthetic filler or a unigram model would cut them into syllables."""
    if not corpus:
        return _train_sentencepiece(sentences, size, symbols, seed)
    buffer = io.BytesIO()
    options: dict[str, Any] = {
        "sentence_iterator": iter(sentences),
        "model_writer": buffer,
        "model_type": "bpe",
        "vocab_size": size,
        "character_coverage": 1.0,
        "hard_vocab_limit": False,
        "minloglevel": 2,
        "num_threads": 4,
    }
    if symbols:
        options["user_defined_symbols"] = symbols
    spm.SentencePieceTrainer.train(**options)
    return buffer.getvalue()


def _sp_vocab_size(shape: str, tiny: int) -> int:
    # A real-shape model gets a SentencePiece model of a few thousand pieces (training
    # a 256k one would take minutes); the vocabulary is then padded to the real size.
    return tiny if shape == "tiny" else 8000


def build_marian_model(
    dest_dir: Path,
    from_code: str,
    to_code: str,
    *,
    name: str | None = None,
    split_vocab: bool = False,
    target_tokens: Sequence[str] = (),
    shape: str = "tiny",
    vocab_size: int = 200,
    seed: int = 0,
    quantization: str | None = None,
    corpus: dict[str, Sequence[str]] | None = None,
) -> Path:
    """An OPUS-MT conversion at ``dest_dir/<name>`` (default ``opus-mt-<from>-<to>``).

    ``corpus``: training text per language for the SentencePiece models (default:
    the built-in sentences), e.g. a benchmark's own text so it tokenises into
    about as many pieces per word as a real model's vocabulary gives."""
    enc, dec, d_model, heads, head_dim, ffn, real_vocab = SHAPES[shape]
    final = Path(dest_dir) / (name or f"opus-mt-{from_code}-{to_code}")
    if final.exists():
        raise FileExistsError(final)
    size = _sp_vocab_size(shape, vocab_size)
    source_sp = _sentencepiece(_corpus([from_code], corpus=corpus), size, [], seed, corpus)
    target_sp = _sentencepiece(_corpus([to_code], corpus=corpus), size, [], seed + 1, corpus)
    specials = ["</s>", "<unk>"]
    source_pieces, target_pieces = _pieces(source_sp), _pieces(target_sp)
    languages = list(target_tokens)
    if split_vocab:
        source_vocab = [*specials, *languages, *source_pieces]
        target_vocab = [*specials, *target_pieces]
        emitted = len(target_vocab)
        if real_vocab:
            source_vocab = _filled(source_vocab, real_vocab, "▁unused")
            target_vocab = _filled(target_vocab, real_vocab, "▁unused")
    else:
        shared = [*specials, *languages, *dict.fromkeys(source_pieces + target_pieces)]
        emitted = len(shared)
        source_vocab = target_vocab = _filled(shared, real_vocab, "▁unused")
    rng = np.random.default_rng(seed)
    spec = transformer_spec.TransformerSpec.from_config(
        (enc, dec), heads, pre_norm=False, activation=common_spec.Activation.SWISH
    )
    _fill(spec, rng, d_model, heads * head_dim, ffn, source_vocab, target_vocab)
    spec.decoder.start_from_zero_embedding = True
    _forbid(spec, target_vocab, [*languages, "<unk>"], keep=emitted)
    spec.register_source_vocabulary(source_vocab)
    spec.register_target_vocabulary(target_vocab)
    _declare(spec, eos="</s>", unk="<unk>", decoder_start="</s>")
    with tempfile.TemporaryDirectory(prefix="tiny-ct2-") as tmp:
        return _save(
            spec,
            Path(tmp) / final.name,
            {"source.spm": source_sp, "target.spm": target_sp},
            final,
            quantization,
        )


def _multilingual(
    dest_dir: Path,
    name: str,
    languages: Sequence[str],
    tokens: dict[str, str],
    extra: list[str],
    shape: str,
    vocab_size: int,
    seed: int,
    quantization: str | None,
    length_ratio: float | None,
    corpus: dict[str, Sequence[str]] | None = None,
) -> Path:
    layers, _, d_model, heads, _, ffn, real_vocab = SHAPES[shape]  # equal depths, d/heads
    final = Path(dest_dir) / name
    if final.exists():
        raise FileExistsError(final)
    sp_model = _sentencepiece(
        _corpus(languages, corpus=corpus), _sp_vocab_size(shape, vocab_size), [], seed, corpus
    )
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    pieces = [p for p in _pieces(sp_model) if p not in specials]
    vocabulary = [*specials, *pieces, *(tokens[c] for c in languages), *extra]
    vocabulary = _filled(vocabulary, real_vocab, "madeupword")
    # Real models practically never write a language token themselves.
    forbidden = ["<s>", "<pad>", "<unk>", *extra, *tokens.values()]
    forbidden += vocabulary[len(specials) + len(pieces) + len(languages) + len(extra) :]
    spec = _transformer_spec(
        vocabulary,
        vocabulary,
        layers,
        d_model,
        heads,
        ffn,
        seed,
        length_ratio,
        # Untied: the length model rewrites the </s> row of the output projection, and
        # </s> is also these models' decoder start token.
        tied=False,
        forbidden=forbidden,
    )
    _declare(spec, bos="<s>", eos="</s>", unk="<unk>", decoder_start="</s>")
    with tempfile.TemporaryDirectory(prefix="tiny-ct2-") as tmp:
        return _save(
            spec,
            Path(tmp) / final.name,
            {"sentencepiece.bpe.model": sp_model},
            final,
            quantization,
        )


def build_nllb_model(
    dest_dir: Path,
    languages: Sequence[str] = ("en", "fr", "ar"),
    *,
    name: str = "nllb-200-tiny",
    shape: str = "tiny",
    vocab_size: int = 300,
    seed: int = 0,
    quantization: str | None = None,
    length_ratio: float | None = 1.0,
    corpus: dict[str, Sequence[str]] | None = None,
) -> Path:
    """An NLLB-200 conversion: ``eng_Latn``-style tokens, ``sentencepiece.bpe.model``."""
    tokens = {c: NLLB_CODES.get(c, f"{c}x_Latn") for c in languages}
    return _multilingual(
        dest_dir, name, languages, tokens, ["<mask>"], shape, vocab_size, seed, quantization,
        length_ratio, corpus,
    )  # fmt: skip


def build_m2m100_model(
    dest_dir: Path,
    languages: Sequence[str] = ("en", "fr", "ar"),
    *,
    name: str = "m2m100-tiny",
    shape: str = "tiny",
    vocab_size: int = 300,
    seed: int = 0,
    quantization: str | None = None,
    length_ratio: float | None = 1.0,
) -> Path:
    """An M2M-100 conversion: ``__en__``-style tokens, ``madeupword`` padding."""
    tokens = {c: f"__{c}__" for c in languages}
    extra = [f"madeupword{i}" for i in range(4)]
    return _multilingual(
        dest_dir, name, languages, tokens, extra, shape, vocab_size, seed, quantization,
        length_ratio,
    )  # fmt: skip


def build_madlad_model(
    dest_dir: Path,
    languages: Sequence[str] = ("en", "fr", "ar"),
    *,
    name: str = "madlad400-tiny",
    shape: str = "tiny",
    layers: int | None = None,
    vocab_size: int = 300,
    seed: int = 0,
    quantization: str | None = None,
    without: str = "<>",
    extra_sentences: Sequence[str] = ("Voir [annexe 2/3] et la note [1].",),
    corpus: dict[str, Sequence[str]] | None = None,
) -> Path:
    """A MADLAD-400 (T5) conversion: ``<2xx>`` tokens in ``spiece.model``.

    ``without``: characters left out of the SentencePiece training text, so the
    vocabulary cannot write them (T5 vocabularies famously lack ``<``), as a
    placeholder's markup must survive that; ``extra_sentences`` (square brackets and
    a slash by default) are added to it. ``layers`` overrides the depth of
    both stacks (a 3B model at full depth needs more memory than a benchmark box
    may have).
    """
    enc, dec, d_model, heads, head_dim, ffn, real_vocab = SHAPES[shape]
    if layers is not None:
        enc = dec = layers
    final = Path(dest_dir) / name
    if final.exists():
        raise FileExistsError(final)
    tokens = [f"<2{c}>" for c in languages]
    sp_model = _sentencepiece(
        _corpus(languages, drop=without, corpus=corpus) + list(extra_sentences),
        _sp_vocab_size(shape, vocab_size),
        tokens,
        seed,
        corpus,
    )
    specials = ["<pad>", "</s>", "<unk>"]
    pieces = [p for p in _pieces(sp_model) if p not in specials]
    vocabulary = _filled([*specials, *pieces], real_vocab, "<extra_id_")
    if real_vocab:
        vocabulary = [v + ">" if v.startswith("<extra_id_") else v for v in vocabulary]
    rng = np.random.default_rng(seed)
    inner = heads * head_dim
    activation = common_spec.Activation.GELUTanh
    options = dict(pre_norm=True, activation=activation, ffn_glu=True, rms_norm=True)
    encoder = transformer_spec.TransformerEncoderSpec(
        enc, heads, relative_attention_bias=True, head_dim=head_dim, **options
    )
    decoder = transformer_spec.TransformerDecoderSpec(
        dec, heads, relative_attention_bias=True, head_dim=head_dim, **options
    )
    spec = transformer_spec.TransformerSpec(encoder, decoder)
    dtype = np.float32 if shape == "tiny" else np.float16
    _fill(spec, rng, d_model, inner, ffn, vocabulary, vocabulary, glu=True, rms=True, dtype=dtype)
    for stack in (encoder, decoder):
        stack.scale_embeddings = False
        bias = rng.standard_normal((32, heads), dtype=np.float32).astype(dtype)
        for layer in stack.layer:
            layer.self_attention.relative_attention_bias = bias
            layer.self_attention.relative_attention_max_distance = np.dtype("int32").type(128)
    _forbid(spec, vocabulary, ["<pad>", "<unk>", *tokens], keep=len(specials) + len(pieces))
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    _declare(spec, bos="<pad>", eos="</s>", unk="<unk>", decoder_start="<pad>")
    with tempfile.TemporaryDirectory(prefix="tiny-ct2-") as tmp:
        return _save(spec, Path(tmp) / final.name, {"spiece.model": sp_model}, final, quantization)


def _fill(
    spec: transformer_spec.TransformerSpec,
    rng: np.random.Generator,
    d_model: int,
    inner: int,
    ffn: int,
    source_vocab: list[str],
    target_vocab: list[str],
    glu: bool = False,
    rms: bool = False,
    dtype: Any = np.float32,
) -> None:
    """Random weights for every layer of ``spec`` (attention width ``inner``).

    ``dtype=np.float16`` halves the memory a big shape needs while it is built
    (quantized to int8 on saving either way)."""

    def weight(rows: int, cols: int) -> np.ndarray:
        out = np.empty((rows, cols), dtype=dtype)
        for start in range(0, rows, 4096):  # in slices: no float32 copy of the whole matrix
            block = rng.standard_normal((min(4096, rows - start), cols), dtype=np.float32)
            out[start : start + len(block)] = block * np.float32(cols**-0.5)
        return out

    def norm(layer: common_spec.LayerNormSpec) -> None:
        layer.gamma = np.ones(d_model, dtype=dtype)
        if not rms:
            layer.beta = np.zeros(d_model, dtype=dtype)

    def ffn_layer(layer: Any) -> None:
        norm(layer.layer_norm)
        layer.linear_0.weight = weight(ffn, d_model)
        if glu:
            layer.linear_0_noact.weight = weight(ffn, d_model)
        layer.linear_1.weight = weight(d_model, ffn)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = weight(len(source_vocab), d_model)
    decoder.embeddings.weight = weight(len(target_vocab), d_model)
    decoder.projection.weight = weight(len(target_vocab), d_model)
    for stack in (encoder, decoder):
        if hasattr(stack, "layer_norm"):
            norm(stack.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weight(3 * inner, d_model)
        layer.self_attention.linear[1].weight = weight(d_model, inner)
        ffn_layer(layer.ffn)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weight(3 * inner, d_model)
        layer.self_attention.linear[1].weight = weight(d_model, inner)
        norm(layer.attention.layer_norm)
        layer.attention.linear[0].weight = weight(inner, d_model)
        layer.attention.linear[1].weight = weight(2 * inner, d_model)
        layer.attention.linear[2].weight = weight(d_model, inner)
        ffn_layer(layer.ffn)


def _declare(spec: Any, **tokens: str) -> None:
    """The special tokens config.json records (``eos="</s>"`` → ``eos_token``)."""
    for role, token in tokens.items():
        setattr(spec.config, f"{role}_token", token)


def _forbid(spec: Any, vocabulary: list[str], tokens: Sequence[str], keep: int) -> None:
    """An output bias that never emits ``tokens`` nor the padding after index ``keep``."""
    dtype = spec.decoder.projection.weight.dtype
    bias = np.zeros(len(vocabulary), dtype=dtype)
    banned = set(tokens)
    bias[[i for i, t in enumerate(vocabulary) if t in banned]] = -1e4
    bias[keep:] = -1e4
    spec.decoder.projection.bias = bias


def archive_model(directory: Path, path: Path) -> Path:
    """``directory`` packed as ``path`` (``.zip`` or ``.tar.gz``), one top-level folder."""
    directory, path = Path(directory), Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(directory.rglob("*")):
                zf.write(file, file.relative_to(directory.parent).as_posix())
    else:
        with tarfile.open(path, "w:gz") as tf:
            tf.add(directory, arcname=directory.name)
    return path


def model_config(directory: Path) -> dict[str, Any]:
    """The converted model's config.json (tests read the tokens it declares)."""
    return json.loads((Path(directory) / "config.json").read_text(encoding="utf-8"))
