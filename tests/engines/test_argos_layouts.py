"""The whole engine path on each layout real Argos packages come in.

For every layout the index's packages use (Argos-trained: shared
SentencePiece, ``stanza/``, top folder ``en_ar``, basic metadata; Opus-MT
ports: source-only SentencePiece with a separate target vocabulary, or
``bpe.model``), the packages are installed from ``.argosmodel`` files with the
CLI, listed (by us and by argostranslate), and used to translate text, HTML
with inline links, and fr→ar through the English pivot. The weights are
random, so the checks are on what the engine owns: no tokenizer marks (``▁``,
``@@``) in the output, links kept, every pair reachable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.argos_listing import argos_lists
from translator_pipeline.cli.main import main
from translator_pipeline.config.settings import ArgosSettings
from translator_pipeline.engines import clear_engine_cache
from translator_pipeline.engines.argos import ArgosTranslator
from translator_pipeline.testing.tiny_argos import build_argos_archive

PAIRS = [("en", "fr"), ("fr", "en"), ("en", "ar"), ("ar", "en")]
LAYOUTS = {
    "argos": {"layout": "argos", "basic_metadata": True, "stanza": True},
    "opus-sp": {"layout": "opus-sp", "quantization": "int8", "basic_metadata": True},
    "opus-bpe": {"layout": "opus-bpe", "quantization": "int8"},
}
MARKS = ("\u2581", "@@")

PAGE = (
    '<html lang="en"><head><title>News</title></head><body><article>'
    "<h1>The minister opened the conference</h1>"
    '<p>Read <a href="https://example.org/statement">the full statement</a> on the '
    'website, or <a href="https://example.org/video">watch the video</a>.</p>'
    "<p>Delegates from twelve countries attended the meeting in Rabat.</p>"
    "</article></body></html>"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module", params=list(LAYOUTS))
def installed(request, tmp_path_factory) -> tuple[str, Path]:
    """The four packages of one layout, built as archives and installed with the CLI."""
    layout = request.param
    root = tmp_path_factory.mktemp(f"layout-{layout}")
    packages = root / "packages"
    options = LAYOUTS[layout]
    for i, (src, tgt) in enumerate(PAIRS):
        extra = {"top_folder": f"{src}_{tgt}"} if layout == "argos" else {}
        archive = build_argos_archive(
            root / f"{src}_{tgt}.argosmodel", src, tgt, seed=40 + i, **options, **extra
        )
        command = ["models", "install", "--file", str(archive), "--packages-dir", str(packages)]
        assert main(command) == 0
    return layout, packages


def test_installed_packages_are_listed_by_us_and_by_argostranslate(installed, tmp_path, capsys):
    layout, packages = installed
    code, out, _ = run(capsys, "models", "list", "fr", "en", "ar", "--packages-dir", str(packages))
    assert code == 0, out
    assert "BROKEN" not in out
    assert "fr→ar: pivot via en" in out and "en→ar: direct" in out
    if layout == "argos":
        assert sorted(p.name for p in packages.iterdir()) == ["ar_en", "en_ar", "en_fr", "fr_en"]
        assert (packages / "en_ar" / "stanza").is_dir()
    assert argos_lists(packages, tmp_path / "argos-state") == ["ar-en", "en-ar", "en-fr", "fr-en"]


def test_text_translates_without_tokenizer_marks(installed, monkeypatch, capsys, tmp_path):
    _, packages = installed
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    clear_engine_cache()
    source = tmp_path / "in.txt"
    source.write_text(
        "The minister announced a new plan for rural schools on Monday.\n\n"
        "Parliament approved the 2025 budget after a long debate.\n",
        encoding="utf-8",
    )
    for target in ("fr", "ar"):
        code, out, err = run(capsys, "translate", "--from", "en", "--to", target, str(source))
        assert code == 0, err
        paragraphs = out.strip().split("\n\n")
        assert len(paragraphs) == 2 and all(p.strip() for p in paragraphs)
        assert not any(mark in out for mark in MARKS), out
    clear_engine_cache()


def test_html_with_inline_links_keeps_every_link(installed, monkeypatch, capsys, tmp_path):
    _, packages = installed
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    clear_engine_cache()
    page = tmp_path / "in.html"
    page.write_text(PAGE, encoding="utf-8")
    code, out, err = run(capsys, "translate", "--from", "en", "--to", "ar", "--html", str(page))
    assert code == 0, err
    assert out.count('<a href="https://example.org/statement">') == 1
    assert out.count('<a href="https://example.org/video">') == 1
    assert 'dir="rtl"' in out
    assert not any(mark in out for mark in MARKS), out
    clear_engine_cache()


def test_french_to_arabic_goes_through_the_english_pivot(installed):
    _, packages = installed
    engine = ArgosTranslator(ArgosSettings(packages_dir=packages))
    assert engine.signature("fr", "ar").pivot == ("fr", "en", "ar")
    texts = ["Le ministre a annoncé un nouveau plan.", "La réunion a eu lieu à Rabat."]
    out = engine.translate_batch(texts, "fr", "ar")
    assert len(out) == 2 and all(t.strip() for t in out)
    assert not any(mark in t for t in out for mark in MARKS)
