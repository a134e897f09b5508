import json

import pytest

from translator_pipeline.cli.main import main


def test_config_command_prints_validated_settings(capsys):
    from tests.factories import EXAMPLES

    assert main(["config", str(EXAMPLES / "demo.toml")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["engine"] == "argos"
    assert data["target_languages"] == ["ar", "fr", "en"]


def test_bad_config_exits_2_and_names_file_and_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('engine = "pseudo"\ntarget_languages = ["english!"]\n[[sources]]\nname="x"\n')
    assert main(["config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:target_languages[0]" in err
    assert f"{bad}:sources[0].start_urls" in err


def test_engines_command_lists_pseudo(capsys):
    assert main(["engines"]) == 0
    assert "pseudo\ttranslator_pipeline.engines.pseudo:PseudoTranslator" in capsys.readouterr().out


def test_run_with_bad_config_exits_2_without_starting_prefect(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.usefixtures("prefect_harness")
def test_demo_falls_back_to_pseudo_loudly_without_argos_packages(tmp_path, monkeypatch, capsys):
    from translator_pipeline.engines import clear_engine_cache

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-packages"))
    clear_engine_cache()
    try:
        code = main(["demo", "--output", str(tmp_path / "out")])
    finally:
        clear_engine_cache()
    out = capsys.readouterr().out
    assert code == 0
    assert "Falling back to the PSEUDO engine" in out
    assert "engine: pseudo" in out
    assert "4 published (8 variant(s))" in out
    pages = sorted(p for p in (tmp_path / "out").glob("[!.]*/*/index.html"))
    assert len(pages) == 8
    assert str(pages[0]) in out


def test_detect_command_reads_lines_from_stdin_and_files(tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Lire la suite\nاقرأ المزيد\n\nRead more\n"))
    assert main(["detect"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["line"], r["language"], r["script"]) for r in lines] == [
        (1, "fr", "Latn"),
        (2, "ar", "Arab"),
        (3, "und", "Zyyy"),
        (4, "en", "Latn"),
    ]
    assert all(0.0 <= r["confidence"] <= 1.0 for r in lines)

    doc = tmp_path / "doc.txt"
    doc.write_text(
        "La organización presentó ayer en Madrid su informe anual sobre la cooperación.",
        encoding="utf-8",
    )
    assert main(["detect", str(doc), str(tmp_path / "missing.txt")]) == 1
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["file"] == str(doc) and out[0]["language"] == "es"
    assert "error" in out[1]
