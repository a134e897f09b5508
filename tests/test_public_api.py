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
