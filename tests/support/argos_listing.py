"""What argostranslate itself sees in a packages directory (run in a subprocess).

Its settings module freezes the packages directory and creates directories at
import, so it never runs inside the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from translator_pipeline.testing.tiny_argos import argos_environment

LIST_PACKAGES = """
import json
from argostranslate import package
print(json.dumps(sorted(f"{p.from_code}-{p.to_code}" for p in package.get_installed_packages())))
"""


def argos_lists(packages: Path, state: Path) -> list[str]:
    """What argostranslate's get_installed_packages() says (it raises on a bad subdirectory)."""
    done = subprocess.run(
        [sys.executable, "-c", LIST_PACKAGES],
        env=argos_environment(packages, state),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
