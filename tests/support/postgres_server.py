"""A throw-away PostgreSQL server for the state-store tests.

``start_postgres()`` runs Debian's (or any) PostgreSQL binaries: ``initdb`` a
cluster in a temporary directory, ``pg_ctl start`` it on 127.0.0.1 on a free
port (its Unix socket in that directory too, never /var/run/postgresql), with
password authentication over TCP and durability switched off (fsync,
synchronous_commit: a test cluster is thrown away). ``stop()`` stops it
(``-m immediate``) and deletes the directory.

PostgreSQL refuses to run as root: as root the commands run as the
``postgres`` user (Debian's package creates it) through ``runuser``.

With ``TP_TEST_POSTGRES_URL`` set (``postgresql://user:password@host/db`` of a
database the tests may write to), no server is started and that database is
used instead.

Each test gets its own schema (``new_url()``: the URL carries
``options=-csearch_path=<schema>``), so tests never see each other's rows and
no database has to be created per test.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ENV_URL = "TP_TEST_POSTGRES_URL"
USER = "tp"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries on this machine (and no TP_TEST_POSTGRES_URL)."""


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: $PATH, else Debian's newest
    /usr/lib/postgresql/<version>/bin."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return debian[-1].parent if debian else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _psycopg_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresServer:
    """A PostgreSQL database for tests; ``url`` is the SQLAlchemy URL of it."""

    def __init__(self, url: URL, *, data_dir: Path | None = None, run_as: str | None = None):
        self.url = url
        self.data_dir = data_dir  # None: an external server, not ours to stop
        self.run_as = run_as
        self._schemas: list[str] = []
        self._counter = itertools.count(1)
        self.bin_dir: Path | None = None
        self._stopped = False

    @property
    def password(self) -> str:
        return str(self.url.password or "")

    def execute(self, *statements: str) -> None:
        """Run statements outside a transaction (CREATE SCHEMA, DROP …)."""
        import psycopg

        with psycopg.connect(_psycopg_conninfo(self.url), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]

    def new_url(self, driver: str = "postgresql") -> str:
        """The URL of a fresh, empty schema of the test database (tables land there)."""
        schema = f"tp_{os.getpid()}_{next(self._counter)}_{secrets.token_hex(3)}"
        self.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        url = self.url.set(drivername=driver).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        return url.render_as_string(hide_password=False)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.data_dir is None:  # someone else's database: leave it as we found it
            if self._schemas:
                with contextlib.suppress(Exception):  # best effort, at the end of the session
                    self.execute(*(f'DROP SCHEMA IF EXISTS "{s}" CASCADE' for s in self._schemas))
            return
        assert self.bin_dir is not None
        _run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            self.run_as,
            check=False,
        )
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _run(args: list[str], run_as: str | None, check: bool = True) -> subprocess.CompletedProcess:
    if run_as is not None:
        args = ["runuser", "-u", run_as, "--", *args]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def start_postgres() -> PostgresServer:
    """A running PostgreSQL: ``TP_TEST_POSTGRES_URL``'s, else a fresh local cluster.

    Raises PostgresUnavailable when there are no binaries (the caller decides
    whether that skips or fails), RuntimeError when they are there but the
    cluster does not start (always a failure: the log is in the message).
    """
    external = os.environ.get(ENV_URL)
    if external:
        server = PostgresServer(make_url(external))
        server.execute("SELECT 1")
        return server

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in "
            "/usr/lib/postgresql/*/bin): install it (sudo apt-get install postgresql) "
            f"or set {ENV_URL}=postgresql://user:password@host/db"
        )
    run_as = None
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            run_as = name
            break
        else:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run PostgreSQL as"
            )
    if run_as is not None and shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root and runuser (util-linux) is missing")

    root = Path(tempfile.mkdtemp(prefix="tp-pg-"))
    # '@', ':' and '/' in the password: URLs must quote it, messages must mask it.
    password = f"p@ss:{secrets.token_hex(8)}/w"
    try:
        (root / "pw").write_text(password + "\n")
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            for path in (root, root / "pw"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                USER,
                f"--pwfile={root / 'pw'}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            run_as,
        )
        (root / "pw").unlink()
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between bind and start
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            started = _run(
                [
                    *(str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log")),
                    *("-w", "-t", "60", "-o", options, "start"),
                ],
                run_as,
                check=False,
            )
            if started.returncode == 0:
                break
            log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
            last_error = f"{started.stdout}\n{started.stderr}\n{log[-2000:]}"
        else:
            raise RuntimeError(f"PostgreSQL did not start in {root}:\n{last_error}")
        url = URL.create(
            "postgresql",
            username=USER,
            password=password,
            host="127.0.0.1",
            port=port,
            database="postgres",
        )
        server = PostgresServer(url, data_dir=root, run_as=run_as)
        server.bin_dir = bin_dir
        atexit.register(server.stop)  # also when the session ends without teardown
        return server
    except BaseException:
        if (root / "data" / "postmaster.pid").exists():
            _run(
                [str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"],
                run_as,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
        raise
