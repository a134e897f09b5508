"""Shared fixtures. Prefect is pointed at a throw-away home before it is imported."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="tp-prefect-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.pop("PREFECT_API_URL", None)  # never a developer's real server
# argostranslate creates its data directories on import: keep them out of $HOME.
for _xdg in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_xdg] = os.path.join(_PREFECT_HOME, _xdg.lower())
os.environ.pop("ARGOS_PACKAGES_DIR", None)
for _name in list(os.environ):
    if _name.startswith("TP_"):  # the developer's overrides must not leak into tests
        del os.environ[_name]

from tests.server import TestServer, serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SITE = EXAMPLES / "site"
FIXTURES = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness, started once per test session (it costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def server() -> Iterator[TestServer]:
    """An empty scripted HTTP server on 127.0.0.1."""
    with serve(TestServer()) as srv:
        yield srv


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo site, for tests that change articles."""
    target = tmp_path / "site"
    shutil.copytree(SITE, target)
    return target


@pytest.fixture
def site_server(site_copy: Path) -> Iterator[TestServer]:
    """The demo site (a writable copy) served on 127.0.0.1."""
    with serve(TestServer(site_copy)) as srv:
        yield srv


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint (moto's server) on 127.0.0.1, started once per session.

    Tests create their own bucket (``s3_server.create_bucket()``), so they never
    see each other's objects; ``s3_server.requests`` logs every request served.
    """
    from tests.s3_server import S3Server

    srv = S3Server().start()
    yield srv
    srv.stop()
