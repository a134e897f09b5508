"""Settings: loading the TOML file, TP_* overrides, validation messages, defaults."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.factories import EXAMPLES, ROOT
from translator_pipeline.config.settings import (
    DEFAULT_DISCLAIMERS,
    FetchSettings,
    Settings,
    load_settings,
)
from translator_pipeline.errors import ConfigError, PipelineError

DEMO = EXAMPLES / "demo.toml"
DEMO_ENGINE = tomllib.loads(DEMO.read_text(encoding="utf-8"))["engine"]  # may change with the demo

SOURCE = """
[[sources]]
name = "news"
start_urls = ["https://news.example.org/en/"]
"""


def write_config(directory: Path, text: str, name: str = "config.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={} if env is None else env)
    return caught.value


# --- the demo file ------------------------------------------------------------


def test_demo_config_loads_with_its_values_and_defaults() -> None:
    settings = load_settings(DEMO, env={})

    assert isinstance(settings, Settings)
    assert settings.engine == DEMO_ENGINE
    assert settings.target_languages == ["ar", "fr", "en"]
    assert settings.translate_from == ["ar", "fr", "en"]  # source_languages default: the targets
    assert settings.fetch.timeout == 15.0
    assert settings.fetch.max_bytes == 2_000_000
    assert settings.fetch.max_redirects == 5  # not in the file: the default
    assert settings.public_base_url is None
    assert settings.config_path == DEMO.resolve()

    [source] = settings.sources
    assert source.name == "demo-news"
    assert source.start_urls == ["http://127.0.0.1:8765/index.html"]
    assert source.link_selector == "ul.news-list a.news-link"
    assert source.title_selector == "h1.article-title"
    assert source.body_selector == "div.article-body"
    assert source.date_selector == "time.article-date"
    assert source.remove_selectors == [".share-buttons"]
    assert source.hosts == frozenset({"127.0.0.1"})
    assert settings.source("demo-news") is source
    with pytest.raises(KeyError):
        settings.source("no-such-source")


def test_demo_relative_paths_are_resolved_against_the_examples_directory() -> None:
    settings = load_settings(DEMO, env={})

    assert settings.output_dir == (ROOT / "public").resolve()
    assert settings.state_path == (ROOT / ".state" / "demo.sqlite3").resolve()


# --- paths --------------------------------------------------------------------


def test_relative_paths_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf_dir = tmp_path / "etc" / "tp"
    path = write_config(
        conf_dir, 'output_dir = "out/site"\nstate_path = "db/state.sqlite3"\n' + SOURCE
    )
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    settings = load_settings(Path("../etc/tp/config.toml"), env={})

    assert settings.output_dir == conf_dir.resolve() / "out" / "site"
    assert settings.state_path == conf_dir.resolve() / "db" / "state.sqlite3"
    assert settings.config_path == path.resolve()


def test_default_paths_are_also_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write_config(tmp_path / "conf", SOURCE)

    settings = load_settings(path, env={})

    assert settings.output_dir == (tmp_path / "conf" / "public").resolve()
    assert (
        settings.state_path
        == (tmp_path / "conf" / "state" / "translator-pipeline.sqlite3").resolve()
    )


def test_absolute_paths_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "absolute-out"
    path = write_config(tmp_path / "conf", f'output_dir = "{out.as_posix()}"\n' + SOURCE)

    assert load_settings(path, env={}).output_dir == out.resolve()


def test_relative_path_from_the_environment_is_resolved_against_the_config_file(
    tmp_path: Path,
) -> None:
    path = write_config(tmp_path / "conf", SOURCE)

    settings = load_settings(path, env={"TP_OUTPUT_DIR": "from-env"})

    assert settings.output_dir == (tmp_path / "conf" / "from-env").resolve()


# --- environment overrides ----------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "read", "expected"),
    [
        ("TP_ENGINE", "argos", lambda s: s.engine, "argos"),
        ("TP_PUBLIC_BASE_URL", "https://cdn.example.org/t", lambda s: s.public_base_url,
         "https://cdn.example.org/t/"),
        ("TP_FETCH__TIMEOUT", "5", lambda s: s.fetch.timeout, 5.0),
        ("TP_FETCH__MAX_REDIRECTS", "0", lambda s: s.fetch.max_redirects, 0),
        ("TP_TARGET_LANGUAGES", "ar,fr", lambda s: s.target_languages, ["ar", "fr"]),
        ("TP_TARGET_LANGUAGES", " fr , ar ,", lambda s: s.target_languages, ["fr", "ar"]),
        ("TP_TARGET_LANGUAGES", '["FR-fr", "fr", "AR"]', lambda s: s.target_languages,
         ["fr", "ar"]),
        ("TP_SOURCE_LANGUAGES", "en", lambda s: s.translate_from, ["en"]),
        ("TP_SOURCES__0__MAX_ARTICLES", "3", lambda s: s.sources[0].max_articles, 3),
        ("TP_SOURCES__0__ALLOWED_HOSTS", "cdn.example.org,img.example.org",
         lambda s: s.sources[0].allowed_hosts, ["cdn.example.org", "img.example.org"]),
    ],
)  # fmt: skip
def test_env_variables_override_the_file(variable, value, read, expected) -> None:
    settings = load_settings(DEMO, env={variable: value})

    assert read(settings) == expected


def test_several_env_overrides_apply_together_and_leave_the_rest_alone() -> None:
    settings = load_settings(
        DEMO,
        env={
            "TP_ENGINE": "argos",
            "TP_FETCH__TIMEOUT": "5",
            "TP_TARGET_LANGUAGES": "ar,fr",
            "TP_SOURCES__0__MAX_ARTICLES": "3",
            "HOME": "/home/someone",  # not ours: ignored
            "TP_CONFIG": "/elsewhere.toml",  # names the file; not a setting
        },
    )

    assert settings.engine == "argos"
    assert settings.fetch.timeout == 5.0
    assert settings.fetch.max_bytes == 2_000_000  # sibling of an overridden key kept
    assert settings.target_languages == ["ar", "fr"]
    assert settings.sources[0].max_articles == 3
    assert settings.sources[0].body_selector == "div.article-body"


def test_env_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP_ENGINE", "from-process-env")

    assert load_settings(DEMO).engine == "from-process-env"
    assert load_settings(DEMO, env={}).engine == DEMO_ENGINE


def test_caller_overrides_win_over_env_and_none_is_ignored() -> None:
    env = {"TP_ENGINE": "from-env"}

    assert load_settings(DEMO, env=env, engine="from-cli").engine == "from-cli"
    assert load_settings(DEMO, env=env, engine=None).engine == "from-env"


# --- errors: the file ----------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"

    error = load_error(path)

    assert isinstance(error, PipelineError)
    assert error.path == str(path)
    assert error.problems == [(str(path), "file not found")]
    assert str(path) in str(error)


def test_invalid_toml(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'engine = "pseudo"\ntarget_languages = ["ar", \n' + SOURCE)

    error = load_error(path)

    [(where, what)] = error.problems
    assert where == str(path)
    assert what.startswith("not valid TOML")


_ALLOWED_LANGUAGE_FORM = "[A-Za-z]{2,3}"


@pytest.mark.parametrize(
    ("text", "key", "fragments"),
    [
        pytest.param('engin = "pseudo"\n' + SOURCE, "engin", ["unknown key", "examples/demo.toml"],
                     id="unknown-top-level-key"),
        pytest.param("[fetch]\ntimout = 5\n" + SOURCE, "fetch.timout", ["unknown key"],
                     id="unknown-nested-key"),
        pytest.param(SOURCE + 'titel_selector = "h1"\n', "sources[0].titel_selector",
                     ["unknown key"], id="unknown-source-key"),
        pytest.param('target_languages = ["ar", "french!"]\n' + SOURCE, "target_languages[1]",
                     ["'french!'", _ALLOWED_LANGUAGE_FORM], id="bad-language-code"),
        pytest.param('source_languages = ["a"]\n' + SOURCE, "source_languages[0]",
                     ["'a'", _ALLOWED_LANGUAGE_FORM], id="too-short-language-code"),
        pytest.param('[[sources]]\nname = "news"\nstart_urls = ["ftp://news.example.org/"]\n',
                     "sources[0].start_urls", ["ftp://news.example.org/", "http(s)"],
                     id="non-http-start-url"),
        pytest.param('[[sources]]\nname = "news"\nstart_urls = ["news.example.org/fr/"]\n',
                     "sources[0].start_urls", ["news.example.org/fr/", "http(s)"],
                     id="start-url-without-scheme"),
        pytest.param('[disclaimers.fr]\ntext = "Traduit de {langue}."\nlink_text = "Original"\n'
                     + SOURCE, "disclaimers.fr.text",
                     ["langue", "{source_language}", "{source_code}"],
                     id="unknown-disclaimer-placeholder"),
        pytest.param("[fetch]\nmax_bytes = 10\n" + SOURCE, "fetch.max_bytes", ["1024"],
                     id="max-bytes-below-minimum"),
        pytest.param('public_base_url = "ftp://cdn.example.org/"\n' + SOURCE, "public_base_url",
                     ["http(s)"], id="non-http-base-url"),
        pytest.param('engine = "pseudo"\n', "sources", ["required key is missing"],
                     id="no-sources"),
        pytest.param("target_languages = []\n" + SOURCE, "target_languages",
                     ["at least one target language"], id="no-targets"),
    ],
)  # fmt: skip
def test_invalid_value_names_file_and_key_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, fragments: list[str]
) -> None:
    path = write_config(tmp_path, text)

    error = load_error(path)

    locations = [where for where, _ in error.problems]
    assert f"{path}:{key}" in locations, error.problems
    message = dict(error.problems)[f"{path}:{key}"]
    for fragment in fragments:
        assert fragment in message
    assert f"{path}:{key}" in str(error)  # the exception text lists it too


def test_duplicate_source_names_are_refused_naming_the_file_and_the_sources_key(
    tmp_path: Path,
) -> None:
    path = write_config(
        tmp_path,
        SOURCE + SOURCE.replace("/en/", "/fr/") + SOURCE.replace("news", "other"),
    )

    error = load_error(path)

    [(where, what)] = error.problems
    assert "unique" in what
    assert "'news'" in what and "'other'" not in what
    assert where.startswith(f"{path}:")
    assert "sources" in where  # file:key, as every other problem is reported


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'engin = "x"\ntarget_languages = ["ar", "??"]\n[fetch]\ntimeout = -1\n' + SOURCE,
    )

    error = load_error(path)

    assert {where for where, _ in error.problems} == {
        f"{path}:engin",
        f"{path}:target_languages[1]",
        f"{path}:fetch.timeout",
    }


# --- errors: environment variables -----------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("TP_FETCH__TIMEOUT", "soon", "number"),
        ("TP_FETCH__TIMEOUT", "-1", "greater than 0"),
        ("TP_FETCH__MAX_BYTES", "100", "1024"),
        ("TP_SOURCES__0__MAX_ARTICLES", "zero", "integer"),
        ("TP_SOURCES__0__START_URLS", "ftp://news.example.org/", "http(s)"),
        ("TP_TARGET_LANGUAGES", "ar,fr!", _ALLOWED_LANGUAGE_FORM),
        ("TP_ENGINE", "not a name", "does not match the allowed form"),
        ("TP_FETCH__COLOUR", "blue", "unknown key"),
        ("TP_NO_SUCH_SETTING", "1", "unknown key"),
    ],
)
def test_bad_env_value_names_the_variable(variable: str, value: str, fragment: str) -> None:
    error = load_error(DEMO, env={variable: value})

    [(where, what)] = error.problems
    assert where == f"env {variable}"
    assert fragment in what


@pytest.mark.parametrize(
    "variable",
    [
        "TP_SOURCES__NAME",  # the list index is missing
        "TP_FETCH__TIMEOUT__SECONDS",  # timeout is a number, not a table
        "TP_ENGINE__NAME",  # engine is a string, not a table
    ],
)
def test_misshaped_env_variable_is_an_error_not_silently_ignored(variable: str) -> None:
    error = load_error(DEMO, env={variable: "7"})

    assert any(where == f"env {variable}" for where, _ in error.problems), error.problems


# --- language codes ---------------------------------------------------------------


def test_language_codes_are_normalised_and_deduplicated_in_order(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        'target_languages = ["FR-fr", "ar_MA", "fr", "EN", "en-GB", "ar"]\n'
        'source_languages = ["AR", "ar-EG", "Fr"]\n' + SOURCE,
    )

    settings = load_settings(path, env={})

    assert settings.target_languages == ["fr", "ar", "en"]
    assert settings.source_languages == ["ar", "fr"]
    assert settings.translate_from == ["ar", "fr"]


# --- disclaimers --------------------------------------------------------------------


def test_disclaimer_fallback_configured_then_default_then_english(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "[disclaimers.fr]\n"
        'text = "Traduction automatique depuis {source_language} ({source_code})."\n'
        'link_text = "Voir l\'original"\n' + SOURCE,
    )

    settings = load_settings(path, env={})

    configured = settings.disclaimer("fr")
    assert configured.text == "Traduction automatique depuis {source_language} ({source_code})."
    assert configured.link_text == "Voir l'original"
    assert settings.disclaimer("ar") == DEFAULT_DISCLAIMERS["ar"]
    assert settings.disclaimer("en") == DEFAULT_DISCLAIMERS["en"]
    assert settings.disclaimer("es") == DEFAULT_DISCLAIMERS["en"]  # no Spanish default


def test_configured_english_disclaimer_is_not_the_fallback_for_other_languages(
    tmp_path: Path,
) -> None:
    path = write_config(
        tmp_path,
        '[disclaimers.en]\ntext = "Machine translated."\nlink_text = "Original"\n' + SOURCE,
    )

    settings = load_settings(path, env={})

    assert settings.disclaimer("en").text == "Machine translated."
    assert settings.disclaimer("es") == DEFAULT_DISCLAIMERS["en"]
    assert settings.disclaimer("fr") == DEFAULT_DISCLAIMERS["fr"]


@pytest.mark.parametrize("key", ["FR", '"fr-FR"', "fr_FR"])
def test_disclaimer_language_keys_are_normalised_like_other_codes(tmp_path: Path, key: str) -> None:
    path = write_config(
        tmp_path,
        f'[disclaimers.{key}]\ntext = "Traduit de {{source_language}}."\n'
        'link_text = "Original"\n' + SOURCE,
    )

    settings = load_settings(path, env={})

    assert settings.disclaimer("fr").text == "Traduit de {source_language}."


@pytest.mark.parametrize(
    "text",
    [
        "Traduit de {source_language.",  # unclosed brace
        "Traduit } de {source_language}.",  # single closing brace
    ],
)
def test_disclaimer_text_that_cannot_be_formatted_is_refused_at_load_time(
    tmp_path: Path, text: str
) -> None:
    path = write_config(
        tmp_path, f'[disclaimers.fr]\ntext = "{text}"\nlink_text = "Original"\n' + SOURCE
    )

    error = load_error(path)

    assert f"{path}:disclaimers.fr.text" in [where for where, _ in error.problems]


def test_disclaimer_text_may_contain_escaped_braces(tmp_path: Path) -> None:
    # str.format escapes: "{{MT}}" is the literal text "{MT}", not a placeholder.
    path = write_config(
        tmp_path,
        '[disclaimers.fr]\ntext = "Traduit de {source_language} {{MT}}."\n'
        'link_text = "Original"\n' + SOURCE,
    )

    text = load_settings(path, env={}).disclaimer("fr").text

    assert text.format(source_language="arabe", source_code="ar") == "Traduit de arabe {MT}."


@pytest.mark.parametrize("language", sorted(DEFAULT_DISCLAIMERS))
def test_default_disclaimers_format_with_both_placeholders(language: str) -> None:
    disclaimer = DEFAULT_DISCLAIMERS[language]

    text = disclaimer.text.format(source_language="LANGNAME", source_code="xx")

    assert "LANGNAME" in text
    assert "{" not in text and "}" not in text
    assert disclaimer.link_text


# --- FetchSettings on its own ----------------------------------------------------------


def test_fetch_settings_limits() -> None:
    assert FetchSettings(max_bytes=1024).max_bytes == 1024
    with pytest.raises(ValueError, match="1024"):
        FetchSettings(max_bytes=1023)
    with pytest.raises(ValueError, match="greater than 0"):
        FetchSettings(timeout=0)
    with pytest.raises(ValueError, match="Extra inputs"):
        FetchSettings(retrys=3)
