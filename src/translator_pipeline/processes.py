"""Who is writing: ``host~pid`` names, and whether such a writer is gone.

Temporary files (:mod:`.publish`) and publishing leases (:mod:`.lease`) carry
the name of the process that made them, so a later process can tell one left
by a killed writer on this machine from one still in use.
"""

from __future__ import annotations

import os
import re
import socket

__all__ = ["HOST", "is_dead_here", "writer"]

HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40] or "host"


def writer() -> str:
    """This process: ``host~pid``."""
    return f"{HOST}~{os.getpid()}"


def is_dead_here(host: str, pid: int) -> bool:
    """Whether ``host~pid`` was a process of this machine that no longer exists
    (a process of another machine, or someone else's, is never called dead)."""
    if host != HOST:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False
