"""What the web team may rely on when a run is killed while it replaces pages.

At every instant: each file the manifest lists exists and is complete (pages are
renamed into place; nothing listed is deleted before a manifest stops listing
it). A page the run replaced may be newer than the manifest's checksum until
the manifest is written; when the run is killed first, the next run puts the
manifest right before it fetches anything (even when it then can do nothing),
and announces the replaced page once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.run.test_crash_safety import KILLED, config_for, run_child
from translator_pipeline.store.state import StateStore

HOOK = "http://127.0.0.1:9/hook"
EDITED = "journee-langue-arabe.html"


def mismatches(out: Path) -> list[str]:
    """Listed pages missing, or whose bytes are not the manifest's checksum."""
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    wrong = []
    for article in manifest["articles"]:
        for v in article["variants"]:
            for listed in (v["path"], v["fragment_path"]):
                if not (out / listed).is_file():
                    wrong.append(f"missing {listed}")
            data = (out / v["path"]).read_bytes()
            if v["checksum"] != "sha256:" + hashlib.sha256(data).hexdigest():
                wrong.append(v["path"])
    return wrong


def updated(state: Path) -> list[str]:
    return sorted(
        json.loads(e.payload)["variant"]["language"]
        for e in StateStore(state).pending_events(HOOK)
        if e.type == "variant.updated"
    )


def test_a_run_killed_mid_publish_is_put_right_by_the_next_one(site_server, tmp_path):
    config = config_for(tmp_path, site_server.base_url)
    out, state = tmp_path / "out", tmp_path / "state" / "tp.sqlite3"
    assert run_child(config) == 0
    assert mismatches(out) == []

    page = site_server.root / "articles" / EDITED
    page.write_text(
        page.read_text("utf-8").replace("</h2>", " (mise à jour)</h2>", 1), encoding="utf-8"
    )
    # Killed after the edited article's first page is replaced, before it is recorded.
    assert run_child(config, "rename:2") == KILLED
    stale = mismatches(out)
    assert len(stale) == 1 and not stale[0].startswith("missing")  # the probe's contradiction

    # The next run cannot reach the site at all, yet the manifest is right again.
    page.rename(page.with_suffix(".bak"))
    index = site_server.root / "index.html"
    index.rename(index.with_suffix(".bak"))
    run_child(config)
    assert mismatches(out) == []
    assert updated(state) == [stale[0].split("/")[0]]  # the replaced page, announced once

    index.with_suffix(".bak").rename(index)
    page.with_suffix(".bak").rename(page)
    assert run_child(config) == 0
    assert mismatches(out) == []
    assert updated(state) == ["ar", "en"]  # each variant of the edited article, once
