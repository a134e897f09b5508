"""What the README and ``examples/`` show works as written.

- Every ``toml`` block validates, as a user would paste it: a block with its own
  ``[[sources]]`` as a whole file, any other block into a minimal site config,
  through ``translator-pipeline config`` (the machine checks included: a
  ``secret_env`` block is checked with that variable set, as the text tells).
- Every ``translator-pipeline …`` command line of a ``sh`` block parses with the
  real command-line parser (its sub-command and options exist), with ``[optional]``
  parts both left out and put in.
- Every ``make`` target named there exists; every file of ``examples/`` validates.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from tests.factories import ROOT
from translator_pipeline.cli.main import main, parse_arguments

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TOP = """
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "out"
state_path = "state/tp.sqlite3"
"""
SOURCES = """
[[sources]]
name = "site"
start_urls = ["https://www.example.org/news/"]
"""
MINIMAL = TOP + SOURCES


def site_with(block: str) -> str:
    """A minimal site config with ``block`` in it: the block's top-level keys replace
    the minimal ones, its tables follow them, the site's source comes last."""
    own = set(tomllib.loads(block))
    top = [line for line in TOP.splitlines() if line.split(" = ")[0] not in own]
    return "\n".join(top) + "\n" + block + "\n" + SOURCES


SECRET = "a-documented-webhook-secret-0123456789"
COMMANDS = ("translator-pipeline ", ".venv/bin/translator-pipeline ", "make ")


def blocks(kind: str) -> list[tuple[str, str]]:
    """(``file:line``, text) of every fenced block of ``kind`` in the docs."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == kind:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{doc.relative_to(ROOT)}:{line}", match.group(2)))
    return found


def command_lines() -> list[tuple[str, str]]:
    lines = []
    for where, text in blocks("sh"):
        for raw in text.splitlines():
            command = raw.split(" #", 1)[0].strip()
            if command.startswith(COMMANDS):
                lines.append((where, command))
    return lines


def test_the_docs_have_examples_to_check():
    # The docs show configs and commands: an empty harvest means the parsing broke.
    assert len(blocks("toml")) >= 5
    assert len([c for _, c in command_lines() if "translator-pipeline" in c]) >= 10


@pytest.mark.parametrize(("where", "text"), blocks("toml"), ids=lambda v: str(v)[:40])
def test_every_toml_block_validates(where, text, tmp_path, monkeypatch, capsys):
    data = tomllib.loads(text)  # a syntax error fails here, naming the block
    config = tmp_path / "site.toml"
    config.write_text(text if "sources" in data else site_with(text), encoding="utf-8")
    for hook in data.get("webhooks", []):
        if "secret_env" in hook:
            monkeypatch.setenv(hook["secret_env"], SECRET)
    # Paths the block names are the user's own files: give them what they point at.
    if "templates_dir" in data:
        (tmp_path / data["templates_dir"]).mkdir()
    assert main(["config", str(config)]) == 0, f"{where}:\n{capsys.readouterr().err}"


def _variants(command: str) -> list[str]:
    """The command without its ``[optional]`` parts, and with them (brackets dropped)."""
    without = re.sub(r"\s*\[[^\]]*\]", "", command)
    with_all = re.sub(r"\[([^\]|]*)(?:\|[^\]]*)?\]", r"\1", command)
    return list(dict.fromkeys([without, with_all]))


@pytest.mark.parametrize(
    ("where", "command"),
    [(w, c) for w, c in command_lines() if "translator-pipeline" in c],
    ids=lambda v: str(v)[:60],
)
def test_every_documented_command_parses(where, command):
    for variant in _variants(command):
        # A shell substitution is one word once the shell has run it.
        words = re.sub(r"\$\([^)]*\)", "x", variant.replace("…", "x"))
        argv = shlex.split(words)[1:]
        try:
            parse_arguments(argv)
        except SystemExit as exc:  # argparse's way to say the command is wrong
            pytest.fail(f"{where}: `{variant}` does not parse (exit {exc.code})")


def test_every_documented_make_target_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([A-Za-z][\w.-]*):", makefile, re.MULTILINE))
    named = {c.split()[1] for _, c in command_lines() if c.startswith("make ")}
    assert {"demo", "test"} <= named
    assert named <= targets, named - targets


@pytest.mark.parametrize("config", sorted((ROOT / "examples").glob("*.toml")), ids=lambda p: p.name)
def test_every_example_config_validates(config, capsys):
    assert main(["config", str(config)]) == 0, capsys.readouterr().err


def test_the_readme_webhook_example_is_not_read_as_an_override(tmp_path, monkeypatch, capsys):
    """`secret_env = "TP_WEBHOOK_SECRET"` names a secret; it once collided with the TP_
    prefix of overrides (`unknown key 'webhook_secret'`, exit 2)."""
    [(where, text)] = [(w, t) for w, t in blocks("toml") if "[[webhooks]]" in t]
    assert 'secret_env = "TP_WEBHOOK_SECRET"' in text, where
    config = tmp_path / "site.toml"
    config.write_text(site_with(text), encoding="utf-8")
    monkeypatch.setenv("TP_WEBHOOK_SECRET", SECRET)
    assert main(["config", str(config)]) == 0, capsys.readouterr().err
    monkeypatch.setenv("TP_WEBHOOK_SECRET", "short")
    assert main(["config", str(config)]) == 2
    assert "TP_WEBHOOK_SECRET holds 5 characters" in capsys.readouterr().err


def test_documented_paths_exist():
    # Files the docs tell a newcomer to open or run.
    for name in ("examples/demo.toml", "glossaries/institutional.csv", "prefect.yaml"):
        assert (ROOT / name).is_file(), name
    assert Path(ROOT / ".ci" / "run").is_file()
