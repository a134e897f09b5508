"""``review export`` / ``review import`` on the state of a real run: the translators'
loop from the shell, and the next run publishing exactly what they approved."""

import json

from lxml import etree

from tests.review import site as demo
from translator_pipeline.cli.main import main
from translator_pipeline.review.xliff import XLIFF12_NS

NS = {"x": XLIFF12_NS}
PARAGRAPH = "The ministers of education of"


def export(config, *args):
    out = config.parent / "review.xlf"
    assert main(["review", "export", "--config", str(config), "-o", str(out), *args]) == 0
    return out, etree.parse(str(out))


def unit_with(doc, text):
    return next(
        tu
        for tu in doc.iterfind(".//x:trans-unit", NS)
        if "".join(tu.find("x:source", NS).itertext()).startswith(text)
    )


def test_export_edit_import_and_the_next_run_publishes_exactly_that(translated, capsys):
    config = translated
    path, doc = export(config, "--language", "fr")
    files = doc.findall("x:file", NS)
    assert {f.get("target-language") for f in files} == {"fr"} and len(files) == 2
    tu = unit_with(doc, PARAGRAPH)
    target = tu.find("x:target", NS)
    assert [x.get("ctype") for x in target.iter(f"{{{XLIFF12_NS}}}x")] == ["x-kept-text"]
    target.text = "Réunis mardi à Rabat, les ministres de l'éducation de "
    target[0].tail = " pays ont adopté un plan commun pour les écoles."
    target.set("state", "translated")
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    capsys.readouterr()

    assert main(["review", "import", str(path), "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "1 approved, 0 unchanged" in printed and "0 rejected" in printed
    [approved] = demo.state(config).approved_segments()
    assert approved.target.startswith("Réunis mardi à Rabat") and "<x1/>" in approved.target

    # The same file again changes nothing.
    assert main(["review", "import", str(path), "--config", str(config)]) == 0
    assert "0 approved, 1 unchanged" in capsys.readouterr().out
    assert demo.state(config).approved_segments() == [approved]

    before = demo.pages(config)
    report = demo.run(config)
    outcomes = {o.url.rsplit("/", 1)[1]: o for o in report.outcomes}
    assert outcomes["other.html"].status == "unchanged"
    assert outcomes["plan.html"].status == "published"
    after = demo.pages(config)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed == {name for name in after if name.startswith("fr/") and "plan" in name}, changed
    fr_page = next(after[n] for n in changed if n.endswith("index.html")).decode()
    assert "Réunis mardi à Rabat, les ministres de l'éducation de 12 pays" in fr_page
    fr = demo.variant_entry(config, "plan.html", "fr")
    assert fr["review"]["state"] == "partial" and fr["review"]["reviewed"] == 1

    # Approved segments leave the next export (unless asked for), and go to the TMX.
    _, again = export(config, "--language", "fr")
    assert all(
        not "".join(tu.find("x:source", NS).itertext()).startswith(PARAGRAPH)
        for tu in again.iterfind(".//x:trans-unit", NS)
    )
    _, with_approved = export(config, "--language", "fr", "--include-approved")
    kept = unit_with(with_approved, PARAGRAPH)
    assert kept.get("approved") == "yes" and kept.find("x:target", NS).get("state") == "signed-off"
    tmx_path = config.parent / "approved.tmx"
    assert main(["review", "export", "--tmx", "--config", str(config), "-o", str(tmx_path)]) == 0
    tmx = etree.parse(str(tmx_path))
    [tu] = tmx.findall("body/tu")
    segs = {
        tuv.get("{http://www.w3.org/XML/1998/namespace}lang"): tuv.findtext("seg")
        for tuv in tu.findall("tuv")
    }
    assert segs["fr"].startswith("Réunis mardi") and "12 pays" in segs["fr"]  # kept run spelled
    assert segs["en"].startswith(PARAGRAPH) and "<" not in segs["fr"]


def test_rejected_units_are_listed_and_the_exit_status_says_so(translated, capsys):
    config = translated
    path, doc = export(config, "--language", "fr")
    tu = unit_with(doc, "The plan will cost")
    target = tu.find("x:target", NS)
    for child in list(target):  # the translator deleted the link and the number
        target.remove(child)
    target.text = "Le plan coûtera des millions."
    target.set("state", "final")
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    capsys.readouterr()
    assert main(["review", "import", str(path), "--config", str(config), "--json"]) == 3
    result = json.loads(capsys.readouterr().out)
    [file] = result["files"]
    assert file["rejected"] == 1 and file["approved"] == 0
    [variant] = [v for v in file["variants"] if v["rejected"]]
    assert "tags lost by the translation: 1" in variant["rejected"][0]["reason"]
    assert demo.state(config).approved_segments() == []


def test_a_hostile_file_imports_nothing(translated, capsys):
    config = translated
    path, doc = export(config)
    for target in doc.iterfind(".//x:target", NS):
        target.set("state", "final")
    text = etree.tostring(doc, encoding="unicode")
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    ) + text.replace("Les ministres", "&b; Les ministres", 1)
    path.write_text(bomb, encoding="utf-8")
    good = config.parent / "good.xlf"
    good.write_text(text, encoding="utf-8")
    capsys.readouterr()
    # The hostile file is refused whole; the good one next to it still imports.
    assert main(["review", "import", str(path), str(good), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "declares entities" in captured.err and "nothing imported" in captured.err
    assert "good.xlf:" in captured.out
    origins = {p.note for p in demo.state(config).approved_segments()}
    assert origins == {"approved in good.xlf"}


def test_dry_run_stores_nothing(translated, capsys):
    config = translated
    path, _ = export(config)
    assert (
        main(["review", "import", str(path), "--config", str(config), "--accept-all", "--dry-run"])
        == 0
    )
    assert "would approve" in capsys.readouterr().out
    assert demo.state(config).approved_segments() == []


def test_since_selects_the_variants_of_recent_runs(translated, capsys):
    config = translated
    _, doc = export(config, "--since", "last")
    assert len(doc.findall("x:file", NS)) == 4  # both articles, fr and ar, this run
    _, later = export(config, "--since", "2999-01-01")
    assert later.findall("x:file", NS) == []
    capsys.readouterr()
    assert main(["review", "export", "--config", str(config), "--since", "yesterday"]) == 2
    assert "not an ISO date" in capsys.readouterr().err


def test_export_before_any_run_says_so(tmp_path, capsys):
    from tests.factories import write_source_config

    config = write_source_config(tmp_path, "news", "http://127.0.0.1:9/", demo.SELECTORS)
    assert main(["review", "export", "--config", str(config)]) == 2
    assert "run the pipeline first" in capsys.readouterr().err
