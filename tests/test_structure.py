"""The package's shape: imports flow one way, and a stage does not pull in what it
does not use (the state database's SQLAlchemy, Prefect)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.import_graph import cycles, graph

# Packages by layer, bottom first: a module may import its own layer and those below.
LAYERS = [
    {"errors", "models", "processes", "files", "clock", "html.placeholders"},
    {"config", "language", "html"},
    {"crawl", "engines", "glossary", "quality", "review"},
    {"translate"},
    {"publishing", "store"},
    {"run"},
    {"flows", "cli", "testing", "__main__"},
]


def layer_of(module: str) -> int:
    """The layer of the most specific entry of LAYERS naming ``module`` or its package."""
    rest = module.removeprefix("translator_pipeline").lstrip(".")
    matches = [
        (len(name), i)
        for i, names in enumerate(LAYERS)
        for name in names
        if rest == name or rest.startswith(name + ".")
    ]
    return max(matches)[1] if matches else len(LAYERS)  # the package __init__: on top


def test_there_are_no_import_cycles():
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_cycles_are_found_when_there_is_one(tmp_path):
    """The detector itself: a two-module package that imports itself in a circle."""
    package = tmp_path / "translator_pipeline"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from translator_pipeline import b\n")
    (package / "b.py").write_text("def f():\n    from translator_pipeline.a import x\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from translator_pipeline import a\n"
    )
    assert cycles(graph(package)) == [["translator_pipeline.a", "translator_pipeline.b"]]


def test_imports_flow_from_the_top_layers_down():
    edges = graph()
    upward = [
        f"{a} -> {b}"
        for a, bs in edges.items()
        for b in bs
        if layer_of(b) > layer_of(a) and b != "translator_pipeline"
    ]
    # Settings validate and mask database URLs with the store's parser, lazily.
    allowed = {
        "translator_pipeline.config.settings -> translator_pipeline.store.state",
        # The translators' review page is rendered with the publishing templates.
        "translator_pipeline.glossary.review -> translator_pipeline.publishing.render",
    }
    assert sorted(set(upward) - allowed) == []


@pytest.mark.parametrize(
    "module",
    [
        "translator_pipeline.publishing.render",
        "translator_pipeline.translate",
        "translator_pipeline.crawl.extract",
        "translator_pipeline.html.segment",
        "translator_pipeline",
    ],
)
def test_a_stage_imports_neither_the_database_layer_nor_prefect(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('sqlalchemy', 'prefect', 'translator_pipeline.store.state') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} loads {out.stdout.strip()}"


def test_tests_mirror_the_package_layout():
    """Each test directory is named after a package, so the tests of a module are
    found where the module is (tests/crawl/ for crawl/)."""
    from pathlib import Path

    from tests.support.import_graph import SRC

    tests = Path(__file__).resolve().parent
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    directories = {p.name for p in tests.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert directories - {"support"} <= packages, directories - packages
    stray = sorted(p.name for p in tests.glob("test_*.py"))
    # about the whole project: its docs, its public API, its layout
    assert stray == ["test_documented_examples.py", "test_public_api.py", "test_structure.py"]
