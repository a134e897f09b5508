"""The state store on its two backends: SQLite (default) and PostgreSQL (several workers).

``state_url`` (tests/conftest.py) runs each test once per backend: a SQLite
file, and a fresh schema of the session's throw-away PostgreSQL server.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.factories import article, variant
from translator_pipeline.errors import ConfigError, StateError
from translator_pipeline.models import PublishedVariant
from translator_pipeline.store.schema import SCHEMA_VERSION
from translator_pipeline.store.state import EventFactory, StateStore, mask_url

# The worker processes import this module: it imports only what they need.
HOOK = "https://hook.example/h"
KINDS = ("variant.published", "variant.updated", "variant.removed")


def _event_body(kind: str, event_id: str, created: str, row: PublishedVariant) -> bytes:
    return json.dumps({"type": kind, "id": event_id, "url": row.article_url}).encode()


def _hammer(url: str, worker: int, n: int, start, results) -> None:
    """One of two processes writing the same database as fast as it can."""
    try:
        start.wait(timeout=60)  # both open (and create) the database at the same moment
        state = StateStore(url)
        events = EventFactory(((HOOK, KINDS),), _event_body)
        lang = ("fr", "ar")[worker]
        slugs: dict[str, str] = {}
        for i in range(n):
            if i == n // 2:
                # Meet half-way, so each worker's first half precedes the other's
                # second half whatever the OS scheduler does: the runs overlap.
                start.wait(timeout=60)
            shared = f"https://s.org/shared/{i}.html"  # both workers
            own = f"https://s.org/w{worker}/{i}.html"
            # Every article wants the slug "news": the workers race for each suffix.
            for url_ in (shared, own):
                slugs[url_] = state.slug_for(url_, "s", "news")
            page = f"{lang}/{slugs[shared]}/index.html"
            state.record_publication(
                article(url=shared), [(variant(lang=lang), page, page + "#f")], events=events
            )
            rows = [
                (f"k{j}", "en", "fr", "sig", f"src {j}", f"w{worker}") for j in (i, i + 1, i + 2)
            ]
            state.memory_store(rows if worker else rows[::-1])  # opposite lock orders
            assert set(state.memory_lookup([r[0] for r in rows])) == {r[0] for r in rows}
            state.mark_checked([own, shared])
            if i % 4 == worker:
                for event in state.pending_events(HOOK):
                    state.mark_delivered(event.id, HOOK)
        results.put((worker, slugs, None))
    except BaseException as exc:  # reported to the parent, asserted there
        results.put((worker, {}, f"{type(exc).__name__}: {exc}"))


def test_two_processes_hammering_one_database_lose_nothing(state_url):
    n = 30
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(state_url, w, n, start, results)) for w in (0, 1)]
    for p in workers:
        p.start()
    outcome = {}
    for _ in workers:
        worker, slugs, error = results.get(timeout=120)
        outcome[worker] = (slugs, error)
    for p in workers:
        p.join(30)
        assert p.exitcode == 0
    assert [outcome[w][1] for w in (0, 1)] == [None, None]  # no "database is locked", no deadlock

    slugs0, slugs1 = outcome[0][0], outcome[1][0]
    shared = [f"https://s.org/shared/{i}.html" for i in range(n)]
    assert [slugs0[u] for u in shared] == [slugs1[u] for u in shared]  # one slug per article
    every = {**slugs0, **slugs1}
    assert len(every) == 3 * n
    assert len(set(every.values())) == 3 * n  # no slug handed out twice
    assert set(every.values()) == {"news"} | {f"news-{k}" for k in range(2, 3 * n + 1)}

    def rank(slug: str) -> int:
        return int(slug.rpartition("-")[2]) if "-" in slug else 1

    own0 = [rank(s) for u, s in slugs0.items() if "/w0/" in u]
    own1 = [rank(s) for u, s in slugs1.items() if "/w1/" in u]
    assert min(own0) < max(own1) and min(own1) < max(own0)  # interleaved, not one after the other

    state = StateStore(state_url)
    published = state.published()
    assert sorted(row.url for row, _ in published) == sorted(shared)
    assert all(sorted(v.language for v in vs) == ["ar", "fr"] for _, vs in published)
    assert {row.slug for row, _ in published} == {slugs0[u] for u in shared}
    assert state.memory_size() == n + 2
    counts = state.outbox_counts()
    assert counts["pending"] + counts["delivered"] == 2 * n and counts["abandoned"] == 0
    events = state.pending_events(HOOK)
    assert len({e.id for e in events}) == len(events) == counts["pending"]
    if state.path is not None:
        with sqlite3.connect(state.path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_schema_and_its_version_row(state_url):
    state = StateStore(state_url)
    with state.engine.connect() as db:
        version = db.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar()
        tables = {"articles", "variants", "memory", "outbox", "meta"}
        for table in tables:
            db.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    assert version == str(SCHEMA_VERSION)
    assert StateStore(state_url).engine is state.engine  # one engine per URL per process


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    state = StateStore(tmp_path / "s.sqlite3")
    with state.engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert db.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert db.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    assert state.path == tmp_path / "s.sqlite3"
    same = StateStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert same.engine is state.engine


def test_texts_blobs_order_and_pruning_behave_alike(state_url):
    state = StateStore(state_url)
    urls = ["https://s.org/b", "https://s.org/B", "https://s.org/_", "https://s.org/a"]
    for url in urls:
        state.slug_for(url, "s", "x")
        state.record_publication(article(url=url, title="عنوان"), [(variant(), "p", "f")])
    with state.engine.begin() as db:  # first seen in the same second: ordered by URL
        db.execute(text("UPDATE articles SET first_seen='2026-01-01T00:00:00Z'"))
    # Byte order on both backends, whatever the server's locale.
    assert [row.url for row, _ in state.published()] == sorted(urls)
    texts = [("ar", "المدير العام للإيسيسكو"), ("fr", "l'ICESCO")]
    state.remember_glossary_inputs(urls[0], texts, "g1")
    assert state.glossary_inputs(urls[0]) == (texts, "g1")
    state.remember_glossary_inputs(urls[0], None, "g2")
    assert state.glossary_inputs(urls[0]) == (texts, "g2")
    assert state.article(urls[0]).title == "عنوان"
    events = EventFactory(((HOOK, KINDS),), _event_body)
    state.withdraw(urls[1], events)
    [event] = state.pending_events(HOOK)
    assert isinstance(event.payload, bytes) and json.loads(event.payload)["url"] == urls[1]
    state.mark_delivered(event.id, HOOK)
    with state.engine.begin() as db:
        db.execute(text("UPDATE outbox SET delivered_at='2000-01-01T00:00:00Z'"))
    assert state.prune_outbox() == 1
    assert state.outbox_counts() == {"pending": 0, "delivered": 0, "abandoned": 0}
    assert [u for u, _ in state.least_recently_checked(set(), 10)] == sorted(set(urls) - {urls[1]})


def test_memory_of_engines_no_longer_used_is_pruned_after_a_grace_period(state_url):
    state = StateStore(state_url)
    rows = [
        (f"{signature}-{n}", "en", "fr", signature, f"text {n}", f"texte {n}")
        for signature in ("engine=old", "engine=current", "engine=recent-old")
        for n in range(3)
    ]
    state.memory_store(rows)
    with state.engine.begin() as db:  # two engines' entries are old; one of them is in use
        db.execute(
            text("UPDATE memory SET created='2000-01-01T00:00:00Z' WHERE signature <> :s"),
            {"s": "engine=recent-old"},
        )
    assert state.prune_memory(["engine=current"]) == 3  # only engine=old's
    keys = [r[0] for r in rows]
    assert set(state.memory_lookup(keys)) == {k for k in keys if not k.startswith("engine=old")}
    assert state.prune_memory(["engine=current"]) == 0


def test_a_version_3_sqlite_file_is_migrated_with_its_rows(tmp_path):
    path = tmp_path / "v3.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '3');
            CREATE TABLE articles (url TEXT PRIMARY KEY, source TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE, language TEXT, title TEXT, published TEXT,
                content_hash TEXT, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,
                etag TEXT, last_modified TEXT, glossary_texts BLOB, glossary_version TEXT);
            CREATE TABLE variants (article_url TEXT NOT NULL REFERENCES articles(url)
                ON DELETE CASCADE, language TEXT NOT NULL, direction TEXT NOT NULL,
                path TEXT NOT NULL, fragment_path TEXT NOT NULL, title TEXT NOT NULL,
                checksum TEXT NOT NULL, signature TEXT NOT NULL, content_hash TEXT NOT NULL,
                pseudo INTEGER NOT NULL DEFAULT 0, published_at TEXT NOT NULL,
                glossary_hash TEXT NOT NULL DEFAULT '', PRIMARY KEY (article_url, language));
            INSERT INTO articles VALUES ('https://s.org/a', 's', 'a', 'en', 'T', NULL, 'h',
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL, NULL, NULL, NULL);
            INSERT INTO variants VALUES ('https://s.org/a', 'fr', 'ltr', 'fr/a/index.html',
                'fr/a/fragment.html', 'Titre', 'c', 'engine=x', 'h', 0,
                '2026-01-01T00:00:00Z', 'g');
            """
        )
    state = StateStore(path)
    [(row, [kept])] = state.published()
    assert (row.slug, kept.glossary_hash, kept.render_hash) == ("a", "g", "")
    assert state.note_missing("https://s.org/a") == 1
    assert state.least_recently_checked(set(), 5) == [("https://s.org/a", "s")]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
        indexes = {r[1] for r in db.execute("PRAGMA index_list(outbox)")}
    assert "outbox_pending" in indexes


def test_passwords_are_masked_everywhere():
    from translator_pipeline.config.settings import Settings

    url = "postgresql://tp:s3cr%40t@db.example:5432/state"
    assert mask_url(url) == "postgresql://tp:***@db.example:5432/state"
    assert mask_url("postgresql+psycopg://u:pw@h/db") == "postgresql+psycopg://u:***@h/db"
    settings = Settings(state_url=url, sources=[{"name": "s", "start_urls": ["https://s.org/"]}])
    assert "s3cr" not in json.dumps(settings.model_dump(mode="json"))
    assert settings.model_dump()["state_url"] == url  # the real value for the store


def test_postgresql_errors_name_the_url_masked_and_say_what_to_do(postgres_server):
    good = postgres_server.url
    refused = good.set(port=1).render_as_string(hide_password=False)
    with pytest.raises(StateError) as caught:
        StateStore(refused)
    message = str(caught.value)
    assert "postgresql://tp:***@127.0.0.1:1/" in message
    assert postgres_server.password not in message
    assert "start PostgreSQL" in message and "Traceback" not in message

    wrong = good.set(password="not-the-password").render_as_string(hide_password=False)
    with pytest.raises(StateError, match=r"tp:\*\*\*@.*password authentication failed") as caught:
        StateStore(wrong)
    assert "not-the-password" not in str(caught.value)

    missing = good.set(database="no_such_db").render_as_string(hide_password=False)
    with pytest.raises(StateError, match="createdb -O tp no_such_db"):
        StateStore(missing)

    state = StateStore(postgres_server.new_url())
    assert postgres_server.password not in repr(state) + state.url
    assert state.path is None and state.backend == "postgresql"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://u:secret@h/db", "unsupported database 'mysql'"),
        ("postgres://u:secret@h/db", "write postgresql://"),
        ("sqlite://", "must be a file"),
        ("sqlite:///:memory:", "must be a file"),
        ("postgresql://u:secret@h", "names no database"),
    ],
)
def test_bad_urls_are_state_errors(url, expected):
    with pytest.raises(StateError, match=expected) as caught:
        StateStore(url)
    assert "secret" not in str(caught.value)


def test_a_file_that_is_no_database_is_a_state_error(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database, just bytes " * 200)
    with pytest.raises(StateError, match=r"cannot open state database .*junk\.sqlite3"):
        StateStore(junk)


def _config(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "conf" / "tp.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        line + '\n[[sources]]\nname = "s"\nstart_urls = ["https://s.org/"]\n', encoding="utf-8"
    )
    return path


def test_state_url_in_the_config(tmp_path):
    from translator_pipeline.config.settings import load_settings

    settings = load_settings(_config(tmp_path, 'state_url = "sqlite:///db/tp.sqlite3"'), env={})
    expected = (tmp_path / "conf" / "db" / "tp.sqlite3").resolve()
    assert settings.state_url == f"sqlite:///{expected}"  # relative to the config file
    state = StateStore.from_settings(settings)
    assert state.path == expected and expected.is_file()

    default = load_settings(_config(tmp_path, ""), env={})
    assert default.state_url is None
    assert StateStore.from_settings(default).path == default.state_path

    with pytest.raises(ConfigError, match=r"tp\.toml:state_url: 'mysql://u:\*\*\*@h/db'"):
        load_settings(_config(tmp_path, 'state_url = "mysql://u:pw@h/db"'), env={})
    with pytest.raises(ConfigError, match=r"env TP_STATE_URL: .*write postgresql://"):
        load_settings(_config(tmp_path, ""), env={"TP_STATE_URL": "postgres://u:pw@h/db"})
    url = "postgresql://u:pw@h:5432/db"
    assert load_settings(_config(tmp_path, ""), env={"TP_STATE_URL": url}).state_url == url
