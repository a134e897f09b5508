"""`translator-pipeline models …` and `translate` on generated packages."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.support.server import Response
from translator_pipeline.cli.main import main
from translator_pipeline.testing.tiny_argos import build_argos_archive, build_argos_package


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[tuple[str, str], Path]:
    root = tmp_path_factory.mktemp("archives")
    return {
        (src, tgt): build_argos_archive(root / f"{src}_{tgt}.argosmodel", src, tgt, seed=7)
        for src, tgt in [("en", "fr"), ("fr", "en"), ("en", "ar"), ("ar", "en")]
    }


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_install_from_file_then_list_and_remove(tmp_path, archives, capsys):
    packages = tmp_path / "pk"
    code, out, _ = run(
        capsys,
        "models",
        "install",
        "--file",
        str(archives[("en", "fr")]),
        "--packages-dir",
        str(packages),
    )
    assert code == 0 and "installed en→fr 1.0" in out
    assert (packages / "translate-en_fr-1_0" / "model" / "model.bin").is_file()
    assert not [p for p in packages.iterdir() if p.name.startswith(".")]  # no staging left

    for key in [("fr", "en"), ("en", "ar")]:
        assert (
            run(
                capsys,
                "models",
                "install",
                "--file",
                str(archives[key]),
                "--packages-dir",
                str(packages),
            )[0]
            == 0
        )
    code, out, _ = run(capsys, "models", "list", "fr", "en", "ar", "--packages-dir", str(packages))
    assert "fr→en: direct" in out
    assert "fr→ar: pivot via en" in out
    assert "ar→fr: MISSING (translator-pipeline models install ar fr)" in out
    assert code == 1  # something is missing

    code, out, _ = run(capsys, "models", "remove", "en", "fr", "--packages-dir", str(packages))
    assert code == 0 and "removed en→fr" in out
    assert not (packages / "translate-en_fr-1_0").exists()
    code, _, err = run(capsys, "models", "remove", "en", "fr", "--packages-dir", str(packages))
    assert code == 1 and "no installed package matches" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a zip", "not a zip archive"),
        ({"pkg/readme.txt": "x"}, "no pkg/metadata.json"),
        ({"pkg/metadata.json": "{}"}, "no pkg/model/ directory"),
        ({"a/metadata.json": "{}", "b/metadata.json": "{}"}, "one top-level directory"),
        ({"pkg/metadata.json": "{}", "pkg/model/x": "", "pkg/../../evil": "x"}, "unsafe path"),
        (
            {"pkg/metadata.json": "{not json", "pkg/model/model.bin": "x"},
            "metadata.json unreadable",
        ),
        (
            {
                "pkg/metadata.json": json.dumps({"from_code": "en", "to_code": "fr"}),
                "pkg/model/model.bin": "x",
            },
            "no tokenizer",
        ),
    ],
)
def test_bad_package_files_are_refused_with_a_reason(tmp_path, capsys, content, message):
    path = tmp_path / "bad.argosmodel"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in content.items():
                archive.writestr(name, data)
    packages = tmp_path / "pk"
    code, _, err = run(
        capsys, "models", "install", "--file", str(path), "--packages-dir", str(packages)
    )
    assert code == 1
    assert message in err
    assert not packages.exists() or list(packages.iterdir()) == []


def test_truncated_archive_is_refused(tmp_path, archives, capsys):
    data = archives[("en", "fr")].read_bytes()
    broken = tmp_path / "cut.argosmodel"
    broken.write_bytes(data[: len(data) // 2])
    code, _, err = run(
        capsys, "models", "install", "--file", str(broken), "--packages-dir", str(tmp_path / "pk")
    )
    assert code == 1 and ("not a zip" in err or "corrupt" in err)


def test_install_languages_from_a_package_index(tmp_path, archives, server, capsys):
    index = []
    for (src, tgt), archive in archives.items():
        path = f"/{src}_{tgt}.argosmodel"
        server.route(
            path, Response(archive.read_bytes(), headers={"Content-Type": "application/zip"})
        )
        index.append(
            {
                "type": "translate",
                "from_code": src,
                "to_code": tgt,
                "package_version": "1.0",
                "links": [server.url(path)],
            }
        )
    server.route(
        "/index.json",
        Response(json.dumps(index).encode(), headers={"Content-Type": "application/json"}),
    )
    packages = tmp_path / "pk"
    code, out, err = run(
        capsys,
        "models",
        "install",
        "fr",
        "ar",
        "--index",
        server.url("/index.json"),
        "--packages-dir",
        str(packages),
    )
    assert code == 0, err
    assert out.count("installed ") == 4
    # fr→ar and ar→fr have no direct package: both legs through English are installed.
    assert sorted(p.name for p in packages.iterdir()) == [
        "translate-ar_en-1_0",
        "translate-en_ar-1_0",
        "translate-en_fr-1_0",
        "translate-fr_en-1_0",
    ]
    downloads = sum(server.hits(f"/{s}_{t}.argosmodel") for s, t in archives)
    assert downloads == 4
    # Installed packages are not downloaded again.
    assert (
        run(
            capsys,
            "models",
            "install",
            "fr",
            "ar",
            "--index",
            server.url("/index.json"),
            "--packages-dir",
            str(packages),
        )[0]
        == 0
    )
    assert sum(server.hits(f"/{s}_{t}.argosmodel") for s, t in archives) == 4

    code, _, err = run(
        capsys,
        "models",
        "install",
        "fr",
        "zz",
        "--index",
        server.url("/index.json"),
        "--packages-dir",
        str(packages),
    )
    assert code == 1 and "zz" in err and "known codes" in err


def test_unreachable_index_says_how_to_install_from_a_file(tmp_path, capsys):
    code, _, err = run(
        capsys,
        "models",
        "install",
        "en",
        "ar",
        "--index",
        "http://127.0.0.1:9/index.json",
        "--packages-dir",
        str(tmp_path),
    )
    assert code == 1
    assert "cannot read the Argos package index" in err
    assert "models install --file" in err


def test_translate_command_text_and_html(tmp_path, monkeypatch, capsys):
    packages = tmp_path / "pk"
    for src, tgt in [("en", "fr"), ("fr", "en"), ("en", "ar")]:
        build_argos_package(packages, src, tgt, seed=5)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    from translator_pipeline.engines import clear_engine_cache

    clear_engine_cache()
    source = tmp_path / "in.txt"
    source.write_text("The conference opened today.\n\nMember States attended.\n", encoding="utf-8")
    code, out, err = run(capsys, "translate", "--from", "fr", "--to", "ar", str(source))
    assert code == 0, err
    lines = out.split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[0].strip() and lines[2].strip()

    page = tmp_path / "in.html"
    page.write_text(
        '<html lang="en"><head><title>News</title></head><body>'
        '<p>Read <a href="https://icesco.org/">the statement</a> online.</p></body></html>',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "translate", "--from", "en", "--to", "ar", "--html", str(page))
    assert code == 0, err
    assert '<html dir="rtl" lang="ar">' in out or '<html lang="ar" dir="rtl">' in out
    assert '<a href="https://icesco.org/">' in out

    code, _, err = run(capsys, "translate", "--from", "en", "--to", "de", str(source))
    assert code == 1 and "models install en de" in err
    clear_engine_cache()


def test_translate_with_pseudo_engine_from_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Hello world\n"))
    code, out, err = run(capsys, "translate", "--from", "en", "--to", "fr", "--engine", "pseudo")
    assert code == 0
    assert out == "[fr~] Héllö wörld\n"
    assert "not a translation" in err


def test_translate_applies_the_configs_glossary(tmp_path, monkeypatch, capsys):
    import io

    glossary = tmp_path / "glossary.csv"
    glossary.write_text(
        "en,fr,ar,note\nMember States,États membres,الدول الأعضاء,\n"
        "Director-General,Directeur général,المدير العام,\n",
        encoding="utf-8",
    )
    config = tmp_path / "site.toml"
    config.write_text(
        'engine = "pseudo"\n[glossary]\npath = "glossary.csv"\n'
        '[[sources]]\nname = "s"\nstart_urls = ["https://example.org/"]\n',
        encoding="utf-8",
    )
    text = "The Director-General met the Member States.\n\nNo terms here.\n"

    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, err = run(capsys, "translate", "--from", "en", "--to", "fr", "--config", str(config))
    assert code == 0, err
    first, blank, second = out.rstrip("\n").split("\n")
    assert "Directeur général" in first and "États membres" in first and blank == ""
    assert second.startswith("[fr~]") and "général" not in second
    assert "glossary: 2 term occurrence(s), 2 enforced, 0 missed" in err

    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, err = run(
        capsys, "translate", "--from", "en", "--to", "fr", "--config", str(config), "--no-glossary"
    )
    assert code == 0 and "États membres" not in out and "glossary:" not in err

    # HTML keeps its markup and gets the terms too.
    monkeypatch.setattr("sys.stdin", io.StringIO("<p>The <b>Member States</b> agreed.</p>"))
    code, out, err = run(
        capsys, "translate", "--from", "en", "--to", "ar", "--html", "--config", str(config)
    )
    assert code == 0 and "الدول الأعضاء" in out and "<b>" in out

    glossary.write_text("en,fr\nMember States,\n", encoding="utf-8")  # a row without French
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, _, err = run(capsys, "translate", "--from", "en", "--to", "fr", "--config", str(config))
    assert code == 1 and "glossary" in err.lower()
