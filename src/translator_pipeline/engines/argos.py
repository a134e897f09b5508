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

A CTranslate2 translator is loaded once per package per process. Batching, decoding,
the repetition guard and scores are shared with the other CTranslate2 engine
(:mod:`.ct2_core`); this module only finds packages and routes pairs to them.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from translator_pipeline.engines.argos_tokens import codec_for
from translator_pipeline.engines.ct2_core import (
    CTranslate2Core,
    Decoding,
    Hop,
    Runtime,
    RuntimeOptions,
    resolve_device,
)
from translator_pipeline.engines.ct2_core import degenerate as _degenerate  # noqa: F401 (old name)
from translator_pipeline.errors import EngineError
from translator_pipeline.models import EngineSignature

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

__all__ = ["ArgosTranslator", "argos_decoding", "argos_hop", "resolve_device"]

ENGINE_VERSION = "2"


def runtime_options(options: Any) -> RuntimeOptions:
    """The model-loading part of an engine's settings."""
    return RuntimeOptions(
        device=options.device,
        compute_type=options.compute_type,
        inter_threads=options.inter_threads,
        intra_threads=options.intra_threads,
    )


def argos_decoding(options: ArgosSettings) -> Decoding:
    """How Argos packages decode: argostranslate's defaults unless the settings say otherwise."""
    return Decoding(
        beam_size=options.beam_size,
        length_penalty=options.length_penalty,
        repetition_penalty=options.repetition_penalty,
        no_repeat_ngram_size=options.no_repeat_ngram_size,
        repetition_guard=options.repetition_guard,
        max_batch_tokens=options.max_batch_tokens,
        max_input_tokens=options.max_input_tokens,
        max_decoding_ratio=options.max_decoding_ratio,
        max_decoding_extra=options.max_decoding_extra,
    )


def argos_hop(package: ArgosPackage, decoding: Decoding) -> Hop:
    """One installed Argos package as a step of the shared CTranslate2 core."""
    return Hop(
        key=package.path,
        model_dir=package.path / "model",
        label=package.label,
        source=package.from_code,
        target=package.to_code,
        codec=lambda: codec_for(package.package),
        decoding=decoding,
        target_prefix=(package.target_prefix,) if package.target_prefix else (),
    )


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
        self.decoding = argos_decoding(options)
        self.core = CTranslate2Core(runtime_options(options))
        self._translators = self.core.translators  # the same dict (tests swap in spies)
        self._hops: dict[Path, Hop] = {}

    def hop(self, package: ArgosPackage) -> Hop:
        found = self._hops.get(package.path)
        if found is None:
            found = self._hops[package.path] = argos_hop(package, self.decoding)
        return found

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
        runtime = self.runtime(hops[0])
        return EngineSignature(
            engine="argos",
            model="+".join(f"{p.from_code}_{p.to_code}@{p.version}" for p in hops),
            version=f"{ENGINE_VERSION};{self.decoding.describe()};{runtime}",
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
        return self.core.translate_scored(texts, [self.hop(p) for p in hops])

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
        return self.core.alternatives(texts, [self.hop(p) for p in hops], n)

    # --- loading --------------------------------------------------------------

    def runtime(self, package: ArgosPackage) -> Runtime:
        """Device and compute type (loads ``package``'s model if nothing is known yet)."""
        return self.core.runtime(self.hop(package))

    def _translator(self, package: ArgosPackage) -> Any:
        return self.core.translator(self.hop(package))

    def _chunks(self, tokens: list[str], starts: list[bool]) -> list[list[str]]:
        """Cut a token list longer than the model input limit, between words when possible."""
        return self.core.chunks(tokens, starts, self.options.max_input_tokens)
