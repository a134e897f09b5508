"""One publishing run per output: the lease in the state database (SQLite and
PostgreSQL), and a flow that finds the output busy stopping before any fetch."""

from __future__ import annotations

import os
import threading
import time

import pytest

from tests.factories import write_config
from tests.support.clock import FakeClock
from translator_pipeline.errors import RunInProgressError
from translator_pipeline.flows import translate_and_publish
from translator_pipeline.processes import HOST
from translator_pipeline.run.lease import RunLease, lease_name
from translator_pipeline.store.state import StateStore


def test_a_lease_is_exclusive_until_released_or_expired(state_url):
    state = StateStore(state_url)
    assert state.acquire_lease("publish:out", "a", ttl=60) is None
    assert state.acquire_lease("publish:out", "a", ttl=60) is None  # ours: renewed
    held = state.acquire_lease("publish:out", "b", ttl=60)
    assert held is not None and held.holder == "a" and held.expires > time.time()
    assert state.acquire_lease("publish:other", "b", ttl=60) is None  # another output

    assert state.renew_lease("publish:out", "a", ttl=60)
    assert not state.renew_lease("publish:out", "b", ttl=60)
    state.release_lease("publish:out", "b")  # not b's: nothing happens
    assert state.acquire_lease("publish:out", "b", ttl=60).holder == "a"
    state.release_lease("publish:out", "a")
    assert state.acquire_lease("publish:out", "b", ttl=60) is None

    # A holder that stopped renewing (killed) loses it after its ttl.
    assert state.acquire_lease("publish:x", "dead", ttl=-1) is None
    assert state.acquire_lease("publish:x", "c", ttl=60) is None
    assert not state.renew_lease("publish:x", "dead", ttl=60)


def test_run_lease_renews_while_held_and_names_the_holder(tmp_path):
    clock = FakeClock()
    state = StateStore(tmp_path / "state.sqlite3", clock=clock)
    with RunLease(state, "/srv/out", ttl=1.0, renew_every=3600) as first:
        for _ in range(3):  # 1.5 s in all, past the ttl: only renewal keeps it
            clock.advance(0.5)
            assert first.renew()
        with pytest.raises(RunInProgressError) as raised, RunLease(state, "/srv/out"):
            pass
        assert first.holder in raised.value.message
        assert "/srv/out" in raised.value.message
        assert not first.lost
    # Released on exit: the next run gets it at once.
    with RunLease(state, "/srv/out"):
        pass


def test_a_lease_not_renewed_lapses_after_its_ttl_and_its_holder_learns_it(tmp_path):
    clock = FakeClock()
    state = StateStore(tmp_path / "state.sqlite3", clock=clock)
    with RunLease(state, "/srv/out", ttl=1.0, renew_every=3600) as first:
        clock.advance(0.9)
        with pytest.raises(RunInProgressError), RunLease(state, "/srv/out"):
            pass
        clock.advance(0.2)  # 1.1 s: expired
        with RunLease(state, "/srv/out") as second:
            assert not first.renew()
            assert first.lost
            assert second.renew()


def test_the_background_thread_renews_the_lease(tmp_path):
    clock = FakeClock()
    state = StateStore(tmp_path / "state.sqlite3", clock=clock)
    renewed = threading.Event()
    real_renew = state.renew_lease

    def renew_lease(*args, **kwargs):
        done = real_renew(*args, **kwargs)
        renewed.set()
        return done

    state.renew_lease = renew_lease
    with RunLease(state, "/srv/out", ttl=1.0, renew_every=0.01):
        clock.advance(0.9)
        renewed.clear()
        assert renewed.wait(10)  # a renewal after the clock moved: expiry now 1.9 s
        clock.advance(0.9)
        with pytest.raises(RunInProgressError), RunLease(state, "/srv/out"):
            pass


def test_the_lease_of_a_dead_process_of_this_host_is_taken_over_at_once(tmp_path):
    import subprocess
    import sys

    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    dead = f"{HOST}~{child.stdout.strip()}~0000"
    alive = f"{HOST}~{os.getpid()}~1111"  # this test's process
    state = StateStore(tmp_path / "state.sqlite3")
    assert state.acquire_lease(lease_name("out"), dead, ttl=600) is None
    with RunLease(state, "out") as lease:  # no waiting for the 600 s
        assert lease.holder != dead
    assert state.acquire_lease(lease_name("out"), alive, ttl=600) is None
    with pytest.raises(RunInProgressError), RunLease(state, "out"):
        pass


def test_a_flow_finding_its_output_busy_fetches_nothing(prefect_harness, site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url)
    state = StateStore(tmp_path / "state" / "tp.sqlite3")
    output = str(tmp_path / "out")
    assert state.acquire_lease(lease_name(output), "other-host~1~run", ttl=60) is None

    with pytest.raises(RunInProgressError, match="other-host~1~run"):
        translate_and_publish(config_path=str(config))
    assert site_server.requests == []
    assert not (tmp_path / "out" / "manifest.json").exists()

    state.release_lease(lease_name(output), "other-host~1~run")
    report = translate_and_publish(config_path=str(config))
    assert report.count("published") == 4
    # The run let go of its lease when it ended.
    assert state.acquire_lease(lease_name(output), "next", ttl=60) is None


def test_the_flow_on_postgresql_publishes_then_finds_nothing_to_do(
    prefect_harness, site_server, postgres_server, tmp_path
):
    """The whole flow with its state in PostgreSQL, as several workers would share it."""
    import json

    url = postgres_server.new_url()
    config = write_config(tmp_path, site_server.base_url, top=f'state_url = "{url}"')
    first = translate_and_publish(config_path=str(config))
    assert first.count("published") == 4
    assert not (tmp_path / "state" / "tp.sqlite3").exists()  # nothing went to SQLite
    again = translate_and_publish(config_path=str(config))
    assert again.count("unchanged") == 4 and again.count("published") == 0
    report = json.loads((tmp_path / "out" / "run-report.json").read_text("utf-8"))
    assert report["segments"]["translated"] == 0
    state = StateStore(url)
    assert len(state.published()) == 4
    assert state.acquire_lease(lease_name(str(tmp_path / "out")), "after", ttl=60) is None
