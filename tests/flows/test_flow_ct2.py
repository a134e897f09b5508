"""A full run of the flow with the ctranslate2 engine on tiny converted models."""

from __future__ import annotations

import json

import pytest

from tests.factories import write_config
from translator_pipeline.engines import clear_engine_cache
from translator_pipeline.engines.ct2_models import install_model
from translator_pipeline.flows import translate_and_publish
from translator_pipeline.run.report import RUN_REPORT_NAME

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_flow_routes_each_pair_to_its_model_and_records_the_choice(
    ct2_sources, site_server, tmp_path
):
    models = tmp_path / "models"
    install_model(ct2_sources["marian-en-ar"], models)
    install_model(ct2_sources["nllb"], models)
    install_model(ct2_sources["m2m100"], models)
    config = write_config(
        tmp_path,
        site_server.base_url,
        tables=f'[engines.ctranslate2]\nmodels_dir = "{models}"\nuse_argos = false\n'
        'beam_size = 1\n[engines.ctranslate2.routes]\n"fr-ar" = "nllb-200-tiny"\n'
        # Random weights write nonsense the gate would hold; here it only reports.
        '[quality]\naction = "report"\n',
    )
    config.write_text(config.read_text().replace('engine = "pseudo"', 'engine = "ctranslate2"'))
    clear_engine_cache()
    try:
        report = translate_and_publish(config_path=str(config))
    finally:
        clear_engine_cache()
    assert report.count("published") == 4, report.outcomes
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    signatures = {
        (a["language"], v["language"]): v["signature"]
        for a in manifest["articles"]
        for v in a["variants"]
    }
    assert "model=opus-mt-en-ar@" in signatures[("en", "ar")]
    assert "model=nllb-200-tiny@" in signatures[("fr", "ar")]  # the configured route
    # Unrouted pairs without a bilingual model: the first multilingual model by name.
    assert "model=m2m100-tiny@" in signatures[("ar", "fr")]
    assert all(s.startswith("engine=ctranslate2|") for s in signatures.values())
    assert all("pivot=" not in s for s in signatures.values())  # every pair direct
    assert all(not v["pseudo"] for a in manifest["articles"] for v in a["variants"])
    run_report = json.loads((out / RUN_REPORT_NAME).read_text(encoding="utf-8"))
    recorded = run_report["engine"]["signatures"]
    assert run_report["engine"]["name"] == "ctranslate2"
    assert "model=nllb-200-tiny@" in recorded["fr-ar"] and "beam=1;lp=1" in recorded["fr-ar"]


def test_a_route_to_a_missing_model_fails_the_run_before_any_fetch(
    ct2_sources, site_server, tmp_path
):
    from translator_pipeline.errors import EngineError

    models = tmp_path / "models"
    install_model(ct2_sources["nllb"], models)
    config = write_config(
        tmp_path,
        site_server.base_url,
        tables=f'[engines.ctranslate2]\nmodels_dir = "{models}"\nuse_argos = false\n'
        '[engines.ctranslate2.routes]\n"en-ar" = "opus-mt-tc-big-en-ar"\n',
    )
    config.write_text(config.read_text().replace('engine = "pseudo"', 'engine = "ctranslate2"'))
    clear_engine_cache()
    try:
        with pytest.raises(EngineError, match=r"cannot translate en→ar; .*models install PATH"):
            translate_and_publish(config_path=str(config))
    finally:
        clear_engine_cache()
    assert site_server.requests == []
