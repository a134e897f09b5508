"""The bundled demo: serve ``examples/site`` on 127.0.0.1 and run the flow on it."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from translator_pipeline.config.settings import Settings

__all__ = ["find_examples", "serve_directory", "sources_on"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: str | Path, port: int = 0) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1; yield the base URL.

    ``port`` is tried first (0: any); if it is taken, any free port is used.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def find_examples(start: Path | None = None) -> Path:
    """The project's ``examples/`` directory: from the working directory or the source tree."""
    candidates = [Path.cwd(), *Path.cwd().parents]
    candidates += list(Path(__file__).resolve().parents)
    for base in candidates if start is None else [start]:
        if (base / "examples" / "demo.toml").is_file() and (base / "examples" / "site").is_dir():
            return base / "examples"
    raise FileNotFoundError(
        "cannot find examples/demo.toml and examples/site; run the demo from the project checkout"
    )


def sources_on(settings: Settings, base_url: str) -> list[dict[str, Any]]:
    """The config's sources with their start, feed and sitemap URLs moved to
    ``base_url``'s origin."""
    base = urlsplit(base_url)
    moved = []
    for source in settings.sources:
        data = source.model_dump()
        for key in ("start_urls", "feeds", "sitemaps"):
            data[key] = [
                urlunsplit((base.scheme, base.netloc, *urlsplit(u)[2:])) for u in data[key]
            ]
        data["allowed_hosts"] = []
        moved.append(data)
    return moved
