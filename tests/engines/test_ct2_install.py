"""`install_model`: converted models from directories and archives, checked first.

Every refusal is one line naming the file at fault (under the path the user
gave, not the staging copy) and leaves the models directory as it was.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from translator_pipeline.engines.ct2_models import INFO_FILE, find_models, install_model
from translator_pipeline.errors import EngineError
from translator_pipeline.testing.tiny_ct2 import archive_model


def contents(directory: Path) -> list[str]:
    """Everything under ``directory`` and its staging sibling, relative paths."""
    found = []
    for root in (directory, directory.parent / f".{directory.name}.staging"):
        if root.exists():
            found += sorted(str(p.relative_to(root.parent)) for p in root.rglob("*"))
    return found


@pytest.mark.parametrize("kind", ["directory", "zip", "tar.gz", "flat zip"])
def test_install_from_a_directory_or_an_archive(ct2_sources, tmp_path, kind):
    source = ct2_sources["nllb"]
    if kind == "directory":
        given = source
    elif kind == "flat zip":  # the files at the archive's top level
        given = Path(shutil.make_archive(str(tmp_path / "nllb-flat"), "zip", source))
    else:
        given = archive_model(source, tmp_path / f"nllb.{kind}")
    models = tmp_path / "models"
    model = install_model(given, models, license="CC-BY-NC-4.0")
    expected = "nllb-flat" if kind == "flat zip" else "nllb-200-tiny"
    assert model.name == expected and model.path == models / expected
    assert model.family == "nllb" and model.license == "CC-BY-NC-4.0"
    assert set(model.targets) == {"en", "fr", "ar"}
    info = json.loads((model.path / INFO_FILE).read_text(encoding="utf-8"))
    assert info["files"][0] == "model.bin" and "sentencepiece.bpe.model" in info["files"]
    assert [p.name for p in models.iterdir()] == [expected]
    assert not any((tmp_path / ".models.staging").iterdir())


def test_reinstalling_replaces_the_model_in_one_step(ct2_sources, tmp_path):
    models = tmp_path / "models"
    first = install_model(ct2_sources["marian-en-ar"], models)
    other = tmp_path / "opus-mt-en-ar"
    shutil.copytree(ct2_sources["marian-en-ar"], other)
    (other / "target.spm").write_bytes((ct2_sources["marian-ar-en"] / "target.spm").read_bytes())
    second = install_model(other, models)
    assert second.path == first.path and second.version != first.version
    [found], problems = find_models(models)
    assert found.version == second.version and problems == []


def _broken(source: Path, tmp_path: Path, change) -> Path:
    target = tmp_path / "given" / source.name
    shutil.copytree(source, target)
    change(target)
    return target


def _garbage(name: str):
    return lambda d: (d / name).write_bytes(b"\x00garbage")


CASES = {
    "no model.bin": ("nllb", lambda d: (d / "model.bin").unlink(), "model.bin: missing"),
    "truncated model.bin": (
        "nllb",
        lambda d: (d / "model.bin").write_bytes((d / "model.bin").read_bytes()[:500]),
        "model.bin: CTranslate2 cannot load the model",
    ),
    "bad config.json": ("nllb", _garbage("config.json"), "config.json: unreadable"),
    "no vocabulary": (
        "nllb",
        lambda d: (d / "shared_vocabulary.json").unlink(),
        "shared_vocabulary.json: missing",
    ),
    "half a split vocabulary": (
        "marian-split-en-fr",
        lambda d: (d / "target_vocabulary.json").unlink(),
        "target_vocabulary.json: missing (the model has split vocabularies)",
    ),
    "no target.spm": (
        "marian-en-ar",
        lambda d: (d / "target.spm").unlink(),
        "target.spm: missing (an OPUS-MT model needs source.spm and target.spm",
    ),
    "broken source.spm": (
        "marian-en-ar",
        _garbage("source.spm"),
        "source.spm: not a SentencePiece",
    ),
    "no sentencepiece model": (
        "madlad",
        lambda d: (d / "spiece.model").unlink(),
        "spiece.model: missing (copy the original model's SentencePiece file in",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_models_are_refused_with_one_line_naming_the_file(ct2_sources, tmp_path, case):
    family, change, message = CASES[case]
    given = _broken(ct2_sources[family], tmp_path, change)
    models = tmp_path / "models"
    install_model(ct2_sources["m2m100"], models)
    before = contents(models)
    with pytest.raises(EngineError) as caught:
        install_model(given, models)
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert text.startswith(str(given))  # the user's path, not the staging copy
    assert contents(models) == before


def test_languages_an_opus_model_does_not_declare_must_be_given(ct2_sources, tmp_path):
    given = tmp_path / "my-model"
    shutil.copytree(ct2_sources["marian-en-ar"], given)
    with pytest.raises(EngineError, match=r"cannot tell which languages .* --from en --to ar"):
        install_model(given, tmp_path / "models")
    model = install_model(given, tmp_path / "models", source="en", target="ar")
    assert (model.sources, model.targets) == ({"en": ""}, {"ar": ""})


def test_unknown_language_for_a_multilingual_model(ct2_sources, tmp_path):
    with pytest.raises(EngineError, match="has no language token for 'de'"):
        install_model(ct2_sources["nllb"], tmp_path / "models", target="de")
    with pytest.raises(EngineError, match="no >>xxx<< token for 'fr'; it has ar, arz"):
        install_model(ct2_sources["marian-tc-big"], tmp_path / "models", source="en", target="fr")


def test_bad_archives(ct2_sources, tmp_path):
    models = tmp_path / "models"
    junk = tmp_path / "model.tar.gz"
    junk.write_bytes(b"not an archive at all")
    with pytest.raises(EngineError, match=r"model.tar.gz: not a model directory, .zip or .tar.gz"):
        install_model(junk, models)
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tf:
        info = tarfile.TarInfo("nllb/../../outside.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(EngineError, match=r"evil\.tar\.gz: unsafe path in archive"):
        install_model(evil, models)
    assert not (tmp_path / "outside.txt").exists()
    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as tf:
        info = tarfile.TarInfo("nllb/model.bin")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(info)
    with pytest.raises(EngineError, match="archive holds a link"):
        install_model(link, models)
    with pytest.raises(EngineError, match="no such file or directory"):
        install_model(tmp_path / "nowhere", models)
    assert not models.exists() or not any(models.iterdir())
