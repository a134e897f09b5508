"""`translator-pipeline glossary check|export|import`: exit codes and what is printed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from lxml import etree

from tests.factories import ROOT
from translator_pipeline.cli.main import main

SEED = ROOT / "glossaries" / "institutional.csv"
BAD = (
    "id,en,fr,ar,note\n"
    "rabat,Rabat,,الرباط,\n"  # line 2: empty fr cell (error)
    "un,UN,ONU,الأمم المتحدة,\n"  # line 3: short case-insensitive term (warning)
)


def test_check_seed_exits_0(capsys):
    assert main(["glossary", "check", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert f"{SEED}: 20 concept(s), 0 error(s), 0 warning(s)" in out


def test_check_lists_errors_then_warnings_with_lines_and_exits_1(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(BAD, encoding="utf-8")
    assert main(["glossary", "check", str(path)]) == 1
    out = capsys.readouterr().out
    errors, warnings = out.split("Errors:\n")[1].split("Warnings:\n")
    assert f"{path}:2: no fr term for 'Rabat'" in errors
    assert f"{path}:3: en term 'UN' is short" in warnings
    assert "UN" not in errors


def test_warnings_alone_exit_0(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text("id,en,fr,ar\nun,UN,ONU,الأمم المتحدة\n", encoding="utf-8")
    assert main(["glossary", "check", str(path)]) == 0
    assert "Warnings:" in capsys.readouterr().out


def test_check_json(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(BAD, encoding="utf-8")
    assert main(["glossary", "check", "--json", str(path)]) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["ok"] is False and record["concepts"] == 2
    assert record["errors"][0]["line"] == 2
    assert record["errors"][0]["message"].startswith("no fr term for 'Rabat'")
    assert record["warnings"][0]["line"] == 3


def test_check_non_utf8_names_the_line(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_bytes("id,en,fr,ar\nms,Member States,Etats membres,الدول الأعضاء\n".encode("cp1256"))
    assert main(["glossary", "check", str(path)]) == 1
    assert f"{path}:2: byte 0xc7 is not valid UTF-8" in capsys.readouterr().out


def test_check_default_path_and_config_path(tmp_path, monkeypatch, capsys):
    (tmp_path / "glossaries").mkdir()
    shutil.copy(SEED, tmp_path / "glossaries" / "institutional.csv")
    monkeypatch.chdir(tmp_path)
    assert main(["glossary", "check"]) == 0
    assert "glossaries/institutional.csv: 20 concept(s)" in capsys.readouterr().out

    (tmp_path / "site" / "terms").mkdir(parents=True)
    (tmp_path / "site" / "terms" / "mine.csv").write_text(BAD, encoding="utf-8")
    config = tmp_path / "site" / "site.toml"
    config.write_text(
        '[glossary]\npath = "terms/mine.csv"\n\n'
        '[[sources]]\nname = "news"\nstart_urls = ["https://news.example.org/"]\n',
        encoding="utf-8",
    )
    assert main(["glossary", "check", "--config", str(config)]) == 1
    assert "terms/mine.csv:2: no fr term" in capsys.readouterr().out


def test_check_with_bad_config_exits_2(tmp_path, capsys):
    assert main(["glossary", "check", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_export_to_stdout_and_to_a_file(tmp_path, capsysbinary):
    assert main(["glossary", "export", "--format", "tbx", str(SEED)]) == 0
    root = etree.fromstring(capsysbinary.readouterr().out)
    assert root.tag == "martif" and len(root.findall(".//termEntry")) == 20

    out = tmp_path / "g.tbx"
    assert main(["glossary", "export", "--format", "tbx3", "-o", str(out), str(SEED)]) == 0
    assert etree.fromstring(out.read_bytes()).tag.endswith("}tbx")


def test_export_of_a_bad_glossary_exits_1(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(BAD, encoding="utf-8")
    assert main(["glossary", "export", str(path), "-o", str(tmp_path / "g.tbx")]) == 1
    assert f"{path}:2: no fr term" in capsys.readouterr().err
    assert not (tmp_path / "g.tbx").exists()


def test_import_merges_and_reports(tmp_path, capsys):
    csv_path = tmp_path / "g.csv"
    shutil.copy(SEED, csv_path)
    tbx = tmp_path / "g.tbx"
    assert main(["glossary", "export", "-o", str(tbx), str(SEED)]) == 0
    data = tbx.read_text(encoding="utf-8").replace("Ligue islamique mondiale", "Ligue mondiale")
    tbx.write_text(data, encoding="utf-8")
    capsys.readouterr()
    assert main(["glossary", "import", str(tbx), "--into", str(csv_path)]) == 0
    assert "0 added, 1 updated, 19 unchanged" in capsys.readouterr().out
    assert "Ligue mondiale" in csv_path.read_text(encoding="utf-8")


def test_import_of_an_unsafe_or_invalid_file_exits_1(tmp_path, capsys):
    csv_path = tmp_path / "g.csv"
    shutil.copy(SEED, csv_path)
    evil = tmp_path / "evil.tbx"
    evil.write_text(
        '<!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]><martif>&x;</martif>',
        encoding="utf-8",
    )
    assert main(["glossary", "import", str(evil), "--into", str(csv_path)]) == 1
    assert "declares XML entities" in capsys.readouterr().err
    notes = tmp_path / "notes.xml"
    notes.write_text("<notes/>", encoding="utf-8")
    assert main(["glossary", "import", str(notes), "--into", str(csv_path)]) == 1
    assert "is not TBX" in capsys.readouterr().err
    assert csv_path.read_bytes() == SEED.read_bytes()


def test_installed_command_exit_status(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(BAD, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "translator_pipeline", "glossary", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert f"{path}:2: no fr term" in run.stdout
