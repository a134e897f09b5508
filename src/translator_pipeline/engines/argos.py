"""The production engine: installed Argos packages run directly on CTranslate2.

Why not ``argostranslate.translate``: it loads a sentence-boundary model
(downloaded on first use), translates one paragraph at a time with four
hypotheses, and its SentencePiece decoding turns every ``_`` into a space.
Here every sentence of every text in a batch goes to CTranslate2 in one
``translate_batch`` call per package (token-based batches), duplicates once,
with the package's own tokenizer and ``target_prefix``. When no direct
package exists the batch goes through the pivot language (English).

A CTranslate2 translator is loaded once per package per process.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ArgosSettings
from ..errors import EngineError
from ..models import EngineSignature
from ..sentences import split_with_spacing
from .argos_packages import ArgosPackage, best_by_pair, default_packages_dir, find_packages, route

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["ENGINE_VERSION", "ArgosTranslator"]

ENGINE_VERSION = "1"
_SP_SPACE = "\u2581"


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
        self._lock = threading.Lock()

    # --- the Translator protocol -------------------------------------------

    def route(self, source: str, target: str) -> list[ArgosPackage] | None:
        return route(self.pairs, source, target, self.options.pivot_language)

    def supports(self, source: str, target: str) -> bool:
        return source != target and self.route(source, target) is not None

    def signature(self, source: str, target: str) -> EngineSignature:
        hops = self.route(source, target)
        if not hops:
            raise EngineError("no Argos package for this pair", source=source, target=target)
        o = self.options
        return EngineSignature(
            engine="argos",
            model="+".join(f"{p.from_code}_{p.to_code}@{p.version}" for p in hops),
            version=f"{ENGINE_VERSION};beam={o.beam_size};max_in={o.max_input_tokens}",
            pivot=(source, *(p.to_code for p in hops)) if len(hops) > 1 else (),
        )

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
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
        for package in hops:
            out = self._translate_hop(out, package)
        return out

    # --- internals ------------------------------------------------------------

    def _translator(self, package: ArgosPackage) -> Any:
        with self._lock:
            found = self._translators.get(package.path)
            if found is None:
                import ctranslate2

                device = self.options.device
                if device == "auto":
                    device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
                try:
                    found = ctranslate2.Translator(
                        str(package.path / "model"),
                        device=device,
                        compute_type=self.options.compute_type,
                        inter_threads=self.options.inter_threads,
                        intra_threads=self.options.intra_threads,
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise EngineError(
                        f"cannot load the CTranslate2 model of {package.label}: {exc}",
                        source=package.from_code,
                        target=package.to_code,
                    ) from exc
                self._translators[package.path] = found
            return found

    def _encode(self, package: ArgosPackage, sentence: str) -> list[str]:
        return list(package.package.tokenizer.encode(sentence))

    def _decode(self, package: ArgosPackage, tokens: list[str]) -> str:
        tokenizer = package.package.tokenizer
        processor = getattr(tokenizer, "lazy_processor", None)
        if processor is not None:
            # SentencePiece: decode ourselves; argostranslate's decode also turns "_" into spaces.
            return str(processor().decode_pieces(tokens))
        return str(tokenizer.decode(tokens))

    def _chunks(self, tokens: list[str]) -> list[list[str]]:
        """Cut a token list longer than the model input limit, at word starts when possible."""
        limit = self.options.max_input_tokens
        if len(tokens) <= limit:
            return [tokens]
        chunks, start = [], 0
        while start < len(tokens):
            end = min(start + limit, len(tokens))
            if end < len(tokens):
                for cut in range(end, start + limit // 2, -1):
                    if tokens[cut].startswith(_SP_SPACE):
                        end = cut
                        break
            chunks.append(tokens[start:end])
            start = end
        return chunks

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

    def _translate_hop(self, texts: list[str], package: ArgosPackage) -> list[str]:
        return [options[0] for options in self._translate_hop_nbest(texts, package, 1)]

    def _translate_hop_nbest(
        self, texts: list[str], package: ArgosPackage, n: int
    ) -> list[list[str]]:
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
            return [[text] for text in texts]
        # 2. tokenise, cut long sentences, one batch for the whole hop
        batch: list[list[str]] = []
        owners: list[int] = []
        for sid, sentence in enumerate(unique):
            for chunk in self._chunks(self._encode(package, sentence)):
                batch.append(chunk)
                owners.append(sid)
        o = self.options
        longest = max((len(t) for t in batch), default=1)
        prefix = package.target_prefix
        try:
            results = self._translator(package).translate_batch(
                batch,
                target_prefix=[[prefix]] * len(batch) if prefix else None,
                beam_size=max(o.beam_size, n),
                num_hypotheses=n,
                max_batch_size=o.max_batch_tokens,
                batch_type="tokens",
                max_decoding_length=int(longest * o.max_decoding_ratio) + o.max_decoding_extra,
                replace_unknowns=True,
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                f"CTranslate2 failed on {package.label}: {exc}",
                source=package.from_code,
                target=package.to_code,
            ) from exc
        # 3. decode every hypothesis; glue chunks back into sentences (rank by rank)
        ranks: list[list[list[str]]] = [[[] for _ in range(n)] for _ in unique]
        for sid, result in zip(owners, results, strict=True):
            hyps = list(result.hypotheses) or [[]]
            for k in range(n):
                tokens = list(hyps[min(k, len(hyps) - 1)])
                if prefix and tokens and tokens[0] == prefix:
                    tokens = tokens[1:]
                ranks[sid][k].append(self._decode(package, tokens).strip())
        sentences = list(unique)
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

    def describe(self) -> dict[str, Any]:
        """What this engine can do, for ``models list`` and error messages."""
        return {
            "directory": str(self.directory),
            "packages": [p.label for p in self.pairs.values()],
            "problems": [f"{p.path.name}: {p.reason}" for p in self.problems],
        }


_PLACEHOLDER = re.compile(r"</?g\d+>|<x\d+/>")


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))
