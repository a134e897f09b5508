"""System programs and data files a test needs: found, or a skip with the reason on a
developer machine and a failure under CI (``.ci/run`` installs them)."""

from __future__ import annotations

import os

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def missing(what: str, install: str) -> None:
    """Skip (or fail under CI) because ``what`` is not on this machine."""
    if under_ci():
        pytest.fail(f"{what} is missing, but CI is set: .ci/run must {install}", pytrace=False)
    pytest.skip(f"{what} is missing: {install}")
