"""A webhook receiver on 127.0.0.1 that checks signatures and can fail on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from translator_pipeline.publishing.webhooks import verify_signature


@dataclass
class Receiver:
    secret: str
    fail_next: int = 0  # answer this many requests with ``fail_status``
    fail_status: int = 503
    url: str = ""
    received: list[dict] = field(default_factory=list)  # accepted events, in order
    attempts: int = 0
    bad_signatures: int = 0

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        self.attempts += 1
        if not verify_signature(self.secret, body, headers.get("X-TP-Signature", "")):
            self.bad_signatures += 1
            return 401
        if self.fail_next > 0:
            self.fail_next -= 1
            return self.fail_status
        event = json.loads(body)
        assert headers["X-TP-Event"] == event["type"]
        assert headers["X-TP-Delivery"] == event["id"]
        self.received.append(event)
        return 204


@contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.handle(body, dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    receiver.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
