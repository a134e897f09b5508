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

from tests.support.server import TestServer, serve  # noqa: E402

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
    from tests.support.s3_server import S3Server

    srv = S3Server().start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """A real ``prefect server start`` on 127.0.0.1 (its own PREFECT_HOME), started once
    per session for the serve and work-pool tests (it costs 10–20 s)."""
    from tests.support.prefect_server import PrefectServer

    srv = PrefectServer(tmp_path_factory.mktemp("prefect-server")).start()
    yield srv
    srv.stop()


def _ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL on 127.0.0.1 (tests/postgres_server.py), once per session,
    or the database of ``TP_TEST_POSTGRES_URL``.

    Without PostgreSQL binaries the tests that need it are skipped with the
    reason, or fail when ``CI`` is set (``.ci/run`` installs ``postgresql``).
    """
    from tests.support.postgres_server import PostgresUnavailable, start_postgres

    try:
        srv = start_postgres()
    except PostgresUnavailable as exc:
        reason = str(exc)
    else:
        yield srv
        srv.stop()
        return
    if _ci():
        pytest.fail(
            f"{reason}; CI is set, so this is an error: .ci/run must install postgresql",
            pytrace=False,
        )
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The SQLAlchemy URL of an empty state database, once per backend: a SQLite
    file in ``tmp_path``, and a fresh schema of the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite3'}"
    return request.getfixturevalue("postgres_server").new_url()


@pytest.fixture(scope="session")
def ct2_sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Converted-model directories of every CTranslate2 family (tiny, random
    weights), built once per session; tests install copies of them."""
    from translator_pipeline.testing import tiny_ct2

    root = tmp_path_factory.mktemp("ct2-sources")
    return {
        "marian-en-ar": tiny_ct2.build_marian_model(root, "en", "ar", seed=1),
        "marian-ar-en": tiny_ct2.build_marian_model(root, "ar", "en", seed=2),
        "marian-split-en-fr": tiny_ct2.build_marian_model(
            root, "en", "fr", split_vocab=True, seed=3
        ),
        "marian-tc-big": tiny_ct2.build_marian_model(
            root, "en", "ar", name="tc-big-en-ara", target_tokens=[">>ara<<", ">>arz<<"], seed=4
        ),
        "nllb": tiny_ct2.build_nllb_model(root, seed=5),
        "m2m100": tiny_ct2.build_m2m100_model(root, seed=6),
        "madlad": tiny_ct2.build_madlad_model(root, seed=7),
    }
