"""A `translator-pipeline run` killed (SIGKILL, SIGTERM) leaves no Prefect server behind.

Without PREFECT_API_URL the run starts Prefect's temporary API server (uvicorn)
as a child; it used to stay up under PID 1 after the run was killed. The test
starts a real run against a site whose listing never answers (so the run is
busy in discovery), waits until its server answers, kills the run and lists
what is left of its children.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.factories import write_config
from tests.support.server import Response, TestServer, serve

BIN = Path(sys.executable).parent
CLI = str(BIN / "translator-pipeline")


def _uvicorn_children(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [c for c in children if "uvicorn" in " ".join(_cmdline(c))]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return []


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory) -> Path:
    """One Prefect home for both runs: its database is made once (seconds)."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_prefect_server_running(tmp_path, prefect_home, signum):
    release = threading.Event()

    def hang(_request):  # the listing answers only once the test is over
        release.wait(120)
        return Response(b"<html></html>")

    with serve(TestServer()) as site:
        site.route("/index.html", hang)
        # Short fetch timeouts: a TERM-ed run waits for its fetching threads to finish.
        config = write_config(tmp_path, site.base_url, tables="timeout = 3\nretries = 0")
        env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
        env.pop("PREFECT_API_URL", None)
        run = subprocess.Popen(
            [CLI, "run", "--config", str(config), "--quiet"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        server = None
        try:
            [server] = _wait(lambda: _uvicorn_children(run.pid), 120, "the temporary server")
            port = _cmdline(server)[_cmdline(server).index("--port") + 1]
            _wait(lambda: site.hits("/index.html"), 120, "the run to ask for the source listing")
            assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200

            os.kill(run.pid, signum)
            run.wait(60)
            # Nothing the run started is left: the server went with it.
            gone = _wait(lambda: not server.is_running() or server.status() == "zombie", 30,
                         f"server {server.pid} to end after {signum.name}")  # fmt: skip
            assert gone
            with pytest.raises(httpx.TransportError):
                httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
        finally:
            release.set()
            if run.poll() is None:
                run.kill()
                run.wait()
            if server is not None and server.is_running():  # the bug: do not leak it here
                server.kill()
