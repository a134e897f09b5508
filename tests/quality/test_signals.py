"""Single signals on hand-made segments: the cases a fixed article does not show."""

import pytest

from translator_pipeline.config.quality import QualitySettings
from translator_pipeline.language.langid import LanguageDetector
from translator_pipeline.models import SegmentRecord
from translator_pipeline.quality.signals import expected_script, segment_signals

SETTINGS = QualitySettings()
DETECTOR = LanguageDetector(("ar", "fr", "en"))


def signals(source, target, src="en", tgt="ar", **extra):
    record = SegmentRecord(
        id="s",
        where="block 0",
        source_language=src,
        target_language=tgt,
        source=source,
        tags=(),
        source_text=source,
        target_html=target,
        **extra,
    )
    return {s.kind: s for s in segment_signals(record, SETTINGS, DETECTOR)}


def test_arabic_with_acronyms_addresses_and_arabic_indic_digits_is_clean():
    found = signals(
        "ICESCO and UNESCO will publish 1,250 copies at www.icesco.org in 2026.",
        "ستنشر ICESCO و UNESCO ١٬٢٥٠ نسخة على www.icesco.org في عام ٢٠٢٦.",
    )
    assert found == {}


def test_latin_output_for_an_arabic_variant_is_the_wrong_script():
    found = signals(
        "The ministers met in Rabat on Tuesday.", "The ministers met in Rabat on Tuesday."
    )
    assert found["wrong-script"].severe and "Arab" in found["wrong-script"].detail


def test_short_names_copied_through_are_not_faults():
    # Proper names and two-word headings are often the same in both languages.
    assert signals("Rabat, Morocco", "Rabat, Morocco", tgt="fr") == {}


def test_a_number_written_differently_is_not_missing():
    found = signals("Growth was 3.5% in 2025.", "La croissance a été de 3,5 % en 2025.", tgt="fr")
    assert "missing-number" not in found


def test_a_missing_address_is_broken():
    found = signals(
        "Write to press@example.org for the full text.",
        "Écrivez-nous pour obtenir le texte intégral.",
        tgt="fr",
    )
    assert found["missing-link"].severe and "press@example.org" in found["missing-link"].detail


@pytest.mark.parametrize(
    ("target", "severe"),
    [
        ("Oui.", True),  # a whole sentence answered with one word
        ("Les ministres se sont réunis à Rabat mardi pour adopter le plan.", None),
    ],
)
def test_length_is_judged_against_the_pair(target, severe):
    found = signals("The ministers met in Rabat on Tuesday to adopt the plan.", target, tgt="fr")
    assert (found["length-ratio"].severe if "length-ratio" in found else None) is severe


def test_a_word_in_a_run_is_a_loop_but_common_words_are_not():
    loop = signals(
        "We thank our partners.",
        "Nous remercions nos partenaires partenaires partenaires partenaires.",
        tgt="fr",
    )
    assert loop["repetition"].severe
    prose = signals(
        "The minister of the interior and the minister of the economy met the press.",
        "Le ministre de l'intérieur et le ministre de l'économie ont rencontré la presse.",
        tgt="fr",
    )
    assert "repetition" not in prose


def test_approved_segments_carry_no_signals():
    assert signals("The ministers met.", "The ministers met.", method="pinned") == {}


def test_scripts_of_languages_outside_the_deployment():
    assert [expected_script(c) for c in ("ru", "fa", "zh-Hans", "sw", "ja", "xx")] == [
        "Cyri",
        "Arab",
        "Cjk ",
        "Latn",
        None,
        None,
    ]
