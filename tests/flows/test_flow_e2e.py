"""End to end: the Prefect flow against the demo site served on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.factories import snapshot, write_config
from translator_pipeline.config.settings import DEFAULT_DISCLAIMERS
from translator_pipeline.engines.pseudo import PseudoTranslator
from translator_pipeline.flows import translate_and_publish
from translator_pipeline.publishing.manifest import MANIFEST_SCHEMA_VERSION
from translator_pipeline.run.report import RUN_REPORT_NAME, STAGES

pytestmark = pytest.mark.usefixtures("prefect_harness")

TARGETS = ("ar", "fr", "en")


def original_links(html: str) -> set[str]:
    body = BeautifulSoup(html, "lxml").select_one("div.article-body")
    for removed in body.select(".share-buttons"):
        removed.decompose()
    return {a["href"] for a in body.find_all("a", href=True)}


def test_flow_publishes_every_variant_and_a_second_run_is_a_no_op(site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url)
    report = translate_and_publish(config_path=str(config))

    assert report.discovered == 4
    assert report.count("published") == 4, report.outcomes
    assert report.count("failed") == report.count("skipped") == 0
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == MANIFEST_SCHEMA_VERSION
    assert len(manifest["articles"]) == 4
    languages = {}
    for entry in manifest["articles"]:
        src = entry["language"]
        languages[Path(entry["url"]).name] = src
        assert sorted(v["language"] for v in entry["variants"]) == sorted(
            t for t in TARGETS if t != src
        )
        source_html = (site_server.root / "articles" / Path(entry["url"]).name).read_text("utf-8")
        for variant in entry["variants"]:
            lang = variant["language"]
            page = out / variant["path"]
            data = page.read_bytes()
            assert variant["checksum"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert (out / variant["fragment_path"]).is_file()
            soup = BeautifulSoup(data, "lxml")
            html = soup.find("html")
            assert html["lang"] == lang
            assert html["dir"] == ("rtl" if lang == "ar" else "ltr")
            assert variant["direction"] == html["dir"]
            disclaimer = soup.select_one("aside.tp-disclaimer")
            assert disclaimer["translate"] == "no"
            expected = DEFAULT_DISCLAIMERS[lang].text.split("{")[0].strip()
            assert expected in disclaimer.get_text()
            assert disclaimer.find("a")["href"] == entry["url"]
            assert soup.select_one("article")["lang"] == f"{lang}-x-mtfrom-{src}"
            alternates = {
                link["hreflang"]: link["href"]
                for link in soup.find_all("link", rel="alternate")
                if "machine-translated-from" not in link["rel"]
            }
            assert set(alternates) == {*TARGETS, "x-default"}
            assert alternates[src] == alternates["x-default"] == entry["url"]
            # Every link of the original article survives translation.
            body_links = {a["href"] for a in soup.select("div.tp-body a[href]")}
            expected_links = {
                href if href.startswith("http") else site_server.url("/" + href.replace("../", ""))
                for href in original_links(source_html)
            }
            assert expected_links <= body_links
            assert "<script" not in data.decode("utf-8")
    assert languages == {
        "icesco-alecso-partnership-meeting.html": "en",
        "rencontre-jeunes-chercheurs.html": "fr",
        "ittifaqiyat-taawun-tarbawi.html": "ar",
        "journee-langue-arabe.html": "fr",
    }

    # The run report: every article new, and every engine input counted once.
    first = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert first["counts"]["new"] == first["counts"]["published"] == 4
    assert first["segments"]["translated"] > 0
    assert first["segments"]["translated"] == sum(
        a["segments_translated"] for a in first["articles"]
    )
    assert all(a["change"] == "new" and a["segments_translated"] for a in first["articles"])
    assert list(first["stage_seconds"]) == list(STAGES)
    assert set(first["engine"]["signatures"]) == {
        f"{s}-{t}" for s in TARGETS for t in TARGETS if s != t
    }

    before = snapshot(out)
    before_report = (out / RUN_REPORT_NAME).read_bytes()
    first_run_requests = len(site_server.requests)
    again = translate_and_publish(config_path=str(config))
    assert again.count("unchanged") == 4
    assert again.count("published") == 0
    # Nothing rewritten, not even the manifest; only the run's own report is new.
    assert snapshot(out) == before
    assert (out / RUN_REPORT_NAME).read_bytes() != before_report
    second = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    assert second["counts"]["unchanged"] == 4
    assert second["segments"] == {"translated": 0, "from_memory": 0, "memory_rate": None}
    # The re-run sent the remembered ETags back and the server answered 304.
    rerun = [r for r in site_server.requests[first_run_requests:] if "/articles/" in r.path]
    assert len(rerun) == 4
    assert all(r.headers.get("If-None-Match") for r in rerun)
    assert {o.reason for o in again.outcomes} == {"not modified (HTTP 304)"}


def test_changed_article_is_republished_and_bad_pages_are_skipped(site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url)
    translate_and_publish(config_path=str(config))
    out = tmp_path / "out"
    old_manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))

    site = site_server.root
    article = site / "articles" / "icesco-alecso-partnership-meeting.html"
    article.write_text(
        article.read_text("utf-8").replace(
            "<h2>", "<p>A sentence added after publication.</p><h2>", 1
        ),
        encoding="utf-8",
    )
    (site / "articles" / "informe.html").write_text(
        "<html><body><article><h1 class='article-title'>Informe anual</h1>"
        "<div class='article-body'><p>La organización presentó ayer en Madrid su informe "
        "anual sobre la cooperación educativa con los países miembros.</p></div>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (site / "articles" / "report.pdf").write_bytes(b"%PDF-1.4 not html")
    index = site / "index.html"
    index.write_text(
        index.read_text("utf-8").replace(
            '<ul class="news-list">',
            '<ul class="news-list">'
            '<li><a class="news-link" href="articles/gone.html">Gone</a></li>'
            '<li><a class="news-link" href="articles/report.pdf">PDF</a></li>'
            '<li><a class="news-link" href="articles/informe.html">Informe</a></li>',
            1,
        ),
        encoding="utf-8",
    )

    report = translate_and_publish(config_path=str(config))
    by_name = {Path(o.url).name: o for o in report.outcomes}
    edited = by_name["icesco-alecso-partnership-meeting.html"]
    assert edited.status == "published"
    assert edited.change == "changed"
    # Only the added paragraph went to the engine, once per target language (ar, fr);
    # everything else came from the translation memory.
    assert edited.segments_translated == 2
    assert edited.segments_from_memory > 0
    assert json.loads((out / "run-report.json").read_text("utf-8"))["segments"]["translated"] == 2
    assert {
        by_name[n].status
        for n in (
            "rencontre-jeunes-chercheurs.html",
            "ittifaqiyat-taawun-tarbawi.html",
            "journee-langue-arabe.html",
        )
    } == {"unchanged"}
    assert by_name["gone.html"].status == "skipped"
    assert "404" in by_name["gone.html"].reason
    assert by_name["report.pdf"].status == "skipped"
    assert "not HTML" in by_name["report.pdf"].reason
    assert by_name["informe.html"].status == "skipped"
    assert "'es'" in by_name["informe.html"].reason

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    old = {a["url"]: a for a in old_manifest["articles"]}
    new = {a["url"]: a for a in manifest["articles"]}
    assert old.keys() == new.keys()
    changed = next(u for u in new if u.endswith("icesco-alecso-partnership-meeting.html"))
    assert new[changed]["content_hash"] != old[changed]["content_hash"]
    assert new[changed]["slug"] == old[changed]["slug"]
    old_variants = {v["language"]: v for v in old[changed]["variants"]}
    pseudo = PseudoTranslator()
    for variant in new[changed]["variants"]:
        assert variant["checksum"] != old_variants[variant["language"]]["checksum"]
        added = pseudo.translate_one("A sentence added after publication.", variant["language"])
        assert added in (out / variant["path"]).read_text("utf-8")
    for url in new:
        if url != changed:
            assert new[url] == old[url]


def test_flow_fails_only_when_nothing_could_be_done(server, tmp_path):
    config = write_config(tmp_path, server.base_url)  # every page is a 404
    with pytest.raises(RuntimeError, match="nothing could be done"):
        translate_and_publish(config_path=str(config))


def test_flow_with_the_argos_engine_records_signatures_and_pivots(site_server, tmp_path):
    from translator_pipeline.engines import clear_engine_cache
    from translator_pipeline.testing.tiny_argos import build_argos_package

    packages = tmp_path / "argos"
    for src, tgt in [("en", "fr"), ("fr", "en"), ("en", "ar"), ("ar", "en")]:
        build_argos_package(packages, src, tgt, seed=11)
    config = write_config(tmp_path, site_server.base_url)
    text = config.read_text().replace('engine = "pseudo"', 'engine = "argos"')
    # A random tiny model writes nonsense the quality gate would hold; here it only
    # reports, so the pages go out and their signatures can be checked.
    config.write_text(
        text + f'\n[argos]\npackages_dir = "{packages}"\nbeam_size = 1\n'
        '\n[quality]\naction = "report"\n'
    )
    clear_engine_cache()
    try:
        report = translate_and_publish(config_path=str(config))
    finally:
        clear_engine_cache()
    assert report.count("published") == 4, report.outcomes
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    signatures = {
        (a["language"], v["language"]): v["signature"]
        for a in manifest["articles"]
        for v in a["variants"]
    }
    assert signatures[("en", "fr")].startswith("engine=argos|model=en_fr@1.0|")
    assert signatures[("fr", "ar")].endswith("pivot=fr>en>ar")
    assert "model=fr_en@1.0+en_ar@1.0" in signatures[("fr", "ar")]
    assert all(not v["pseudo"] for a in manifest["articles"] for v in a["variants"])


def test_missing_models_fail_the_run_before_any_fetch(site_server, tmp_path):
    from translator_pipeline.engines import clear_engine_cache
    from translator_pipeline.errors import EngineError

    config = write_config(tmp_path, site_server.base_url)
    text = config.read_text().replace('engine = "pseudo"', 'engine = "argos"')
    config.write_text(text + f'\n[argos]\npackages_dir = "{tmp_path / "empty"}"\n')
    clear_engine_cache()
    try:
        with pytest.raises(EngineError, match="models install ar fr en"):
            translate_and_publish(config_path=str(config))
    finally:
        clear_engine_cache()
    assert site_server.requests == []


def test_missing_output_file_bypasses_the_304_and_republishes(site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url)
    translate_and_publish(config_path=str(config))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(a for a in manifest["articles"] if a["language"] == "ar")
    (tmp_path / "out" / entry["variants"][0]["path"]).unlink()
    before = len(site_server.requests)

    report = translate_and_publish(config_path=str(config))
    by_url = {o.url: o for o in report.outcomes}
    assert by_url[entry["url"]].status == "published"
    assert (tmp_path / "out" / entry["variants"][0]["path"]).is_file()
    path = "/articles/" + Path(entry["url"]).name
    [request] = [r for r in site_server.requests[before:] if r.path == path]
    assert "If-None-Match" not in request.headers  # a 304 would have hidden the missing file
    assert sum(o.status == "unchanged" for o in report.outcomes) == 3


def test_changed_page_chrome_does_not_republish(site_server, tmp_path):
    config = write_config(tmp_path, site_server.base_url)
    translate_and_publish(config_path=str(config))
    out = tmp_path / "out"
    before = snapshot(out)
    article = site_server.root / "articles" / "rencontre-jeunes-chercheurs.html"
    html = article.read_text("utf-8")
    changed = html.replace("</footer>", "<p>Last updated: 26/11/2026 17:00</p></footer>", 1)
    assert changed != html
    article.write_text(changed, encoding="utf-8")

    report = translate_and_publish(config_path=str(config))
    outcome = next(o for o in report.outcomes if o.url.endswith("rencontre-jeunes-chercheurs.html"))
    assert outcome.status == "unchanged"
    assert outcome.reason == ""  # fetched in full (new ETag), compared, found the same
    assert snapshot(out) == before
