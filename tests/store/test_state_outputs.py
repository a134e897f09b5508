"""The state's identity, its outputs and the outbox's dead letters, on both backends."""

from __future__ import annotations

import json
import sqlite3

from tests.factories import article, variant, write_config
from tests.publishing.test_webhooks import factory, publish
from translator_pipeline.config.settings import load_settings
from translator_pipeline.run import run_once
from translator_pipeline.store.state import StateStore


def test_outputs_generations_and_scoped_publications(state_url):
    state = StateStore(state_url)
    assert state.state_id() == StateStore(state_url).state_id()
    state.register_output("out-a", "/srv/a")
    state.register_output("out-b", "/srv/b", 5)
    assert state.advance_output("out-a") == 1
    state.register_output("out-b", "/srv/b2", 2)  # never goes back
    assert state.output("out-b").generation == 5 and state.output("out-b").location == "/srv/b2"
    assert state.set_publishing("out-a", True) is False
    assert state.set_publishing("out-a", False) is True

    a = article()
    state.slug_for(a.url, a.source, "a")
    v = variant(lang="fr")
    state.record_publication(a, [(v, "fr/a/index.html", "fr/a/fragment.html")], output="out-a")
    assert [x.url for x, _ in state.published("out-a")] == [a.url]
    assert state.published("out-b") == []
    assert state.outputs_of([a.url, "https://elsewhere/"]) == {a.url: "out-a"}
    assert state.least_recently_checked(set(), 5, output="out-b") == []

    # Adopting out-b's view: a's record moves there, as the output says.
    [(stored, variants)] = state.published("out-a")
    assert state.adopt_published("out-b", "/srv/b2", 7, [(stored, variants)]) == (1, 0)
    assert state.published("out-a") == [] and state.output("out-b").generation == 7
    assert state.adopt_published("out-b", "/srv/b2", 7, []) == (0, 1)  # no longer listed
    assert state.published() == []


def test_events_are_dead_lettered_and_queued_again(state_url):
    state = StateStore(state_url)
    hook = "http://127.0.0.1:9/hook"
    publish(state, factory(hook), lang="fr")
    publish(state, factory(hook), lang="ar")
    first, second = state.pending_events(hook)
    assert state.set_abandoned(first.id, True) == 1
    assert state.set_abandoned(first.id, True) == 0  # not queued any more
    assert [e.id for e in state.pending_events(hook)] == [second.id]
    listed = {e["id"]: e["abandoned"] for e in state.outbox_events()}
    assert listed == {first.id: True, second.id: False}
    assert state.set_abandoned(first.id, False, webhook=hook) == 1
    assert [e.id for e in state.pending_events(hook)] == [first.id, second.id]


def test_a_state_and_output_from_before_output_ids_are_claimed(site_server, tmp_path):
    config = load_settings(write_config(tmp_path, site_server.base_url))
    assert run_once(config).count("published") == 4
    # What an older version left: no marker, no output ids.
    (tmp_path / "out" / ".translator-pipeline.json").unlink()
    db = sqlite3.connect(tmp_path / "state" / "tp.sqlite3")
    with db:
        db.execute("UPDATE articles SET output = NULL")
        db.execute("DELETE FROM outputs")
    db.close()
    again = run_once(config)
    assert again.count("unchanged") == 4 and again.count("published") == 0
    assert (tmp_path / "out" / ".translator-pipeline.json").is_file()
    state = StateStore(tmp_path / "state" / "tp.sqlite3")
    [output] = state.outputs()
    assert len(state.published(output.id)) == 4


def test_a_config_pointed_at_a_new_output_publishes_everything_there(site_server, tmp_path):
    path = write_config(tmp_path, site_server.base_url)
    assert run_once(load_settings(path)).count("published") == 4
    path.write_text(path.read_text("utf-8").replace('output_dir = "out"', 'output_dir = "new"'))
    moved = run_once(load_settings(path))
    assert moved.count("published") == 4 and moved.count("skipped") == 0
    manifest = json.loads((tmp_path / "new" / "manifest.json").read_text("utf-8"))
    assert len(manifest["articles"]) == 4
    assert (tmp_path / "out" / "manifest.json").is_file()  # the old output is left alone


def test_state_show_names_the_state_its_outputs_and_the_marker(site_server, tmp_path, capsys):
    from translator_pipeline.cli.main import main

    path = write_config(tmp_path, site_server.base_url)
    run_once(load_settings(path))
    capsys.readouterr()
    assert main(["state", "show", "--config", str(path)]) == 0
    shown = json.loads(capsys.readouterr().out)
    [output] = shown["outputs"]
    assert shown["marker"]["state_id"] == shown["state_id"]
    assert shown["marker"]["output_id"] == output["id"]
    assert output["location"] == shown["output"] and output["publishing"] is False
