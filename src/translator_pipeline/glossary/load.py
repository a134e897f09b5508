"""Loading a glossary file: checked first, refused with every error it has."""

from __future__ import annotations

from pathlib import Path

from translator_pipeline.errors import GlossaryError
from translator_pipeline.glossary.check import check_glossary
from translator_pipeline.glossary.model import Glossary

__all__ = ["load_glossary"]


def load_glossary(path: str | Path) -> Glossary:
    """Load and check a glossary; :class:`GlossaryError` naming every error if it has any.

    Warnings (see :mod:`.glossary_check`) do not stop loading.
    """
    result = check_glossary(path)
    if result.errors:
        raise GlossaryError(
            f"glossary {path} has {len(result.errors)} error(s); fix them or run "
            f"`translator-pipeline glossary check {path}`",
            result.errors,
        )
    return Glossary(result.concepts, path)
