import sqlite3
import threading

import pytest
from sqlalchemy import text

from tests.factories import article, settings, variant
from translator_pipeline.errors import PublishError, StateError
from translator_pipeline.files import write_atomic
from translator_pipeline.publishing.manifest import build_manifest
from translator_pipeline.publishing.slugs import slug_from_url
from translator_pipeline.publishing.storage import FilesystemPublisher
from translator_pipeline.store.schema import SCHEMA_VERSION
from translator_pipeline.store.state import StateStore

SETTINGS = settings()


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://s.org/news/icesco-alecso-meeting.html", "icesco-alecso-meeting"),
        ("https://s.org/fr/actualités/journée-de-la-langue/", "journee-de-la-langue"),
        ("https://s.org/news/2026/03/report/index.php", "report"),
        ("https://s.org/Big_News%20Today.aspx", "big-news-today"),
    ],
)
def test_slugs_are_readable_ascii(url, slug):
    assert slug_from_url(url) == slug


def test_non_latin_or_query_urls_get_a_stable_hashed_slug():
    arabic = slug_from_url("https://s.org/ar/%D8%A7%D8%AA%D9%81%D8%A7%D9%82%D9%8A%D8%A9")
    assert arabic.startswith("article-") and arabic.isascii()
    assert arabic == slug_from_url("https://s.org/ar/%D8%A7%D8%AA%D9%81%D8%A7%D9%82%D9%8A%D8%A9")
    one, two = slug_from_url("https://s.org/view?id=1"), slug_from_url("https://s.org/view?id=2")
    assert one != two and one.startswith("view-")


def test_slug_is_assigned_once_and_unique(state_url):
    state = StateStore(state_url)
    first = state.slug_for("https://s.org/a/news.html", "s", "news")
    second = state.slug_for("https://s.org/b/news.html", "s", "news")
    assert (first, second) == ("news", "news-2")
    reopened = StateStore(state_url)
    assert reopened.slug_for("https://s.org/b/news.html", "s", "whatever") == "news-2"
    # "news_x" is no "news-…" (LIKE wildcards are escaped); a gap is filled.
    assert state.slug_for("https://s.org/c/news.html", "s", "news_x") == "news_x"
    assert state.slug_for("https://s.org/d/news.html", "s", "news-3") == "news-3"
    assert state.slug_for("https://s.org/e/news.html", "s", "news") == "news-4"


def test_publication_is_recorded_with_hash_and_signature(state_url):
    state = StateStore(state_url)
    art = article()
    state.slug_for(art.url, "s", "a")
    v = variant()
    state.record_publication(art, [(v, "fr/a/index.html", "fr/a/fragment.html")])
    stored = state.variants(art.url)["fr"]
    assert stored.content_hash == art.content_hash
    assert stored.signature == "engine=x"
    assert stored.checksum == v.checksum
    [(row, variants)] = state.published()
    assert row.title == "T" and [x.language for x in variants] == ["fr"]


def test_state_from_a_newer_version_is_refused(state_url):
    state = StateStore(state_url)
    with state.engine.begin() as db:
        db.execute(text("UPDATE meta SET value='99' WHERE key='schema_version'"))
    with pytest.raises(StateError, match="newer"):
        StateStore(state_url)


def test_unusable_state_path_is_a_state_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StateError):
        StateStore(blocker / "sub" / "s.sqlite3")


def test_concurrent_writers_do_not_lose_records(state_url):
    state = StateStore(state_url)
    errors = []

    def work(i):
        try:
            url = f"https://s.org/{i}.html"
            state.slug_for(url, "s", "same")
            state.record_publication(article(url=url), [(variant(), f"fr/{i}", f"fr/{i}f")])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    published = state.published()
    assert len(published) == 12
    assert len({row.slug for row, _ in published}) == 12


def test_write_atomic_leaves_no_temp_files_and_skips_identical_content(tmp_path):
    target = tmp_path / "d" / "f.html"
    assert write_atomic(target, b"one") is True
    stat = target.stat()
    assert write_atomic(target, b"one") is False
    assert target.stat().st_mtime_ns == stat.st_mtime_ns
    assert write_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.html"]


def test_write_atomic_failure_is_a_publish_error_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.html"
    target.write_bytes(b"old")
    # A path below a regular file cannot be created, whatever the user's rights.
    with pytest.raises(PublishError, match="cannot write"):
        write_atomic(target / "x.html", b"new")
    assert target.read_bytes() == b"old"


def test_publisher_layout_and_manifest(tmp_path, state_url):
    publisher = FilesystemPublisher(tmp_path)
    page, fragment = publisher.publish_variant(variant(lang="ar", slug="my-article"))
    assert (page, fragment) == ("ar/my-article/index.html", "ar/my-article/fragment.html")
    assert (tmp_path / page).read_text() == "<html>ar</html>"
    assert publisher.exists(page) and not publisher.exists("ar/other/index.html")
    state = StateStore(state_url)
    art = article()
    state.slug_for(art.url, "s", "my-article")
    state.record_publication(art, [(variant(lang="ar", slug="my-article"), page, fragment)])
    manifest = build_manifest(state.published(), SETTINGS)
    [entry] = manifest["articles"]
    assert entry["slug"] == "my-article"
    assert entry["variants"][0]["path"] == page
    assert entry["variants"][0]["direction"] == "rtl"
    assert entry["variants"][0]["checksum"].startswith("sha256:")
    assert publisher.publish_manifest(state.published(), SETTINGS) is True
    assert publisher.publish_manifest(state.published(), SETTINGS) is False
    assert (tmp_path / "manifest.schema.json").is_file()


def test_the_sweep_removes_unlisted_pages_and_stale_temp_files_only(tmp_path):
    import os
    import time

    publisher = FilesystemPublisher(tmp_path)
    state = StateStore(tmp_path / ".state" / "s.sqlite3")
    art = article()
    state.slug_for(art.url, "s", "a")
    kept = variant(lang="fr", slug="a")
    page, fragment = publisher.publish_variant(kept)
    state.record_publication(art, [(kept, page, fragment)])
    orphan = publisher.publish_variant(variant(lang="ar", slug="gone"))
    (tmp_path / "fr" / "a" / ".index.html.abc123.tmp").write_bytes(b"half")
    fresh_temp = tmp_path / "fr" / "a" / ".fragment.html.def456.tmp"
    fresh_temp.write_bytes(b"being written")
    old = time.time() - 7200
    os.utime(tmp_path / "fr" / "a" / ".index.html.abc123.tmp", (old, old))
    (tmp_path / "robots.txt").write_text("User-agent: *")  # not ours: never touched
    (tmp_path / "ar" / "gone" / "notes.txt").write_text("the web team's file")

    publisher.publish_manifest(state.published(), SETTINGS)
    assert publisher.exists(page) and publisher.exists(fragment)
    assert not any(publisher.exists(p) for p in orphan)
    assert not (tmp_path / "fr" / "a" / ".index.html.abc123.tmp").exists()
    assert fresh_temp.exists()  # may belong to a writer that is still running
    assert (tmp_path / "robots.txt").exists()
    assert (tmp_path / "ar" / "gone" / "notes.txt").exists()
    assert (tmp_path / ".state" / "s.sqlite3").exists()


def test_a_version_1_database_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1');
            CREATE TABLE articles (url TEXT PRIMARY KEY, source TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE, language TEXT, title TEXT, published TEXT,
                content_hash TEXT, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL);
            INSERT INTO articles VALUES ('https://s.org/a', 's', 'a', 'en', 'T', NULL, 'h',
                '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
            """
        )
    state = StateStore(path)
    assert state.article("https://s.org/a").slug == "a"  # old rows survive
    assert state.validators("https://s.org/a") == (None, None)
    state.remember_validators("https://s.org/a", '"v1"', "Tue, 01 Sep 2026 10:00:00 GMT")
    assert StateStore(path).validators("https://s.org/a") == (
        '"v1"',
        "Tue, 01 Sep 2026 10:00:00 GMT",
    )
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
