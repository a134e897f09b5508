"""Prefect's temporary API server, started so that it cannot outlive this process.

Without ``PREFECT_API_URL`` Prefect starts a temporary server (``python -m
uvicorn … prefect.server.api.server:create_app``) as a child process and stops
it from an ``atexit`` hook. A run killed with SIGKILL, or with SIGTERM (whose
default action skips ``atexit``), never runs that hook: the server stayed up
under PID 1, ~230 MB and a port each.

:class:`OwnedTemporaryServer` is Prefect's ``SubprocessASGIServer`` with one
change: on Linux the child asks the kernel (``prctl(PR_SET_PDEATHSIG,
SIGKILL)``) to be killed when the thread that started it ends — the main thread
here, so: when this process ends, however it ends. Its Prefect database is
SQLite in WAL mode, which a killed server leaves consistent. Registered as
Prefect's instance for "no port given", it is also the one any Prefect code
that wants a temporary server gets.

Elsewhere (no ``prctl``) the server is stopped at exit as Prefect does, and
:func:`stop_on_sigterm` at least turns SIGTERM into a normal exit.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.server.api.server import SubprocessASGIServer

from translator_pipeline.errors import PrefectServerError

__all__ = ["OwnedTemporaryServer", "owned_temporary_server", "stop_on_sigterm"]

_PR_SET_PDEATHSIG = 1


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def _die_with_parent(parent: int) -> None:
    """In the child, between fork and exec: be killed when the parent goes."""
    libc = _libc()
    if libc is None:
        return
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class OwnedTemporaryServer(SubprocessASGIServer):
    """Prefect's temporary server as a child that dies with this process (Linux)."""

    def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
        import prefect
        from prefect.settings import get_current_settings

        parent = os.getpid()
        # The arguments and environment Prefect 3's own SubprocessASGIServer uses.
        return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            args=[
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect.__module_path__.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            },
            preexec_fn=lambda: _die_with_parent(parent),
        )


@contextmanager
def owned_temporary_server() -> Iterator[str | None]:
    """Without PREFECT_API_URL: a temporary Prefect server for this process (and the
    Dask workers it starts), that ends with it; yields its API URL. With a server
    configured: nothing started, yields None. Must be entered in the main thread
    (the server dies with the thread that started it)."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url:
        yield None
        return
    if threading.current_thread() is not threading.main_thread():
        raise PrefectServerError("start the temporary Prefect server from the main thread")
    existing = SubprocessASGIServer._instances.get(None)
    if existing is not None and not isinstance(existing, OwnedTemporaryServer):
        existing.stop()  # Prefect's own (not ours): it would outlive a killed run
    server = OwnedTemporaryServer()
    server.start()
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield server.api_url
    finally:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        # Send what is queued while the server still answers, then stop it.
        APILogWorker.drain_all(timeout=10)
        EventsWorker.drain_all(timeout=10)
        server.stop()


def stop_on_sigterm() -> None:
    """SIGTERM ends this process like Ctrl-C (``finally`` blocks and ``atexit`` run:
    the publishing lease is released, the temporary server stopped), instead of
    Python's default of dying on the spot. Main thread only."""

    def terminate(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)
