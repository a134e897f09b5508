"""Converted CTranslate2 translation models beyond Argos packages: find, check, install.

Four families run on the same core (:mod:`.ct2_core`); what differs is how a
sentence is wrapped and which SentencePiece model reads and writes it:

=========  =========================================  ==================================
family     source tokens                              target prefix
=========  =========================================  ==================================
marian     pieces ``</s>`` (``>>ara<<`` first when     none
           the model has several target languages)
nllb       ``eng_Latn`` pieces ``</s>``                ``arb_Arab``
m2m100     ``__en__`` pieces ``</s>``                  ``__ar__``
madlad     ``<2ar>`` pieces ``</s>``                   none
=========  =========================================  ==================================

A model is a CTranslate2 model directory (``model.bin``, ``config.json``, the
vocabulary) plus the SentencePiece file(s) of the original model: OPUS-MT's
``source.spm`` and ``target.spm``, NLLB's and M2M-100's ``sentencepiece.bpe.model``,
MADLAD's ``spiece.model`` (or any single ``*.model`` file). The family is read
from the vocabulary's language tokens, the languages from those tokens, or, for
a bilingual OPUS-MT model, from the install command or the directory name
(``opus-mt-en-ar``, ``opus-mt-tc-big-en-ar``).

``install`` checks all of that in a staging directory beside the models
directory, test-loads the tokenizers and the model, writes
``translator-pipeline-model.json`` (family, languages, a digest of every file),
and renames the directory into place: a models directory never holds half a model.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator_pipeline.engines.argos_tokens import tidy_placeholders
from translator_pipeline.engines.ct2_core import Decoding, Hop
from translator_pipeline.errors import EngineError
from translator_pipeline.html.placeholders import PLACEHOLDER

__all__ = [
    "FAMILIES",
    "FAMILY_DECODING",
    "INFO_FILE",
    "CT2Model",
    "ModelCodec",
    "ModelProblem",
    "default_models_dir",
    "find_models",
    "install_model",
    "language_code",
    "remove_model",
]

INFO_FILE = "translator-pipeline-model.json"
FAMILIES = ("marian", "nllb", "m2m100", "madlad")

#: Decoding defaults per family (the settings may override each field).
#: Beam sizes are those the models' authors publish results with (fairseq's 5 for
#: M2M-100, 4 for the others); length penalty 1 is CTranslate2's and Hugging Face's.
FAMILY_DECODING: dict[str, Decoding] = {
    "marian": Decoding(beam_size=4, length_penalty=1.0, max_input_tokens=256),
    "nllb": Decoding(beam_size=4, length_penalty=1.0, max_input_tokens=256),
    "m2m100": Decoding(beam_size=5, length_penalty=1.0, max_input_tokens=256),
    "madlad": Decoding(beam_size=4, length_penalty=1.0, max_input_tokens=256),
}

# ISO 639-3 (and NLLB/Marian) codes → the two-letter codes the pipeline uses. The
# first code listed for a language is the one asked for when a model has several
# (Modern Standard Arabic for "ar", not a dialect).
_ISO3 = {
    "arb": "ar", "ara": "ar", "eng": "en", "fra": "fr", "spa": "es", "deu": "de",
    "por": "pt", "ita": "it", "rus": "ru", "zho": "zh", "cmn": "zh", "jpn": "ja",
    "kor": "ko", "tur": "tr", "pes": "fa", "fas": "fa", "urd": "ur", "hin": "hi",
    "ben": "bn", "ind": "id", "zsm": "ms", "msa": "ms", "swh": "sw", "swa": "sw",
    "hau": "ha", "wol": "wo", "som": "so", "amh": "am", "heb": "he", "nld": "nl",
    "pol": "pl", "ukr": "uk", "ell": "el", "ron": "ro", "hun": "hu", "ces": "cs",
    "swe": "sv", "dan": "da", "fin": "fi", "nob": "nb", "vie": "vi", "tha": "th",
    "tgl": "tl", "uzn": "uz", "uzb": "uz", "kaz": "kk", "azj": "az", "aze": "az",
    "tat": "tt", "kir": "ky", "tgk": "tg", "pbt": "ps", "pus": "ps", "snd": "sd",
    "mlg": "mg", "plt": "mg", "yor": "yo", "ibo": "ig", "zul": "zu", "xho": "xh",
    "afr": "af", "als": "sq", "sqi": "sq", "bos": "bs", "hrv": "hr", "srp": "sr",
    "slv": "sl", "slk": "sk", "bul": "bg", "mkd": "mk", "cat": "ca", "glg": "gl",
    "eus": "eu", "est": "et", "lvs": "lv", "lav": "lv", "lit": "lt", "fuv": "ff",
    "ful": "ff", "kab": "kab", "tzm": "tzm", "zgh": "zgh",
}  # fmt: skip

_NLLB_TOKEN = re.compile(r"^([a-z]{3})_[A-Z][a-z]{3}$")
_M2M_TOKEN = re.compile(r"^__([a-z]{2,3})(?:_[A-Za-z]+)?__$")
_MADLAD_TOKEN = re.compile(r"^<2([a-z]{2,3})(?:_[A-Za-z]+)?>$")
_MARIAN_TOKEN = re.compile(r"^>>([a-z]{2,3})(?:_[A-Za-z]+)?<<$")
_OPUS_NAME = re.compile(r"opus-mt-(?:tc-(?:big|base)-)?([a-z]{2,3})-([a-z]{2,3})(?:$|[^a-z])")
_TOKEN_PATTERNS = {
    "nllb": _NLLB_TOKEN,
    "m2m100": _M2M_TOKEN,
    "madlad": _MADLAD_TOKEN,
}
_SPECIAL = frozenset({"<s>", "</s>", "<pad>", "<unk>", "<blank>", "<mask>"})
_BRACKETS = (("<", ">"), ("[", "]"), ("{", "}"), ("(", ")"))
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def language_code(code: str) -> str:
    """``arb``/``ara`` → ``ar``, ``en`` → ``en``; an unknown three-letter code stays as it is."""
    code = code.lower()
    return _ISO3.get(code, code)


@dataclass(frozen=True)
class ModelProblem:
    path: Path
    reason: str


@dataclass(frozen=True)
class CT2Model:
    """One installed converted model."""

    name: str
    family: str
    path: Path
    version: str
    #: language code → the token that names it on the source side ("" when none)
    sources: dict[str, str]
    #: language code → the token that asks for it ("" for a bilingual model)
    targets: dict[str, str]
    source_spm: str
    target_spm: str
    license: str = ""
    specials: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def multilingual(self) -> bool:
        return len(self.sources) > 1 or len(self.targets) > 1

    @property
    def label(self) -> str:
        return f"{self.name} ({self.family})"

    @property
    def ident(self) -> str:
        """What signatures name: ``<name>@<digest>``."""
        return f"{self.name}@{self.version}"

    def serves(self, source: str, target: str) -> bool:
        return source != target and source in self.sources and target in self.targets

    def codec(self) -> ModelCodec:
        return ModelCodec(self.path / self.source_spm, self.path / self.target_spm, self.specials)

    def hop(self, source: str, target: str, decoding: Decoding) -> Hop:
        """This model as one step ``source`` → ``target`` of the CTranslate2 core."""
        want = self.targets[target]
        prefix: tuple[str, ...] = ()
        target_prefix: tuple[str, ...] = ()
        if self.family in ("nllb", "m2m100"):
            prefix, target_prefix = (self.sources[source],), (want,)
        elif want:  # madlad's <2xx>, a multi-target OPUS-MT model's >>xxx<<
            prefix = (want,)
        return Hop(
            key=self.path,
            model_dir=self.path,
            label=f"{source}→{target} {self.label}",
            source=source,
            target=target,
            codec=self.codec,
            decoding=decoding,
            source_prefix=prefix,
            source_suffix=("</s>",),
            target_prefix=target_prefix,
        )


class ModelCodec:
    """SentencePiece in (the source model) and out (the target model), placeholders kept.

    Language tokens and other specials the model may emit are dropped before
    decoding. When a tokenizer cannot write ``<`` or ``>`` (some T5-style
    vocabularies lack them), placeholders travel as ``[g1]…[/g1]`` (or the first
    bracket pair both sides know) and are turned back afterwards.
    """

    def __init__(self, source_spm: Path, target_spm: Path, specials: Iterable[str] = ()) -> None:
        import sentencepiece

        self._source = sentencepiece.SentencePieceProcessor(model_file=str(source_spm))
        self._target = (
            self._source
            if target_spm == source_spm
            else sentencepiece.SentencePieceProcessor(model_file=str(target_spm))
        )
        self._drop = frozenset(specials) | _SPECIAL
        self.brackets = next(
            (pair for pair in _BRACKETS if self._knows("".join(pair) + "/")), _BRACKETS[0]
        )

    def _knows(self, characters: str) -> bool:
        for processor in {id(self._source): self._source, id(self._target): self._target}.values():
            unk = processor.unk_id()
            for char in characters:
                ids = processor.encode(char)
                if not ids or unk in ids:
                    return False
        return True

    def _swap(self, text: str, to_brackets: bool) -> str:
        left, right = self.brackets
        if left == "<":
            return text
        if to_brackets:
            return PLACEHOLDER.sub(lambda m: left + m[0][1:-1] + right, text)
        pattern = re.escape(left) + r"\s*(/?)\s*([gx])\s*(\d+)\s*(/?)\s*" + re.escape(right)
        return re.sub(pattern, lambda m: f"<{m[1]}{m[2]}{m[3]}{m[4]}>", text)

    def encode(self, sentence: str) -> list[str]:
        return list(self._source.encode(self._swap(sentence, True), out_type=str))

    def decode(self, tokens: list[str], source: str = "") -> str:
        kept = [t for t in tokens if t not in self._drop]
        text = str(self._target.decode_pieces(kept))
        # Pieces the target model does not know come back verbatim, word marks and all.
        if "\u2581" in text:
            text = re.sub(" {2,}", " ", text.replace("\u2581", " "))
        text = self._swap(text.strip(), False)
        return tidy_placeholders(text, source)

    def word_starts(self, tokens: list[str]) -> list[bool]:
        return [t.startswith("\u2581") for t in tokens]


def default_models_dir(configured: Path | None = None) -> Path:
    """The config's directory, else ``$XDG_DATA_HOME/translator-pipeline/models``."""
    import os

    if configured is not None:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "translator-pipeline" / "models"


# --- reading a model directory ------------------------------------------------------


def _vocabulary(directory: Path, where: Path) -> tuple[list[str], list[str], list[str]]:
    """(source tokens, target tokens, the files they came from); ``where`` names the
    directory in messages (the user's path, not the staging copy)."""

    def read(path: Path) -> list[str]:
        try:
            if path.suffix == ".json":
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
                    raise ValueError("not a JSON list of tokens")
                return data
            return path.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError) as exc:
            raise EngineError(
                f"{where / path.name}: unreadable vocabulary: {_one_line(exc)}"
            ) from exc

    for ext in (".json", ".txt"):
        shared = directory / f"shared_vocabulary{ext}"
        if shared.is_file():
            tokens = read(shared)
            return tokens, tokens, [shared.name]
        source, target = (directory / f"{side}_vocabulary{ext}" for side in ("source", "target"))
        if source.is_file() and target.is_file():
            return read(source), read(target), [source.name, target.name]
        if source.is_file() or target.is_file():
            missing = target if source.is_file() else source
            raise EngineError(f"{where / missing.name}: missing (the model has split vocabularies)")
    raise EngineError(
        f"{where / 'shared_vocabulary.json'}: missing (no CTranslate2 vocabulary: "
        "shared_vocabulary.json, or source_ and target_vocabulary.json)"
    )


def _languages(tokens: Iterable[str], pattern: re.Pattern[str]) -> dict[str, str]:
    """Language code → its token, the preferred token first when several map to one code."""
    found: dict[str, list[str]] = {}
    for token in tokens:
        m = pattern.match(token)
        if m:
            found.setdefault(language_code(m[1]), []).append(token)
    order = {code: i for i, code in enumerate(_ISO3)}

    def rank(token: str) -> tuple[int, str]:
        m = pattern.match(token)
        assert m is not None
        return (order.get(m[1], len(order)), token)

    return {code: min(tokens, key=rank) for code, tokens in sorted(found.items())}


def _tokenizers(directory: Path, family: str, where: Path) -> tuple[str, str]:
    """(source, target) SentencePiece file names for ``family``."""
    if family == "marian":
        missing = [n for n in ("source.spm", "target.spm") if not (directory / n).is_file()]
        if missing:
            raise EngineError(
                f"{where / missing[0]}: missing (an OPUS-MT model needs source.spm and "
                "target.spm; convert with --copy_files source.spm target.spm)"
            )
        return "source.spm", "target.spm"
    for name in ("sentencepiece.bpe.model", "spiece.model", "sentencepiece.model"):
        if (directory / name).is_file():
            return name, name
    others = sorted(p.name for p in directory.glob("*.model"))
    if len(others) == 1:
        return others[0], others[0]
    wanted = {
        "nllb": "sentencepiece.bpe.model",
        "m2m100": "sentencepiece.bpe.model",
        "madlad": "spiece.model",
    }[family]
    raise EngineError(
        f"{where / wanted}: missing (copy the original model's SentencePiece file in, "
        f"e.g. --copy_files {wanted})"
    )


def _family(
    source_tokens: list[str], target_tokens: list[str], directory: Path, where: Path
) -> str:
    for family, pattern in _TOKEN_PATTERNS.items():
        if sum(1 for t in target_tokens if pattern.match(t)) >= 2:
            return family
    if (directory / "source.spm").is_file() or (directory / "target.spm").is_file():
        return "marian"
    raise EngineError(
        f"{where}: cannot tell the model family: no source.spm/target.spm (OPUS-MT) and no "
        "language tokens in the vocabulary (NLLB eng_Latn, M2M-100 __en__, MADLAD <2en>)"
    )


def analyse(
    directory: Path,
    name: str,
    source: str | None = None,
    target: str | None = None,
    shown: Path | None = None,
) -> dict[str, Any]:
    """What ``directory`` holds, as the info file records it; EngineError naming the file
    (under ``shown``, the path the user gave, when the directory is a staging copy)."""
    directory = Path(directory)
    where = Path(shown) if shown is not None else directory
    for required in ("model.bin", "config.json"):
        if not (directory / required).is_file():
            raise EngineError(f"{where / required}: missing (not a CTranslate2 model directory)")
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        if not isinstance(config, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise EngineError(f"{where / 'config.json'}: unreadable: {_one_line(exc)}") from exc
    source_tokens, target_tokens, vocab_files = _vocabulary(directory, where)
    family = _family(source_tokens, target_tokens, directory, where)
    source_spm, target_spm = _tokenizers(directory, family, where)
    if family == "marian":
        guess = _OPUS_NAME.search(name.lower()) or _OPUS_NAME.search(directory.name.lower())
        src = source or (guess[1] if guess else None)
        tgt_tokens = _languages(source_tokens, _MARIAN_TOKEN)
        if tgt_tokens:
            targets = tgt_tokens
            if target:
                if language_code(target) not in targets:
                    raise EngineError(
                        f"{where}: the model has no >>xxx<< token for {target!r}; it has "
                        f"{', '.join(sorted(targets))}"
                    )
                targets = {language_code(target): targets[language_code(target)]}
        else:
            tgt = target or (guess[2] if guess else None)
            targets = {language_code(tgt): ""} if tgt else {}
        if not src or not targets:
            raise EngineError(
                f"{where}: cannot tell which languages this OPUS-MT model translates; "
                "give them (models install PATH --from en --to ar) or name the directory "
                "opus-mt-<from>-<to>"
            )
        sources = {language_code(src): ""}
    else:
        pattern = _TOKEN_PATTERNS[family]
        targets = _languages(target_tokens, pattern)
        sources = dict(targets) if family != "madlad" else dict.fromkeys(targets, "")
        for wanted, side in ((source, sources), (target, targets)):
            if wanted and language_code(wanted) not in side:
                raise EngineError(
                    f"{where}: the {family} model has no language token for {wanted!r}"
                )
    specials = sorted(
        {t for t in target_tokens if any(p.match(t) for p in _TOKEN_PATTERNS.values())}
        | {t for t in target_tokens if _MARIAN_TOKEN.match(t)}
        | {t for t in target_tokens if t.startswith("madeupword") or t.startswith("<extra_id_")}
    )
    files = ["model.bin", "config.json", *vocab_files, *dict.fromkeys([source_spm, target_spm])]
    return {
        "name": name,
        "family": family,
        "sources": sources,
        "targets": targets,
        "source_spm": source_spm,
        "target_spm": target_spm,
        "files": files,
        "specials": specials,
        "version": _digest(directory, files),
    }


def _digest(directory: Path, files: list[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        with (directory / name).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def _model_from(path: Path, info: dict[str, Any]) -> CT2Model:
    return CT2Model(
        name=str(info["name"]),
        family=str(info["family"]),
        path=path,
        version=str(info["version"]),
        sources={str(k): str(v) for k, v in info["sources"].items()},
        targets={str(k): str(v) for k, v in info["targets"].items()},
        source_spm=str(info["source_spm"]),
        target_spm=str(info["target_spm"]),
        license=str(info.get("license") or ""),
        specials=frozenset(info.get("specials") or ()),
    )


def find_models(directory: Path) -> tuple[list[CT2Model], list[ModelProblem]]:
    """Installed models in ``directory`` (sorted by name) and the broken ones with reasons."""
    models: list[CT2Model] = []
    problems: list[ModelProblem] = []
    if not Path(directory).is_dir():
        return models, problems
    for path in sorted(p for p in Path(directory).iterdir() if p.is_dir()):
        if path.name.startswith("."):
            continue
        info_path = path / INFO_FILE
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if info.get("family") not in FAMILIES:
                raise ValueError(f"unknown family {info.get('family')!r}")
            missing = [f for f in info.get("files", []) if not (path / f).is_file()]
            if missing:
                raise ValueError(f"{missing[0]} is missing")
            models.append(_model_from(path, info))
        except FileNotFoundError:
            problems.append(ModelProblem(path, f"no {INFO_FILE} (install with `models install`)"))
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
            problems.append(ModelProblem(path, f"{INFO_FILE}: {_one_line(exc)}"))
    return models, problems


# --- installing ---------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    return (" ".join(str(exc).split()) or type(exc).__name__)[:300]


def _unpack(archive: Path, into: Path) -> None:
    """Extract a .zip or .tar(.gz/.bz2/.xz) archive, refusing unsafe members."""
    from translator_pipeline.engines.argos_packages import MAX_UNPACKED_BYTES

    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                for info in infos:
                    parts = Path(info.filename).parts
                    if info.filename.startswith(("/", "\\")) or ".." in parts:
                        raise EngineError(f"{archive}: unsafe path in archive: {info.filename!r}")
                    if (info.external_attr >> 16) & 0o170000 == 0o120000:
                        raise EngineError(f"{archive}: archive holds a link: {info.filename!r}")
                if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                    raise EngineError(f"{archive}: unpacks to more than {MAX_UNPACKED_BYTES} bytes")
                zf.extractall(into)  # noqa: S202 -- every member checked above
            return
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                members = tf.getmembers()
                for member in members:
                    if member.name.startswith("/") or ".." in Path(member.name).parts:
                        raise EngineError(f"{archive}: unsafe path in archive: {member.name!r}")
                    if not (member.isfile() or member.isdir()):
                        raise EngineError(f"{archive}: archive holds a link: {member.name!r}")
                if sum(m.size for m in members) > MAX_UNPACKED_BYTES:
                    raise EngineError(f"{archive}: unpacks to more than {MAX_UNPACKED_BYTES} bytes")
                tf.extractall(into, filter="data")
            return
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise EngineError(f"{archive}: corrupt archive: {_one_line(exc)}") from exc
    raise EngineError(f"{archive}: not a model directory, .zip or .tar.gz archive")


def _model_root(unpacked: Path, shown: Path) -> Path:
    """The directory holding model.bin: the top, or its only subdirectory."""
    if (unpacked / "model.bin").is_file():
        return unpacked
    entries = [p for p in unpacked.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        return _model_root(entries[0], shown) if entries[0] != unpacked else unpacked
    raise EngineError(
        f"{shown}/model.bin: missing (not a CTranslate2 model directory, nor one holding "
        "a single such directory)"
    )


def install_model(
    path: Path,
    models_dir: Path,
    name: str | None = None,
    source: str | None = None,
    target: str | None = None,
    license: str | None = None,
) -> CT2Model:
    """Check and install a converted model (directory or archive) as ``models_dir/<name>``.

    Everything happens in a staging directory beside ``models_dir``; only a model whose
    files, languages, tokenizers and CTranslate2 weights all load is renamed into place.
    An installed model of the same name is replaced in one rename.
    """
    from translator_pipeline.engines.argos_packages import move_into_place, new_staging_dir

    path = Path(path)
    if not path.exists():
        raise EngineError(f"{path}: no such file or directory")
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = new_staging_dir(models_dir)
    try:
        work = staging / "unpacked"
        if path.is_dir():
            root = _model_root(path, path)
            shutil.copytree(root, work, symlinks=False)
            default_name, shown = root.name, root
        else:
            work.mkdir()
            _unpack(path, work)
            top = _model_root(work, path)
            inner = top.relative_to(work).as_posix()
            default_name = top.name if inner != "." else _stem(path)
            shown = Path(f"{path}:{inner}") if inner != "." else path
            work = top
        name = name or default_name
        if not _NAME.match(name):
            raise EngineError(
                f"{path}: {name!r} is not a usable model name (letters, digits, . _ -); "
                "give one with --name"
            )
        info = analyse(work, name, source, target, shown=shown)
        if license:
            info["license"] = license
        _check_loads(work, info, path)
        (work / INFO_FILE).write_text(
            json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        final = models_dir / name
        move_into_place(work, final, staging, marker=INFO_FILE, marker_first=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    models, problems = find_models(models_dir)
    for model in models:
        if model.path == final:
            return model
    reason = next((p.reason for p in problems if p.path == final), "unknown problem")
    raise EngineError(f"{path}: installed but cannot be read back: {reason}")


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _check_loads(work: Path, info: dict[str, Any], shown: Path) -> None:
    import ctranslate2
    import sentencepiece

    for spm_name in dict.fromkeys([info["source_spm"], info["target_spm"]]):
        try:
            sentencepiece.SentencePieceProcessor(model_file=str(work / spm_name))
        except Exception as exc:  # sentencepiece raises assorted types on a bad file
            raise EngineError(
                f"{shown}/{spm_name}: not a SentencePiece model: {_one_line(exc)}"
            ) from exc
    try:
        ctranslate2.Translator(str(work), device="cpu", intra_threads=1)
    except (RuntimeError, ValueError, OSError) as exc:
        raise EngineError(
            f"{shown}/model.bin: CTranslate2 cannot load the model: {_one_line(exc)}"
        ) from exc


def remove_model(model: CT2Model) -> None:
    """Remove an installed model: renamed out of the models directory, then deleted."""
    from translator_pipeline.engines.argos_packages import new_staging_dir

    staging = new_staging_dir(model.path.parent)
    try:
        shutil.move(str(model.path), str(staging / "removed"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
