"""`models install PATH`, `models list`, `translate` on converted CTranslate2 models
(tiny, random weights): the whole command-line path of the ctranslate2 engine."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from translator_pipeline.cli.main import main
from translator_pipeline.engines import clear_engine_cache
from translator_pipeline.testing.tiny_ct2 import archive_model


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def fresh_engines():
    clear_engine_cache()
    yield
    clear_engine_cache()


def test_install_list_and_remove(ct2_sources, tmp_path, capsys):
    models, packages = tmp_path / "models", tmp_path / "argos"
    where = ("--models-dir", str(models), "--packages-dir", str(packages))
    code, out, err = run(
        capsys,
        "models",
        "install",
        str(ct2_sources["marian-en-ar"]),
        *where,
        "--license",
        "CC-BY-4.0",
    )
    assert code == 0, err
    assert out.strip() == f"installed opus-mt-en-ar (marian, en→ar) in {models}"
    archive = archive_model(ct2_sources["nllb"], tmp_path / "nllb-200-distilled-600M.tar.gz")
    code, out, err = run(capsys, "models", "install", str(archive), "--name", "nllb-600m", *where)
    assert code == 0, err
    assert "installed nllb-600m (nllb, ar→en, ar→fr, en→ar, en→fr, fr→ar, fr→en)" in out

    code, out, _ = run(capsys, "models", "list", "en", "fr", "ar", *where)
    assert code == 0
    assert "opus-mt-en-ar" in out and "marian" in out and "licence CC-BY-4.0" in out
    assert "en→ar: direct: opus-mt-en-ar (marian)" in out
    assert "fr→ar: direct: nllb-600m (nllb)" in out  # no pivot through English
    assert "ar→fr: direct: nllb-600m (nllb)" in out

    code, out, _ = run(capsys, "models", "remove", "nllb-600m", *where)
    assert code == 0 and "removed nllb-600m (nllb)" in out
    code, out, _ = run(capsys, "models", "list", "en", "fr", "ar", *where)
    assert code == 1
    assert "fr→ar: MISSING (no installed model translates fr→ar directly or through en" in out


def test_a_broken_model_is_refused_in_one_line(ct2_sources, tmp_path, capsys):
    given = tmp_path / "opus-mt-en-fr"
    given.mkdir()
    (given / "config.json").write_text("{}")
    code, out, err = run(
        capsys, "models", "install", str(given), "--models-dir", str(tmp_path / "m")
    )
    assert code == 1 and out == ""
    assert err.startswith(f"error: {given}/model.bin: missing (not a CTranslate2 model directory")
    assert err.count("\n") == 1


def write_site_config(tmp_path: Path, models: Path, glossary: Path) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        f'engine = "ctranslate2"\n[glossary]\npath = "{glossary}"\n'
        f'[engines.ctranslate2]\nmodels_dir = "{models}"\nuse_argos = false\nbeam_size = 1\n'
        '[[sources]]\nname = "s"\nstart_urls = ["https://example.org/"]\n',
        encoding="utf-8",
    )
    return config


def test_translate_text_and_html_with_links_and_glossary_fr_to_ar_direct(
    ct2_sources, tmp_path, monkeypatch, capsys, fresh_engines
):
    models = tmp_path / "models"
    for key in ("nllb", "marian-en-ar"):
        assert (
            run(capsys, "models", "install", str(ct2_sources[key]), "--models-dir", str(models))[0]
            == 0
        )
    glossary = tmp_path / "glossary.csv"
    glossary.write_text(
        "en,fr,ar\nMember States,États membres,الدول الأعضاء\n"
        "Director-General,Directeur général,المدير العام\n",
        encoding="utf-8",
    )
    config = write_site_config(tmp_path, models, glossary)

    monkeypatch.setattr(
        "sys.stdin", io.StringIO("Le Directeur général a reçu les États membres.\n")
    )
    code, out, err = run(capsys, "translate", "--from", "fr", "--to", "ar", "--config", str(config))
    assert code == 0, err
    assert "المدير العام" in out and "الدول الأعضاء" in out
    assert "glossary: 2 term occurrence(s), 2 enforced, 0 missed" in err

    page = (
        '<html lang="en"><head><title>News</title></head><body><p>The Member States read '
        '<a href="https://icesco.org/statement">the statement</a> of the '
        "<b>Director-General</b>.</p></body></html>"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(page))
    code, out, err = run(
        capsys, "translate", "--from", "en", "--to", "ar", "--html", "--config", str(config)
    )
    assert code == 0, err
    assert 'dir="rtl"' in out and 'lang="ar"' in out
    assert '<a href="https://icesco.org/statement">' in out and "<b>" in out
    assert "الدول الأعضاء" in out and "المدير العام" in out

    monkeypatch.setattr("sys.stdin", io.StringIO("Hola.\n"))
    code, _, err = run(capsys, "translate", "--from", "es", "--to", "ar", "--config", str(config))
    assert code == 1
    assert "cannot translate es→ar: no installed model translates es→ar" in err
    assert "models install PATH" in err


def test_engines_lists_ctranslate2(capsys):
    code, out, _ = run(capsys, "engines")
    assert code == 0 and "ctranslate2\ttranslator_pipeline.engines.ct2:CTranslate2Translator" in out


def test_config_command_shows_the_engine_tables(tmp_path, capsys):
    config = write_site_config(tmp_path, tmp_path / "m", tmp_path / "g.csv")
    (tmp_path / "g.csv").write_text("en,fr\n", encoding="utf-8")
    code, out, _ = run(capsys, "config", str(config))
    data = json.loads(out)
    assert code == 0 and data["engines"]["ctranslate2"]["beam_size"] == 1


@pytest.mark.parametrize(
    ("family", "source", "target", "text", "terms"),
    [
        (
            "marian-split-en-fr",
            "en",
            "fr",
            "The <b>Member States</b> read the text.",
            ["États membres"],
        ),
        ("marian-tc-big", "en", "ar", "The <b>Member States</b> read the text.", ["الدول الأعضاء"]),
        ("m2m100", "ar", "fr", "قرأت <b>الدول الأعضاء</b> النص.", ["États membres"]),
        ("madlad", "fr", "ar", "Les <b>États membres</b> ont lu le texte.", ["الدول الأعضاء"]),
    ],
)
def test_every_family_keeps_links_markup_and_glossary_terms(
    ct2_sources, tmp_path, monkeypatch, capsys, fresh_engines, family, source, target, text, terms
):
    models = tmp_path / "models"
    extra = ("--from", "en") if family == "marian-tc-big" else ()
    code, _, err = run(
        capsys, "models", "install", str(ct2_sources[family]), "--models-dir", str(models), *extra
    )
    assert code == 0, err
    glossary = tmp_path / "glossary.csv"
    glossary.write_text("en,fr,ar\nMember States,États membres,الدول الأعضاء\n", encoding="utf-8")
    config = write_site_config(tmp_path, models, glossary)
    page = f'<p>{text} <a href="https://icesco.org/a?b=1&amp;c=2">Link</a></p>'
    monkeypatch.setattr("sys.stdin", io.StringIO(page))
    code, out, err = run(
        capsys, "translate", "--from", source, "--to", target, "--html", "--config", str(config)
    )
    assert code == 0, err
    assert '<a href="https://icesco.org/a?b=1&amp;c=2">' in out and "<b>" in out
    for term in terms:
        assert term in out
    assert "glossary: 1 term occurrence(s), 1 enforced, 0 missed" in err
