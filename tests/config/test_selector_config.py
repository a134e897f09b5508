"""Every CSS selector of a source is checked when the config loads: a bad one stops
the config check naming ``file:sources[i].<key>[j]``, instead of a run in which
every article is fetched and then skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import write_text
from translator_pipeline.cli.main import main
from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import ConfigError

SOURCES = """
[[sources]]
name = "gazette"
start_urls = ["https://gazette.example.net/"]

[[sources]]
name = "blog"
start_urls = ["https://blog.example.net/"]
"""


def problems(path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env or {})
    return dict(caught.value.problems)


@pytest.mark.parametrize(
    ("line", "key", "selector"),
    [
        ('title_selector = "h1..entry-title"', "title_selector", "h1..entry-title"),
        ('body_selector = "div.post >"', "body_selector", "div.post >"),
        ('date_selector = "time[datetime"', "date_selector", "time[datetime"),
        ('author_selector = ".byline::"', "author_selector", ".byline::"),
        ('remove_selectors = [".share", "aside", "div["]', "remove_selectors[2]", "div["),
        ('link_selector = "a..more"', "link_selector", "a..more"),
        ('next_selector = "a[rel=next"', "next_selector", "a[rel=next"),
    ],
)
def test_a_bad_selector_names_the_file_the_source_the_key_and_the_selector(
    tmp_path: Path, line: str, key: str, selector: str
) -> None:
    path = write_text(tmp_path, SOURCES + line + "\n")  # the second source's table

    found = problems(path)

    where = f"{path}:sources[1].{key}"
    assert list(found) == [where]
    assert found[where].startswith(f"invalid CSS selector {selector!r}: ")


def test_every_bad_selector_is_listed_at_once(tmp_path: Path) -> None:
    text = SOURCES.replace(
        'start_urls = ["https://gazette.example.net/"]',
        'start_urls = ["https://gazette.example.net/"]\ntitle_selector = "h1..x"\n'
        'remove_selectors = ["p:::", ".ok", "div["]',
    )
    path = write_text(tmp_path, text)

    assert set(problems(path)) == {
        f"{path}:sources[0].title_selector",
        f"{path}:sources[0].remove_selectors[0]",
        f"{path}:sources[0].remove_selectors[2]",
    }


def test_an_empty_remove_selector_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path, SOURCES + 'remove_selectors = [".share", ""]\n')

    assert problems(path) == {f"{path}:sources[1].remove_selectors[1]": "must not be empty"}


def test_an_empty_content_selector_still_means_not_set(tmp_path: Path) -> None:
    path = write_text(tmp_path, SOURCES + 'title_selector = ""\ndate_selector = "time.pub"\n')

    blog = load_settings(path, env={}).sources[1]

    assert blog.title_selector is None
    assert blog.date_selector == "time.pub"


def test_good_selectors_load_unchanged(tmp_path: Path) -> None:
    path = write_text(
        tmp_path,
        SOURCES + 'title_selector = "article > h1.entry-title"\n'
        'remove_selectors = [".sharedaddy", "div[class*=\'related\']", "p:has(> script)"]\n',
    )

    blog = load_settings(path, env={}).sources[1]

    assert blog.title_selector == "article > h1.entry-title"
    assert blog.remove_selectors == [".sharedaddy", "div[class*='related']", "p:has(> script)"]


def test_a_bad_selector_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    path = write_text(tmp_path, SOURCES)

    found = problems(path, env={"TP_SOURCES__1__BODY_SELECTOR": "div..entry-content"})

    assert list(found) == ["env TP_SOURCES__1__BODY_SELECTOR"]
    assert "invalid CSS selector 'div..entry-content'" in found["env TP_SOURCES__1__BODY_SELECTOR"]


def test_the_config_command_fails_on_a_bad_selector(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_text(tmp_path, SOURCES + 'title_selector = "h1..entry-title"\n')

    assert main(["config", str(path)]) == 2

    err = capsys.readouterr().err
    assert f"{path}:sources[1].title_selector: invalid CSS selector 'h1..entry-title'" in err
