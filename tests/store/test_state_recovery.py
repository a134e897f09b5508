"""The state database lost, restored from an older backup, shared by two configs, or
two configs on one output: what ops meet, done as they would (runs in their own
processes, real files deleted, copied and restored), and nothing published is
deleted or announced again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import DEMO_SOURCE_TOML
from translator_pipeline.store.state import StateStore

HOOK = "http://127.0.0.1:9/hook"  # nobody listens: events stay queued, countable

RUN = """
import json, sys
from translator_pipeline.config.settings import load_settings
from translator_pipeline.errors import PipelineError
from translator_pipeline.run import run_once
try:
    report = run_once(load_settings(sys.argv[1]))
except PipelineError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({s: report.count(s) for s in ("published", "unchanged", "skipped", "failed")}))
"""


def config(
    directory: Path,
    base_url: str,
    *,
    output: str = "out",
    state: str = "state/tp.sqlite3",
    index: str = "index.html",
    max_articles: int = 50,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "site.toml"
    path.write_text(
        f"""
target_languages = ["ar", "fr", "en"]
engine = "pseudo"
output_dir = "{output}"
state_path = "{state}"
public_base_url = "https://www.example.org/t/"

[[sources]]
name = "demo"
start_urls = ["{base_url}{index}"]
max_articles = {max_articles}
{DEMO_SOURCE_TOML}

[fetch]
host_delay = 0

[[webhooks]]
url = "{HOOK}"
secret = "state-recovery-secret-01"
""",
        encoding="utf-8",
    )
    return path


def run_here(path: Path) -> tuple[int, dict[str, int], str]:
    """One run in this process (cheaper; for probes that delete no database file):
    exit status, counts, the error."""
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.errors import PipelineError
    from translator_pipeline.run import run_once

    try:
        report = run_once(load_settings(path))
    except PipelineError as exc:
        return 1, {}, f"error: {exc}"
    counts = {s: report.count(s) for s in ("published", "unchanged", "skipped", "failed")}
    return 0, counts, ""


def run(path: Path) -> tuple[int, dict[str, int], str]:
    """One run in its own process: exit status, counts, stderr."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    counts = json.loads(done.stdout) if done.returncode == 0 else {}
    return done.returncode, counts, done.stderr


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "translator_pipeline", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def files(root: Path) -> dict[str, str]:
    """Every published file and its hash (aside: the run report, which says what a run
    did, and the marker, which names the state: see marker())."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("run-report.json", ".translator-pipeline.json")
    }


def marker(root: Path) -> dict:
    return json.loads((root / ".translator-pipeline.json").read_text("utf-8"))


def manifest(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text("utf-8"))


def times(root: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(url, language) → (first_seen, published_at) as the manifest says."""
    return {
        (a["url"], v["language"]): (a["first_seen"], v["published_at"])
        for a in manifest(root)["articles"]
        for v in a["variants"]
    }


def queued(state: Path) -> list[str]:
    return [e.type for e in StateStore(state).pending_events(HOOK)]


def test_a_lost_state_database_refuses_then_adopts_the_output(site_server, tmp_path):
    site = config(tmp_path, site_server.base_url)
    out, state = tmp_path / "out", tmp_path / "state" / "tp.sqlite3"
    status, counts, _ = run(site)
    assert status == 0 and counts["published"] == 4
    published, before, owner = files(out), times(out), marker(out)

    for lost in state.parent.glob("tp.sqlite3*"):
        lost.unlink()
    fewer = config(tmp_path, site_server.base_url, max_articles=2)
    status, _, error = run(fewer)
    assert status == 1
    assert "Nothing was written or deleted" in error
    assert f"translator-pipeline state adopt --config {fewer}" in error
    assert files(out) == published  # not one page deleted, nothing rewritten
    assert marker(out) == owner
    assert queued(state) == []  # nothing announced
    # The command line says it in one line, before starting Prefect.
    refused = cli("run", "--config", str(fewer), cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: output ") and refused.stderr.count("\n") == 1
    assert files(out) == published

    adopted = cli("state", "adopt", "--config", str(fewer), cwd=tmp_path)
    assert adopted.returncode == 0, adopted.stderr
    assert "4 article(s), 8 variant(s)" in adopted.stdout
    assert marker(out)["state_id"] == StateStore(state).state_id() != owner["state_id"]
    assert marker(out)["output_id"] == owner["output_id"]

    status, counts, _ = run(fewer)
    # The two listed, and the others re-checked now and then: all current.
    assert status == 0 and counts == {"published": 0, "unchanged": 4, "skipped": 0, "failed": 0}
    assert files(out) == published  # the four articles' pages all stay
    assert times(out) == before  # first_seen and published_at as they were
    assert queued(state) == []  # the two found again are not re-announced


def test_a_restored_older_backup_refuses_until_adopted(site_server, site_copy, tmp_path):
    site = config(tmp_path, site_server.base_url)
    out, state = tmp_path / "out", tmp_path / "state" / "tp.sqlite3"
    assert run_here(site)[0] == 0
    backup = tmp_path / "backups" / "tp-1.sqlite3"
    done = cli("state", "backup", str(backup), "--config", str(site), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    announced = queued(state)
    assert announced == ["variant.published"] * 8

    # The site edits one article: the next run updates two variants.
    article = site_copy / "articles" / "journee-langue-arabe.html"
    article.write_text(
        article.read_text("utf-8").replace("</h2>", " (mise à jour)</h2>", 1), "utf-8"
    )
    status, counts, _ = run_here(site)
    assert status == 0 and counts["published"] == 1
    published, before = files(out), times(out)

    done = cli("state", "restore", str(backup), "--config", str(site), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    status, _, error = run_here(site)
    assert status == 1
    assert "older than the output" in error and "state adopt" in error
    assert files(out) == published
    assert queued(state) == announced  # the backup's queue, nothing added

    assert cli("state", "adopt", "--config", str(site), cwd=tmp_path).returncode == 0
    status, counts, _ = run_here(site)
    assert status == 0 and counts["unchanged"] == 4 and counts["published"] == 0
    assert files(out) == published
    assert times(out) == before
    assert queued(state) == announced


def test_the_state_file_alone_is_a_backup_after_a_run(site_server, tmp_path):
    site = config(tmp_path, site_server.base_url)
    state = tmp_path / "state" / "tp.sqlite3"
    for _ in range(2):
        assert run_here(site)[0] == 0
    # What an ops person copies: the file state_path names, nothing else.
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(state, copy)
    db = sqlite3.connect(copy)
    try:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
        assert db.execute("SELECT count(*) FROM variants").fetchone()[0] == 8
        assert db.execute("SELECT count(*) FROM memory").fetchone()[0] > 0
    finally:
        db.close()


def test_state_backup_copies_what_sits_in_the_write_ahead_log(tmp_path):
    state_path = tmp_path / "state" / "tp.sqlite3"
    site = config(tmp_path, "http://127.0.0.1:9/")
    state = StateStore(state_path)
    state.register_output("written-not-checkpointed", "/somewhere", 3)  # held open: in the WAL
    assert (state_path.parent / "tp.sqlite3-wal").stat().st_size > 0
    backup = tmp_path / "b.sqlite3"
    done = cli("state", "backup", str(backup), "--config", str(site), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    copy = StateStore(backup)
    assert copy.output("written-not-checkpointed").generation == 3
    assert copy.state_id() == state.state_id()

    refused = cli("state", "restore", str(tmp_path / "none.sqlite3"), "--config", str(site),
                  cwd=tmp_path)  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: backup ") and "does not exist" in refused.stderr


def test_two_configs_on_one_output_refuse_the_second(site_server, tmp_path):
    a = config(tmp_path / "a", site_server.base_url, output="../out")
    b = config(tmp_path / "b", site_server.base_url, output="../out", max_articles=2)
    out = tmp_path / "out"
    assert run_here(a)[0] == 0
    published = files(out)

    status, _, error = run_here(b)
    assert status == 1
    assert "two configs must not share one output_dir" in error
    assert str(a) in error  # names the other config
    assert files(out) == published
    assert queued(tmp_path / "b" / "state" / "tp.sqlite3") == []

    status, counts, _ = run_here(a)  # the owner carries on undisturbed
    assert status == 0 and counts["unchanged"] == 4 and counts["published"] == 0
    assert files(out) == published


@pytest.fixture
def split_site(site_copy: Path) -> Path:
    """Two listings of the demo site: a (two articles), b (the other two and one of a's)."""
    index = (site_copy / "index.html").read_text("utf-8")
    lines = index.splitlines()
    links = [i for i, line in enumerate(lines) if 'class="news-link"' in line]
    keep = {"index-a.html": links[:2], "index-b.html": links[1:]}
    for name, mine in keep.items():
        text = "\n".join(line for i, line in enumerate(lines) if i not in links or i in mine)
        (site_copy / name).write_text(text, "utf-8")
    return site_copy


def test_two_configs_sharing_one_state_publish_their_own_articles(
    split_site, site_server, tmp_path
):
    shared = "../state/shared.sqlite3"
    a = config(tmp_path / "a", site_server.base_url, output="../out-a", state=shared,
               index="index-a.html")  # fmt: skip
    b = config(tmp_path / "b", site_server.base_url, output="../out-b", state=shared,
               index="index-b.html")  # fmt: skip
    status, counts, _ = run_here(a)
    assert status == 0 and counts["published"] == 2
    status, counts, _ = run_here(b)
    # The article both list stays a's: b skips it and says why.
    assert status == 0 and counts["published"] == 2 and counts["skipped"] == 1
    out_a, out_b = files(tmp_path / "out-a"), files(tmp_path / "out-b")
    for _ in range(1):  # and again: nothing republished, nothing deleted
        assert run_here(a)[1]["unchanged"] == 2
        assert run_here(b)[1]["unchanged"] == 2
    assert files(tmp_path / "out-a") == out_a
    assert files(tmp_path / "out-b") == out_b

    for name in ("out-a", "out-b"):
        root = tmp_path / name
        listed = manifest(root)["articles"]
        assert len(listed) == 2
        for article in listed:
            for variant in article["variants"]:
                assert (root / variant["path"]).is_file(), (name, variant["path"])
    urls_a = {a["url"] for a in manifest(tmp_path / "out-a")["articles"]}
    urls_b = {a["url"] for a in manifest(tmp_path / "out-b")["articles"]}
    assert not urls_a & urls_b
    # One event per variant published, each about its own output's page.
    events = StateStore(tmp_path / "state" / "shared.sqlite3").pending_events(HOOK)
    assert len(events) == 8
