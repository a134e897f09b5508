"""The quality gate behind a multilingual model (NLLB) on the real engine path.

A multilingual model is asked for its target by a language token; when it
drifts into a third language anyway, the gate's wrong-language signal must hold
the variant. The tiny NLLB model's tokenizer, language tokens and decoding run
for real; what the "model" answers is the test's (a stand-in for
``ctranslate2.Translator`` that reads each sentence back and answers from a table).
"""

from __future__ import annotations

import pytest

from tests.quality.engines import FRENCH, SPANISH, _one_line, news_article
from translator_pipeline.config.quality import QualitySettings
from translator_pipeline.config.settings import CTranslate2Settings
from translator_pipeline.engines.ct2 import CTranslate2Translator
from translator_pipeline.engines.ct2_models import install_model
from translator_pipeline.language.langid import LanguageDetector
from translator_pipeline.quality.judge import LABELS, judge
from translator_pipeline.translate.articles import translate_articles


class Answers:
    """Decodes each input sentence and answers with ``table``'s translation of it."""

    def __init__(self, codec, table):
        self.codec, self.table = codec, table
        self.prefixes: list = []

    def translate_batch(self, batch, target_prefix=None, **kwargs):
        self.prefixes.append(target_prefix)
        out = []
        for i, tokens in enumerate(batch):
            sentence = self.codec.decode(list(tokens[1:-1]))  # language token, </s> off
            answer = self.table.get(_one_line(sentence), sentence)
            hypothesis = list(target_prefix[i]) + self.codec.encode(answer)
            out.append(type("R", (), {"hypotheses": [hypothesis], "scores": [-0.3]})())
        return out


@pytest.fixture(scope="module")
def models_dir(ct2_sources, tmp_path_factory):
    directory = tmp_path_factory.mktemp("gate-ct2")
    install_model(ct2_sources["nllb"], directory)
    return directory


@pytest.mark.parametrize(("table", "decision"), [(FRENCH, "publish"), (SPANISH, "hold")])
def test_a_multilingual_model_drifting_into_a_third_language_is_held(models_dir, table, decision):
    engine = CTranslate2Translator(
        CTranslate2Settings(models_dir=models_dir, use_argos=False, repetition_guard=False)
    )
    [step] = engine.route("en", "fr")
    assert step.family == "nllb"
    engine.core.translator(step.hop)
    stand_in = Answers(engine.core.codec(step.hop), table)
    engine.core.translators[step.hop.key] = stand_in

    article = news_article()
    [translated] = translate_articles([article], ["fr"], engine)[article.url]
    records, verdict = judge(
        translated.segments, QualitySettings(), LanguageDetector(("ar", "fr", "en"))
    )

    # The engine asked for French on every input; the drift is the model's.
    assert stand_in.prefixes and all(
        p is not None and {tuple(x) for x in p} == {("fra_Latn",)} for p in stand_in.prefixes
    )
    kinds = {s.kind for r in records for s in r.signals}
    assert verdict.decision == decision, verdict.reasons
    if table is SPANISH:
        assert "wrong-language" in kinds
        assert any(LABELS["wrong-language"] in reason for reason in verdict.reasons)
    else:
        assert "wrong-language" not in kinds
        assert all(r.score is not None for r in records if r.source_text.strip())
