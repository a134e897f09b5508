"""Engine ``ctranslate2``: any converted CTranslate2 translation model, routed per pair.

OPUS-MT (Marian), NLLB-200, M2M-100 and MADLAD-400 models installed with
``translator-pipeline models install PATH`` (see :mod:`.ct2_models`), and the
Argos packages the ``argos`` engine reads, all run on one
:class:`~.ct2_core.CTranslate2Core`: the same batching, sentence cutting,
repetition guard, scores and device handling, each model with its family's
decoding defaults.

Which model serves a pair, in order:

1. the model ``[engines.ctranslate2.routes]`` names for it (``"argos"``: Argos' own
   route, direct or through its pivot); a route naming a model that is not
   installed makes the pair unavailable rather than quietly using another;
2. an installed bilingual model (OPUS-MT), then a multilingual one (NLLB, M2M-100,
   MADLAD), then an Argos package: a direct pair always beats a pivot;
3. two such direct steps through ``pivot_language``.

The choice is in every signature (``model=opus-mt-en-ar@<digest>`` or
``argos:fr_en@1.9+nllb-600m@<digest>``), hence in the run report and in each
published variant, and ``models list`` prints it per pair.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from translator_pipeline.config.settings import ArgosSettings, CTranslate2Settings
from translator_pipeline.engines.argos import argos_decoding, argos_hop, runtime_options
from translator_pipeline.engines.argos_packages import (
    best_by_pair,
    default_packages_dir,
    find_packages,
)
from translator_pipeline.engines.argos_packages import route as argos_route
from translator_pipeline.engines.ct2_core import CTranslate2Core, Decoding, Hop, Runtime
from translator_pipeline.engines.ct2_models import (
    FAMILY_DECODING,
    CT2Model,
    default_models_dir,
    find_models,
)
from translator_pipeline.errors import EngineError
from translator_pipeline.models import EngineSignature

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

__all__ = ["CTranslate2Translator", "Step"]

ENGINE_VERSION = "1"


@dataclass(frozen=True)
class Step:
    """One hop of a route and how it is named."""

    hop: Hop
    ident: str  # in signatures: "opus-mt-en-ar@1a2b3c…" or "argos:en_ar@1.0"
    family: str  # marian, nllb, m2m100, madlad or argos

    @property
    def shown(self) -> str:
        return f"{self.ident.split('@')[0]} ({self.family})"


class CTranslate2Translator:
    """Engine ``ctranslate2``."""

    name = "ctranslate2"
    pseudo = False

    def __init__(
        self,
        settings: Settings | CTranslate2Settings | None = None,
        argos: ArgosSettings | None = None,
    ) -> None:
        if settings is None or isinstance(settings, CTranslate2Settings):
            options = settings or CTranslate2Settings()
            argos = argos or ArgosSettings()
        else:
            options = settings.engines.ctranslate2
            argos = argos or settings.argos
        self.options = options
        self.argos_options = argos
        self.models_dir = default_models_dir(options.models_dir)
        models, self.problems = find_models(self.models_dir)
        self.models: dict[str, CT2Model] = {m.name: m for m in models}
        self.argos_pairs = {}
        self.packages_dir: Path | None = None
        if options.use_argos:
            self.packages_dir = default_packages_dir(argos.packages_dir)
            self.argos_pairs = best_by_pair(find_packages(self.packages_dir)[0])
        self.core = CTranslate2Core(runtime_options(options))
        self._argos_decoding = argos_decoding(argos)
        self._steps: dict[tuple[str, str, str], Step] = {}

    # --- routing ----------------------------------------------------------------

    def decoding(self, family: str) -> Decoding:
        """A family's decoding defaults with the settings' overrides applied."""
        if family == "argos":
            return self._argos_decoding
        o, base = self.options, FAMILY_DECODING[family]
        return dataclasses.replace(
            base,
            beam_size=o.beam_size or base.beam_size,
            length_penalty=base.length_penalty if o.length_penalty is None else o.length_penalty,
            repetition_penalty=o.repetition_penalty,
            no_repeat_ngram_size=o.no_repeat_ngram_size,
            repetition_guard=o.repetition_guard,
            max_batch_tokens=o.max_batch_tokens,
            max_input_tokens=o.max_input_tokens or base.max_input_tokens,
            max_decoding_ratio=o.max_decoding_ratio,
            max_decoding_extra=o.max_decoding_extra,
        )

    def _model_step(self, model: CT2Model, source: str, target: str) -> Step:
        key = (model.name, source, target)
        if key not in self._steps:
            hop = model.hop(source, target, self.decoding(model.family))
            self._steps[key] = Step(hop, model.ident, model.family)
        return self._steps[key]

    def _argos_steps(self, source: str, target: str, pivot: bool) -> list[Step] | None:
        if not self.argos_pairs:
            return None
        if pivot:
            packages = argos_route(
                self.argos_pairs, source, target, self.argos_options.pivot_language
            )
        else:
            direct = self.argos_pairs.get((source, target))
            packages = [direct] if direct else None
        if packages is None:
            return None
        steps = []
        for package in packages:
            key = ("\0argos", package.from_code, package.to_code)
            if key not in self._steps:
                hop = argos_hop(package, self._argos_decoding)
                ident = f"argos:{package.from_code}_{package.to_code}@{package.version}"
                self._steps[key] = Step(hop, ident, "argos")
            steps.append(self._steps[key])
        return steps

    def _explicit(self, source: str, target: str) -> list[Step] | str | None:
        """The route the settings name for this pair, a reason it cannot be used, or None."""
        name = self.options.routes.get(f"{source}-{target}")
        if name is None:
            return None
        if name == "argos" and name not in self.models:
            if not self.options.use_argos:
                return f"route {source}-{target} names argos, but use_argos is off"
            return self._argos_steps(source, target, pivot=True) or (
                f"route {source}-{target} names argos, but no Argos package in "
                f"{self.packages_dir} translates it"
            )
        model = self.models.get(name)
        if model is None:
            installed = ", ".join(sorted(self.models)) or "none"
            return (
                f"route {source}-{target} names model {name!r}, which is not installed in "
                f"{self.models_dir} (installed: {installed})"
            )
        if not model.serves(source, target):
            return f"route {source}-{target} names model {name!r}, which does not translate it"
        return [self._model_step(model, source, target)]

    def _direct(self, source: str, target: str) -> list[Step] | str | None:
        explicit = self._explicit(source, target)
        if explicit is not None:
            return explicit
        serving = [m for m in self.models.values() if m.serves(source, target)]
        serving.sort(key=lambda m: (m.multilingual, m.name))
        if serving:
            return [self._model_step(serving[0], source, target)]
        return self._argos_steps(source, target, pivot=False)

    def route(self, source: str, target: str) -> list[Step] | str:
        """The steps that take ``source`` to ``target``, or why there are none."""
        if source == target:
            return "same language"
        direct = self._direct(source, target)
        if isinstance(direct, list):
            return direct
        pivot = self.options.pivot_language
        if source != pivot and target != pivot:
            first, second = self._direct(source, pivot), self._direct(pivot, target)
            if isinstance(first, list) and isinstance(second, list):
                return first + second
        if isinstance(direct, str):
            return direct
        return (
            f"no installed model translates {source}→{target} directly or through {pivot} "
            f"(models: {self.models_dir}"
            + (f"; Argos packages: {self.packages_dir}" if self.packages_dir else "")
            + ")"
        )

    def describe_route(self, source: str, target: str) -> str:
        """One line for ``models list``: which models serve the pair and how."""
        steps = self.route(source, target)
        if isinstance(steps, str):
            return f"MISSING ({steps})"
        if len(steps) == 1:
            return f"direct: {steps[0].shown}"
        return f"pivot via {steps[0].hop.target}: " + " + ".join(s.shown for s in steps)

    def _steps_or_raise(self, source: str, target: str) -> list[Step]:
        steps = self.route(source, target)
        if isinstance(steps, str):
            raise EngineError(
                f"{steps}; install one with: translator-pipeline models install PATH",
                source=source,
                target=target,
            )
        return steps

    # --- the Translator protocol -------------------------------------------------

    def supports(self, source: str, target: str) -> bool:
        return isinstance(self.route(source, target), list)

    def signature(self, source: str, target: str) -> EngineSignature:
        """Models (with digests), each hop's decoding, device and compute type."""
        steps = self._steps_or_raise(source, target)
        runtime = self.runtime(steps[0])
        decodings = "/".join(dict.fromkeys(s.hop.decoding.describe() for s in steps))
        return EngineSignature(
            engine=self.name,
            model="+".join(s.ident for s in steps),
            version=f"{ENGINE_VERSION};{decodings};{runtime}",
            pivot=(source, *(s.hop.target for s in steps)) if len(steps) > 1 else (),
        )

    def translate_batch(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [text for text, _ in self.translate_batch_scored(texts, source, target)]

    def translate_batch_scored(
        self, texts: Sequence[str], source: str, target: str
    ) -> list[tuple[str, float | None]]:
        """Translations and the mean token log-probability of each (the weaker hop's)."""
        steps = self._steps_or_raise(source, target)
        return self.core.translate_scored(texts, [s.hop for s in steps])

    def translate_alternatives(
        self, texts: Sequence[str], source: str, target: str, n: int
    ) -> list[list[str]]:
        steps = self._steps_or_raise(source, target)
        return self.core.alternatives(texts, [s.hop for s in steps], n)

    def runtime(self, step: Step) -> Runtime:
        return self.core.runtime(step.hop)
