"""The real Argos engine path on tiny generated packages (random weights).

Content is meaningless; what is checked is the machinery: discovery,
batching, order, duplicates, long input, pivoting, target_prefix, errors.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import ctranslate2
import pytest

from translator_pipeline.config.settings import ArgosSettings
from translator_pipeline.engines.argos import ArgosTranslator
from translator_pipeline.errors import EngineError
from translator_pipeline.testing.tiny_argos import build_argos_package

PAIRS = [("en", "fr"), ("fr", "en"), ("en", "ar"), ("ar", "en")]


@pytest.fixture(scope="session")
def argos_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny packages for en↔fr and en↔ar (so fr↔ar needs the English pivot)."""
    directory = tmp_path_factory.mktemp("argos-packages")
    for src, tgt in PAIRS:
        build_argos_package(directory, src, tgt, seed=len(src + tgt) + ord(tgt[0]))
    return directory


@pytest.fixture
def engine(argos_dir: Path) -> ArgosTranslator:
    # The guard would re-decode the loops random weights produce; tested on its own below.
    return ArgosTranslator(
        ArgosSettings(packages_dir=argos_dir, beam_size=1, repetition_guard=False)
    )


class Spy:
    """Wraps a ctranslate2.Translator and records every translate_batch call."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[dict] = []

    def translate_batch(self, batch, **kwargs):
        self.calls.append({"batch": [list(t) for t in batch], **kwargs})
        return self.inner.translate_batch(batch, **kwargs)


def spy_on(engine: ArgosTranslator, src: str, tgt: str) -> Spy:
    package = engine.pairs[(src, tgt)]
    spy = Spy(engine._translator(package))
    engine._translators[package.path] = spy
    return spy


def test_packages_are_discovered_with_versions(engine):
    assert set(engine.pairs) == set(PAIRS)
    assert engine.problems == []
    assert engine.supports("en", "fr") and engine.supports("fr", "ar")
    assert not engine.supports("en", "en") and not engine.supports("en", "de")


def test_signature_names_packages_and_pivot(engine):
    direct = engine.signature("en", "fr")
    assert direct.engine == "argos" and direct.model == "en_fr@1.0" and direct.pivot == ()
    pivot = engine.signature("fr", "ar")
    assert pivot.model == "fr_en@1.0+en_ar@1.0"
    assert pivot.pivot == ("fr", "en", "ar")
    assert "pivot=fr>en>ar" in str(pivot)


def test_one_batch_call_for_all_texts_order_kept_duplicates_once(engine):
    spy = spy_on(engine, "en", "fr")
    texts = [
        "The minister opened the conference. Delegates from twelve countries attended.",
        "",
        "Member States agreed on a common plan.",
        "   ",
        "Member States agreed on a common plan.",
        "The minister opened the conference.",
    ]
    out = engine.translate_batch(texts, "en", "fr")
    assert len(out) == len(texts)
    assert out[1] == "" and out[3] == "   "
    assert out[2] == out[4]
    assert all(out[i].strip() for i in (0, 2, 4, 5))
    assert len(spy.calls) == 1
    # Three unique sentences: the repeated text and the repeated sentence go once.
    assert len(spy.calls[0]["batch"]) == 3
    assert spy.calls[0]["batch_type"] == "tokens"
    # The first text's first sentence is translated exactly like the last text.
    assert out[0].startswith(out[5])


def test_results_match_raw_ctranslate2_on_the_same_tokens(engine):
    package = engine.pairs[("en", "ar")]
    sentence = "The organization signed an agreement in Rabat."
    tokens = package.package.tokenizer.encode(sentence)
    # The same compute type: "auto" picks int8 on CPUs with fast int8 kernels, and
    # random weights decode differently in int8 and float32.
    raw = ctranslate2.Translator(
        str(package.path / "model"), device="cpu", compute_type=engine.options.compute_type
    )
    expected_tokens = raw.translate_batch([tokens], beam_size=1)[0].hypotheses[0]
    expected = package.package.tokenizer.lazy_processor().decode_pieces(expected_tokens)
    assert engine.translate_batch([sentence], "en", "ar") == [expected.strip()]


@pytest.mark.parametrize("length_penalty", [0.0, 0.2, 1.0])
def test_scores_are_the_mean_token_log_probability_ctranslate2_gives(argos_dir, length_penalty):
    """The quality gate's ``low-score`` signal compares scores across lengths and
    settings: CTranslate2's own scoring of the output says what they must be."""
    engine = ArgosTranslator(
        ArgosSettings(
            packages_dir=argos_dir,
            beam_size=2,
            repetition_guard=False,
            length_penalty=length_penalty,
        )
    )
    package = engine.pairs[("en", "fr")]
    sentence = "The organization signed an agreement in Rabat."
    [(text, score)] = engine.translate_batch_scored([sentence], "en", "fr")
    assert text == engine.translate_batch([sentence], "en", "fr")[0]
    tokens = package.package.tokenizer.encode(sentence)
    raw = ctranslate2.Translator(
        str(package.path / "model"), device="cpu", compute_type=engine.options.compute_type
    )
    output = raw.translate_batch([tokens], beam_size=2, length_penalty=length_penalty)
    [scored] = raw.score_batch([tokens], [output[0].hypotheses[0]])
    expected = sum(scored.log_probs) / len(scored.log_probs)  # the end token included
    assert score == pytest.approx(expected, abs=0.02)
    assert score < 0


def test_texts_without_words_have_no_score_and_pivots_take_the_weaker_hop(engine):
    out = engine.translate_batch_scored(["", "Member States agreed."], "fr", "ar")
    assert out[0] == ("", None)
    direct = engine.translate_batch_scored(["Member States agreed."], "fr", "en")[0][1]
    assert out[1][1] is not None and out[1][1] <= direct


def test_pivot_goes_through_english_in_one_call_per_leg(engine):
    first, second = spy_on(engine, "fr", "en"), spy_on(engine, "en", "ar")
    out = engine.translate_batch(["Le ministre a ouvert la conférence.", "Bonjour."], "fr", "ar")
    assert len(out) == 2
    assert len(first.calls) == 1 and len(second.calls) == 1


def test_long_input_is_cut_to_the_model_limit(argos_dir):
    engine = ArgosTranslator(
        ArgosSettings(
            packages_dir=argos_dir, beam_size=1, max_input_tokens=32, repetition_guard=False
        )
    )
    spy = spy_on(engine, "en", "fr")
    text = " ".join(["cooperation between member states in education and culture"] * 60)
    [out] = engine.translate_batch([text], "en", "fr")
    assert out.strip()
    batch = spy.calls[0]["batch"]
    assert len(batch) > 1
    assert max(len(tokens) for tokens in batch) <= 32


def test_target_prefix_is_sent_and_never_returned(tmp_path):
    build_argos_package(tmp_path, "en", "fr", target_prefix="__fr__", seed=3)
    engine = ArgosTranslator(
        ArgosSettings(packages_dir=tmp_path, beam_size=1, repetition_guard=False)
    )
    spy = spy_on(engine, "en", "fr")
    out = engine.translate_batch(["The delegation visited the museum.", "Hello."], "en", "fr")
    assert spy.calls[0]["target_prefix"] == [["__fr__"], ["__fr__"]]
    assert all("__fr__" not in text and "fr__" not in text for text in out)


def test_broken_package_is_reported_and_the_rest_still_work(argos_dir, tmp_path):
    directory = tmp_path / "pk"
    shutil.copytree(argos_dir, directory)
    (directory / "translate-xx_yy-1_0").mkdir()
    shutil.rmtree(next(directory.glob("translate-en_fr-*")) / "model")
    engine = ArgosTranslator(ArgosSettings(packages_dir=directory))
    reasons = {p.path.name: p.reason for p in engine.problems}
    assert reasons["translate-xx_yy-1_0"] == "no metadata.json"
    assert "model" in reasons["translate-en_fr-1_0"]
    assert not engine.supports("en", "fr")
    assert engine.supports("en", "ar")


def test_missing_pair_names_the_command_that_fixes_it(engine):
    with pytest.raises(EngineError, match="models install en de"):
        engine.translate_batch(["Hello"], "en", "de")


def test_newest_package_version_wins(tmp_path):
    build_argos_package(tmp_path, "en", "fr", package_version="1.0", seed=1)
    build_argos_package(tmp_path, "en", "fr", package_version="1.9", seed=2)
    engine = ArgosTranslator(ArgosSettings(packages_dir=tmp_path))
    assert engine.pairs[("en", "fr")].version == "1.9"
    assert engine.signature("en", "fr").model == "en_fr@1.9"


def test_packages_dir_from_environment(argos_dir, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(argos_dir))
    engine = ArgosTranslator(ArgosSettings())
    assert engine.directory == argos_dir
    assert engine.supports("ar", "fr")


def test_alternatives_come_from_one_n_best_batch_with_the_best_first(argos_dir):
    engine = ArgosTranslator(
        ArgosSettings(packages_dir=argos_dir, beam_size=4, repetition_guard=False)
    )
    texts = ["The <x1/> met the ministers.", "Second text. It has two sentences."]
    best = engine.translate_batch(texts, "en", "fr")
    spy = spy_on(engine, "en", "fr")
    options = engine.translate_alternatives(texts, "en", "fr", 3)
    assert len(spy.calls) == 1
    assert spy.calls[0]["num_hypotheses"] == 3 and spy.calls[0]["beam_size"] == 4
    assert [o[0] for o in options] == best
    assert all(1 <= len(o) <= 4 and len(set(o)) == len(o) for o in options)


def test_alternatives_through_the_pivot_use_n_best_on_the_last_hop(argos_dir):
    engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir, beam_size=2))
    [options] = engine.translate_alternatives(["Bonjour à tous."], "fr", "ar", 2)
    assert options[0] == engine.translate_batch(["Bonjour à tous."], "fr", "ar")[0]


def test_decoding_defaults_are_argostranslates(argos_dir):
    engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir, repetition_guard=False))
    spy = spy_on(engine, "en", "fr")
    engine.translate_batch(["The minister opened the conference."], "en", "fr")
    call = spy.calls[0]
    assert call["beam_size"] == 4 and call["num_hypotheses"] == 1
    assert call["length_penalty"] == 0.2
    assert call["repetition_penalty"] == 1.0 and call["no_repeat_ngram_size"] == 0


class Looping:
    """Copies each input, except that its first answer for the input at ``index`` loops."""

    def __init__(self, index: int):
        self.index = index
        self.calls: list[dict] = []

    def translate_batch(self, batch, **kwargs):
        self.calls.append({"batch": [list(t) for t in batch], **kwargs})
        results = [list(tokens) for tokens in batch]
        if len(self.calls) == 1:
            results[self.index] = ["▁la", "▁réunion"] * 6
        return [type("Result", (), {"hypotheses": [tokens]})() for tokens in results]


def test_repetition_guard_retranslates_only_the_looping_sentence(argos_dir):
    engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir, beam_size=2))
    package = engine.pairs[("en", "fr")]
    engine._translator(package)  # loaded, so the runtime is known
    looping = Looping(index=1)
    engine._translators[package.path] = looping
    texts = ["The minister spoke.", "The meeting ended late.", "Delegates left."]
    out = engine.translate_batch(texts, "en", "fr")
    first, second = looping.calls[0], looping.calls[1]
    assert len(first["batch"]) == 3
    assert second["batch"] == [first["batch"][1]]
    assert second["repetition_penalty"] > 1.0 and second["no_repeat_ngram_size"] == 3
    assert out == texts  # the retry's answer replaced the loop


def test_guard_leaves_repetition_that_the_source_has(argos_dir):
    from translator_pipeline.engines.argos import _degenerate

    looped = ["▁a", "▁b"] * 4
    assert _degenerate(looped, ["▁x", "▁y", "▁z"], limit=100)
    assert not _degenerate(looped, ["▁x", "▁y"] * 4, limit=100)
    assert not _degenerate(["▁a", "▁b", "▁c"], ["▁x"], limit=100)
    assert _degenerate(["▁a", "▁b", "▁c"], ["▁x"], limit=3)  # ran to the length limit


def test_device_comes_from_settings_then_argos_device_type(monkeypatch):
    from translator_pipeline.engines.argos import resolve_device

    monkeypatch.delenv("ARGOS_DEVICE_TYPE", raising=False)
    assert resolve_device(None) == ("cpu", (0,))
    assert resolve_device("cuda:1") == ("cuda", (1,))
    assert resolve_device("cuda:0,1") == ("cuda", (0, 1))
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "cuda")
    assert resolve_device(None) == ("cuda", (0,))
    assert resolve_device("cpu") == ("cpu", (0,))
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "tpu")
    assert resolve_device(None) == ("cpu", (0,))


def test_cuda_that_cannot_load_is_a_clear_error(argos_dir, monkeypatch):
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "cuda")
    engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir))
    with pytest.raises(EngineError, match=r"cannot load the CTranslate2 model of en→fr .* on cuda"):
        engine.translate_batch(["Hello."], "en", "fr")


def test_auto_falls_back_to_cpu_with_a_warning(argos_dir, monkeypatch, caplog):
    # This machine has no usable GPU: pretend one is present so CUDA is tried and fails.
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir, device="auto"))
    with caplog.at_level("WARNING"):
        [out] = engine.translate_batch(["The minister spoke."], "en", "fr")
    assert out.strip()
    assert "cannot be used" in caplog.text and "CPU" in caplog.text
    assert str(engine.signature("en", "fr")).endswith(";cpu;int8_float32")


def test_signature_separates_compute_types_and_decoding(argos_dir):
    def signature(**options) -> str:
        engine = ArgosTranslator(ArgosSettings(packages_dir=argos_dir, **options))
        return str(engine.signature("en", "fr"))

    default, fp32 = signature(), signature(compute_type="float32")
    assert "cpu;int8_float32" in default and "cpu;float32" in fp32
    assert "beam=4;lp=0.2" in default
    assert len({default, fp32, signature(beam_size=2), signature(no_repeat_ngram_size=3)}) == 4


def test_unknown_sentencepiece_pieces_lose_their_word_mark_but_underscores_stay(engine):
    from translator_pipeline.engines.argos_tokens import codec_for

    codec = codec_for(engine.pairs[("en", "fr")].package)
    # Pieces the shipped model never saw come back verbatim from decode_pieces.
    assert codec.decode(["▁Zq_w", "▁vrk", "▁snake_case", "."]) == "Zq_w vrk snake_case."
    assert codec.decode(codec.encode("file_name.txt costs 3_000")) == "file_name.txt costs 3_000"


def test_placeholders_are_rebuilt_and_spaced_as_in_the_source():
    from translator_pipeline.engines.argos_tokens import _tidy_placeholders

    source = "Read the <g1>full statement</g1> on the site<x2/>."
    assert (
        _tidy_placeholders("Lisez la < g1 > déclaration < / g1 > sur le site < x2 / > .", source)
        == "Lisez la <g1>déclaration</g1> sur le site<x2/>."
    )
    assert _tidy_placeholders("a <g1> b </g1> c", "x <g1> y </g1> z") == "a <g1> b </g1> c"
