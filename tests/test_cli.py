import json

from translator_pipeline.cli import main


def test_config_command_prints_validated_settings(capsys):
    from tests.conftest import EXAMPLES

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
