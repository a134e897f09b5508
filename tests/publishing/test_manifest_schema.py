"""manifest.json against its shipped JSON Schema (draft 2020-12): hand-made state rows,
a real state database, and the manifest the real flow writes."""

from __future__ import annotations

import copy
import json
from functools import partial
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from tests.factories import settings as one_source
from translator_pipeline.config.settings import load_settings
from translator_pipeline.models import Article, Block, PublishedVariant, StoredArticle, Variant
from translator_pipeline.publishing.manifest import (
    MANIFEST_SCHEMA_VERSION,
    build_manifest,
    manifest_bytes,
    manifest_schema,
    manifest_schema_bytes,
)
from translator_pipeline.store.state import StateStore

settings = partial(one_source, "news", "https://news.example.org/")

BASE = "https://www.example.org/mt/"


def validator() -> Draft202012Validator:
    return Draft202012Validator(manifest_schema(), format_checker=FormatChecker())


def assert_valid(manifest: dict) -> None:
    errors = sorted(validator().iter_errors(manifest), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def assert_invalid(manifest: dict) -> None:
    with pytest.raises(ValidationError):
        validator().validate(manifest)


# --- the schema itself -------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema_with_an_id():
    schema = manifest_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f":{MANIFEST_SCHEMA_VERSION}")
    assert schema["properties"]["schema_version"]["const"] == MANIFEST_SCHEMA_VERSION
    assert json.loads(manifest_schema_bytes()) == schema


def test_every_field_of_the_schema_is_documented():
    """The schema is the web team's documentation: every property says what it is."""
    undocumented = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    undocumented.append(f"{where}.{name}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    schema = manifest_schema()
    walk(schema, "$")
    assert not undocumented
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), name


# --- manifests from state ----------------------------------------------------------------


def article(url: str, language: str, published: str | None, title: str = "T") -> Article:
    return Article(
        url=url,
        source="news",
        title=title,
        body_html="<p>x</p>",
        blocks=(Block(0, "p", "<p>x</p>", "x"),),
        published=published,
        language=language,
    )


def variant(art: Article, lang: str, slug: str, signature: str, pseudo: bool = False) -> Variant:
    return Variant(
        article_url=art.url,
        source_language=str(art.language),
        language=lang,
        direction="rtl" if lang == "ar" else "ltr",
        slug=slug,
        title=f"« {art.title} » ({lang}) <b>&</b>",
        page_html=f"<html lang={lang}>{art.title}</html>",
        fragment_html="<div></div>",
        signature=signature,
        pseudo=pseudo,
    )


def fill(state: StateStore) -> None:
    """Three articles as the pipeline records them: direct and pivot signatures, with
    and without glossary concepts, dates with and without time, a pseudo variant."""
    rows = [
        (
            article("https://news.example.org/en/meeting.html", "en", "2026-03-09"),
            "meeting",
            ["ar", "fr"],
            "engine=argos|model=translate-en_ar-1_9|version=1.9",
            "0123456789abcdef",
            False,
        ),
        (
            article(
                "https://news.example.org/ar/%D8%A7%D8%AA%D9%81%D8%A7%D9%82",
                "ar",
                "2026-03-10T09:30:00+03:00",
                title="اتفاقية تعاون «تربوي»",
            ),
            "article-5d41402abc",
            ["en", "fr"],
            "engine=argos|model=translate-ar_en-1_0+translate-en_fr-1_9|version=1.9|pivot=ar>en>fr",
            "",
            False,
        ),
        (
            article("https://news.example.org/fr/journee?id=3&x=1", "fr", None),
            "journee-9a8b7c6d5e",
            ["ar", "en"],
            "engine=pseudo|model=pseudo|version=1",
            "",
            True,
        ),
    ]
    for art, wanted, languages, signature, glossary, pseudo in rows:
        slug = state.slug_for(art.url, "news", wanted)
        written = [
            (
                variant(art, lang, slug, signature, pseudo),
                f"{lang}/{slug}/index.html",
                f"{lang}/{slug}/fragment.html",
            )
            for lang in languages
        ]
        state.record_publication(art, written, glossary_hash=glossary)


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    store = StateStore(tmp_path / "state.sqlite3")
    fill(store)
    return store


@pytest.mark.parametrize("base", [None, BASE])
def test_manifest_from_a_real_state_database_is_valid(state, base):
    manifest = json.loads(manifest_bytes(state.published(), settings(public_base_url=base)))
    assert_valid(manifest)
    assert manifest["schema_version"] == MANIFEST_SCHEMA_VERSION
    assert manifest["public_base_url"] == base
    assert len(manifest["articles"]) == 3
    for entry in manifest["articles"]:
        for v in entry["variants"]:
            if base:
                assert v["url"] == BASE + v["path"].removesuffix("index.html")
            else:
                assert v["url"] is None
    glossaries = {
        entry["language"]: {v["glossary"] for v in entry["variants"]}
        for entry in manifest["articles"]
    }
    assert glossaries == {"en": {"0123456789abcdef"}, "ar": {None}, "fr": {None}}


def test_manifest_bytes_are_deterministic_for_the_same_state(state, tmp_path):
    config = settings(public_base_url=BASE)
    first = manifest_bytes(state.published(), config)
    again = manifest_bytes(StateStore(tmp_path / "state.sqlite3").published(), config)
    assert first == again
    assert first.endswith(b"\n") and "اتفاقية".encode() in first  # UTF-8, not \u escapes


def test_hand_made_rows_with_hostile_text_validate_and_round_trip():
    hostile = 'Say "hi" <script>alert(1)</script> & \u202eevil\u202c — مرحبا'
    art = StoredArticle(
        url="https://news.example.org/a?x=1&y=2",
        source="news",
        slug="a-1b2c3d4e5f",
        language="fr",
        title=hostile,
        published=None,
        content_hash="a" * 64,
        first_seen="2026-03-01T00:00:00Z",
        updated_at="2026-03-02T00:00:00Z",
    )
    v = PublishedVariant(
        article_url=art.url,
        language="ar",
        direction="rtl",
        path="ar/a-1b2c3d4e5f/index.html",
        fragment_path="ar/a-1b2c3d4e5f/fragment.html",
        title=hostile,
        checksum="b" * 64,
        signature="engine=x|model=m|version=1",
        content_hash="a" * 64,
        pseudo=False,
        published_at="2026-03-02T00:00:00Z",
        glossary_hash="",
    )
    data = json.loads(manifest_bytes([(art, [v])], settings(public_base_url=BASE)))
    assert_valid(data)
    assert data["articles"][0]["title"] == data["articles"][0]["variants"][0]["title"] == hostile


def test_the_schema_has_teeth(state):
    good = build_manifest(state.published(), settings(public_base_url=BASE))
    assert_valid(good)

    def broken(change) -> dict:
        bad = copy.deepcopy(good)
        change(bad)
        return bad

    first = lambda m: m["articles"][0]  # noqa: E731
    var = lambda m: m["articles"][0]["variants"][0]  # noqa: E731
    for change in (
        lambda m: m.update(schema_version=1),
        lambda m: m.pop("public_base_url"),
        lambda m: m.update(generated_at="2026-03-09T00:00:00Z"),
        lambda m: first(m).pop("content_hash"),
        lambda m: first(m).update(slug="Not A Slug"),
        lambda m: first(m).update(first_seen="yesterday"),
        lambda m: first(m).update(variants=[]),
        lambda m: var(m).update(checksum=var(m)["checksum"].removeprefix("sha256:")),
        lambda m: var(m).update(direction="up"),
        lambda m: var(m).update(url="ar/x/"),
        lambda m: var(m).update(path="../../etc/passwd"),
        lambda m: var(m).update(signature="argos 1.9"),
        lambda m: var(m).update(glossary=""),
        lambda m: var(m).pop("published_at"),
        lambda m: var(m).update(extra=True),
    ):
        assert_invalid(broken(change))


# --- the manifest the real flow writes -------------------------------------------------------


@pytest.mark.usefixtures("prefect_harness")
def test_manifest_written_by_the_flow_is_valid(site_server, tmp_path):
    from tests.factories import write_config
    from translator_pipeline.flows import translate_and_publish

    config = write_config(tmp_path, site_server.base_url)
    config.write_text(f'public_base_url = "{BASE}"\n' + config.read_text("utf-8"), "utf-8")
    report = translate_and_publish(config_path=str(config))
    assert report.count("published") == 4, report.outcomes

    # What the library builds from the flow's real state database…
    loaded = load_settings(config, env={})
    built = build_manifest(StateStore(loaded.state_path).published(), loaded)
    assert_valid(built)
    assert {v["url"] for a in built["articles"] for v in a["variants"]} == {
        BASE + v["path"].removesuffix("index.html")
        for a in built["articles"]
        for v in a["variants"]
    }
    # …and the file the flow published (the contract the web team reads).
    written = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert_valid(written)
    assert written == built
