"""Installed Argos Translate packages: find, validate, install, remove.

We read the same package directory as ``argospm`` and LibreTranslate
(``$ARGOS_PACKAGES_DIR`` or argostranslate's default), through
``argostranslate.package.Package``, but walk the directory ourselves so one
broken package is reported instead of hiding all the others. Installing
validates the archive first and unpacks it atomically (temp dir + rename).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import EngineError

__all__ = [
    "ArgosPackage",
    "PackageProblem",
    "default_packages_dir",
    "find_packages",
    "install_from_file",
    "install_from_url",
    "install_pairs",
    "remove_package",
    "route",
]

MAX_ARCHIVE_BYTES = 2_000_000_000  # an Argos package is ~100 MB; refuse absurd downloads


@dataclass(frozen=True)
class ArgosPackage:
    """One installed translation package."""

    from_code: str
    to_code: str
    version: str
    path: Path
    target_prefix: str
    package: Any  # argostranslate.package.Package (kept for its tokenizer)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return f"{self.from_code}→{self.to_code} {self.version} ({self.name})"


@dataclass(frozen=True)
class PackageProblem:
    path: Path
    reason: str


def default_packages_dir(configured: Path | None = None) -> Path:
    """Where packages live: the config's directory, ``$ARGOS_PACKAGES_DIR``, or argostranslate's."""
    if configured is not None:
        return Path(configured)
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    if env:
        return Path(env)
    from argostranslate import settings as argos_settings  # creates its data dirs on import

    return Path(argos_settings.package_data_dir)


def _version_key(version: str) -> tuple:
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _check_layout(path: Path) -> str | None:
    """Why ``path`` is not a usable translate package, or None."""
    metadata = path / "metadata.json"
    if not metadata.is_file():
        return "no metadata.json"
    try:
        data = json.loads(metadata.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"metadata.json unreadable: {exc}"
    if not isinstance(data, dict):
        return "metadata.json is not an object"
    if data.get("type", "translate") != "translate":
        return f"not a translation package (type {data.get('type')!r})"
    if not data.get("from_code") or not data.get("to_code"):
        return "metadata.json lacks from_code/to_code"
    if not (path / "model" / "model.bin").is_file():
        return "no model/ directory with model.bin"
    if not (path / "sentencepiece.model").is_file() and not (path / "bpe.model").is_file():
        return "no tokenizer (sentencepiece.model or bpe.model)"
    return None


def find_packages(directory: Path) -> tuple[list[ArgosPackage], list[PackageProblem]]:
    """Every usable package in ``directory`` (sorted), and the broken ones with reasons."""
    packages: list[ArgosPackage] = []
    problems: list[PackageProblem] = []
    if not directory.is_dir():
        return packages, problems
    from argostranslate.package import Package

    for path in sorted(p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")):
        reason = _check_layout(path)
        if reason:
            problems.append(PackageProblem(path, reason))
            continue
        try:
            pkg = Package(path)
        except Exception as exc:  # argostranslate raises bare Exceptions
            problems.append(PackageProblem(path, f"argostranslate cannot load it: {exc}"))
            continue
        packages.append(
            ArgosPackage(
                from_code=str(pkg.from_code),
                to_code=str(pkg.to_code),
                version=str(pkg.package_version or "0"),
                path=path,
                target_prefix=str(pkg.target_prefix or ""),
                package=pkg,
            )
        )
    packages.sort(key=lambda p: (p.from_code, p.to_code, _version_key(p.version)))
    return packages, problems


def best_by_pair(packages: Iterable[ArgosPackage]) -> dict[tuple[str, str], ArgosPackage]:
    """The newest package for each language pair."""
    best: dict[tuple[str, str], ArgosPackage] = {}
    for pkg in packages:
        key = (pkg.from_code, pkg.to_code)
        if key not in best or _version_key(pkg.version) > _version_key(best[key].version):
            best[key] = pkg
    return best


def route(
    pairs: dict[tuple[str, str], ArgosPackage], source: str, target: str, pivot: str = "en"
) -> list[ArgosPackage] | None:
    """Packages that take ``source`` to ``target``: direct, else through ``pivot``."""
    if (source, target) in pairs:
        return [pairs[(source, target)]]
    if (
        source != pivot
        and target != pivot
        and (source, pivot) in pairs
        and (pivot, target) in pairs
    ):
        return [pairs[(source, pivot)], pairs[(pivot, target)]]
    return None


def _archive_root(archive: zipfile.ZipFile, path: Path) -> str:
    names = [n for n in archive.namelist() if n and not n.startswith("__MACOSX")]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1:
        raise EngineError(
            f"{path}: an Argos package holds one top-level directory, found {len(tops)}"
        )
    top = tops.pop()
    for name in names:
        if name.startswith("/") or ".." in Path(name).parts:
            raise EngineError(f"{path}: unsafe path in archive: {name!r}")
    if f"{top}/metadata.json" not in names:
        raise EngineError(f"{path}: not an Argos package: no {top}/metadata.json")
    if not any(n.startswith(f"{top}/model/") for n in names):
        raise EngineError(f"{path}: not an Argos package: no {top}/model/ directory")
    return top


def install_from_file(archive_path: Path, directory: Path) -> ArgosPackage:
    """Validate and unpack a ``.argosmodel`` file into ``directory``; return the package."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise EngineError(f"{archive_path}: no such file")
    if not zipfile.is_zipfile(archive_path):
        raise EngineError(f"{archive_path}: not a zip archive (an .argosmodel file is a zip)")
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=directory))
    try:
        try:
            with zipfile.ZipFile(archive_path) as archive:
                top = _archive_root(archive, archive_path)
                archive.extractall(staging)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise EngineError(f"{archive_path}: corrupt archive: {exc}") from exc
        unpacked = staging / top
        reason = _check_layout(unpacked)
        if reason:
            raise EngineError(f"{archive_path}: not a usable Argos package: {reason}")
        final = directory / top
        if final.exists():
            shutil.rmtree(final)
        os.replace(unpacked, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    found, problems = find_packages(directory)
    for pkg in found:
        if pkg.path == final:
            return pkg
    reason = next((p.reason for p in problems if p.path == final), "unknown problem")
    raise EngineError(f"{archive_path}: installed but cannot be loaded: {reason}")


def _download(url: str, timeout: float = 60.0) -> Path:
    """Stream ``url`` to a temporary file (the caller removes it)."""
    fd, tmp = tempfile.mkstemp(suffix=".argosmodel")
    try:
        with (
            os.fdopen(fd, "wb") as fh,
            httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response,
        ):
            if response.status_code != 200:
                raise EngineError(f"download of {url} failed: HTTP {response.status_code}")
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_ARCHIVE_BYTES:
                    raise EngineError(f"download of {url} exceeds {MAX_ARCHIVE_BYTES} bytes")
                fh.write(chunk)
    except httpx.HTTPError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise EngineError(
            f"cannot download {url}: {exc}. Without network access, copy the .argosmodel "
            "file here and run: translator-pipeline models install --file PATH.argosmodel"
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def install_from_url(url: str, directory: Path) -> ArgosPackage:
    archive = _download(url)
    try:
        return install_from_file(archive, directory)
    finally:
        archive.unlink(missing_ok=True)


def default_index_url() -> str:
    from argostranslate import settings as argos_settings

    return str(argos_settings.remote_package_index)


def fetch_index(url: str | None = None) -> list[dict[str, Any]]:
    """The Argos package index (a JSON list of package metadata)."""
    url = url or default_index_url()
    try:
        response = httpx.get(url, timeout=30, follow_redirects=True)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise EngineError(
            f"cannot read the Argos package index at {url}: {exc}. Without network access, "
            "install from a file instead: translator-pipeline models install --file PATH.argosmodel"
        ) from exc
    if not isinstance(data, list):
        raise EngineError(f"the Argos package index at {url} is not a list of packages")
    return [entry for entry in data if isinstance(entry, dict)]


def plan_install(
    index: list[dict[str, Any]], languages: list[str], pivot: str = "en"
) -> list[dict[str, Any]]:
    """Index entries needed so every pair among ``languages`` is direct or pivoted.

    Prefers a direct package; otherwise the two legs through ``pivot``. Raises
    EngineError for unknown language codes or pairs the index cannot reach.
    """
    available = {
        (str(e.get("from_code")), str(e.get("to_code"))): e
        for e in sorted(index, key=lambda e: _version_key(str(e.get("package_version", "0"))))
        if e.get("type", "translate") == "translate"
    }
    codes = {c for pair in available for c in pair}
    unknown = sorted(set(languages) - codes)
    if unknown:
        raise EngineError(
            f"no package in the index uses language code(s) {', '.join(unknown)}; "
            f"known codes: {', '.join(sorted(codes))}"
        )
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    unreachable = []
    for src in languages:
        for tgt in languages:
            if src == tgt:
                continue
            if (src, tgt) in available:
                wanted[(src, tgt)] = available[(src, tgt)]
            elif (src, pivot) in available and (pivot, tgt) in available:
                wanted[(src, pivot)] = available[(src, pivot)]
                wanted[(pivot, tgt)] = available[(pivot, tgt)]
            else:
                unreachable.append(f"{src}→{tgt}")
    if unreachable:
        raise EngineError(
            f"the index has no direct or {pivot}-pivot route for: {', '.join(unreachable)}"
        )
    return list(wanted.values())


def install_pairs(
    languages: list[str], directory: Path, index_url: str | None = None, pivot: str = "en"
) -> list[ArgosPackage]:
    """Install from the package index what ``languages`` need (pivots included)."""
    plan = plan_install(fetch_index(index_url), languages, pivot)
    installed = best_by_pair(find_packages(directory)[0])
    done = []
    for entry in plan:
        key = (str(entry["from_code"]), str(entry["to_code"]))
        have = installed.get(key)
        if have and _version_key(have.version) >= _version_key(
            str(entry.get("package_version", "0"))
        ):
            done.append(have)
            continue
        links = [link for link in entry.get("links", []) if isinstance(link, str)]
        if not links:
            raise EngineError(f"index entry for {key[0]}→{key[1]} has no download link")
        done.append(install_from_url(links[0], directory))
    return done


def remove_package(package: ArgosPackage) -> None:
    shutil.rmtree(package.path)
