"""The generated Argos packages load through argostranslate and translate with CTranslate2.

argostranslate is only imported in subprocesses: its settings module creates
directories and freezes ARGOS_PACKAGES_DIR at import, which must not leak into
the developer's home or into other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from translator_pipeline.testing.tiny_argos import (
    CORPUS_BY_LANGUAGE,
    DEFAULT_CORPUS,
    SPECIAL_TOKENS,
    argos_environment,
    build_argos_archive,
    build_argos_package,
    package_dir_name,
    read_vocabulary,
)

PREFIX = "__fr__"
SOURCES = [
    "The minister announced a new plan for rural schools on Monday.",
    "Lisez la <g1>déclaration complète</g1> sur le site officiel.",
    "أعلن الوزير عن خطة جديدة.",
]


@pytest.fixture(scope="session")
def packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One packages directory, as ARGOS_PACKAGES_DIR would hold it."""
    root = tmp_path_factory.mktemp("argos-packages")
    build_argos_package(root, "en", "fr", target_prefix=PREFIX)
    build_argos_package(root, "fr", "en", package_version="1.9")
    build_argos_package(root, "ar", "en", quantization="int8", seed=1)
    return root


@pytest.fixture(scope="session")
def en_fr(packages_dir: Path) -> Path:
    return packages_dir / package_dir_name("en", "fr")


def tokenize(package: Path, texts: list[str]) -> list[list[str]]:
    processor = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    return [processor.encode(text, out_type=str) for text in texts]


def translate(package: Path, texts: list[str], **options: object) -> list[list[str]]:
    translator = ctranslate2.Translator(str(package / "model"), device="cpu")
    results = translator.translate_batch(tokenize(package, texts), **options)
    return [result.hypotheses[0] for result in results]


def run_argos(script: str, packages: Path, state: Path) -> dict:
    """Run ``script`` with argostranslate confined to ``packages`` and ``state``."""
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env=argos_environment(packages, state),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


DISCOVER = """
import json
import ctranslate2
from argostranslate import package, settings

out = {"package_dirs": [str(d) for d in settings.package_dirs], "packages": {}}
for pkg in package.get_installed_packages():
    tokens = pkg.tokenizer.encode("The minister announced a new plan.")
    prefix = [[pkg.target_prefix]] if pkg.target_prefix else None
    translator = ctranslate2.Translator(str(pkg.package_path / "model"), device="cpu")
    result = translator.translate_batch(
        [tokens], target_prefix=prefix, beam_size=4, num_hypotheses=1, return_scores=True
    )[0]
    out["packages"][pkg.package_path.name] = {
        "codes": [pkg.from_code, pkg.to_code],
        "names": [pkg.from_name, pkg.to_name],
        "versions": [pkg.package_version, pkg.argos_version],
        "type": pkg.type,
        "target_prefix": pkg.target_prefix,
        "tokenizer": type(pkg.tokenizer).__name__,
        "tokens": tokens,
        "hypothesis": result.hypotheses[0],
        "decoded": pkg.tokenizer.decode(result.hypotheses[0]),
        "readme": pkg.get_readme(),
    }
print(json.dumps(out))
"""


def test_argostranslate_discovers_loads_and_runs_every_package(
    packages_dir: Path, tmp_path: Path
) -> None:
    out = run_argos(DISCOVER, packages_dir, tmp_path)

    assert out["package_dirs"] == [str(packages_dir)]
    packages = out["packages"]
    assert set(packages) == {"translate-en_fr-1_0", "translate-fr_en-1_9", "translate-ar_en-1_0"}
    en_fr = packages["translate-en_fr-1_0"]
    assert en_fr["codes"] == ["en", "fr"]
    assert en_fr["names"] == ["English", "French"]
    assert en_fr["versions"][0] == "1.0"
    assert en_fr["type"] == "translate"
    assert en_fr["target_prefix"] == PREFIX
    assert en_fr["tokenizer"] == "SentencePieceTokenizer"
    assert en_fr["hypothesis"][0] == PREFIX  # CTranslate2 returns the prefix it was given
    assert en_fr["decoded"].strip()
    assert "generated test package" in en_fr["readme"]
    fr_en = packages["translate-fr_en-1_9"]
    assert fr_en["versions"][0] == "1.9"
    assert fr_en["target_prefix"] == ""  # argostranslate's default when the key is absent
    assert packages["translate-ar_en-1_0"]["names"] == ["Arabic", "English"]
    # argostranslate's import-time directories went to the state dir, not $HOME.
    assert (tmp_path / "data" / "argos-translate").is_dir()
    assert (tmp_path / "cache" / "argos-translate" / "downloads").is_dir()


INSTALL = """
import json
from argostranslate import package

package.install_from_path({archive!r})
print(json.dumps([[p.from_code, p.to_code, p.package_version]
                  for p in package.get_installed_packages()]))
"""


def test_archive_is_one_directory_and_installs_from_file(tmp_path: Path) -> None:
    archive = build_argos_archive(tmp_path / "en_ar.argosmodel", "en", "ar", package_version="2.1")

    with zipfile.ZipFile(archive) as zipped:
        assert zipped.testzip() is None
        names = zipped.namelist()
    assert {name.split("/")[0] for name in names} == {"translate-en_ar-2_1"}
    for member in ("metadata.json", "sentencepiece.model", "README.md", "model/model.bin"):
        assert f"translate-en_ar-2_1/{member}" in names

    installed = run_argos(
        INSTALL.format(archive=str(archive)), tmp_path / "packages", tmp_path / "state"
    )
    assert installed == [["en", "ar", "2.1"]]


def test_layout_metadata_and_vocabulary(en_fr: Path) -> None:
    assert en_fr.name == "translate-en_fr-1_0"
    for member in ("metadata.json", "sentencepiece.model", "README.md", "model/model.bin"):
        assert (en_fr / member).is_file()
    metadata = json.loads((en_fr / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["target_prefix"] == PREFIX
    assert (metadata["from_code"], metadata["to_code"]) == ("en", "fr")

    vocabulary = read_vocabulary(en_fr / "model")
    assert vocabulary[: len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS)
    assert len(vocabulary) == len(set(vocabulary)) <= 200 + len(SPECIAL_TOKENS)
    assert PREFIX in vocabulary
    # Every token the package's tokenizer produces for its corpus has an id.
    pieces = {piece for tokens in tokenize(en_fr, list(DEFAULT_CORPUS)) for piece in tokens}
    assert pieces <= set(vocabulary)
    assert tokenize(en_fr, [f"{PREFIX} Le ministre"])[0][:2] == ["▁", PREFIX]


def test_translator_returns_vocabulary_tokens_of_source_length(en_fr: Path) -> None:
    vocabulary = set(read_vocabulary(en_fr / "model"))
    sources = tokenize(en_fr, SOURCES)
    outputs = translate(en_fr, SOURCES, beam_size=4, target_prefix=[[PREFIX]] * len(SOURCES))

    for source, output in zip(sources, outputs, strict=True):
        assert output[0] == PREFIX
        assert set(output) <= vocabulary - {"<unk>", "<blank>", "<s>", "</s>"}
        # The length model ends a sentence near the source length (ratio 1.0).
        assert abs(len(output) - len(source)) <= 3, (len(source), len(output))


def test_int8_package_translates(packages_dir: Path) -> None:
    package = packages_dir / package_dir_name("ar", "en")
    translator = ctranslate2.Translator(str(package / "model"), device="cpu", compute_type="int8")
    [result] = translator.translate_batch(tokenize(package, [SOURCES[2]]))
    assert 0 < len(result.hypotheses[0]) <= len(tokenize(package, [SOURCES[2]])[0]) + 3


def test_without_length_model_decoding_runs_to_the_limit(tmp_path: Path) -> None:
    package = build_argos_package(tmp_path, "en", "fr", length_ratio=None)
    outputs = translate(package, SOURCES[:1], beam_size=1, max_decoding_length=40)
    assert len(outputs[0]) == 40


def test_same_seed_same_bytes_other_seed_other_weights(tmp_path: Path) -> None:
    first = build_argos_package(tmp_path / "a", "en", "fr", seed=7)
    again = build_argos_package(tmp_path / "b", "en", "fr", seed=7)
    other = build_argos_package(tmp_path / "c", "en", "fr", seed=8)

    for member in ("sentencepiece.model", "model/model.bin", "model/shared_vocabulary.json"):
        assert (first / member).read_bytes() == (again / member).read_bytes(), member
    assert (first / "model/model.bin").read_bytes() != (other / "model/model.bin").read_bytes()
    assert translate(first, SOURCES) == translate(again, SOURCES)
    assert translate(first, SOURCES) != translate(other, SOURCES)


def test_small_corpus_is_padded_to_reach_the_vocabulary_size(tmp_path: Path) -> None:
    package = build_argos_package(tmp_path, "fr", "ar", vocab_size=1500, corpus=SOURCES)
    vocabulary = read_vocabulary(package / "model")
    # SentencePiece's <unk>, <s>, </s> are replaced by the four OpenNMT specials.
    assert len(vocabulary) == 1500 - 3 + len(SPECIAL_TOKENS)
    assert set(tokenize(package, SOURCES)[0]) <= set(vocabulary)


def test_refuses_to_overwrite_and_checks_heads(en_fr: Path, tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        build_argos_package(en_fr.parent, "en", "fr")
    with pytest.raises(ValueError, match="divisible"):
        build_argos_package(tmp_path, "en", "fr", d_model=60, heads=8)


# --- the layouts of the index's real packages ------------------------------------

LAYOUT_SCRIPT = """
import json
import ctranslate2
from argostranslate import package

out = {}
for pkg in package.get_installed_packages():
    model = pkg.package_path / "model"
    shared = (model / "shared_vocabulary.json").exists()

    def vocabulary(side):
        return json.loads((model / f"{'shared' if shared else side}_vocabulary.json").read_text())

    source, target = vocabulary("source"), vocabulary("target")
    tokens = [pkg.tokenizer.encode(s) for s in SENTENCES[pkg.from_code]]
    results = ctranslate2.Translator(str(model), device="cpu").translate_batch(
        tokens, beam_size=2, max_decoding_length=200
    )
    out[pkg.package_path.name] = {
        "codes": [pkg.from_code, pkg.to_code],
        "tokenizer": type(pkg.tokenizer).__name__,
        "sbd": str(pkg.packaged_sbd_path) if pkg.packaged_sbd_path else None,
        "unknown_source_tokens": sorted({t for ts in tokens for t in ts if t not in source}),
        "outputs_in_target_vocabulary": all(t in target for r in results for t in r.hypotheses[0]),
        "output_lengths": [len(r.hypotheses[0]) for r in results],
        "outputs": [r.hypotheses[0] for r in results],
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def layouts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layouts")
    build_argos_package(
        root, "en", "ar", top_folder="en_ar", basic_metadata=True, stanza=True, seed=3
    )
    build_argos_package(root, "en", "fr", layout="opus-sp", package_version="1.9", seed=4)
    build_argos_package(root, "fr", "en", layout="opus-bpe", quantization="int8", seed=5)
    return root


@pytest.fixture(scope="module")
def layouts(layouts_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    sentences = {code: CORPUS_BY_LANGUAGE[code][:8] for code in ("en", "fr")}
    script = f"SENTENCES = {sentences!r}\n" + LAYOUT_SCRIPT
    return run_argos(script, layouts_dir, tmp_path_factory.mktemp("argos-state"))


def test_argostranslate_loads_each_layout_with_its_tokenizer(layouts: dict) -> None:
    assert layouts["en_ar"]["tokenizer"] == "SentencePieceTokenizer"
    assert layouts["en_ar"]["sbd"].endswith("en_ar/stanza")
    assert layouts["translate-en_fr-1_9"]["tokenizer"] == "SentencePieceTokenizer"
    assert layouts["translate-fr_en-1_0"]["tokenizer"] == "BPETokenizer"
    for name, found in layouts.items():
        assert found["unknown_source_tokens"] == [], name
        assert found["outputs_in_target_vocabulary"], name
        assert max(found["output_lengths"]) < 200, name  # the length model stops decoding


def test_opus_sentencepiece_layout_ships_only_the_source_side(layouts_dir: Path, layouts) -> None:
    package = layouts_dir / "translate-en_fr-1_9"
    model = package / "model"
    assert sorted(p.name for p in package.iterdir()) == [
        "README.md",
        "metadata.json",
        "model",
        "sentencepiece.model",
    ]
    assert {"source_vocabulary.json", "target_vocabulary.json"} <= {p.name for p in model.iterdir()}
    target = json.loads((model / "target_vocabulary.json").read_text(encoding="utf-8"))
    processor = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
    unknown = [p for p in target[4:] if processor.piece_to_id(p) == processor.unk_id()]
    assert len(unknown) > len(target) // 5
    # What every real user of such a package meets: pieces decoded verbatim, ▁ and all.
    decoded = [processor.decode_pieces(o) for o in layouts["translate-en_fr-1_9"]["outputs"]]
    assert any("\u2581" in text for text in decoded)


def test_bpe_layout_ships_subword_nmt_codes(layouts_dir: Path, layouts) -> None:
    package = layouts_dir / "translate-fr_en-1_0"
    codes = (package / "bpe.model").read_text(encoding="utf-8").splitlines()
    assert codes[0] == "#version: 0.2"
    assert all(len(line.split(" ")) == 2 for line in codes[1:]) and len(codes) > 20
    assert not (package / "sentencepiece.model").exists()
    outputs = layouts["translate-fr_en-1_0"]["outputs"]
    assert any(t.endswith("@@") for o in outputs for t in o)


def test_basic_metadata_top_folder_and_stanza(layouts_dir: Path, tmp_path: Path) -> None:
    package = layouts_dir / "en_ar"
    metadata = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    assert sorted(metadata) == sorted(
        ["package_version", "argos_version", "from_code", "from_name", "to_code", "to_name"]
    )
    assert (package / "stanza" / "en" / "tokenize").is_dir()
    assert "Built with:" in (package / "README.md").read_text(encoding="utf-8")
    archive = build_argos_archive(
        tmp_path / "en_ar.argosmodel", "en", "ar", top_folder="en_ar", stanza=True, seed=3
    )
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
    assert {n.split("/")[0] for n in names} == {"en_ar"}
    assert "en_ar/stanza/resources.json" in names


def test_tied_embeddings_are_stored_once(tmp_path: Path) -> None:
    untied = build_argos_package(tmp_path / "a", "en", "fr", vocab_size=400, d_model=128)
    tied = build_argos_package(
        tmp_path / "b", "en", "fr", vocab_size=400, d_model=128, tied_embeddings=True
    )
    vocab = len(read_vocabulary(untied / "model"))
    saved = (untied / "model" / "model.bin").stat().st_size - (
        tied / "model" / "model.bin"
    ).stat().st_size
    # Two vocab × d_model float32 matrices fewer (decoder projection and encoder embeddings).
    assert saved >= 2 * vocab * 128 * 4 * 0.95


@pytest.mark.parametrize("layout", ["opus-sp", "opus-bpe"])
def test_new_layouts_are_reproducible(tmp_path: Path, layout: str) -> None:
    first = build_argos_archive(tmp_path / "a.argosmodel", "en", "fr", layout=layout, seed=9)
    second = build_argos_archive(tmp_path / "b.argosmodel", "en", "fr", layout=layout, seed=9)
    assert first.read_bytes() == second.read_bytes()
