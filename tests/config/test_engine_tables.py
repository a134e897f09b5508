"""``[engines.<name>]`` tables: the ctranslate2 engine's, plugin engines', the Argos alias."""

from __future__ import annotations

import pytest

from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import ConfigError

BASE = '[[sources]]\nname = "s"\nstart_urls = ["https://example.org/"]\n'


def write(tmp_path, text: str):
    path = tmp_path / "site.toml"
    path.write_text(text + BASE, encoding="utf-8")
    return path


def test_ctranslate2_table_routes_and_relative_models_dir(tmp_path):
    path = write(
        tmp_path,
        'engine = "ctranslate2"\n[engines.ctranslate2]\nmodels_dir = "models"\nbeam_size = 2\n'
        '[engines.ctranslate2.routes]\n"en-ar" = "opus-mt-tc-big-en-ar"\n"AR_FR" = "nllb"\n',
    )
    settings = load_settings(path, env={})
    ct2 = settings.engines.ctranslate2
    assert ct2.models_dir == (tmp_path / "models").resolve()
    assert ct2.routes == {"en-ar": "opus-mt-tc-big-en-ar", "ar-fr": "nllb"}
    assert ct2.beam_size == 2 and ct2.length_penalty is None  # None: the family's default
    env = load_settings(path, env={"TP_ENGINES__CTRANSLATE2__BEAM_SIZE": "5"})
    assert env.engines.ctranslate2.beam_size == 5


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[engines.ctranslate2.routes]\n"english-ar" = "x"\n', "must be '<from>-<to>'"),
        ('[engines.ctranslate2.routes]\n"en-en" = "x"\n', "must be '<from>-<to>'"),
        ('[engines.ctranslate2.routes]\n"en-ar" = "../x"\n', "is not a model name"),
        ("[engines.ctranslate2]\nbeam_sise = 2\n", "unknown key"),
        ('[engines]\nmine = "not a table"\n', "engines.mine must be a table"),
    ],
)
def test_bad_engine_tables_name_the_key(tmp_path, table, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, table), env={})
    assert message in str(caught.value)
    assert "engines" in str(caught.value)


def test_plugin_engines_read_their_own_table(tmp_path):
    path = write(tmp_path, '[engines.myengine]\nendpoint = "http://127.0.0.1:9"\nsize = 3\n')
    settings = load_settings(path, env={"TP_ENGINES__MYENGINE__SIZE": "4"})
    assert settings.engine_options("myengine") == {"endpoint": "http://127.0.0.1:9", "size": "4"}
    assert settings.engine_options("other") == {}
    assert settings.engine_options("ctranslate2")["use_argos"] is True


def test_engines_argos_is_the_argos_table_and_only_one_may_be_given(tmp_path):
    settings = load_settings(write(tmp_path, "[engines.argos]\nbeam_size = 2\n"), env={})
    assert settings.argos.beam_size == 2
    legacy = load_settings(write(tmp_path, "[argos]\nbeam_size = 3\n"), env={})
    assert legacy.argos.beam_size == 3
    with pytest.raises(ConfigError, match=r"\[argos\] or \[engines.argos\]"):
        load_settings(
            write(tmp_path, "[argos]\nbeam_size = 3\n[engines.argos]\nbeam_size = 2\n"), env={}
        )
