"""Writing a local file so that a reader never sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from translator_pipeline.errors import PublishError
from translator_pipeline.processes import writer

__all__ = ["write_atomic"]


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` via a temp file + rename. False if it was already so."""
    try:
        if path.exists() and path.read_bytes() == data:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        # The writer's host and PID in the name let a later sweep tell a file whose
        # writer was killed from one still being written.
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.{writer()}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return True
