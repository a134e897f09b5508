"""The translators' review report: HTML, CSV, index of runs, Markdown, Prefect artifact."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from translator_pipeline.flows.artifacts import publish_glossary_artifact
from translator_pipeline.glossary.model import Concept, Glossary
from translator_pipeline.glossary.review import (
    CSV_FIELDS,
    OVERALL,
    Compliance,
    ReviewReport,
    compliance,
    glossary_summary_markdown,
    review_csv,
    review_run_id,
    write_review_report,
)
from translator_pipeline.models import GlossaryEvent, RunReport
from translator_pipeline.run.report import format_summary, run_report_dict

FR = "https://news.example.org/fr/forum-icesco"
AR = "https://news.example.org/ar/alecso-programme"
ODD = "javascript:alert(1)"  # never a link, whatever the report is given
HOSTILE = "Le forum <script>alert(1)</script> de l'ICESCO \"><img src=x onerror=alert(2)>"
FORMULA = '=HYPERLINK("http://evil.example/","cliquez")'


# Fields in order: article_url, source_language, target_language, where, concept,
# source_term, expected, source_text, machine, machine_term, result, method.
event = GlossaryEvent


EVENTS = [
    event(FR, "fr", "ar", "block 1", "icesco", "ICESCO", "الإيسيسكو",
          "Le Directeur général de l'ICESCO a ouvert le forum.",
          "افتتح المدير العام لمنظمة إيسيسكو المنتدى.", "إيسيسكو",
          "افتتح المدير العام للإيسيسكو المنتدى.", "placeholder"),
    event(FR, "fr", "ar", "block 1", "director-general", "Directeur général", "المدير العام",
          "Le Directeur général de l'ICESCO a ouvert le forum.",
          "افتتح مدير عام لمنظمة إيسيسكو المنتدى.", "مدير عام",
          "افتتح المدير العام للإيسيسكو المنتدى.", "substituted"),
    event(FR, "fr", "en", "block 2", "icesco", "ICESCO", "ICESCO", HOSTILE,
          "The forum of the Isesco", "\tIsesco", "The forum of the Isesco", "missed"),
    event(FR, "fr", "ar", "block 3", "seg-0007", "Lire la suite", "اقرأ المزيد",
          "Lire la suite", "اقرأ أكثر", "", "اقرأ المزيد", "pinned"),
    event(AR, "ar", "fr", "title", "alecso", "الألكسو", "ALECSO",
          "منظمة الألكسو تطلق برنامجا جديدا", "L'Alecso lance un nouveau programme", "Alecso",
          "L'ALECSO lance un nouveau programme", "rebuilt"),
    event(AR, "ar", "fr", "block 0", "director-general", "المدير العام", "Directeur général",
          "المدير العام يفتتح المؤتمر", FORMULA, "@SUM(1,2)",
          "+Le directeur ouvre la conférence", "missed"),
    event(ODD, "en", "fr", "description", "icesco", "ICESCO", "ICESCO",
          "ICESCO opens a forum", "L'Isesco ouvre un forum", "-ICESCO-",
          "L'ICESCO ouvre un forum", "alternative"),
]  # fmt: skip

GLOSSARY = Glossary(
    [
        Concept("icesco", {"en": "ICESCO", "fr": "ICESCO", "ar": "الإيسيسكو"},
                variants={"ar": ("إيسيسكو",)}, note="Acronym; keep it in Latin script."),
        Concept("director-general",
                {"en": "Director-General", "fr": "Directeur général", "ar": "المدير العام"}),
    ]
)  # fmt: skip


def write(tmp_path: Path, events=EVENTS, run_id="20240501T100000Z", started="2024-05-01T10:00:00Z"):
    return write_review_report(
        events,
        tmp_path / "review",
        run_id=run_id,
        started_at=started,
        glossary_version="0123abcd",
        glossary_path="glossaries/institutional.csv",
        glossary=GLOSSARY,
    )


def soup_of(report: ReviewReport) -> BeautifulSoup:
    return BeautifulSoup(report.html_path.read_text(encoding="utf-8"), "lxml")


def test_compliance_per_article_and_overall() -> None:
    result = compliance(EVENTS)

    assert list(result) == [FR, AR, ODD, OVERALL]
    assert result[FR] == Compliance(occurrences=3, complied=2, missed=1, pinned=1)
    assert result[AR] == Compliance(occurrences=2, complied=1, missed=1, pinned=0)
    assert result[ODD] == Compliance(occurrences=1, complied=1, missed=0, pinned=0)
    assert result[OVERALL] == Compliance(occurrences=6, complied=4, missed=2, pinned=1)
    assert result[FR].rate == pytest.approx(2 / 3)
    assert result[OVERALL].percent == "66.6 %"  # rounded down, never up to a better figure
    assert compliance([])[OVERALL].rate == 1.0
    pinned_only = compliance([EVENTS[3]])[FR]
    assert (pinned_only.occurrences, pinned_only.rate) == (0, 1.0)
    almost = Compliance(occurrences=10_000, complied=9_999, missed=1)
    assert almost.percent == "99.9 %"


def test_writes_html_csv_and_index(tmp_path: Path) -> None:
    report = write(tmp_path)

    run_dir = tmp_path / "review" / "20240501T100000Z"
    assert report.html_path == run_dir / "glossary-review.html"
    assert report.csv_path == run_dir / "glossary-review.csv"
    assert report.index_path == tmp_path / "review" / "index.html"
    assert all(p.is_file() for p in (report.html_path, report.csv_path, report.index_path))
    assert not list(tmp_path.rglob("*.tmp"))  # atomic writes leave no temp files


def test_header_names_run_glossary_and_overall_compliance(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    header = soup.header.get_text(" ", strip=True)
    assert "2024-05-01T10:00:00Z" in header
    assert "glossaries/institutional.csv" in header
    assert "0123abcd" in header
    overall = soup.select_one("#overall").get_text(" ", strip=True)
    assert "66.6 %" in overall
    assert "6 term occurrence(s), 4 enforced, 2 missed; 1 pinned segment(s)" in overall


def test_misses_section_lists_exactly_the_missed_events(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    rows = soup.select("#misses tbody tr")
    missed = [e for e in EVENTS if e.method == "missed"]
    assert len(rows) == len(missed)
    for row, e in zip(rows, missed, strict=True):
        cells = [td.get_text() for td in row.find_all("td")]
        assert cells == [
            e.article_url,
            e.where,
            f"{e.source_language} → {e.target_language}",
            e.concept,
            e.expected,
            e.source_text,
            e.machine,
            e.result,
        ]
    # The misses come before everything else on the page.
    sections = [s["id"] for s in soup.select("body > section")]
    assert sections == ["misses", "concepts", "articles", "pinned"]


def test_each_concept_section_holds_its_events_sorted_by_id(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    sections = soup.select("section.concept")
    assert [s["data-concept"] for s in sections] == ["alecso", "director-general", "icesco"]
    for section in sections:
        expected = [e for e in EVENTS if e.concept == section["data-concept"]]
        rows = section.select("table.occurrences tbody tr")
        assert [r.select_one("td.method").get_text() for r in rows] == [e.method for e in expected]
        assert [r.select_one("td.source").get_text() for r in rows] == [
            e.source_text for e in expected
        ]
        assert [r.select_one("td.machine-term").get_text() for r in rows] == [
            e.machine_term for e in expected
        ]
    # The pinned segment is no concept.
    assert "seg-0007" not in {s["data-concept"] for s in sections}


def test_terms_are_highlighted_in_source_and_published_text(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    section = soup.select_one('section.concept[data-concept="director-general"]')
    first, second = section.select("table.occurrences tbody tr")
    assert [m.get_text() for m in first.select("td.source mark")] == ["Directeur général"]
    assert [m.get_text() for m in first.select("td.result mark")] == ["المدير العام"]
    assert [m.get_text() for m in second.select("td.source mark")] == ["المدير العام"]
    assert second.select("td.result mark") == []  # a miss: the form is not there
    assert "miss" in second["class"]


def test_concept_note_and_forms_come_from_the_glossary(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    icesco = soup.select_one('section.concept[data-concept="icesco"]')
    assert icesco.select_one("p.note").get_text() == "Acronym; keep it in Latin script."
    forms = {
        tr.find_all("td")[0].get_text(): [td.get_text() for td in tr.find_all("td")[1:]]
        for tr in icesco.select("table.forms tbody tr")
    }
    assert forms == {
        "ar": ["الإيسيسكو", "إيسيسكو"],
        "en": ["ICESCO", ""],
        "fr": ["ICESCO", ""],
    }
    arabic = icesco.select("table.forms tbody tr")[0].find_all("td")[1]
    assert (arabic["lang"], arabic["dir"]) == ("ar", "auto")
    # A concept the glossary does not know (renamed since) is still listed, without a note.
    alecso = soup.select_one('section.concept[data-concept="alecso"]')
    assert alecso.select("p.note") == [] and alecso.select("table.forms") == []


def test_per_article_compliance_table(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    table = [
        [td.get_text() for td in tr.find_all("td")] for tr in soup.select("#articles tbody tr")
    ]
    assert table == [
        [FR, "fr → ar", "2", "2", "0", "100.0 %"],
        [FR, "fr → en", "1", "0", "1", "0.0 %"],
        [AR, "ar → fr", "2", "1", "1", "50.0 %"],
        [ODD, "en → fr", "1", "1", "0", "100.0 %"],
    ]
    links = [a["href"] for a in soup.select("#articles a")]
    assert links == [FR, FR, AR]  # the javascript: URL stays text


def test_pinned_segments_are_listed_apart(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    rows = soup.select("#pinned tbody tr")
    assert len(rows) == 1
    cells = [td.get_text() for td in rows[0].find_all("td")]
    assert cells == [FR, "block 3", "fr → ar", "seg-0007", "Lire la suite", "اقرأ أكثر",
                     "اقرأ المزيد"]  # fmt: skip


def test_hostile_text_is_shown_not_executed(tmp_path: Path) -> None:
    report = write(tmp_path)
    soup = soup_of(report)

    assert soup.find_all("script") == []
    assert soup.find_all("img") == []
    assert not soup.find_all(attrs={"onerror": True})
    sources = [td.get_text() for td in soup.select("td.source")]
    assert HOSTILE in sources  # visible, as text
    raw = report.html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    # Only web links (and the page's own anchors) are clickable.
    for a in soup.find_all("a", href=True):
        assert a["href"].startswith(("https://", "http://", "#", "../index.html")), a["href"]
    assert "javascript:" not in {a["href"][:11] for a in soup.find_all("a", href=True)}


def test_every_field_is_escaped(tmp_path: Path) -> None:
    def nasty(n: int) -> str:
        return f'x"><script>alert({n})</script><img src=x onerror=alert({n})>'

    url = 'https://news.example.org/a?q="><script>alert(0)</script>'
    fields = [nasty(n) for n in range(1, 11)]
    events = [event(url, *fields, "missed"), event(url, *fields, "placeholder")]
    events.append(event(url, *fields, "pinned"))
    report = write_review_report(
        events,
        tmp_path,
        run_id="r1",
        started_at=nasty(11),
        glossary_version=nasty(12),
        glossary_path=nasty(13),
    )

    soup = soup_of(report)
    assert soup.find_all("script") == []
    assert soup.find_all("img") == []
    # One link each in the misses, the concept (2 rows), the articles and the pinned.
    assert [a["href"] for a in soup.select("a[href^=http]")] == [url] * 5
    text = soup.get_text()
    for n in {*range(14)} - {5}:  # 0 is the URL's; 5 the source term, shown marked in 7
        assert f"<script>alert({n})</script>" in text, n
    index = BeautifulSoup(report.index_path.read_text(encoding="utf-8"), "lxml")
    assert index.find_all("script") == [] and index.find_all("img") == []


def test_text_cells_carry_their_language_and_auto_direction(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    rows = soup.select("#misses tbody tr, section.concept tbody tr, #pinned tbody tr")
    checked = 0
    for row in rows:
        for cell in row.select("td.source, td.machine, td.result, td.expected"):
            assert cell["dir"] == "auto"
            assert cell["lang"] in ("ar", "fr", "en")
            checked += 1
    assert checked > 20
    arabic_sources = [td for td in soup.select("td.source") if td["lang"] == "ar"]
    assert "المدير العام يفتتح المؤتمر" in {td.get_text() for td in arabic_sources}
    arabic_results = [td for td in soup.select("td.result") if td["lang"] == "ar"]
    assert "افتتح المدير العام للإيسيسكو المنتدى." in {td.get_text() for td in arabic_results}
    assert soup.html["lang"] == "en"


def test_page_is_self_contained(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path))

    assert soup.find_all("link") == []
    assert soup.find_all(src=True) == []
    assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert soup.find("style")


def guarded(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def test_csv_round_trips_with_bom_and_formula_guard(tmp_path: Path) -> None:
    report = write(tmp_path)

    raw = report.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with report.csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == CSV_FIELDS
    assert rows[1:] == [[guarded(getattr(e, f)) for f in CSV_FIELDS] for e in EVENTS]
    by_where = {(r[0], r[3]): dict(zip(CSV_FIELDS, r, strict=True)) for r in rows[1:]}
    formula_row = by_where[(AR, "block 0")]
    assert formula_row["machine"] == "'" + FORMULA
    assert formula_row["machine_term"] == "'@SUM(1,2)"
    assert formula_row["result"] == "'+Le directeur ouvre la conférence"
    assert formula_row["source_text"] == "المدير العام يفتتح المؤتمر"  # Arabic intact
    assert by_where[(FR, "block 2")]["machine_term"] == "'\tIsesco"
    assert by_where[(FR, "block 2")]["source_text"] == HOSTILE
    assert by_where[(ODD, "description")]["machine_term"] == "'-ICESCO-"
    assert by_where[(ODD, "description")]["article_url"] == ODD  # not a formula


def test_index_lists_runs_newest_first(tmp_path: Path) -> None:
    write(tmp_path, run_id="20240501T100000Z", started="2024-05-01T10:00:00Z")
    write(tmp_path, events=EVENTS[:2], run_id="20240430T080000Z", started="2024-04-30T08:00:00Z")
    report = write(tmp_path, events=[], run_id="20240502T090000Z", started="2024-05-02T09:00:00Z")

    soup = BeautifulSoup(report.index_path.read_text(encoding="utf-8"), "lxml")
    rows = soup.select("tr.run")
    assert [r.find("a").get_text() for r in rows] == [
        "20240502T090000Z",
        "20240501T100000Z",
        "20240430T080000Z",
    ]
    for row in rows:
        for a in row.find_all("a"):
            assert (report.index_path.parent / a["href"]).is_file()
    cells = [td.get_text() for td in rows[1].find_all("td")]
    assert cells[2:6] == ["6", "2", "66.6 %", "1"]


def test_run_id_must_be_a_plain_directory_name(tmp_path: Path) -> None:
    for bad in ("../escape", "a/b", ".hidden", ""):
        with pytest.raises(ValueError, match="run id"):
            write(tmp_path, run_id=bad)
    assert review_run_id("2024-05-01T10:00:00Z") == "20240501T100000Z"


def test_report_without_events_says_so(tmp_path: Path) -> None:
    soup = soup_of(write(tmp_path, events=[]))

    assert "No misses" in soup.select_one("#misses").get_text()
    assert soup.select("section.concept") == []
    assert "100.0 %" in soup.select_one("#overall").get_text()


def test_markdown_summary(tmp_path: Path) -> None:
    report = write(tmp_path)

    md = glossary_summary_markdown(EVENTS, report)

    assert "**Compliance 66.6 %**: 6 term occurrence(s), 4 enforced, 2 missed" in md
    assert "glossary-review.html" in md
    assert (
        "| https://news.example.org/fr/forum-icesco | block 2 | fr → en | icesco | ICESCO |" in md
    )
    assert "| ar → fr | director" in md and "| Directeur général |" in md
    concepts = md.split("### Concepts by occurrences")[1]
    assert concepts.index("icesco") < concepts.index("director") < concepts.index("alecso")
    assert "| icesco | 3 | 1 |" in concepts
    assert "seg-0007" not in md
    assert glossary_summary_markdown([], None).startswith("## Glossary review")


def test_markdown_summary_is_inert_and_bounded() -> None:
    hostile = event(FR, "fr", "en", "block 9", "x", "t", "[click](javascript:alert(1)) <b>|",
                    "t", "", "", "", "missed")  # fmt: skip
    md = glossary_summary_markdown([hostile] * 25, None)

    assert "](javascript" not in md and "<b>" not in md
    assert r"\[click\]\(javascript:alert\(1\)\) \<b\>\|" in md
    assert md.count("| block 9 |") == 20
    assert "… and 5 more in the full report." in md


def test_summary_and_json_mention_the_glossary() -> None:
    report = RunReport(started_at="t", glossary_version="0123abcd")
    report.glossary_events = list(EVENTS)
    report.review_report = "out/review/r1/glossary-review.html"

    summary = format_summary(report)
    assert (
        "glossary: 6 term occurrence(s), 4 enforced, 2 missed (compliance 66.6 %), "
        "1 pinned segment(s) — review: out/review/r1/glossary-review.html"
    ) in summary
    assert "glossary" not in format_summary(RunReport(started_at="t"))
    data = run_report_dict(report)
    assert data["glossary"]["missed"] == 2
    assert data["glossary"]["occurrences"] == 6


def test_artifact_is_not_created_outside_a_run() -> None:
    assert publish_glossary_artifact(EVENTS, None) is None


@pytest.mark.usefixtures("prefect_harness")
def test_artifact_is_attached_to_the_flow_run(tmp_path: Path) -> None:
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.runtime import flow_run

    report = write(tmp_path)

    @flow
    def review_flow() -> tuple[object, str]:
        return publish_glossary_artifact(EVENTS, report), flow_run.id

    artifact_id, run_id = review_flow()
    assert artifact_id is not None

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["glossary-review"]))
        )
    artifact = next(a for a in artifacts if a.id == artifact_id)
    assert artifact.type == "markdown"
    assert str(artifact.flow_run_id) == run_id
    assert artifact.data == glossary_summary_markdown(EVENTS, report)
    assert "66.6 %" in (artifact.description or "")


def test_csv_is_excel_friendly_bytes() -> None:
    data = review_csv(EVENTS[:1])
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CSV_FIELDS)
    assert list(csv.reader(io.StringIO(text)))[1][6] == "ICESCO"
