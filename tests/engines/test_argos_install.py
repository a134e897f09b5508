"""`models install` keeps the shared package directory usable by every Argos reader.

argostranslate (and so argospm and LibreTranslate, which read the same
directory) raises on any subdirectory without ``metadata.json``. Its own
``get_installed_packages()`` is run in a subprocess (its settings module
freezes the packages directory at import) before, during and after installs,
and after an install killed half-way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.argos_listing import argos_lists
from translator_pipeline.cli.main import main
from translator_pipeline.engines import argos_packages
from translator_pipeline.engines.argos_packages import (
    find_packages,
    install_from_file,
    remove_package,
    staging_root,
)
from translator_pipeline.testing.tiny_argos import build_argos_archive


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("install-archives")
    return {
        "en_fr": build_argos_archive(root / "en_fr.argosmodel", "en", "fr", seed=11),
        "en_fr_2": build_argos_archive(
            root / "en_fr_2.argosmodel", "en", "fr", seed=12, package_version="2.0"
        ),
        "fr_en": build_argos_archive(root / "fr_en.argosmodel", "fr", "en", seed=13),
    }


def test_argostranslate_lists_packages_during_and_after_an_install(tmp_path, archives, monkeypatch):
    packages, state = tmp_path / "packages", tmp_path / "argos-state"
    install_from_file(archives["fr_en"], packages)
    seen_during: list[list[str]] = []
    check = argos_packages._check_loadable

    def check_and_look(unpacked: Path):
        # The new package is fully unpacked but not yet in place.
        assert not str(unpacked).startswith(str(packages) + "/")
        seen_during.append(argos_lists(packages, state))
        return check(unpacked)

    monkeypatch.setattr(argos_packages, "_check_loadable", check_and_look)
    install_from_file(archives["en_fr"], packages)
    assert seen_during == [["fr-en"]]
    assert argos_lists(packages, state) == ["en-fr", "fr-en"]
    # Replacing a package: the old one is swapped out, never half-deleted in place.
    install_from_file(archives["en_fr_2"], packages)
    assert seen_during[-1] == ["en-fr", "fr-en"]
    assert argos_lists(packages, state) == ["en-fr", "en-fr", "fr-en"]
    [old] = [p for p in find_packages(packages)[0] if p.version == "1.0" and p.from_code == "en"]
    remove_package(old)
    assert argos_lists(packages, state) == ["en-fr", "fr-en"]
    assert sorted(p.name for p in packages.iterdir()) == [
        "translate-en_fr-2_0",
        "translate-fr_en-1_0",
    ]
    assert not any(staging_root(packages).iterdir())


KILLED_INSTALL = """
import os, signal, sys
from pathlib import Path
from translator_pipeline.engines import argos_packages

def die(unpacked):
    print(unpacked, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

argos_packages._check_loadable = die
argos_packages.install_from_file(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_an_install_killed_half_way_leaves_the_directory_usable(tmp_path, archives):
    packages, state = tmp_path / "packages", tmp_path / "argos-state"
    install_from_file(archives["fr_en"], packages)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_INSTALL, str(archives["en_fr"]), str(packages)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    left = Path(killed.stdout.strip())
    assert left.is_dir() and (left / "model" / "model.bin").is_file()  # killed mid-install
    assert argos_lists(packages, state) == ["fr-en"]
    assert [p.name for p in packages.iterdir()] == ["translate-fr_en-1_0"]
    # The next install clears what the dead process left.
    install_from_file(archives["en_fr"], packages)
    assert not left.exists()
    assert argos_lists(packages, state) == ["en-fr", "fr-en"]


def _zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _corrupt_member(source: Path, path: Path) -> Path:
    """A copy of ``source`` with bytes flipped inside the stored model (CRC mismatch)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo(next(n for n in archive.namelist() if n.endswith("model.bin")))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 100, start + 140):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _unloadable_model(source: Path, path: Path) -> Path:
    """Everything real except model.bin, which CTranslate2 cannot read."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(path, "w") as out:
        for name in archive.namelist():
            data = archive.read(name)
            out.writestr(name, b"not a model" if name.endswith("model.bin") else data)
    return path


BAD = {
    "corrupt": (lambda a, p: _corrupt_member(a["en_fr"], p), "corrupt archive"),
    "truncated": (
        lambda a, p: (p.write_bytes(a["en_fr"].read_bytes()[:5000]), p)[1],
        "not a zip archive",
    ),
    "traversal": (
        lambda a, p: _zip(
            p, {"pkg/metadata.json": "{}", "pkg/model/model.bin": "x", "pkg/../../evil.txt": "x"}
        ),
        "unsafe path in archive: 'pkg/../../evil.txt'",
    ),
    "absolute": (
        lambda a, p: _zip(p, {"pkg/metadata.json": "{}", "/etc/evil": "x"}),
        "unsafe path in archive: '/etc/evil'",
    ),
    "pair-without-model": (
        lambda a, p: _zip(
            p,
            {
                "en_de/metadata.json": json.dumps({"from_code": "en", "to_code": "de"}),
                "en_de/sentencepiece.model": "x",
            },
        ),
        "no en_de/model/ directory",
    ),
    "model-ctranslate2-cannot-load": (
        lambda a, p: _unloadable_model(a["en_fr"], p),
        "CTranslate2 cannot load its model/",
    ),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_archives_get_one_line_naming_the_file_and_leave_nothing(
    tmp_path, archives, capsys, kind
):
    make, message = BAD[kind]
    path = make(archives, tmp_path / f"{kind}.argosmodel")
    packages = tmp_path / "nested" / "packages"
    code = main(["models", "install", "--file", str(path), "--packages-dir", str(packages)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err, err
    assert err.startswith(f"error: {path}: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not packages.exists() or list(packages.iterdir()) == []
    staging = staging_root(packages)
    assert not staging.exists() or list(staging.iterdir()) == []
    assert not list(tmp_path.rglob("evil*"))
