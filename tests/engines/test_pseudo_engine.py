import pytest

from translator_pipeline.engines import available_engines, load_engine
from translator_pipeline.engines.base import Translator
from translator_pipeline.engines.pseudo import PseudoTranslator
from translator_pipeline.errors import EngineNotFoundError
from translator_pipeline.language.langid import script_of


def test_pseudo_is_deterministic_marked_and_keeps_placeholders_urls_numbers():
    engine = PseudoTranslator()
    text = "Visit <g1>our site</g1> at https://icesco.org/en/ on 25/11/2022, 3,5 %<x2/>"
    [out] = engine.translate_batch([text], "en", "fr")
    assert out == engine.translate_batch([text], "en", "fr")[0]
    assert out.startswith("[fr~] ")
    for kept in ("<g1>", "</g1>", "<x2/>", "https://icesco.org/en/", "25/11/2022", "3,5"):
        assert kept in out
    assert "our site" not in out  # the words themselves changed


def test_pseudo_writes_the_target_script():
    engine = PseudoTranslator()
    [ar] = engine.translate_batch(["Member States met today"], "en", "ar")
    assert script_of(ar.removeprefix("[ar~] "))[0] == "Arab"
    [fr] = engine.translate_batch(["اجتمعت الدول الأعضاء اليوم"], "ar", "fr")
    assert script_of(fr.removeprefix("[fr~] "))[0] == "Latn"


def test_pseudo_keeps_empty_segments_empty_and_order():
    engine = PseudoTranslator()
    out = engine.translate_batch(["", "  ", "b", "a"], "en", "fr")
    assert out[:2] == ["", "  "]
    assert out[2].endswith("b") and out[3].endswith("á")


def test_engine_registry_loads_once_and_names_what_exists():
    assert "pseudo" in available_engines()
    engine = load_engine("pseudo")
    assert engine is load_engine("pseudo")
    assert isinstance(engine, Translator) and engine.pseudo
    with pytest.raises(EngineNotFoundError, match=r"available: .*pseudo"):
        load_engine("no-such-engine")
