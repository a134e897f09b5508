"""Translation engines behind one protocol, found by name.

Built-in engines are registered here (``argos``: Argos packages; ``ctranslate2``:
converted OPUS-MT / NLLB / M2M-100 / MADLAD models and Argos packages, routed per
pair; ``pseudo``); third parties add theirs through the
entry-point group ``translator_pipeline.engines`` (a class or factory called
with the :class:`~translator_pipeline.config.settings.Settings`; its own
``[engines.<name>]`` table is ``settings.engine_options(name)``). An engine is loaded
once per process and reused: loading a model per article would dominate the
run time.
"""

from __future__ import annotations

import threading
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from translator_pipeline.engines.base import Translator
from translator_pipeline.errors import EngineNotFoundError

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings

__all__ = ["ENTRY_POINT_GROUP", "Translator", "available_engines", "load_engine"]

ENTRY_POINT_GROUP = "translator_pipeline.engines"
_BUILTIN = {
    "argos": "translator_pipeline.engines.argos:ArgosTranslator",
    "ctranslate2": "translator_pipeline.engines.ct2:CTranslate2Translator",
    "pseudo": "translator_pipeline.engines.pseudo:PseudoTranslator",
}
_loaded: dict[tuple[str, str], Translator] = {}
_lock = threading.Lock()


def _resolve(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(import_module(module), attr)


def available_engines() -> dict[str, str]:
    """Engine name → where it comes from (``module:object``)."""
    found = dict(_BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep.value)
    return found


def load_engine(name: str, settings: Settings | None = None) -> Translator:
    """The engine called ``name``, created on first use and cached for the process."""
    # Keyed by the engine options too: a config naming another model directory
    # gets its own engine, the same config always the same one.
    key = (
        name,
        settings.argos.model_dump_json() + settings.engines.model_dump_json()
        if settings is not None
        else "",
    )
    with _lock:
        if key in _loaded:
            return _loaded[key]
        engines = available_engines()
        if name not in engines:
            raise EngineNotFoundError(
                f"no translation engine named {name!r}; available: {', '.join(sorted(engines))}"
            )
        factory = _resolve(engines[name])
        engine = factory(settings)
        if not isinstance(engine, Translator):
            raise EngineNotFoundError(
                f"engine {name!r} ({engines[name]}) does not implement the Translator protocol"
            )
        _loaded[key] = engine
        return engine


def clear_engine_cache() -> None:
    """Forget loaded engines (tests; a config reload)."""
    with _lock:
        _loaded.clear()
