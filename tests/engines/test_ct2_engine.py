"""Engine ``ctranslate2`` on tiny converted models of every family (random weights).

Content is meaningless; what is checked is the machinery each family needs:
language tokens in and out, tokenizers, placeholders, routing, decoding
defaults, scores. Content assertions use stand-ins for ``ctranslate2.Translator``
whose answers the test controls, behind the real tokenizers and engine path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sentencepiece

from translator_pipeline.config.settings import ArgosSettings, CTranslate2Settings
from translator_pipeline.engines.ct2 import CTranslate2Translator
from translator_pipeline.engines.ct2_models import install_model
from translator_pipeline.errors import EngineError
from translator_pipeline.testing.tiny_argos import build_argos_package

FAMILIES = {
    "marian-en-ar": ("en", "ar"),
    "marian-split-en-fr": ("en", "fr"),
    "marian-tc-big": ("en", "ar"),
    "nllb": ("fr", "ar"),
    "m2m100": ("ar", "fr"),
    "madlad": ("fr", "ar"),
}


@pytest.fixture(scope="module")
def models_dir(ct2_sources, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("ct2-models")
    for key in FAMILIES:
        # "tc-big-en-ara" does not say its source language: the install command does.
        install_model(ct2_sources[key], directory, source="en" if "tc-big" in key else None)
    return directory


def engine_for(models_dir: Path, only: str | None = None, **options) -> CTranslate2Translator:
    """An engine whose routes send every pair of ``FAMILIES[only]`` to that model."""
    routes = {}
    if only is not None:
        name = {
            "marian-en-ar": "opus-mt-en-ar",
            "marian-split-en-fr": "opus-mt-en-fr",
            "marian-tc-big": "tc-big-en-ara",
            "nllb": "nllb-200-tiny",
            "m2m100": "m2m100-tiny",
            "madlad": "madlad400-tiny",
        }[only]
        src, tgt = FAMILIES[only]
        routes = {f"{src}-{tgt}": name}
    settings = CTranslate2Settings(models_dir=models_dir, use_argos=False, routes=routes, **options)
    return CTranslate2Translator(settings, ArgosSettings(packages_dir=models_dir / "no-argos"))


class Spy:
    def __init__(self, inner):
        self.inner = inner
        self.calls: list[dict] = []

    def translate_batch(self, batch, **kwargs):
        self.calls.append({"batch": [list(t) for t in batch], **kwargs})
        return self.inner.translate_batch(batch, **kwargs)


class Answers:
    """Stands in for ctranslate2.Translator: answers each input with ``reply(tokens)``
    (the target prefix first, as CTranslate2 returns it), scored -0.5."""

    def __init__(self, reply):
        self.reply = reply
        self.calls: list[dict] = []

    def translate_batch(self, batch, target_prefix=None, **kwargs):
        self.calls.append({"batch": [list(t) for t in batch], "target_prefix": target_prefix})
        out = []
        for i, tokens in enumerate(batch):
            prefix = list(target_prefix[i]) if target_prefix else []
            hypothesis = prefix + self.reply(list(tokens))
            out.append(type("R", (), {"hypotheses": [hypothesis], "scores": [-0.5]})())
        return out


def swap(engine: CTranslate2Translator, source: str, target: str, stand_in) -> None:
    [step] = engine.route(source, target)
    engine.core.translator(step.hop)  # loaded, so the runtime is known
    engine.core.translators[step.hop.key] = stand_in


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_translates_in_one_batch_with_its_language_tokens(models_dir, family):
    src, tgt = FAMILIES[family]
    engine = engine_for(models_dir, family, beam_size=1, repetition_guard=False)
    [step] = engine.route(src, tgt)
    spy = Spy(engine.core.translator(step.hop))
    engine.core.translators[step.hop.key] = spy
    texts = ["The minister spoke. Delegates listened.", "", "The minister spoke."]
    out = engine.translate_batch_scored(texts, src, tgt)
    assert [t for t, _ in out][1] == ""
    assert all(t.strip() for t, _ in (out[0], out[2]))
    assert out[1][1] is None and all(isinstance(s, float) and s < 0 for _, s in (out[0], out[2]))
    [call] = spy.calls
    assert len(call["batch"]) == 2  # two unique sentences
    first = call["batch"][0]
    assert first[-1] == "</s>"  # every family's source ends with </s>
    expected = {
        "marian-en-ar": (None, None),
        "marian-split-en-fr": (None, None),
        "marian-tc-big": (">>ara<<", None),
        "nllb": ("fra_Latn", ["arb_Arab"]),
        "m2m100": ("__ar__", ["__fr__"]),
        "madlad": ("<2ar>", None),
    }[family]
    head, target_prefix = expected
    if head is None:
        assert not any(t.startswith((">>", "<2", "__")) for t in first[:1])
    else:
        assert first[0] == head
    prefixes = call["target_prefix"]
    assert (prefixes[0] if prefixes else None) == target_prefix
    # No language token or end token leaks into the text.
    for text, _ in out:
        for token in ("arb_Arab", "fra_Latn", "__fr__", "<2ar>", ">>ara<<", "</s>", "<pad>"):
            assert token not in text


@pytest.mark.parametrize("family", list(FAMILIES))
def test_placeholders_survive_every_familys_tokenizer(models_dir, family):
    """A model that copies its input: the text, markup placeholders included, must
    come back whole through the family's encode, language tokens, and decode."""
    src, tgt = FAMILIES[family]
    engine = engine_for(models_dir, family, beam_size=1)
    [step] = engine.route(src, tgt)
    wrapped = len(step.hop.source_prefix), len(step.hop.source_suffix)
    copy = Answers(lambda tokens: tokens[wrapped[0] : len(tokens) - wrapped[1]])
    swap(engine, src, tgt, copy)
    text = "Read the <g1>full statement</g1> on the official website<x2/>."
    arabic = "اقرأ <g1>البيان الكامل</g1> على الموقع الرسمي<x2/>."
    source_text = arabic if src == "ar" else text
    [out] = engine.translate_batch([source_text], src, tgt)
    if family == "marian-split-en-fr":
        # The target SentencePiece model does not know the source's pieces; they come
        # back verbatim, so the words survive and the placeholders do too.
        assert "<g1>" in out and "</g1>" in out and "<x2/>" in out
        assert " ".join(out.split()) == " ".join(source_text.split())
    else:
        assert out == source_text


def test_a_vocabulary_without_angle_brackets_carries_placeholders_in_other_brackets(
    models_dir,
):
    engine = engine_for(models_dir, "madlad")
    [step] = engine.route("fr", "ar")
    codec = engine.core.codec(step.hop)
    # The tiny T5 vocabulary was trained without < > but with [ ] and /.
    assert codec.brackets == ("[", "]")
    processor = sentencepiece.SentencePieceProcessor(
        model_file=str(step.hop.model_dir / "spiece.model")
    )
    assert processor.unk_id() in processor.encode("<")
    tokens = codec.encode("le <g1>texte</g1> complet<x2/>")
    assert processor.unk_id() not in processor.piece_to_id(tokens)
    assert "[" in "".join(tokens) and "<" not in "".join(tokens)
    assert (
        codec.decode(tokens, "le <g1>texte</g1> complet<x2/>") == "le <g1>texte</g1> complet<x2/>"
    )


def test_target_tokens_of_a_multi_target_opus_model(models_dir):
    engine = engine_for(models_dir)
    model = engine.models["tc-big-en-ara"]
    assert model.targets == {"ar": ">>ara<<", "arz": ">>arz<<"}  # MSA asked for "ar"
    assert model.sources == {"en": ""}


def test_family_decoding_defaults_and_overrides(models_dir):
    engine = engine_for(models_dir, "m2m100", repetition_guard=False)
    [step] = engine.route("ar", "fr")
    spy = Spy(engine.core.translator(step.hop))
    engine.core.translators[step.hop.key] = spy
    engine.translate_batch(["مرحبا بكم."], "ar", "fr")
    assert spy.calls[0]["beam_size"] == 5 and spy.calls[0]["length_penalty"] == 1.0
    assert engine.decoding("nllb").beam_size == 4
    assert engine.decoding("argos").length_penalty == 0.2  # Argos keeps argostranslate's
    tuned = engine_for(models_dir, "m2m100", beam_size=2, length_penalty=0.6)
    assert tuned.decoding("m2m100").beam_size == 2
    assert tuned.decoding("m2m100").length_penalty == 0.6
    assert "beam=2;lp=0.6" in str(tuned.signature("ar", "fr"))


def test_routes_prefer_the_named_model_then_bilingual_then_multilingual(models_dir):
    engine = engine_for(models_dir)
    # Bilingual OPUS-MT for en→ar (two of them: by name), multilingual for fr↔ar, direct.
    assert engine.describe_route("en", "ar") == "direct: opus-mt-en-ar (marian)"
    assert engine.describe_route("fr", "ar") == "direct: m2m100-tiny (m2m100)"
    routed = engine_for(models_dir, "nllb")
    assert routed.describe_route("fr", "ar") == "direct: nllb-200-tiny (nllb)"
    signature = routed.signature("fr", "ar")
    assert signature.engine == "ctranslate2" and signature.pivot == ()
    assert signature.model.startswith("nllb-200-tiny@") and len(signature.model) == 26


def test_a_route_naming_a_missing_model_is_not_silently_replaced(models_dir):
    settings = CTranslate2Settings(
        models_dir=models_dir, use_argos=False, routes={"en-ar": "opus-mt-tc-big-en-ar"}
    )
    engine = CTranslate2Translator(settings, ArgosSettings(packages_dir=models_dir / "x"))
    assert not engine.supports("en", "ar")
    assert "names model 'opus-mt-tc-big-en-ar', which is not installed" in engine.describe_route(
        "en", "ar"
    )
    with pytest.raises(EngineError, match=r"not installed .*models install PATH"):
        engine.translate_batch(["Hello."], "en", "ar")
    settings = settings.model_copy(update={"routes": {"en-ar": "nllb-200-tiny"}})
    assert "nllb-200-tiny" in CTranslate2Translator(settings).describe_route("en", "ar")


def test_argos_packages_fill_the_gaps_and_pivots_mix_engines(ct2_sources, tmp_path):
    models = tmp_path / "models"
    install_model(ct2_sources["marian-en-ar"], models)
    packages = tmp_path / "argos"
    build_argos_package(packages, "fr", "en", seed=3)
    build_argos_package(packages, "en", "ar", seed=4)
    engine = CTranslate2Translator(
        CTranslate2Settings(models_dir=models), ArgosSettings(packages_dir=packages)
    )
    # en→ar: the converted model beats the Argos package for the same pair.
    assert engine.describe_route("en", "ar") == "direct: opus-mt-en-ar (marian)"
    assert engine.describe_route("fr", "en") == "direct: argos:fr_en (argos)"
    # fr→ar: no direct model, so Argos fr→en then OPUS-MT en→ar.
    assert engine.describe_route("fr", "ar") == (
        "pivot via en: argos:fr_en (argos) + opus-mt-en-ar (marian)"
    )
    signature = engine.signature("fr", "ar")
    assert signature.pivot == ("fr", "en", "ar")
    assert signature.model.startswith("argos:fr_en@1.0+opus-mt-en-ar@")
    # Each hop decodes with its own family's settings, both named in the signature.
    assert "beam=4;lp=0.2" in signature.version and "beam=4;lp=1" in signature.version
    out = engine.translate_batch_scored(["Bonjour à tous."], "fr", "ar")
    assert out[0][0].strip() and out[0][1] is not None
    # An explicit route to Argos takes Argos' own route, pivot included.
    routed = CTranslate2Translator(
        CTranslate2Settings(models_dir=models, routes={"en-ar": "argos"}),
        ArgosSettings(packages_dir=packages),
    )
    assert routed.describe_route("en", "ar") == "direct: argos:en_ar (argos)"
    off = CTranslate2Translator(
        CTranslate2Settings(models_dir=models, use_argos=False),
        ArgosSettings(packages_dir=packages),
    )
    assert not off.supports("fr", "en") and off.supports("en", "ar")


def test_a_broken_model_directory_is_reported_and_the_rest_still_work(ct2_sources, tmp_path):
    models = tmp_path / "models"
    install_model(ct2_sources["nllb"], models)
    install_model(ct2_sources["marian-en-ar"], models)
    (models / "opus-mt-en-ar" / "target.spm").unlink()
    (models / "stray").mkdir()
    engine = CTranslate2Translator(CTranslate2Settings(models_dir=models, use_argos=False))
    reasons = {p.path.name: p.reason for p in engine.problems}
    assert "target.spm is missing" in reasons["opus-mt-en-ar"]
    assert "no translator-pipeline-model.json" in reasons["stray"]
    assert engine.describe_route("en", "ar") == "direct: nllb-200-tiny (nllb)"


def test_installed_copy_is_independent_of_the_source_directory(ct2_sources, tmp_path):
    source = tmp_path / "opus-mt-ar-en"
    shutil.copytree(ct2_sources["marian-ar-en"], source)
    models = tmp_path / "models"
    model = install_model(source, models)
    shutil.rmtree(source)
    engine = CTranslate2Translator(CTranslate2Settings(models_dir=models, use_argos=False))
    assert engine.supports("ar", "en") and model.path == models / "opus-mt-ar-en"
    assert engine.translate_batch(["مرحبا."], "ar", "en")[0].strip()


def test_placeholders_stay_angled_when_no_bracket_pair_is_known(tmp_path):
    from translator_pipeline.engines.ct2_models import ModelCodec
    from translator_pipeline.testing.tiny_ct2 import build_madlad_model

    model = build_madlad_model(tmp_path, ("fr", "en"), without="<>[]{}()", extra_sentences=())
    codec = ModelCodec(model / "spiece.model", model / "spiece.model")
    assert codec.brackets == ("<", ">")
    assert codec.encode("a <g1>b</g1>") == codec._source.encode("a <g1>b</g1>", out_type=str)
