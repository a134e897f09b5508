"""What a valid config still needs from this machine before a run can use it.

:func:`load_settings` checks the file's own shape and values; some mistakes only
show against the machine the run happens on: ``output_dir`` naming a file, a
webhook secret variable that is unset here. ``translator-pipeline config``,
``run`` and ``serve`` check these first, so they stop with the key to fix
(exit 2) instead of failing halfway through a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from translator_pipeline.config.settings import Settings
from translator_pipeline.errors import ConfigError

__all__ = ["MIN_SECRET_LENGTH", "check_machine", "machine_problems"]

MIN_SECRET_LENGTH = 16  # as for an inline `secret`


def _not_a_directory(path: Path) -> str | None:
    """Why ``path`` cannot be (or become) a directory, or None."""
    if path.exists():
        return None if path.is_dir() else f"{path} is a file, not a directory"
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} (a parent of {path}) is a file, not a directory"
            return None
    return None


def machine_problems(
    settings: Settings, env: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Every (location, message) that stops a run of ``settings`` on this machine."""
    env = os.environ if env is None else env
    where = str(settings.config_path or "config")
    problems: list[tuple[str, str]] = []
    if settings.publish.url is None:
        why = _not_a_directory(settings.output_dir)
        if why:
            problems.append((f"{where}:output_dir", why))
    if settings.state_url is None and settings.state_path.is_dir():
        problems.append(
            (f"{where}:state_path", f"{settings.state_path} is a directory; name a file in it")
        )
    for index, hook in enumerate(settings.webhooks):
        if hook.secret_env is None:
            continue
        value = env.get(hook.secret_env)
        key = f"{where}:webhooks[{index}].secret_env"
        if value is None:
            problems.append(
                (key, f"environment variable {hook.secret_env} is not set (the signing key)")
            )
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(
                (
                    key,
                    f"environment variable {hook.secret_env} holds {len(value)} characters; "
                    f"a webhook secret needs at least {MIN_SECRET_LENGTH}",
                )
            )
    return problems


def check_machine(settings: Settings, env: Mapping[str, str] | None = None) -> Settings:
    """``settings`` unchanged, or ConfigError listing what this machine lacks."""
    problems = machine_problems(settings, env)
    if problems:
        raise ConfigError(str(settings.config_path or "config"), problems)
    return settings
