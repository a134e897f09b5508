"""The round trip through a real CAT tool: OmegaT (console mode) opens an exported
XLIFF file, a translator's edits (as OmegaT's own project memory) are applied to it,
OmegaT writes the translated file, and the import approves exactly the edited units
with their tags intact.

OmegaT's XLIFF filter translates what is in ``<target>`` when there is one (the
machine output, for post-editing) and leaves ``state`` as it found it, so the
edits come back as changed targets in state ``needs-review-translation``: the
default import counts an edited target as reviewed, ``--strict-states`` does not.
"""

import io
import os
import subprocess
from pathlib import Path

from lxml import etree

from tests.review import site as demo
from tests.support.programs import missing
from translator_pipeline.cli.main import main

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>source</source_dir>
    <source_dir_excludes/>
    <target_dir>target</target_dir>
    <tm_dir>tm</tm_dir>
    <glossary_dir>glossary</glossary_dir>
    <glossary_file>glossary/glossary.txt</glossary_file>
    <dictionary_dir>dictionary</dictionary_dir>
    <source_lang>en</source_lang>
    <target_lang>fr</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneFrenchTokenizer</target_tok>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""
# What the translator changes in OmegaT: (in the segment with, replace, by).
EDITS = [
    ("rapport final", "rapport final", "rapport définitif"),
    ("pays se sont réunis", "se sont réunis mardi", "ont tenu mardi une réunion"),
]


def omegat_run(binary: str, project: Path, *args: str) -> None:
    env = {**os.environ, "HOME": str(project.parent / "home")}  # OmegaT writes ~/.omegat
    proc = subprocess.run(
        [binary, str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


def new_project(root: Path) -> Path:
    project = root / "omegat-project"
    for sub in ("source", "target", "tm", "glossary", "omegat", "dictionary"):
        (project / sub).mkdir(parents=True)
    (project / "omegat.project").write_text(PROJECT, encoding="utf-8")
    return project


def translator_memory(seen: Path, out: Path) -> int:
    """OmegaT's own view of the segments (a pseudo-translation TMX it wrote), with the
    translator's edits as the translations: the project memory OmegaT applies."""
    tmx = etree.parse(str(seen))
    edited = 0
    for tu in list(tmx.iterfind("body/tu")):
        source, target = (tuv.find("seg") for tuv in tu.findall("tuv"))
        edit = next((e for e in EDITS if e[0] in (source.text or "")), None)
        if edit is None:
            tu.getparent().remove(tu)
            continue
        target.text = source.text.replace(edit[1], edit[2])
        edited += 1
    tmx.write(str(out), xml_declaration=True, encoding="UTF-8")
    return edited


def test_an_exported_file_goes_through_omegat_and_comes_back_approved(translated, omegat, capsys):
    config = translated
    project = new_project(config.parent)
    exported = project / "source" / "review-fr.xlf"
    assert (
        main(
            [
                "review",
                "export",
                "--config",
                str(config),
                "--language",
                "fr",
                "--url",
                demo.article_entry(config, "plan.html")["url"],
                "-o",
                str(exported),
            ]
        )
        == 0
    )

    seen = project.parent / "seen.tmx"
    omegat_run(
        omegat,
        project,
        "--mode=console-createpseudotranslatetmx",
        f"--pseudotranslatetmx={seen}",
        "--pseudotranslatetype=equal",
    )
    # OmegaT shows the inline tags as its own (<g0>…</g0>, <x1/>), the text unchanged.
    assert "&lt;g" in seen.read_text(encoding="utf-8")
    assert translator_memory(seen, project / "omegat" / "project_save.tmx") == len(EDITS)
    omegat_run(omegat, project, "--mode=console-translate")
    translated_file = project / "target" / "review-fr.xlf"
    assert translated_file.exists()

    capsys.readouterr()
    args = ["review", "import", str(translated_file), "--config", str(config)]
    assert main([*args, "--strict-states", "--dry-run"]) == 0
    assert "0 would approve" in capsys.readouterr().out  # OmegaT left the states alone
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert f"{len(EDITS)} approved, 0 unchanged" in printed and "0 rejected" in printed

    approved = demo.state(config).approved_segments()
    targets = sorted(a.target for a in approved)
    assert len(targets) == len(EDITS)
    link = next(t for t in targets if "définitif" in t)
    assert "<g2>rapport définitif</g2>" in link and "<x1/>" in link  # tags came back whole
    assert any("ont tenu mardi une réunion" in t and "<x1/>" in t for t in targets)

    # The next run publishes the translator's wording, links and numbers in place.
    demo.run(config)
    fr = demo.variant_entry(config, "plan.html", "fr")
    page = demo.published_page(config, fr)
    assert "rapport définitif</a>" in page and "de 12 pays ont tenu mardi une réunion" in page
    assert fr["review"]["reviewed"] == len(EDITS)


def test_the_tmx_of_approved_segments_is_valid_tmx_1_4(translated, omegat, capsys):
    """Validated against the TMX 1.4 DTD OmegaT ships (it reads such memories from tm/)."""
    import zipfile

    jar = Path(omegat).resolve().parent.parent / "share" / "omegat" / "OmegaT.jar"
    if not jar.exists():
        missing(f"OmegaT's jar at {jar}", "apt-get install omegat (Debian's layout)")
    with zipfile.ZipFile(jar) as bundle:
        dtd = etree.DTD(io.BytesIO(bundle.read("schemas/tmx14.dtd")))
    config = translated
    exported = config.parent / "review.xlf"
    assert main(["review", "export", "--config", str(config), "-o", str(exported)]) == 0
    assert main(["review", "import", str(exported), "--config", str(config), "--accept-all"]) == 0
    tmx_path = config.parent / "approved.tmx"
    assert main(["review", "export", "--tmx", "--config", str(config), "-o", str(tmx_path)]) == 0
    doc = etree.parse(str(tmx_path))
    assert dtd.validate(doc), dtd.error_log
    units = doc.findall("body/tu")
    assert len(units) >= 10 and all(len(tu.findall("tuv")) == 2 for tu in units)
