"""Generate small but genuine Argos Translate packages for tests and benchmarks.

No real Argos model can be downloaded where the tests run, so this module builds
one from scratch: a SentencePiece model trained on a few sentences, and a
CTranslate2 Transformer with random weights whose vocabulary is exactly the
SentencePiece pieces. The output is nonsense, but every layer of the real code
path runs: ``argostranslate.package`` discovery and metadata, the package's
``SentencePieceTokenizer``, and ``ctranslate2.Translator``.

Layout written by :func:`build_argos_package` (what ``Package(path)`` reads)::

    <dest_dir>/translate-<from>_<to>-<version with "_">/   (or ``top_folder``, e.g. en_ar)
        metadata.json        package_version, argos_version, from/to code+name,
                             type="translate", optional target_prefix
                             (``basic_metadata``: the six basic fields only)
        sentencepiece.model  found by name at the package root -> SentencePieceTokenizer
        bpe.model            instead, for layout "opus-bpe" -> BPETokenizer
        stanza/              optional (``stanza=True``): sentence-splitter data
        README.md            returned by Package.get_readme()
        model/               model.bin, config.json, shared_vocabulary.json
                             (or source_/target_vocabulary.json)

The index's real packages come in three layouts, each of which ``layout`` builds:

* ``"argos"``: Argos-trained (e.g. en↔ar 1.0): one SentencePiece model shared by
  source and target, shared vocabulary; these also carry ``stanza/``, a top
  folder named ``en_ar`` and basic metadata.
* ``"opus-sp"``: Opus-MT ports (e.g. en↔fr 1.9) that ship only the *source*
  SentencePiece model; the CTranslate2 model has its own target vocabulary,
  many of whose pieces the shipped model does not know (``decode_pieces``
  returns those verbatim, word marks ``▁`` included).
* ``"opus-bpe"``: ports that ship ``bpe.model``, subword-nmt BPE codes over
  Moses-tokenised text (argostranslate's BPETokenizer: sacremoses normaliser
  and tokeniser, then BPE with ``@@`` continuation marks).

``real_shape=True`` gives Transformer-base (6+6 layers, d_model 512, 8 heads,
FFN 2048, 32k vocabulary, tied embeddings), the size of a real package, for
benchmarks.

What argostranslate 1.11 does with a packages directory (read from its source):

* ``import argostranslate.package`` imports ``argostranslate.settings``, which at
  import time reads env vars and ``$XDG_CONFIG_HOME/argos-translate/settings.json``
  and *creates directories*: ``$XDG_DATA_HOME/argos-translate``,
  ``$XDG_CONFIG_HOME/argos-translate``, ``$XDG_CACHE_HOME/argos-translate/downloads``
  (defaults under ``~/.local/share``, ``~/.config``, ``~/.local/cache``) and the
  packages directory itself. Nothing is downloaded on import; torch, stanza and
  ctranslate2 are not imported by it either (``argostranslate.translate`` does).
* The packages directory comes from ``ARGOS_PACKAGES_DIR`` (plural; the
  ``ARGOS_PACKAGE_DIR`` spelling in its docs is not read, and the legacy
  ``ARGOS_TRANSLATE_PACKAGE_DIR`` is read but unused), else ``settings.json``,
  else ``$XDG_DATA_HOME/argos-translate/packages``. It is frozen into
  ``settings.package_dirs`` at import, so setting the variable later has no effect.
* ``get_installed_packages(path)`` takes a *list* of directories despite its
  ``Path`` hint (a bare ``Path`` raises ``TypeError``). Without it, it scans
  ``settings.package_dirs``. Every subdirectory must hold a ``metadata.json``, or
  the whole call raises ``FileNotFoundError``, which is why packages are built
  elsewhere and moved into place at the end.

* ``install_from_path(file)`` unzips into ``settings.package_data_dir`` and then
  imports ``argostranslate.translate`` (torch, stanza, spacy: ~2.5 s) to clear
  its language cache.

So in-process, call ``get_installed_packages([dest_dir])`` or construct
``Package(path)`` directly. To use the env var, set it before the first import,
e.g. in a subprocess started with :func:`argos_environment`.

Gotchas:

* Do not test through ``argostranslate.translate``: its sentence splitter
  (MiniSBD) downloads an ONNX model the first time it is used.
* ``Package.tokenizer`` is a lazy ``SentencePieceTokenizer``: ``encode`` returns
  pieces (strings). Characters the model never saw come back as their surface
  text (``"日本"``), not ``"<unk>"``; CTranslate2 maps them to ``<unk>`` itself.
* ``decode`` replaces every ``"_"`` by a space after decoding, so argostranslate
  only strips a ``target_prefix`` without underscores (``"<2fr>"`` yes,
  ``"__fr__"`` no). CTranslate2 returns the prefix as the first output token;
  dropping it before decoding is the robust way.
"""

from __future__ import annotations

import heapq
import io
import itertools
import json
import os
import random
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import ctranslate2
import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

from translator_pipeline.language.facts import language_name

__all__ = [
    "CORPUS_BY_LANGUAGE",
    "DEFAULT_CORPUS",
    "SPECIAL_TOKENS",
    "argos_environment",
    "build_argos_archive",
    "build_argos_package",
    "package_dir_name",
    "read_vocabulary",
]

#: OpenNMT-py's special tokens, in its order; ctranslate2 looks up unk/bos/eos by name.
SPECIAL_TOKENS: tuple[str, ...] = ("<unk>", "<blank>", "<s>", "</s>")

#: The Argos Translate release the generated metadata claims to target.
ARGOS_VERSION = "1.9"

# Short news-like sentences in the pipeline's three languages. Accents, Arabic
# letters, digits, quotes and the ``<g1>``/``<x2/>`` placeholder characters all
# appear, so character_coverage=1.0 gives each of them a piece.
DEFAULT_CORPUS: tuple[str, ...] = (
    "The minister announced a new plan for rural schools on Monday.",
    "Parliament approved the 2025 budget after a long debate.",
    "Heavy rain caused flooding in several coastal towns.",
    "The central bank kept its interest rate unchanged at 3.5%.",
    "Officials said the new hospital will open next spring.",
    "Farmers welcomed the decision to lower fuel prices.",
    "The president received the foreign delegation at the palace.",
    "A national vaccination campaign starts next week.",
    "Exports rose by 12 percent compared with last year.",
    "The university will offer 500 new scholarships to students.",
    "Police closed the main road after the accident.",
    "The ministry published the results of the national exam.",
    "Talks between the two countries will resume in Geneva.",
    "The festival attracted thousands of visitors from abroad.",
    "Read the <g1>full statement</g1> on the official website.",
    "Water supply will be interrupted on Friday from 8 a.m. to noon.",
    "The government said: “We will protect jobs and wages.”",
    "Le ministre a annoncé lundi un nouveau plan pour les écoles rurales.",
    "Le Parlement a adopté le budget 2025 après un long débat.",
    "De fortes pluies ont provoqué des inondations dans plusieurs villes côtières.",
    "La banque centrale a maintenu son taux directeur à 3,5 %.",
    "Selon les autorités, le nouvel hôpital ouvrira au printemps prochain.",
    "Les agriculteurs ont salué la baisse du prix du carburant.",
    "Le président a reçu la délégation étrangère au palais.",
    "Une campagne nationale de vaccination débutera la semaine prochaine.",
    "Les exportations ont augmenté de 12 % par rapport à l'an dernier.",
    "L'université offrira 500 nouvelles bourses aux étudiants.",
    "La police a fermé la route principale après l'accident.",
    "Le ministère a publié les résultats de l'examen national.",
    "Les négociations entre les deux pays reprendront à Genève.",
    "Le festival a attiré des milliers de visiteurs étrangers.",
    "Lisez la <g1>déclaration complète</g1> sur le site officiel<x2/>.",
    "« Nous protégerons l'emploi et les salaires », a déclaré le gouvernement.",
    "Œuvre commune, la réforme sera évaluée dès l'été, à Noël et en août.",
    "أعلن الوزير يوم الاثنين عن خطة جديدة للمدارس الريفية.",
    "صادق البرلمان على ميزانية 2025 بعد نقاش طويل.",
    "تسببت الأمطار الغزيرة في فيضانات في عدة مدن ساحلية.",
    "أبقى البنك المركزي سعر الفائدة دون تغيير عند 3.5 في المئة.",
    "قال المسؤولون إن المستشفى الجديد سيفتح أبوابه في الربيع المقبل.",
    "رحب المزارعون بقرار خفض أسعار الوقود.",
    "استقبل الرئيس الوفد الأجنبي في القصر.",
    "تنطلق حملة وطنية للتلقيح الأسبوع المقبل.",
    "ارتفعت الصادرات بنسبة 12 في المئة مقارنة بالعام الماضي.",
    "ستقدم الجامعة 500 منحة دراسية جديدة للطلاب.",
    "أغلقت الشرطة الطريق الرئيسي بعد الحادث.",
    "نشرت الوزارة نتائج الامتحان الوطني.",
    "ستستأنف المحادثات بين البلدين في جنيف.",
    "اجتذب المهرجان آلاف الزوار من الخارج.",
    "اقرأ <g1>البيان الكامل</g1> على الموقع الرسمي؟",
    "وقالت الحكومة: «سنحمي الوظائف والأجور»، وأضافت أن الإصلاح مستمر؛ ١٢٣٤٥٦٧٨٩٠.",
)

#: The default corpus split by language (a language without sentences here uses all of it).
CORPUS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": DEFAULT_CORPUS[:17],
    "fr": DEFAULT_CORPUS[17:34],
    "ar": DEFAULT_CORPUS[34:],
}

Layout = Literal["argos", "opus-sp", "opus-bpe"]
_REAL_SHAPE = {"layers": 6, "d_model": 512, "heads": 8, "ffn": 2048, "vocab_size": 32000}

# Syllable inventories for the synthetic filler text (see _synthetic_corpus).
_LATIN_ONSETS = (
    "", "b", "c", "d", "f", "g", "h", "j", "l", "m", "n", "p", "r", "s", "t", "v",
    "ch", "tr", "pl", "pr", "br", "gr", "qu", "st", "cl", "fr", "th",
)  # fmt: skip
_LATIN_NUCLEI = (
    "a", "e", "i", "o", "u", "y", "é", "è", "ê", "à", "ou", "ai", "an", "on", "in", "eu", "oi",
)  # fmt: skip
_LATIN_CODAS = ("", "", "", "n", "r", "s", "l", "t", "x", "m", "nd", "st")
_ARABIC_CONSONANTS = tuple("بتثجحخدذرزسشصضطظعغفقكلمنهويء")
_ARABIC_VOWELS = ("", "ا", "و", "ي", "ة")


def package_dir_name(from_code: str, to_code: str, package_version: str = "1.0") -> str:
    """The directory name Argos uses for an installed package, e.g. ``translate-en_fr-1_0``."""
    return f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"


def argos_environment(packages_dir: Path, state_dir: Path) -> dict[str, str]:
    """Environment for a subprocess whose argostranslate sees only ``packages_dir``.

    The XDG variables send the directories argostranslate creates on import (and
    any ``settings.json`` it would read) into ``state_dir`` instead of ``$HOME``.
    """
    env = dict(os.environ)
    env.update(
        ARGOS_PACKAGES_DIR=str(packages_dir),
        XDG_DATA_HOME=str(state_dir / "data"),
        XDG_CONFIG_HOME=str(state_dir / "config"),
        XDG_CACHE_HOME=str(state_dir / "cache"),
        ARGOS_DEVICE_TYPE="cpu",
    )
    env.pop("SNAP", None)  # under snap, argostranslate ignores XDG and adds its own dirs
    return env


def read_vocabulary(model_dir: Path) -> list[str]:
    """The shared vocabulary of a CTranslate2 model directory (json or legacy txt)."""
    json_path = model_dir / "shared_vocabulary.json"
    if json_path.exists():
        return json.loads(json_path.read_text(encoding="utf-8"))
    return (model_dir / "shared_vocabulary.txt").read_text(encoding="utf-8").splitlines()


def build_argos_package(
    dest_dir: Path,
    from_code: str,
    to_code: str,
    *,
    corpus: Sequence[str] | None = None,
    vocab_size: int = 200,
    layers: int = 2,
    d_model: int = 64,
    heads: int = 4,
    ffn: int = 128,
    target_prefix: str | None = None,
    package_version: str = "1.0",
    seed: int = 0,
    quantization: str | None = None,
    user_symbols: Sequence[str] = (),
    length_ratio: float | None = 1.0,
    layout: Layout = "argos",
    top_folder: str | None = None,
    basic_metadata: bool = False,
    stanza: bool = False,
    tied_embeddings: bool = False,
    real_shape: bool = False,
) -> Path:
    """Build an installed-style Argos package in ``dest_dir`` and return its directory.

    ``vocab_size`` is an upper bound: SentencePiece may produce fewer pieces when
    the corpus is small. If the corpus cannot reach it, deterministic synthetic
    text is added (that is how a 32k vocabulary is reached from the built-in
    sentences). The CTranslate2 vocabulary is the four OpenNMT special tokens
    followed by every non-control SentencePiece piece, so every token the
    tokenizer emits for covered characters is in it.

    ``target_prefix`` is added as a SentencePiece user-defined symbol (so it is
    one token) and written to metadata.json. ``user_symbols`` are more such
    symbols, e.g. placeholders; real Argos models have none, so by default
    ``<g1>`` is split into ordinary pieces as it would be in production.

    ``length_ratio``: the model emits ``</s>`` after about ``length_ratio ×
    (source tokens - 1)`` tokens, so decoding costs what it would with a real
    model; ``None`` leaves the weights purely random, and then nearly every
    sentence runs to ``max_decoding_length``.

    ``layout`` (see the module docstring), ``top_folder`` (the directory name),
    ``basic_metadata``, ``stanza``, ``tied_embeddings`` and ``real_shape``
    reproduce the traits of the index's real packages. With ``layout`` other
    than ``"argos"``, ``corpus`` (default: :data:`CORPUS_BY_LANGUAGE`) feeds both
    sides and each side's tokenizer learns from its own language.

    The same arguments give byte-identical files on any machine with the same
    sentencepiece/ctranslate2/numpy/sacremoses versions. Raises
    ``FileExistsError`` if the package directory already exists.
    """
    if real_shape:
        layers, d_model, heads, ffn = (
            _REAL_SHAPE[k] for k in ("layers", "d_model", "heads", "ffn")
        )
        vocab_size, tied_embeddings = _REAL_SHAPE["vocab_size"], True
    if d_model % heads:
        raise ValueError(f"d_model ({d_model}) must be divisible by heads ({heads})")
    if layout not in ("argos", "opus-sp", "opus-bpe"):
        raise ValueError(f"unknown layout {layout!r}")
    dest_dir = Path(dest_dir)
    final_dir = dest_dir / (top_folder or package_dir_name(from_code, to_code, package_version))
    if final_dir.exists():
        raise FileExistsError(final_dir)

    symbols = list(dict.fromkeys([*([target_prefix] if target_prefix else []), *user_symbols]))
    tokenizer_files: dict[str, bytes] = {}
    if layout == "argos":
        sp_model = _train_sentencepiece(
            list(corpus) if corpus is not None else list(DEFAULT_CORPUS), vocab_size, symbols, seed
        )
        tokenizer_files["sentencepiece.model"] = sp_model
        source_vocabulary = target_vocabulary = _vocabulary(sp_model)
    elif layout == "opus-sp":
        source_sp = _train_sentencepiece(_side_corpus(corpus, from_code), vocab_size, symbols, seed)
        # The target model is trained, used for the vocabulary, and not shipped.
        target_sp = _train_sentencepiece(
            _side_corpus(corpus, to_code), vocab_size, symbols, seed + 1
        )
        tokenizer_files["sentencepiece.model"] = source_sp
        source_vocabulary, target_vocabulary = _vocabulary(source_sp), _vocabulary(target_sp)
    else:
        codes, bpe_vocabulary = _learn_bpe(
            [(from_code, t) for t in _side_corpus(corpus, from_code)]
            + [(to_code, t) for t in _side_corpus(corpus, to_code)],
            vocab_size,
            seed,
        )
        tokenizer_files["bpe.model"] = codes
        source_vocabulary = target_vocabulary = bpe_vocabulary

    metadata: dict[str, object] = {
        "package_version": package_version,
        "argos_version": ARGOS_VERSION,
        "from_code": from_code,
        "from_name": language_name(from_code, "en"),
        "to_code": to_code,
        "to_name": language_name(to_code, "en"),
    }
    if not basic_metadata:
        metadata.update(type="translate", links=[])
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    # Not read by argostranslate; records how to rebuild the package.
    generated_by = {
        "module": __name__,
        "seed": seed,
        "layers": layers,
        "d_model": d_model,
        "heads": heads,
        "ffn": ffn,
        "vocab_size": len(target_vocabulary),
        "quantization": quantization,
        "length_ratio": length_ratio,
    }
    if layout != "argos" or tied_embeddings:
        generated_by.update(layout=layout, tied_embeddings=tied_embeddings)
    if not basic_metadata:
        metadata["generated_by"] = generated_by

    dest_dir.mkdir(parents=True, exist_ok=True)
    # Build outside dest_dir: a half-written subdirectory without metadata.json
    # would make get_installed_packages() raise for anyone scanning dest_dir.
    with tempfile.TemporaryDirectory(prefix="tiny-argos-") as tmp:
        work = Path(tmp) / final_dir.name
        (work / "model").mkdir(parents=True)
        spec = _transformer_spec(
            source_vocabulary,
            target_vocabulary,
            layers,
            d_model,
            heads,
            ffn,
            seed,
            length_ratio,
            tied_embeddings,
        )
        spec.validate()
        spec.optimize(quantization=quantization)
        spec.save(str(work / "model"))
        for name, data in tokenizer_files.items():
            (work / name).write_bytes(data)
        if stanza:
            _write_stanza(work / "stanza", from_code)
        (work / "README.md").write_text(
            _readme(metadata, generated_by if basic_metadata else None), encoding="utf-8"
        )
        (work / "metadata.json").write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        shutil.move(str(work), str(final_dir))
    return final_dir


def _side_corpus(corpus: Sequence[str] | None, code: str) -> list[str]:
    if corpus is not None:
        return list(corpus)
    return list(CORPUS_BY_LANGUAGE.get(code, DEFAULT_CORPUS))


def _write_stanza(directory: Path, code: str) -> None:
    """A stanza/ folder shaped like the real packages' (argostranslate only checks it exists)."""
    tokenize = directory / code / "tokenize"
    tokenize.mkdir(parents=True)
    (tokenize / f"{code}.pt").write_bytes(b"generated placeholder, not a stanza model\n")
    resources = {code: {"tokenize": {code: {"md5": "0" * 32}}, "default_processors": {}}}
    (directory / "resources.json").write_text(json.dumps(resources, indent=2) + "\n")


def build_argos_archive(path: Path, from_code: str, to_code: str, **kw: Any) -> Path:
    """Build a package and zip it as a ``.argosmodel`` file at ``path``.

    The zip holds one top-level directory (the package), which is what
    ``argostranslate.package.install_from_path`` extracts into its packages dir.
    Entries carry a fixed timestamp, so the archive is reproducible too.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="tiny-argos-zip-") as tmp:
        package = build_argos_package(Path(tmp), from_code, to_code, **kw)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_zip_info(package.name + "/"), b"")
            for file in sorted(package.rglob("*")):
                name = file.relative_to(package.parent).as_posix()
                if file.is_dir():
                    archive.writestr(_zip_info(name + "/"), b"")
                else:
                    info = _zip_info(name)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, file.read_bytes())
    return path


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = (0o40755 if name.endswith("/") else 0o644) << 16
    return info


# --- SentencePiece -----------------------------------------------------------------


def _train_sentencepiece(
    sentences: list[str], vocab_size: int, symbols: list[str], seed: int
) -> bytes:
    model = _spm_train(sentences, vocab_size, symbols)
    if _piece_count(model) < vocab_size:
        # The corpus cannot support that many pieces; pad it with synthetic words
        # (the real sentences stay, so their pieces are still learnt).
        model = _spm_train(sentences + _synthetic_corpus(vocab_size, seed), vocab_size, symbols)
    return model


_SPM_THREADS = 4


def _spm_train(sentences: list[str], vocab_size: int, symbols: list[str]) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, object] = {
        "sentence_iterator": iter(sentences),
        "model_writer": buffer,
        "model_type": "unigram",  # SentencePiece's default
        "vocab_size": vocab_size,
        "character_coverage": 1.0,  # keep every Arabic letter and French accent
        "hard_vocab_limit": False,  # a smaller vocabulary than asked is fine
        "minloglevel": 2,
        # The learnt pieces depend on the thread count, so it is fixed, not os.cpu_count().
        "num_threads": _SPM_THREADS,
    }
    if symbols:
        options["user_defined_symbols"] = symbols
    spm.SentencePieceTrainer.train(**options)
    return buffer.getvalue()


def _piece_count(model: bytes) -> int:
    return spm.SentencePieceProcessor(model_proto=model).get_piece_size()


def _synthetic_corpus(vocab_size: int, seed: int) -> list[str]:
    """Deterministic pseudo-words in Latin and Arabic script with Zipf-like frequencies.

    Sized from measurements: about two sentences per requested piece reach a
    32k unigram vocabulary (≈6M characters; 3-15 s of training on 2 busy cores).
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible filler text, not security
    n_words = max(500, vocab_size * 2 // 3)

    def word(latin: bool) -> str:
        syllables = rng.randint(1, 4)
        if latin:
            parts = (
                rng.choice(_LATIN_ONSETS) + rng.choice(_LATIN_NUCLEI) + rng.choice(_LATIN_CODAS)
                for _ in range(syllables)
            )
        else:
            parts = (
                rng.choice(_ARABIC_CONSONANTS) + rng.choice(_ARABIC_VOWELS)
                for _ in range(syllables)
            )
        return "".join(parts)

    def lexicon(latin: bool) -> list[str]:
        words: set[str] = set()
        while len(words) < n_words:
            words.add(word(latin))
        ordered = sorted(words)  # set order is not reproducible across processes
        rng.shuffle(ordered)
        return ordered

    lexicons = (lexicon(True), lexicon(False))
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, n_words + 1)))
    sentences = []
    for i in range(2 * vocab_size):
        latin = i % 2 == 0
        words = rng.choices(lexicons[not latin], cum_weights=cumulative, k=rng.randint(6, 18))
        text = " ".join(words)
        sentences.append(text[0].upper() + text[1:] + "." if latin else text + "؟")
    return sentences


def _vocabulary(sp_model: bytes) -> list[str]:
    """OpenNMT special tokens, then every piece SentencePiece can emit.

    SentencePiece's own <unk>/<s>/</s> (ids 0-2) are never produced by
    ``encode(out_type=str)``; they are replaced by the specials with the same names.
    """
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [
        processor.id_to_piece(i)
        for i in range(processor.get_piece_size())
        if not (processor.is_control(i) or processor.is_unknown(i))
    ]
    return [*SPECIAL_TOKENS, *(p for p in pieces if p not in SPECIAL_TOKENS)]


# --- BPE (layout "opus-bpe") ------------------------------------------------------

_END = "</w>"


def _moses_words(sentences: list[tuple[str, str]]) -> list[str]:
    """Words as argostranslate's BPETokenizer sees them: Moses-normalised and tokenised."""
    from sacremoses import MosesPunctNormalizer, MosesTokenizer

    words: list[str] = []
    tools: dict[str, tuple[Any, Any]] = {}
    for code, text in sentences:
        if code not in tools:
            tools[code] = (MosesPunctNormalizer(code), MosesTokenizer(code))
        normalizer, tokenizer = tools[code]
        words += " ".join(tokenizer.tokenize(normalizer.normalize(text))).split()
    return words


def _learn_bpe(
    sentences: list[tuple[str, str]], vocab_size: int, seed: int
) -> tuple[bytes, list[str]]:
    """subword-nmt 0.2 codes learnt from ``(language, sentence)`` pairs, and their vocabulary.

    The vocabulary holds every token ``apply_bpe`` can emit for these
    characters: each character and each merged symbol, word-final (bare) and
    word-inner (``@@``). When the corpus runs out of pairs to merge before the
    vocabulary is full, synthetic words are added, as for SentencePiece.
    """
    words = Counter(_moses_words(sentences))
    merges = _bpe_merges(words, vocab_size)
    if len(_bpe_vocabulary(words, merges)) < vocab_size:
        filler = Counter(" ".join(_synthetic_corpus(vocab_size, seed)).split())
        merges = _bpe_merges(words + filler, vocab_size)
        words += filler
    codes = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
    return codes.encode("utf-8"), _bpe_vocabulary(words, merges)


def _bpe_vocabulary(words: Counter[str], merges: list[tuple[str, str]]) -> list[str]:
    characters = sorted({c for word in words for c in word})
    tokens = [t for c in characters for t in (c, c + "@@")]
    for a, b in merges:
        merged = a + b
        tokens.append(merged[: -len(_END)] if merged.endswith(_END) else merged + "@@")
    return [*SPECIAL_TOKENS, *dict.fromkeys(t for t in tokens if t not in SPECIAL_TOKENS)]


def _bpe_merges(words: Counter[str], vocab_size: int) -> list[tuple[str, str]]:
    """Greedy BPE: merge the most frequent adjacent pair until the vocabulary is full.

    Pair counts are updated only for the words a merge touches, and the best
    pair comes from a heap of (count, pair) entries checked against the live
    counts; ties go to the smallest pair, so the result is reproducible.
    """
    symbols = [[*w[:-1], w[-1] + _END] for w in sorted(words)]
    counts = [words[w] for w in sorted(words)]
    pairs: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[int]] = {}
    for i, word in enumerate(symbols):
        for pair in itertools.pairwise(word):
            pairs[pair] += counts[i]
            where.setdefault(pair, set()).add(i)
    heap = [(-n, pair) for pair, n in pairs.items()]
    heapq.heapify(heap)
    base = 2 * len({c for w in words for c in w}) + len(SPECIAL_TOKENS)
    merges: list[tuple[str, str]] = []
    while base + len(merges) < vocab_size and heap:
        negative, (a, b) = heapq.heappop(heap)
        if pairs.get((a, b), 0) != -negative:
            continue  # stale entry
        if -negative < 2:
            break
        merges.append((a, b))
        touched: set[tuple[str, str]] = set()
        for i in sorted(where.pop((a, b), ())):
            word = symbols[i]
            for pair in itertools.pairwise(word):
                pairs[pair] -= counts[i]
                touched.add(pair)
            merged, j = [], 0
            while j < len(word):
                if j + 1 < len(word) and word[j] == a and word[j + 1] == b:
                    merged.append(a + b)
                    j += 2
                else:
                    merged.append(word[j])
                    j += 1
            symbols[i] = merged
            for pair in itertools.pairwise(merged):
                pairs[pair] += counts[i]
                where.setdefault(pair, set()).add(i)
                touched.add(pair)
        for pair in touched:
            if pairs[pair] > 0:
                heapq.heappush(heap, (-pairs[pair], pair))
            else:
                pairs.pop(pair, None)
    return merges


# --- CTranslate2 model ---------------------------------------------------------------


def _transformer_spec(
    source_vocabulary: list[str],
    target_vocabulary: list[str],
    layers: int,
    d_model: int,
    heads: int,
    ffn: int,
    seed: int,
    length_ratio: float | None,
    tied: bool = False,
    forbidden: Sequence[str] = ("<unk>", "<blank>", "<s>"),
) -> transformer_spec.TransformerSpec:
    """A pre-norm ReLU Transformer (OpenNMT-py's, as in Argos models) with random weights.

    Untied, the source/target embeddings and the output projection are separate
    matrices. ``tied`` shares one matrix between the decoder embeddings and the
    output projection (and the encoder embeddings, when the vocabulary is
    shared), as base models do; CTranslate2 then stores it once.
    With ``length_ratio`` set, a few weights are then overwritten so that the
    model stops after about ``length_ratio`` × source length tokens
    (see :func:`_install_length_model`).
    """
    rng = np.random.default_rng(seed)
    vocabulary = target_vocabulary
    vocab = len(vocabulary)

    def weight(rows: int, cols: int) -> np.ndarray:
        # Scaled so activations (and logits) stay O(1) whatever the size.
        return rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(cols**-0.5)

    def norm(spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(d_model, dtype=np.float32)
        spec.beta = np.zeros(d_model, dtype=np.float32)

    def feed_forward(spec: transformer_spec.FeedForwardSpec) -> None:
        norm(spec.layer_norm)
        spec.linear_0.weight = weight(ffn, d_model)
        spec.linear_1.weight = weight(d_model, ffn)

    spec = transformer_spec.TransformerSpec.from_config(layers, heads)
    encoder, decoder = spec.encoder, spec.decoder

    encoder.embeddings[0].weight = weight(len(source_vocabulary), d_model)
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weight(3 * d_model, d_model)  # fused q, k, v
        layer.self_attention.linear[1].weight = weight(d_model, d_model)
        feed_forward(layer.ffn)

    decoder.embeddings.weight = weight(vocab, d_model)
    norm(decoder.layer_norm)
    if tied:
        decoder.projection.weight = decoder.embeddings.weight
        if source_vocabulary == target_vocabulary:
            encoder.embeddings[0].weight = decoder.embeddings.weight
    else:
        decoder.projection.weight = weight(vocab, d_model)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = weight(3 * d_model, d_model)
        layer.self_attention.linear[1].weight = weight(d_model, d_model)
        norm(layer.attention.layer_norm)
        layer.attention.linear[0].weight = weight(d_model, d_model)  # query
        layer.attention.linear[1].weight = weight(2 * d_model, d_model)  # fused k, v
        layer.attention.linear[2].weight = weight(d_model, d_model)
        feed_forward(layer.ffn)

    # Real models practically never emit <unk>, <blank> or <s>; forbid them.
    bias = np.zeros(vocab, dtype=np.float32)
    banned = set(forbidden)
    bias[[i for i, t in enumerate(vocabulary) if t in banned]] = -1e4
    decoder.projection.bias = bias

    # Without a length model the position encodings stay unset, so CTranslate2
    # computes sinusoidal ones itself (no length limit).
    if length_ratio is not None:
        _install_length_model(spec, vocabulary.index("</s>"), d_model, heads, length_ratio)

    spec.register_source_vocabulary(source_vocabulary)
    spec.register_target_vocabulary(target_vocabulary)
    return spec


# Length model constants (see _install_length_model).
_POSITIONS = 1024  # covers CTranslate2's defaults: max_input_length 1024, max_decoding_length 256
_STEP = 0.05  # channel value per token
_ENCODER_SHARE = 0.7  # cap on the normalised position channel, as a fraction of sqrt(d)
_ENCODER_SUBLAYER_SCALE = 0.05  # keeps the encoder's residual norm predictable
_EOS_GAIN = 400.0  # </s> logit per unit of (position - target); ~5 logits per token past it


def _install_length_model(
    spec: transformer_spec.TransformerSpec, eos: int, d_model: int, heads: int, ratio: float
) -> None:
    """Rewire a few weights so that </s> wins after about ``ratio`` × source tokens.

    A random Transformer almost never picks </s>, so every sentence would run to
    ``max_decoding_length``: useless for benchmarks and slow in tests. Two
    residual dimensions become exact channels that only the position table
    writes to: ``pos`` (the position) and ``length`` (the source length).

    * Encoder: after its final layer norm, ``pos - length`` must equal
      ``_STEP × p``. Layer norm divides by the residual's spread, so that spread
      is made known: embedding rows get zero mean and unit RMS, the encoder's
      sublayer outputs are scaled down, and the position table stores the
      pre-norm value that normalises to the wanted one (``_encoder_ramp``). The
      ramp stops at ``_ENCODER_SHARE × sqrt(d)`` (layer norm cannot output more
      than sqrt(d) in one dimension), i.e. after ``14·sqrt(d)`` tokens: 112 for
      d=64, 316 for d=512. Longer sources give relatively shorter outputs.
    * Decoder layer 0: one cross-attention head has a zero query, so it attends
      uniformly and reads the mean source position ``(L-1)/2``; scaled by
      ``2 × ratio`` it lands in the ``length`` channel. ``pos`` holds ``_STEP × t``.
    * The </s> row of the projection is ``gain × (pos - length)``; both channels
      share the decoder's layer norm, so its scale and mean cancel.

    Measured: outputs end within a few tokens of ``ratio × (L-1)``, int8 included.
    The source is still encoded by full-size random layers, so the compute per
    token is that of a real model of the same shape.
    """
    pos, length = d_model - 2, d_model - 1
    encoder, decoder = spec.encoder, spec.decoder
    channels = [pos, length]

    matrices = {id(m.weight): m.weight for m in (encoder.embeddings[0], decoder.embeddings)}
    for weight in matrices.values():
        weight[:, channels] = 0.0
        others = weight[:, : d_model - 2]
        others -= others.mean(axis=1, keepdims=True)
        # CTranslate2 multiplies embeddings by sqrt(d): rows then have unit RMS.
        others *= np.sqrt((d_model - 2) / d_model) / np.linalg.norm(others, axis=1, keepdims=True)
    for layer in encoder.layer:
        for linear in (layer.self_attention.linear[1], layer.ffn.linear_1):
            linear.weight *= np.float32(_ENCODER_SUBLAYER_SCALE)
            linear.weight[channels, :] = 0.0
    for layer in decoder.layer:
        for linear in (
            layer.self_attention.linear[1],
            layer.attention.linear[2],
            layer.ffn.linear_1,
        ):
            linear.weight[channels, :] = 0.0

    positions = np.arange(_POSITIONS, dtype=np.float64)
    encoder_table = np.zeros((_POSITIONS, d_model), dtype=np.float32)
    encoder_table[:, pos] = _encoder_ramp(positions, d_model)
    decoder_table = np.zeros((_POSITIONS, d_model), dtype=np.float32)
    decoder_table[:, pos] = _STEP * positions
    encoder.position_encodings.encodings = encoder_table
    decoder.position_encodings.encodings = decoder_table

    attention = decoder.layer[0].attention
    head_dim = d_model // heads
    first = (heads - 1) * head_dim  # the last head
    attention.linear[0].weight[first : first + head_dim, :] = 0.0  # zero query: uniform
    value_row = d_model + first  # linear[1] is the fused [keys; values]
    attention.linear[1].weight[value_row, :] = 0.0
    # pos - length also cancels the encoder norm's mean (its length channel is 0).
    attention.linear[1].weight[value_row, pos] = 2.0 * ratio
    attention.linear[1].weight[value_row, length] = -2.0 * ratio
    attention.linear[2].weight[:, first] = 0.0
    attention.linear[2].weight[length, first] = 1.0

    projection = decoder.projection.weight
    projection[eos, :] = 0.0
    projection[eos, pos] = _EOS_GAIN
    projection[eos, length] = -_EOS_GAIN


def _encoder_ramp(positions: np.ndarray, d_model: int) -> np.ndarray:
    """Pre-norm values ``y`` whose layer-normalised value is ``k = _STEP × p`` (capped).

    The residual holds d-2 zero-mean dimensions with mean square (d-2)/d, the
    ramp ``y`` and a zero, so the norm's variance is
    ``(d-2)/d + y²/d - y²/d²``; solving ``y = k·σ(y)`` for ``y`` gives this.
    """
    d = float(d_model)
    k = np.minimum(_STEP * positions, _ENCODER_SHARE * np.sqrt(d))
    return k * np.sqrt(((d - 2) / d) / (1.0 - k**2 * (d - 1) / d**2))


def _readme(metadata: dict[str, object], generated_by: dict[str, object] | None = None) -> str:
    text = (
        f"# {metadata['from_name']} → {metadata['to_name']} (generated test package)\n\n"
        "Generated by `translator_pipeline.testing.tiny_argos` with random weights.\n"
        "It exercises the Argos Translate / CTranslate2 code path; its output is not a\n"
        f"translation. CTranslate2 {ctranslate2.__version__},"
        f" SentencePiece {spm.__version__}.\n"
    )
    if generated_by:
        text += "\nBuilt with: " + json.dumps(generated_by, sort_keys=True) + "\n"
    return text
