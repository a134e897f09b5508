"""A real HTTP server on 127.0.0.1 for tests: static directories plus scripted routes.

Routes map a path to a handler ``(request) -> Response`` so a test can serve
exactly the headers, status codes, encodings and delays it needs.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    delay: float = 0.0  # seconds to wait before sending the body
    chunks: int = 1  # send the body in this many pieces (with ``delay`` between them)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    time: float = 0.0  # time.monotonic() when the request arrived (same clock as the tests)


Route = Callable[[Request], Response]


class TestServer:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.base_url = ""

    def route(self, path: str, response: Response | Route) -> None:
        self.routes[path] = response if callable(response) else (lambda _req, r=response: r)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def _respond(self, request: Request) -> Response:
        route = self.routes.get(request.path)
        if route is not None:
            return route(request)
        if self.root is not None:
            file = (self.root / request.path.lstrip("/")).resolve()
            if self.root.resolve() in file.parents and file.is_file():
                kind = {
                    ".html": "text/html; charset=utf-8",
                    ".htm": "text/html; charset=utf-8",
                    ".xml": "application/xml",
                }.get(file.suffix, "application/octet-stream")
                body = file.read_bytes()
                # Static files carry an ETag, and answer 304 when it is sent back,
                # like a real web server.
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if request.headers.get("If-None-Match") == etag:
                    return Response(b"", status=304, headers={"ETag": etag})
                return Response(body, headers={"Content-Type": kind, "ETag": etag})
        return Response(b"<h1>not found</h1>", status=404)


@contextmanager
def serve(server: TestServer) -> Iterator[TestServer]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            request = Request(
                urlsplit(self.path).path, dict(self.headers.items()), time.monotonic()
            )
            server.requests.append(request)
            response = server._respond(request)
            self.send_response(response.status)
            headers = dict(response.headers)
            headers.setdefault("Content-Length", str(len(response.body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if response.chunks <= 1:
                if response.delay:
                    time.sleep(response.delay)
                self._write(response.body)
                return
            size = max(1, len(response.body) // response.chunks)
            for start in range(0, len(response.body), size):
                time.sleep(response.delay)
                if not self._write(response.body[start : start + size]):
                    return

        def _write(self, data: bytes) -> bool:
            try:
                self.wfile.write(data)
                self.wfile.flush()
                return True
            except (BrokenPipeError, ConnectionResetError):
                return False

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
