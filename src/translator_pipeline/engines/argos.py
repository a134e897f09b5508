"""The production engine: installed Argos packages run directly on CTranslate2.

Why not ``argostranslate.translate``: it loads a sentence-boundary model
(downloaded on first use), translates one paragraph at a time (one
``translate_batch`` call each, beam 4, one hypothesis), and its SentencePiece
decoding turns every ``_`` into a space. Here every sentence of every text in a
batch goes to CTranslate2 in one ``translate_batch`` call per package
(token-based batches), duplicates once, with the package's own tokenizer
(SentencePiece or Moses+BPE, see :mod:`.argos_tokens`) and ``target_prefix``,
decoded as argostranslate decodes unless the settings say otherwise. When no
direct package exists the batch goes through the pivot language (English).

A CTranslate2 translator is loaded once per package per process.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translator_pipeline.config.settings import ArgosSettings
from translator_pipeline.engines.argos_packages import (
    ArgosPackage,
    best_by_pair,
    default_packages_dir,
    find_packages,
    route,
)
from translator_pipeline.engines.argos_tokens import Codec, codec_for
from translator_pipeline.engines.sentences import split_with_spacing
from translator_pipeline.errors import EngineError
from translator_pipeline.html.placeholders import PLACEHOLDER as _PLACEHOLDER
from translator_pipeline.models import EngineSignature

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

__all__ = ["ArgosTranslator", "resolve_device"]

ENGINE_VERSION = "2"
log = logging.getLogger(__name__)

# Decoding for the sentences the repetition guard re-translates.
GUARD_REPETITION_PENALTY = 1.2
GUARD_NO_REPEAT_NGRAM = 3


@dataclass(frozen=True)
class Runtime:
    """Where CTranslate2 runs, as resolved when the first model loaded."""

    device: str
    device_index: tuple[int, ...]
    compute_type: str

    def __str__(self) -> str:
        index = ",".join(map(str, self.device_index))
        where = self.device if self.device == "cpu" else f"{self.device}:{index}"
        return f"{where};{self.compute_type}"


def resolve_device(setting: str | None) -> tuple[str, tuple[int, ...]]:
    """``(device, indices)`` from the config value, else ``$ARGOS_DEVICE_TYPE``, else CPU.

    ``auto`` stays ``auto`` (decided when a model loads); ``cuda:1`` and
    ``cuda:0,1`` choose devices.
    """
    value = setting
    if value is None:
        env = os.environ.get("ARGOS_DEVICE_TYPE", "").strip().lower()
        if env and not re.fullmatch(r"cpu|auto|cuda(:[0-9]+(,[0-9]+)*)?", env):
            log.warning("ARGOS_DEVICE_TYPE=%r is not cpu, cuda or auto; using cpu", env)
            env = ""
        value = env or "cpu"
    device, _, index = value.partition(":")
    return device, tuple(int(i) for i in index.split(",")) if index else (0,)


class ArgosTranslator:
    """Engine ``argos``."""

    name = "argos"
    pseudo = False

    def __init__(self, settings: Settings | ArgosSettings | None = None) -> None:
        if settings is None:
            options = ArgosSettings()
        elif isinstance(settings, ArgosSettings):
            options = settings
        else:
            options = settings.argos
        self.options = options
        self.directory = default_packages_dir(options.packages_dir)
        packages, self.problems = find_packages(self.directory)
        self.pairs = best_by_pair(packages)
        self._translators: dict[Path, Any] = {}
        self._codecs: dict[Path, Codec] = {}
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()

    # --- the Translator protocol -------------------------------------------

    def route(self, source: str, target: str) -> list[ArgosPackage] | None:
        return route(self.pairs, source, target, self.options.pivot_language)

    def supports(self, source: str, target: str) -> bool:
        return source != target and self.route(source, target) is not None

    def signature(self, source: str, target: str) -> EngineSignature:
        """Packages, decoding settings, device and compute type: what decides the output.

        The device and compute type are those CTranslate2 actually chose, so the
        first call loads a model (once per process; the others reuse its answer
        unless ``compute_type = "default"``, which depends on each model).
        """
        hops = self.route(source, target)
        if not hops:
            raise EngineError("no Argos package for this pair", source=source, target=target)
        o = self.options
        runtime = self.runtime(hops[0])
        decoding = f"beam={o.beam_size};lp={o.length_penalty:g};max_in={o.max_input_tokens}"
        if o.repetition_penalty != 1.0 or o.no_repeat_ngram_size:
            decoding += f";rep={o.repetition_penalty:g};nrng={o.no_repeat_ngram_size}"
        if o.repetition_guard:
            decoding += ";guard"
        return EngineSignature(
            engine="argos",
            model="+".join(f"{p.from_code}_{p.to_code}@{p.version}" for p in hops),
            version=f"{ENGINE_VERSION};{decoding};{runtime}",
            pivot=(source, *(p.to_code for p in hops)) if len(hops) > 1 else (),
        )

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [text for text, _ in self.translate_batch_scored(texts, source, target)]

    def translate_batch_scored(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[tuple[str, float | None]]:
        """Translations with the model's confidence in each: the mean log-probability
        of its tokens (CTranslate2's scores, length penalty undone); through a pivot,
        the weaker hop's. None for a text with nothing to translate."""
        hops = self.route(source, target)
        if hops is None:
            raise EngineError(
                f"no Argos package installed in {self.directory} for this pair or its "
                f"{self.options.pivot_language} pivot; run: translator-pipeline models install "
                f"{source} {target}",
                source=source,
                target=target,
            )
        out = list(texts)
        scores: list[float | None] = [None] * len(out)
        for package in hops:
            hop_scores: list[float | None] = []
            out = [o[0] for o in self._translate_hop_nbest(out, package, 1, hop_scores)]
            scores = [
                h if s is None else (s if h is None else min(s, h))
                for s, h in zip(scores, hop_scores, strict=True)
            ]
        return list(zip(out, scores, strict=True))

    def translate_alternatives(
        self, texts: Sequence[str], source: str, target: str, n: int
    ) -> list[list[str]]:
        """Up to ``n`` translations of each text, the engine's best first.

        The second is built sentence by sentence from the first hypothesis that keeps
        the sentence's placeholders (``<g1>``, ``<x2/>``) exactly; the others take
        every sentence's k-th hypothesis. A pivot's first hop uses its best only.
        """
        hops = self.route(source, target)
        if hops is None:
            raise EngineError("no Argos package for this pair", source=source, target=target)
        out = list(texts)
        for package in hops[:-1]:
            out = self._translate_hop(out, package)
        n = max(1, min(n, self.options.beam_size))
        return self._translate_hop_nbest(out, hops[-1], n)

    # --- loading --------------------------------------------------------------

    def runtime(self, package: ArgosPackage) -> Runtime:
        """Device and compute type (loads ``package``'s model if nothing is known yet)."""
        if self._runtime is None or self.options.compute_type == "default":
            translator = self._translator(package)
            return Runtime(
                str(translator.device), tuple(translator.device_index), translator.compute_type
            )
        return self._runtime

    def _translator(self, package: ArgosPackage) -> Any:
        with self._lock:
            found = self._translators.get(package.path)
            if found is None:
                found = self._load(package)
                self._translators[package.path] = found
                if self._runtime is None:
                    self._runtime = Runtime(
                        str(found.device), tuple(found.device_index), found.compute_type
                    )
            return found

    def _load(self, package: ArgosPackage) -> Any:
        import ctranslate2

        o = self.options
        device, index = resolve_device(o.device)
        if self._runtime is not None:  # every package runs where the first one does
            device, index = self._runtime.device, self._runtime.device_index

        def load(on: str) -> Any:
            return ctranslate2.Translator(
                str(package.path / "model"),
                device=on,
                device_index=list(index) if on == "cuda" else 0,
                compute_type=o.compute_type,
                inter_threads=o.inter_threads,
                intra_threads=o.intra_threads,
            )

        try:
            if device != "auto":
                return load(device)
            if ctranslate2.get_cuda_device_count() > 0:
                try:
                    return load("cuda")
                except (RuntimeError, ValueError) as exc:
                    log.warning(
                        "device = auto: CUDA is present but cannot be used (%s); "
                        "translating on the CPU",
                        " ".join(str(exc).split()),
                    )
            return load("cpu")
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(
                f"cannot load the CTranslate2 model of {package.label} on {device}: "
                f"{' '.join(str(exc).split())}",
                source=package.from_code,
                target=package.to_code,
            ) from exc

    def _codec(self, package: ArgosPackage) -> Codec:
        codec = self._codecs.get(package.path)
        if codec is None:
            codec = self._codecs[package.path] = codec_for(package.package)
        return codec

    # --- translation ------------------------------------------------------------

    def _chunks(self, tokens: list[str], starts: list[bool]) -> list[list[str]]:
        """Cut a token list longer than the model input limit, between words when possible."""
        limit = self.options.max_input_tokens
        if len(tokens) <= limit:
            return [tokens]
        chunks, start = [], 0
        while start < len(tokens):
            end = min(start + limit, len(tokens))
            if end < len(tokens):
                for cut in range(end, start + limit // 2, -1):
                    if starts[cut]:
                        end = cut
                        break
            chunks.append(tokens[start:end])
            start = end
        return chunks

    def _decoding(self, n: int, longest: int, guarded: bool = False) -> dict[str, Any]:
        o = self.options
        options: dict[str, Any] = {
            "beam_size": max(o.beam_size, n),
            "num_hypotheses": n,
            "length_penalty": o.length_penalty,
            "repetition_penalty": o.repetition_penalty,
            "no_repeat_ngram_size": o.no_repeat_ngram_size,
            "max_batch_size": o.max_batch_tokens,
            "batch_type": "tokens",
            "max_decoding_length": self._length_limit(longest),
            "replace_unknowns": True,
        }
        if guarded:
            options["repetition_penalty"] = max(o.repetition_penalty, GUARD_REPETITION_PENALTY)
            options["no_repeat_ngram_size"] = o.no_repeat_ngram_size or GUARD_NO_REPEAT_NGRAM
        return options

    def _length_limit(self, source_tokens: int) -> int:
        o = self.options
        return int(source_tokens * o.max_decoding_ratio) + o.max_decoding_extra

    def _run(self, package: ArgosPackage, batch: list[list[str]], **options: Any) -> list[Any]:
        prefix = package.target_prefix
        try:
            return list(
                self._translator(package).translate_batch(
                    batch, target_prefix=[[prefix]] * len(batch) if prefix else None, **options
                )
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                f"CTranslate2 failed on {package.label}: {exc}",
                source=package.from_code,
                target=package.to_code,
            ) from exc

    def _translate_hop(self, texts: list[str], package: ArgosPackage) -> list[str]:
        return [options[0] for options in self._translate_hop_nbest(texts, package, 1)]

    def _translate_hop_nbest(
        self,
        texts: list[str],
        package: ArgosPackage,
        n: int,
        scores: list[float | None] | None = None,
    ) -> list[list[str]]:
        """``n`` hypotheses per text; with ``scores`` (a list to fill), each text's mean
        token log-probability of the best one, in order."""
        codec = self._codec(package)
        # 1. sentences of every text, unique ones collected in first-seen order
        layout: list[list[tuple[int, str]] | None] = []
        unique: dict[str, int] = {}
        for text in texts:
            if not text.strip():
                layout.append(None)
                continue
            parts = split_with_spacing(text, package.from_code)
            layout.append([(unique.setdefault(s, len(unique)), ws) for s, ws in parts])
        if not unique:
            if scores is not None:
                scores.extend([None] * len(texts))
            return [[text] for text in texts]
        # 2. tokenise, cut long sentences between words, one batch for the whole hop
        batch: list[list[str]] = []
        owners: list[int] = []
        for sid, sentence in enumerate(unique):
            tokens = codec.encode(sentence)
            for chunk in self._chunks(tokens, codec.word_starts(tokens)):
                batch.append(chunk)
                owners.append(sid)
        longest = max((len(t) for t in batch), default=1)
        decoding = self._decoding(n, longest)
        if scores is not None:
            decoding["return_scores"] = True
        results = self._run(package, batch, **decoding)
        hypotheses = [self._tokens(result, package, n) for result in results]
        if self.options.repetition_guard:
            self._guard(package, batch, hypotheses, n, results if scores is not None else None)
        if scores is not None:
            scores.extend(self._text_scores(results, owners, layout, decoding))
        # 3. decode every hypothesis; glue chunks back into sentences (rank by rank)
        sentences = list(unique)
        ranks: list[list[list[str]]] = [[[] for _ in range(n)] for _ in unique]
        for sid, hyps in zip(owners, hypotheses, strict=True):
            for k in range(n):
                ranks[sid][k].append(codec.decode(hyps[k], sentences[sid]))
        options = [[" ".join(p for p in parts if p) for parts in r] for r in ranks]
        if n > 1:
            for sid, sentence in enumerate(sentences):
                keep = _placeholders(sentence)
                best = next((h for h in options[sid] if _placeholders(h) == keep), options[sid][0])
                options[sid].insert(1, best)
        out = []
        width = len(options[0]) if options else 1
        for text, layout_row in zip(texts, layout, strict=True):
            if layout_row is None:
                out.append([text] * min(width, 1))
                continue
            alternatives = [
                "".join(options[sid][k] + ws for sid, ws in layout_row).strip()
                for k in range(width)
            ]
            out.append(list(dict.fromkeys(alternatives)))
        return out

    @staticmethod
    def _text_scores(
        results: list[Any],
        owners: list[int],
        layout: list[list[tuple[int, str]] | None],
        decoding: dict[str, Any],
    ) -> list[float | None]:
        """Each text's mean token log-probability over its sentences' chunks.

        CTranslate2 scores a hypothesis as its summed log-probability divided by
        ``(tokens + 1) ** length_penalty`` (the end token counts): undone here, so
        scores compare across lengths and settings."""
        penalty = float(decoding.get("length_penalty") or 0.0)
        total: dict[int, float] = defaultdict(float)
        count: dict[int, int] = defaultdict(int)
        for sid, result in zip(owners, results, strict=True):
            if not getattr(result, "scores", None) or not result.hypotheses:
                continue
            length = len(result.hypotheses[0]) + 1
            total[sid] += float(result.scores[0]) * length**penalty
            count[sid] += length
        out: list[float | None] = []
        for row in layout:
            sids = {sid for sid, _ in row} if row else set()
            tokens = sum(count[s] for s in sids)
            out.append(round(sum(total[s] for s in sids) / tokens, 4) if tokens else None)
        return out

    @staticmethod
    def _tokens(result: Any, package: ArgosPackage, n: int) -> list[list[str]]:
        """``n`` token lists (the last repeated if fewer came back), target prefix dropped."""
        hyps = [list(h) for h in result.hypotheses] or [[]]
        prefix = package.target_prefix
        out = []
        for k in range(n):
            tokens = hyps[min(k, len(hyps) - 1)]
            if prefix and tokens and tokens[0] == prefix:
                tokens = tokens[1:]
            out.append(tokens)
        return out

    def _guard(
        self,
        package: ArgosPackage,
        batch: list[list[str]],
        hypotheses: list[list[list[str]]],
        n: int,
        results: list[Any] | None = None,
    ) -> None:
        """Re-decode, with repetition penalties, the inputs whose best output loops.

        Looping output ("the the the …", a phrase over and over, or output cut
        at the length limit) is the classic failure of small NMT models. The
        penalties would change every other sentence too, so only these go again.
        """
        bad = [
            i
            for i, (source, hyps) in enumerate(zip(batch, hypotheses, strict=True))
            if _degenerate(hyps[0], source, self._length_limit(len(source)))
        ]
        if not bad:
            return
        retry = [batch[i] for i in bad]
        longest = max(len(t) for t in retry)
        decoding = self._decoding(n, longest, guarded=True)
        if results is not None:
            decoding["return_scores"] = True
        again = self._run(package, retry, **decoding)
        for i, result in zip(bad, again, strict=True):
            hypotheses[i] = self._tokens(result, package, n)
            if results is not None:
                results[i] = result  # its score is the re-decoded output's
        log.info("repetition guard re-translated %d of %d inputs", len(bad), len(batch))


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _tandem_repeats(tokens: Sequence[str], max_n: int = 4) -> int:
    """The most times any n-gram (n ≤ ``max_n``) occurs back to back in ``tokens``."""
    best = 1
    for n in range(1, max_n + 1):
        i = 0
        while i + 2 * n <= len(tokens):
            count = 1
            while tokens[i + count * n : i + (count + 1) * n] == tokens[i : i + n]:
                count += 1
            best = max(best, count)
            i += max(1, (count - 1) * n) if count > 1 else 1
    return best


def _degenerate(output: Sequence[str], source: Sequence[str], limit: int) -> bool:
    """Whether ``output`` loops (and ``source`` does not) or ran to the length limit."""
    if len(output) >= limit:
        return True
    repeats = _tandem_repeats(output)
    return repeats >= 3 and repeats > _tandem_repeats(source)
