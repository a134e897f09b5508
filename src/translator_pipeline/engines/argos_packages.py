"""Installed Argos Translate packages: find, validate, install, remove.

We read the same package directory as ``argospm`` and LibreTranslate
(``$ARGOS_PACKAGES_DIR`` or argostranslate's default), through
``argostranslate.package.Package``, but walk the directory ourselves so one
broken package is reported instead of hiding all the others. Installing
validates the archive first, unpacks and test-loads it in a staging
directory *beside* the packages directory, and renames it into place.
"""

from __future__ import annotations

import errno
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

from translator_pipeline.errors import EngineError
from translator_pipeline.processes import is_dead_here, writer

__all__ = [
    "ArgosPackage",
    "default_packages_dir",
    "find_packages",
    "install_from_file",
    "install_from_url",
    "install_pairs",
    "remove_package",
    "route",
]


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
    """Every usable package in ``directory`` (sorted), and the broken ones with reasons.

    A subdirectory without ``metadata.json`` is reported, not fatal (argostranslate
    raises on one); hidden ones are skipped.
    """
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


_STAGING_PREFIX = "install-"
MAX_UNPACKED_BYTES = 8_000_000_000  # a zip bomb stops here, far above any real package


def staging_root(directory: Path) -> Path:
    """Where packages are unpacked before they are renamed into ``directory``.

    A hidden sibling of the packages directory: on the same filesystem (so the
    final rename is atomic) but outside it, because argostranslate, argospm and
    LibreTranslate raise on any subdirectory of the packages directory without
    a ``metadata.json``, so a half-unpacked package must never be one.
    """
    directory = Path(directory).absolute()
    return directory.parent / f".{directory.name}.staging"


def _sweep_staging(root: Path) -> None:
    """Remove what killed installs left behind (their process is gone)."""
    for entry in root.iterdir():
        owner = entry.name.removeprefix(_STAGING_PREFIX).split("-", 1)[0]
        host, _, pid = owner.rpartition("~")
        if pid.isdigit() and is_dead_here(host, int(pid)):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def new_staging_dir(directory: Path) -> Path:
    """A fresh private directory under :func:`staging_root` (the caller removes it)."""
    root = staging_root(directory)
    root.mkdir(parents=True, exist_ok=True)
    _sweep_staging(root)
    return Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{writer()}-", dir=root))


def _archive_root(archive: zipfile.ZipFile, path: Path) -> str:
    """The package's top-level folder; every member checked before anything is written."""
    infos = [i for i in archive.infolist() if i.filename and not i.filename.startswith("__MACOSX")]
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name.split("/")[0]:
            raise EngineError(f"{path}: unsafe path in archive: {name!r}")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise EngineError(f"{path}: archive holds a symbolic link: {name!r}")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise EngineError(f"{path}: unpacks to more than {MAX_UNPACKED_BYTES} bytes; refused")
    names = [i.filename for i in infos]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1:
        raise EngineError(
            f"{path}: an Argos package holds one top-level directory, found {len(tops)}"
        )
    top = tops.pop()
    if top.startswith("."):
        raise EngineError(f"{path}: hidden top-level directory {top!r}")
    if f"{top}/metadata.json" not in names:
        raise EngineError(f"{path}: not an Argos package: no {top}/metadata.json")
    if not any(n.startswith(f"{top}/model/") for n in names):
        raise EngineError(f"{path}: not an Argos package: no {top}/model/ directory")
    return top


def _check_loadable(unpacked: Path) -> str | None:
    """Why the unpacked package's tokenizer or model cannot be loaded, or None."""
    sp_model = unpacked / "sentencepiece.model"
    try:
        if sp_model.is_file():
            import sentencepiece

            sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
        else:
            from argostranslate.apply_bpe import BPE

            with (unpacked / "bpe.model").open(encoding="utf-8") as codes:
                BPE(codes)
    except Exception as exc:  # both libraries raise assorted types on a bad file
        return f"its tokenizer cannot be loaded: {_one_line(exc)}"
    import ctranslate2

    try:
        ctranslate2.Translator(str(unpacked / "model"), device="cpu", intra_threads=1)
    except (RuntimeError, ValueError, OSError) as exc:
        return f"CTranslate2 cannot load its model/: {_one_line(exc)}"
    return None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def move_into_place(
    unpacked: Path,
    final: Path,
    staging: Path,
    marker: str = "metadata.json",
    marker_first: bool = True,
) -> None:
    """Rename ``unpacked`` to ``final``; an older copy there is swapped out, not deleted in place.

    Each step is one rename, so someone scanning the packages directory sees the
    old package or the new one, never a directory being written or deleted.
    """
    old = staging / "replaced"
    try:
        if final.exists():
            os.replace(final, old)
        os.replace(unpacked, final)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # Staging is on another filesystem (the packages dir is a mount point):
        # Argos: copy metadata.json first, so the directory is a package from its first
        # moment (argostranslate raises on one without it). Others: the marker last, so
        # the directory is not taken for a model before it is complete.
        if final.exists():
            shutil.rmtree(final)
        final.mkdir()
        if marker_first:
            shutil.copy2(unpacked / marker, final / marker)
        for item in unpacked.iterdir():
            if item.name == marker:
                continue
            if item.is_dir():
                shutil.copytree(item, final / item.name)
            else:
                shutil.copy2(item, final / item.name)
        if not marker_first:
            shutil.copy2(unpacked / marker, final / marker)


_move_into_place = move_into_place


def install_from_file(archive_path: Path, directory: Path) -> ArgosPackage:
    """Validate and unpack a ``.argosmodel`` file into ``directory``; return the package.

    The archive is unpacked and checked (layout, tokenizer, CTranslate2 model)
    in a staging directory beside ``directory``; only a package that loads is
    renamed into place. On any error nothing is left behind.
    """
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise EngineError(f"{archive_path}: no such file")
    if not zipfile.is_zipfile(archive_path):
        raise EngineError(f"{archive_path}: not a zip archive (an .argosmodel file is a zip)")
    directory.mkdir(parents=True, exist_ok=True)
    staging = new_staging_dir(directory)
    try:
        try:
            with zipfile.ZipFile(archive_path) as archive:
                top = _archive_root(archive, archive_path)
                archive.extractall(staging)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise EngineError(f"{archive_path}: corrupt archive: {_one_line(exc)}") from exc
        unpacked = staging / top
        reason = _check_layout(unpacked) or _check_loadable(unpacked)
        if reason:
            raise EngineError(f"{archive_path}: not a usable Argos package: {reason}")
        final = directory / top
        _move_into_place(unpacked, final, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    found, problems = find_packages(directory)
    for pkg in found:
        if pkg.path == final:
            return pkg
    reason = next((p.reason for p in problems if p.path == final), "unknown problem")
    raise EngineError(f"{archive_path}: installed but cannot be loaded: {reason}")


def install_from_url(url: str, directory: Path) -> ArgosPackage:
    return install_from_links([url], directory, label=url)


def install_from_links(links: list[str], directory: Path, label: str = "") -> ArgosPackage:
    """Download from the first of ``links`` that works, verify, install."""
    from translator_pipeline.engines.argos_download import download_archive

    directory.mkdir(parents=True, exist_ok=True)
    staging = new_staging_dir(directory)
    try:
        archive = download_archive(links, staging, label=label)
        return install_from_file(archive, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def default_index_url() -> str:
    from argostranslate import settings as argos_settings

    return str(argos_settings.remote_package_index)


def fetch_index(url: str | None = None) -> list[dict[str, Any]]:
    """The Argos package index (a JSON list of package metadata)."""
    url = url or default_index_url()
    try:
        from translator_pipeline.engines.argos_download import DOWNLOAD_USER_AGENT

        response = httpx.get(
            url, timeout=30, follow_redirects=True, headers={"User-Agent": DOWNLOAD_USER_AGENT}
        )
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
        label = f"{key[0]}→{key[1]} {entry.get('package_version', '')}".strip()
        done.append(install_from_links(links, directory, label=label))
    return done


def remove_package(package: ArgosPackage) -> None:
    """Remove an installed package: renamed out of the packages directory, then deleted."""
    staging = new_staging_dir(package.path.parent)
    try:
        try:
            os.replace(package.path, staging / "removed")
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another filesystem: drop metadata.json last so it stays a package until gone.
            for item in package.path.iterdir():
                if item.name != "metadata.json":
                    shutil.rmtree(item) if item.is_dir() else item.unlink()
            shutil.rmtree(package.path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
