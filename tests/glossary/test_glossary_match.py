"""Glossary matching: normalisation, longest match, Arabic clitics, offsets."""

from __future__ import annotations

import pytest

from translator_pipeline.glossary.model import Concept, Glossary, fold, parse_glossary

CONCEPTS = [
    Concept(
        "icesco",
        {"en": "ICESCO", "fr": "ICESCO", "ar": "الإيسيسكو"},
        {"ar": ("إيسيسكو",)},
        case_sensitive=True,
    ),
    Concept(
        "dg",
        {"en": "Director-General", "fr": "Directeur général", "ar": "المدير العام"},
        {"en": ("Director General",)},
    ),
    Concept(
        "ddg",
        {
            "en": "Deputy Director-General",
            "fr": "Directeur général adjoint",
            "ar": "نائب المدير العام",
        },
    ),
    Concept("ms", {"en": "Member States", "fr": "États membres", "ar": "الدول الأعضاء"}),
    Concept(
        "org",
        {
            "en": "Islamic World Educational, Scientific and Cultural Organization",
            "ar": "منظمة العالم الإسلامي للتربية والعلوم والثقافة",
        },
    ),
]
G = Glossary(CONCEPTS)


def found(text, lang):
    return [(m.concept.id, text[m.start : m.end], m.clitic) for m in G.find(text, lang)]


def test_longest_match_first():
    assert found("the Deputy Director-General and the Director-General", "en") == [
        ("ddg", "Deputy Director-General", ""),
        ("dg", "Director-General", ""),
    ]
    assert found("نائب المدير العام", "ar") == [("ddg", "نائب المدير العام", "")]


def test_case_insensitive_unless_the_entry_says_so():
    assert found("the director-general of Icesco", "en") == [("dg", "director-general", "")]
    assert found("DIRECTOR GENERAL", "en") == [("dg", "DIRECTOR GENERAL", "")]  # variant


def test_whole_words_only():
    assert found("ICESCOs and Director-Generalship", "en") == []
    assert found("الإيسيسكوية", "ar") == []


def test_typographic_apostrophes_hyphens_and_spaces_are_equivalent():
    text = "l’ICESCO, the Director\u2011General and the Member\u00a0States"
    assert [c for c, _, _ in found(text, "fr")] == ["icesco"]
    assert [c for c, _, _ in found(text, "en")] == ["icesco", "dg", "ms"]


def test_arabic_ignores_tashkeel_tatweel_and_alef_variants_with_offsets_in_the_original():
    text = "قال المُديرُ العـــام إن الاِيسيسكو"
    assert found(text, "ar") == [("dg", "المُديرُ العـــام", ""), ("icesco", "الاِيسيسكو", "")]


@pytest.mark.parametrize(
    ("text", "match", "clitic"),
    [
        ("والمدير العام", "المدير العام", "و"),
        ("فالمدير العام", "المدير العام", "ف"),
        ("بالمدير العام", "المدير العام", "ب"),
        ("وبالمدير العام", "المدير العام", "وب"),
        ("كالمدير العام", "المدير العام", "ك"),
        ("للمدير العام", "لمدير العام", "ل"),  # ل + ال contracted
        ("وللمدير العام", "لمدير العام", "ول"),
        ("وإيسيسكو", "إيسيسكو", "و"),  # variant without the article
        ("للإيسيسكو", "لإيسيسكو", "ل"),
        ("والإيسيسكو", "الإيسيسكو", "و"),
        (
            "لمنظمة العالم الإسلامي للتربية والعلوم والثقافة",
            "منظمة العالم الإسلامي للتربية والعلوم والثقافة",
            "ل",
        ),
    ],
)
def test_arabic_proclitics(text, match, clitic):
    [(_concept, got, got_clitic)] = found(text, "ar")
    assert (got, got_clitic) == (match, clitic)


def test_a_word_that_merely_starts_with_a_clitic_letter_is_not_a_term():
    assert found("بيت المدير", "ar") == []


def test_fold_is_the_comparison_form():
    assert fold("Directeur  Général") == "directeur général"
    assert fold("أإآٱ") == "اااا"
    assert fold("ICESCO", case_sensitive=True) == "ICESCO"


def test_glossary_version_is_a_content_hash_independent_of_row_order():
    assert Glossary(CONCEPTS).version == Glossary(list(reversed(CONCEPTS))).version
    edited = [*CONCEPTS[:-1], Concept("org", {"en": "ICESCO Organization"})]
    assert Glossary(edited).version != G.version
    assert G.fingerprint(["dg"]) != G.fingerprint(["ms"]) and G.fingerprint([]) == ""


def test_parse_reads_flags_variants_and_comments_and_reports_row_problems():
    text = (
        "\ufeffid,en,fr,ar,variants_en,case_sensitive,do_not_translate,note\n"
        "icesco,ICESCO,ICESCO,الإيسيسكو,Icesco|I.C.E.S.C.O.,yes,,acronym\n"
        "# a comment row,,,,,,,\n"
        ",Salim M. AlMalik,,سالم بن محمد المالك,,,yes,\n"
        "bad,X,Y,Z,,maybe,,\n"
        ",,,,,,,\n"
    )
    concepts, problems = parse_glossary(text.removeprefix("\ufeff"), "g.csv")
    by_id = {c.id: c for c in concepts}
    assert by_id["icesco"].variants == {"en": ("Icesco", "I.C.E.S.C.O.")}
    assert by_id["icesco"].case_sensitive
    assert by_id["salim-m-almalik"].do_not_translate
    assert by_id["salim-m-almalik"].target("fr") == "Salim M. AlMalik"
    assert by_id["salim-m-almalik"].target("ar") == "سالم بن محمد المالك"
    assert problems == ["g.csv:5: case_sensitive is 'maybe'; use yes/no (or true/false, 1/0)"]


def test_a_large_glossary_compiles_and_matches():
    concepts = [
        Concept(f"c{i}", {"en": f"Programme number {i}", "ar": f"البرنامج رقم {i}"})
        for i in range(3000)
    ]
    g = Glossary(concepts)
    assert [
        m.concept.id for m in g.find("See Programme number 2999 and programme number 7.", "en")
    ] == ["c2999", "c7"]
    assert [m.concept.id for m in g.find("وللبرنامج رقم 12", "ar")] == ["c12"]


def test_offsets_are_exact_in_decomposed_text():
    text = "Les E\u0301tats membres et l'ICESCO"
    [(concept, surface, _)] = found(text, "fr")[:1]
    assert (concept, surface) == ("ms", "E\u0301tats membres")
    [(_, surface, _)] = found("قالت الا\u0655يسيسكو", "ar")
    assert surface == "الا\u0655يسيسكو"


def test_a_shorter_term_survives_when_the_longest_overlaps_a_longer_match():
    g = Glossary(
        [
            Concept("sg", {"en": "Secretary-General"}),
            Concept("sg-alecso", {"en": "Secretary-General of ALECSO"}),
            Concept("board", {"en": "ALECSO Executive Council Bureau Members"}),
        ]
    )
    text = "The Secretary-General of ALECSO Executive Council Bureau Members met."
    assert [m.concept.id for m in g.find(text, "en")] == ["sg", "board"]


def test_do_not_translate_names_are_recognised_by_their_variants_in_any_latin_text():
    salim = Concept(
        "salim",
        {"en": "Salim M. AlMalik", "ar": "سالم بن محمد المالك"},
        {"en": ("AlMalik",)},
        do_not_translate=True,
    )
    assert [m.surface for m in Glossary([salim]).find("Le Dr AlMalik a dit", "fr")] == ["AlMalik"]
