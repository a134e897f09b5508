"""The glossary in scheduled runs: enforced, reviewed, and edits re-publish exactly
the articles that contain the edited term."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.factories import snapshot, write_config
from translator_pipeline.errors import GlossaryError
from translator_pipeline.flows import translate_and_publish

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROWS = [
    ["id", "en", "fr", "ar", "variants_ar", "case_sensitive", "do_not_translate", "note"],
    ["icesco", "ICESCO", "ICESCO", "الإيسيسكو", "إيسيسكو", "yes", "", ""],
    ["member-states", "Member States", "États membres", "الدول الأعضاء", "", "", "", ""],
    [
        "aco",
        "Arabization Coordination Office",
        "Bureau de coordination de l'arabisation",
        "مكتب تنسيق التعريب",
        "",
        "",
        "",
        "",
    ],
]


def write_glossary(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def glossary_config(tmp_path: Path, base_url: str) -> Path:
    write_glossary(tmp_path / "glossary.csv", ROWS)
    return write_config(tmp_path, base_url, tables='[glossary]\npath = "glossary.csv"')


def variant_text(out: Path, name: str, lang: str) -> str:
    [page] = [p for p in out.glob(f"{lang}/*/index.html") if name in p.read_text("utf-8")]
    return BeautifulSoup(page.read_text("utf-8"), "lxml").get_text(" ")


def test_terms_are_enforced_reviewed_and_an_edit_republishes_only_their_articles(
    site_server, tmp_path
):
    config = glossary_config(tmp_path, site_server.base_url)
    report = translate_and_publish(config_path=str(config))
    assert report.count("published") == 4, report.outcomes
    out = tmp_path / "out"

    # Enforced: the English article's office comes out in the glossary's form.
    fr = variant_text(out, "icesco-alecso-partnership-meeting", "fr")
    assert "Bureau de coordination de l'arabisation" in fr
    ar = variant_text(out, "icesco-alecso-partnership-meeting", "ar")
    assert "مكتب تنسيق التعريب" in ar and "الدول الأعضاء" in ar
    # Reviewed: every occurrence is an event; the report and its CSV exist.
    events = report.glossary_events
    assert {e.concept for e in events} == {"icesco", "member-states", "aco"}
    assert all(e.complied for e in events)
    review = Path(report.review_report)
    assert review.is_file() and review.is_relative_to(tmp_path / "state")
    assert "arabisation" in review.read_text("utf-8")
    assert (review.parent / "glossary-review.csv").is_file()

    # Edit one term used by one article only.
    before = snapshot(out)
    requests_before = len(site_server.requests)
    rows = [list(r) for r in ROWS]
    rows[3][2] = "Bureau de coordination de l'arabisation (BCA)"
    write_glossary(tmp_path / "glossary.csv", rows)
    again = translate_and_publish(config_path=str(config))

    status = {Path(o.url).name: o.status for o in again.outcomes}
    assert status == {
        "icesco-alecso-partnership-meeting.html": "published",
        "rencontre-jeunes-chercheurs.html": "unchanged",
        "ittifaqiyat-taawun-tarbawi.html": "unchanged",
        "journee-langue-arabe.html": "unchanged",
    }
    assert "(BCA)" in variant_text(out, "icesco-alecso-partnership-meeting", "fr")
    # The unchanged articles were not even fetched in full: the stored texts showed
    # the edit does not concern them, so their validators went out and got a 304.
    fetched = [r for r in site_server.requests[requests_before:] if "/articles/" in r.path]
    conditional = {Path(r.path).name for r in fetched if r.headers.get("If-None-Match")}
    assert conditional == {
        "rencontre-jeunes-chercheurs.html",
        "ittifaqiyat-taawun-tarbawi.html",
        "journee-langue-arabe.html",
    }
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed, "the edited article must be re-published"
    # The manifest, and the output's marker with it (its generation counts manifests).
    listing = {"manifest.json", ".translator-pipeline.json"}
    assert all(
        p in listing or p in {str(q.relative_to(out)) for q in out.glob("*/*/*.html")}
        for p in changed
    )
    slugs = {Path(p).parts[1] for p in changed if p not in listing}
    assert len(slugs) == 1  # one article's variants, nothing else

    # A third run with the same glossary does nothing.
    third = translate_and_publish(config_path=str(config))
    assert third.count("unchanged") == 4


def test_a_run_refuses_to_start_on_a_glossary_with_errors(site_server, tmp_path):
    config = glossary_config(tmp_path, site_server.base_url)
    write_glossary(tmp_path / "glossary.csv", [*ROWS, ["broken", "", "", "", "", "maybe", "", ""]])
    with pytest.raises(GlossaryError) as info:
        translate_and_publish(config_path=str(config))
    assert "glossary.csv:5" in str(info.value)
    assert not (tmp_path / "out").exists()  # nothing fetched, nothing published
    assert not [r for r in site_server.requests if "/articles/" in r.path]
