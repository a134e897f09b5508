"""A publishing process killed at any point, then run again: no half-written or
orphaned files, nothing lost, no event queued twice.

The child process runs the library's run loop (``run_once``: the code the flow
runs, without Prefect, so each run costs a second, not a server start) and kills itself with
``os._exit`` — no cleanup, no ``finally`` — at the k-th file rename or right
after the k-th publication is recorded.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from pathlib import Path

import pytest

from tests.factories import write_config
from translator_pipeline.store.state import StateStore

KILLED = 137
_TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def publish_everything(config: str, kill_at: str | None) -> None:
    """One run of the stages over the config's sources; dies at ``kill_at``."""
    if kill_at:
        kind, n = kill_at.split(":")
        count = {"n": 0}

        def maybe_die() -> None:
            count["n"] += 1
            if count["n"] == int(n):
                os._exit(KILLED)

        if kind == "rename":
            real_replace = os.replace

            def replace(src, dst, *a, **kw):
                maybe_die()
                return real_replace(src, dst, *a, **kw)

            os.replace = replace
        else:
            from translator_pipeline.store.state import StateStore as Store

            real_record = Store.record_publication

            def record(self, *a, **kw):
                result = real_record(self, *a, **kw)
                maybe_die()
                return result

            Store.record_publication = record

    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.run import run_once

    run_once(load_settings(config))


def run_child(config: Path, kill_at: str | None = None) -> int:
    ctx = multiprocessing.get_context("spawn")
    process = ctx.Process(target=publish_everything, args=(str(config), kill_at))
    process.start()
    process.join(120)
    assert process.exitcode is not None, "child did not finish"
    return process.exitcode


def tree(root: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(root.rglob("*")):
        # The run report tells what each run did: a re-run after a kill did less. The
        # output's marker names the state database, different in each test.
        if path.is_file() and path.name not in ("run-report.json", ".translator-pipeline.json"):
            data = path.read_bytes()
            if path.suffix in (".json", ".xml", ".atom"):
                # Publication times (and so the newest-first order) differ between
                # runs; what is listed must not.
                data = b"\n".join(sorted(_TIME.sub(b"<time>", data).splitlines()))
            files[str(path.relative_to(root))] = data
    return files


def config_for(tmp_path: Path, base_url: str) -> Path:
    return write_config(
        tmp_path,
        base_url,
        top='public_base_url = "https://www.example.org/t/"',
        tables='[[webhooks]]\nurl = "http://127.0.0.1:9/hook"\nsecret = "crash-safety-secret-01"',
    )


@pytest.fixture
def reference(site_server, tmp_path_factory) -> dict[str, bytes]:
    """The output of one uninterrupted run."""
    root = tmp_path_factory.mktemp("reference")
    assert run_child(config_for(root, site_server.base_url)) == 0
    return tree(root / "out")


@pytest.mark.parametrize(
    "kill_at", ["rename:1", "rename:2", "rename:5", "rename:9", "record:1", "record:3"]
)
def test_a_killed_run_and_its_rerun_leave_exactly_what_one_run_leaves(
    site_server, tmp_path, reference, kill_at
):
    config = config_for(tmp_path, site_server.base_url)
    assert run_child(config, kill_at) == KILLED
    assert run_child(config) == 0

    out = tmp_path / "out"
    assert tree(out) == reference, _tree_diff(tree(out), reference)  # no half, no orphan
    assert not list(out.rglob("*.tmp"))
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    for article in manifest["articles"]:
        for variant in article["variants"]:
            data = (out / variant["path"]).read_bytes()
            assert variant["checksum"] == "sha256:" + hashlib.sha256(data).hexdigest()

    # Every variant announced exactly once: the outbox row is written in the
    # transaction that records the publication, never apart from it.
    state = StateStore(tmp_path / "state" / "tp.sqlite3")
    events = state.pending_events("http://127.0.0.1:9/hook")
    announced = [
        (json.loads(e.payload)["article"]["url"], json.loads(e.payload)["variant"]["language"])
        for e in events
    ]
    assert sorted(announced) == sorted(
        (a["url"], v["language"]) for a in manifest["articles"] for v in a["variants"]
    )
    assert {e.type for e in events} == {"variant.published"}


def _tree_diff(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    import difflib

    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(key)
            out.extend(
                difflib.unified_diff(
                    (a.get(key) or b"").decode().splitlines(),
                    (b.get(key) or b"").decode().splitlines(),
                    lineterm="",
                    n=1,
                )
            )
    return "\n".join(out)
