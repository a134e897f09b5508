"""A real S3 endpoint on 127.0.0.1 for the publisher tests: moto's server, in a thread.

It is what ``moto.server.ThreadedMotoServer`` runs (moto's WSGI dispatcher
under werkzeug's threaded server), with one addition: every request is
logged as ``(method, path)`` so a test can count the PUTs a publication made.
Clients talk plain HTTP to it (path-style URLs), exactly as to MinIO or AWS.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

KEY = "testing-access-key"
SECRET = "testing-secret-key"  # moto accepts any credentials unless told otherwise
REGION = "us-east-1"


class S3Server:
    """moto's S3 on ``http://127.0.0.1:<free port>``; ``requests`` logs what it served."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------

    def start(self) -> S3Server:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        app = DomainDispatcherApplication(create_backend_app)

        def logged(environ: dict[str, Any], start_response: Any) -> Any:
            with self._lock:
                self.requests.append(
                    (environ["REQUEST_METHOD"], unquote(environ.get("PATH_INFO", "")))
                )
            return app(environ, start_response)

        self._server = make_server(
            "127.0.0.1", 0, logged, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def endpoint_url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- helpers for tests ---------------------------------------------------

    def storage_options(self, **extra: Any) -> dict[str, Any]:
        """s3fs options for this endpoint (explicit test credentials, never the host's)."""
        return {
            "endpoint_url": self.endpoint_url,
            "key": KEY,
            "secret": SECRET,
            "client_kwargs": {"region_name": REGION},
            **extra,
        }

    def boto3_client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def create_bucket(self, prefix: str = "tp") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.boto3_client().create_bucket(Bucket=name)
        return name

    def puts(self, bucket: str) -> list[str]:
        """Paths of the PUT/POST requests made so far to ``bucket`` (object writes)."""
        with self._lock:
            return [
                path
                for method, path in self.requests
                if method in ("PUT", "POST") and path.startswith(f"/{bucket}/")
            ]

    def get(self, bucket: str, key: str) -> tuple[int, dict[str, str], bytes]:
        """A plain anonymous HTTP GET, as a web server or CDN in front of the bucket does."""
        url = f"{self.endpoint_url}/{bucket}/{key}"
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()

    @contextmanager
    def authentication(self) -> Iterator[None]:
        """Make the server check credentials (moto's IAM simulation): unknown keys are refused."""
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            previous = resp.read()
        try:
            yield
        finally:
            before = json.loads(previous)["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
            restore = urllib.request.Request(
                f"{self.endpoint_url}/moto-api/reset-auth",
                data=before.encode(),
                method="POST",
                headers={"Content-Type": "text/plain"},
            )
            urllib.request.urlopen(restore, timeout=10).close()
