"""A real ``prefect server start`` on 127.0.0.1 for tests, and helpers for the
processes that talk to it (``translator-pipeline serve``, ``prefect worker start``).

The server gets its own temporary ``PREFECT_HOME`` (its SQLite database) and runs
every service a plain ``prefect server start`` runs (the scheduler above all: a
deployment's schedule creates its runs here as in production); only the web UI's
static files are left out. Tests that deploy a schedule wait for the runs *the
scheduler* creates (:meth:`PrefectServer.wait_for_scheduled_runs`) and pause the
schedule when they are done, so it adds no runs to later tests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without Prefect settings, plus a home and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TP_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Process:
    """A child process in its own session, its output in a file; stopped by its id."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], log: Path, cwd=None):
        self.argv = list(argv)
        self.log = log
        self._log = log.open("wb")
        self.popen = subprocess.Popen(
            self.argv,
            env=dict(env),
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        self._log.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def interrupt(self, timeout: float = 30) -> int:
        """SIGINT (Ctrl-C), then wait; the whole process group is killed if it hangs."""
        if self.alive():
            self.popen.send_signal(signal.SIGINT)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)  # the group of the process we started
            self.popen.wait(10)
        # Children left behind in its group (flow-run subprocesses) go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


class PrefectServer:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.process: Process | None = None

    def start(self, timeout: float = 120) -> PrefectServer:
        env = clean_env(
            self.home / "server",
            PREFECT_SERVER_LOGGING_LEVEL="WARNING",
            PREFECT_LOGGING_LEVEL="WARNING",
        )
        self.process = Process(
            [
                str(BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-ui",
                "--analytics-off",
            ],
            env,
            self.home / "server.log",
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.alive():
                raise RuntimeError(f"prefect server exited:\n{self.process.output()}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"prefect server not up after {timeout}s:\n{self.process.output()}")

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.interrupt(timeout=20)
            self.process.kill()

    def client_env(self, home: Path, **extra: str) -> dict[str, str]:
        """Environment of a process that talks to this server (its own PREFECT_HOME)."""
        return clean_env(home, PREFECT_API_URL=self.api_url, **extra)

    # --- the REST API, without Prefect's client (no settings context to juggle) ---

    def request(self, method: str, path: str, body: Any | None = None) -> httpx.Response:
        """One API call; a busy server (503/429: SQLite locked under load) is retried,
        as Prefect's own client does."""
        for attempt in range(8):
            response = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=30)
            if response.status_code not in (429, 503):
                return response
            time.sleep(0.5 * (attempt + 1))
        return response

    def get(self, path: str) -> Any:
        response = self.request("GET", path)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Any | None = None) -> Any:
        response = self.request("POST", path, body or {})
        response.raise_for_status()
        return response.json() if response.content else None

    def deployment(self, full_name: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/deployments/name/{full_name}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def wait_for_deployment(
        self, full_name: str, watched: Process | None = None, timeout: float = 90
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.deployment(full_name)
            if found is not None:
                return found
            if watched is not None and not watched.alive():
                raise AssertionError(f"{watched.argv} exited:\n{watched.output()}")
            time.sleep(0.3)
        raise AssertionError(f"no deployment {full_name} after {timeout}s")

    def run_deployment(self, deployment_id: str, parameters: dict | None = None) -> str:
        run = self.post(
            f"/deployments/{deployment_id}/create_flow_run", {"parameters": parameters or {}}
        )
        return run["id"]

    def wait_for_run(
        self, flow_run_id: str, timeout: float = 120, watched: Sequence[Process] = ()
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        run: dict[str, Any] = {}
        while time.monotonic() < deadline:
            run = self.get(f"/flow_runs/{flow_run_id}")
            if run["state_type"] in FINAL_STATES:
                return run
            for process in watched:
                if not process.alive():
                    raise AssertionError(f"{process.argv} exited:\n{process.output()}")
            time.sleep(0.5)
        logs = "\n\n".join(p.output()[-4000:] for p in watched)
        raise AssertionError(f"flow run {flow_run_id} still {run.get('state_name')}:\n{logs}")

    def flow_runs(self, **filters: Any) -> list[dict[str, Any]]:
        return self.post("/flow_runs/filter", filters)

    def run_logs(self, flow_run_id: str) -> str:
        logs = self.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}}})
        return "\n".join(entry["message"] for entry in logs)

    def wait_for_scheduled_runs(
        self, deployment_id: str, watched: Sequence[Process] = (), timeout: float = 240
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Wait until a run the scheduler created for the deployment has completed and a
        later scheduled run fell due while it went; returns that completed run and every
        scheduled run that fell due during it (each should be cancelled: the caller says).

        Fails with the runs seen so far when that does not happen in ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            runs = self.flow_runs(
                flow_runs={"deployment_id": {"any_": [deployment_id]}},
                sort="EXPECTED_START_TIME_ASC",
            )
            scheduled = [r for r in runs if r["auto_scheduled"]]
            for run in scheduled:
                if run["state_type"] != "COMPLETED":
                    continue
                began, ended = _when(run["start_time"]), _when(run["end_time"])
                during = [
                    other
                    for other in scheduled
                    if other["id"] != run["id"]
                    and began <= _when(other["expected_start_time"]) <= ended
                ]
                if during and all(o["state_type"] in FINAL_STATES for o in during):
                    return run, during
            for process in watched:
                if not process.alive():
                    raise AssertionError(f"{process.argv} exited:\n{process.output()}")
            time.sleep(1)
        seen = [
            (r["name"], r["auto_scheduled"], r["state_name"], r["expected_start_time"])
            for r in runs
        ]
        logs = "\n\n".join(p.output()[-4000:] for p in watched)
        raise AssertionError(
            f"no completed scheduled run with a collision in {timeout}s: {seen}\n{logs}"
        )

    def pause_schedules(self, deployment: dict[str, Any]) -> None:
        """Deactivate every schedule of ``deployment`` (the scheduler stops adding runs)."""
        for schedule in deployment["schedules"]:
            response = self.request(
                "PATCH",
                f"/deployments/{deployment['id']}/schedules/{schedule['id']}",
                {"active": False},
            )
            response.raise_for_status()


def _when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp)
