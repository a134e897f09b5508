"""The package's public exceptions: one documented tree, all exported."""

from __future__ import annotations

import translator_pipeline
from translator_pipeline import errors


def test_every_error_is_exported_documented_and_a_pipeline_error():
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.PipelineError), name
        assert getattr(translator_pipeline, name) is cls, f"{name} not exported by the package"
        assert name in (errors.__doc__ or ""), f"{name} missing from the tree in errors.py"
        assert cls.__doc__, f"{name} has no docstring"
    defined = {
        n
        for n, v in vars(errors).items()
        if isinstance(v, type) and issubclass(v, errors.PipelineError) and not n.startswith("_")
    }
    assert defined == set(errors.__all__)


PUBLIC = {
    "Settings",
    "load_settings",
    "run_once",
    "translate_text",
    "translate_html",
    "verify_signature",
    "Translator",
    "load_engine",
    "__version__",
}


def test_the_top_package_exports_the_small_public_api_and_nothing_else():
    assert set(translator_pipeline.__all__) == PUBLIC | set(errors.__all__)
    for name in translator_pipeline.__all__:
        assert getattr(translator_pipeline, name) is not None, name
    assert callable(translator_pipeline.run_once)
    from translator_pipeline.run.loop import run_once

    assert translator_pipeline.run_once is run_once


def test_an_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'pipeline'"):
        translator_pipeline.pipeline  # noqa: B018


# Control flow inside one stage, always caught there and turned into an error of
# the tree (UnsafeXMLError: DiscoveryError or GlossaryError; the download's retry
# signals: EngineError); never seen by a caller.
SIGNALS = {"UnsafeXMLError", "_Retry", "_NextLink"}


def test_every_exception_class_of_the_package_is_in_the_one_tree():
    """No RuntimeError or home-made Exception subclass outside errors.PipelineError."""
    import ast

    from tests.support.import_graph import modules

    outside = []
    for name, path in modules().items():
        if name.startswith("translator_pipeline.testing"):
            continue  # test doubles raise what they imitate
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                own = bases & {"Exception", "RuntimeError", "ValueError", "OSError"}
                if own and name != "translator_pipeline.errors" and node.name not in SIGNALS:
                    outside.append(f"{name}.{node.name}")
            if isinstance(node, ast.Raise) and node.exc is not None:
                raised = ast.unparse(node.exc).split("(")[0]
                if raised == "RuntimeError":
                    outside.append(f"{name}: raise RuntimeError")
    assert outside == []
