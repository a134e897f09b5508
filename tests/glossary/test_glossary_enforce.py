"""Glossary enforcement through translate_articles, with engines the tests control."""

from __future__ import annotations

import re

import pytest

from tests.factories import body_article as make_article
from tests.support.engines import ScriptedEngine, upper
from translator_pipeline.glossary.enforce import plain_text, protect, realise
from translator_pipeline.glossary.model import Concept, Glossary
from translator_pipeline.glossary.pinned import PinnedSegment, PinnedSegments
from translator_pipeline.html.segment import reassemble, text_segment
from translator_pipeline.store.state import StateStore, TranslationMemory
from translator_pipeline.translate.articles import Terminology, translate_articles

ICESCO = Concept(
    "icesco",
    {"en": "ICESCO", "fr": "ICESCO", "ar": "الإيسيسكو"},
    {"ar": ("إيسيسكو",)},
    case_sensitive=True,
)
DG = Concept("dg", {"en": "Director-General", "fr": "Directeur général", "ar": "المدير العام"})
MS = Concept("ms", {"en": "Member States", "fr": "États membres", "ar": "الدول الأعضاء"})
SALIM = Concept(
    "salim", {"en": "Salim M. AlMalik", "ar": "سالم بن محمد المالك"}, do_not_translate=True
)
GLOSSARY = Glossary([ICESCO, DG, MS, SALIM])
TERMS = Terminology(GLOSSARY)


def translate(body, engine, targets=("fr", "ar"), language="en", title="Title", terms=TERMS):
    article = make_article(body, language=language, title=title)
    return {
        v.language: v
        for v in translate_articles([article], list(targets), engine, terminology=terms)[
            article.url
        ]
    }


def test_terms_reach_the_engine_as_placeholders_and_come_back_in_glossary_form():
    engine = ScriptedEngine(upper)
    out = translate('<p>The <a href="/dg">Director-General</a> of ICESCO met them.</p>', engine)
    sent = {t for _s, _t, texts in engine.calls for t in texts}
    assert "The <g1><x2/></g1> of <x3/> met them." in sent
    assert out["fr"].body_html == (
        '<div><p>THE <a href="/dg">Directeur général</a> OF ICESCO MET THEM.</p></div>'
    )
    assert "المدير العام" in out["ar"].body_html and "الإيسيسكو" in out["ar"].body_html
    methods = {
        (e.target_language, e.concept): e.method for v in out.values() for e in v.glossary_events
    }
    assert methods == {
        ("fr", "dg"): "placeholder",
        ("fr", "icesco"): "placeholder",
        ("ar", "dg"): "placeholder",
        ("ar", "icesco"): "placeholder",
    }


def test_events_record_the_machines_own_rendering_before_and_after():
    out = translate("<p>The Director-General spoke.</p>", ScriptedEngine(upper), targets=("fr",))
    [event] = out["fr"].glossary_events
    assert event.source_text == "The Director-General spoke."
    assert event.machine == "THE DIRECTOR-GENERAL SPOKE."  # the engine without the glossary
    assert event.machine_term == "DIRECTOR-GENERAL"
    assert event.result == "THE Directeur général SPOKE."
    assert event.expected == "Directeur général"
    assert event.where == "block 0" and event.complied


def test_case_rules_per_entry():
    # ICESCO is case-sensitive: "Icesco" is not the acronym; the Director-General is not.
    out = translate("<p>Icesco and the director-general.</p>", ScriptedEngine(upper), ("fr",))
    assert [e.concept for e in out["fr"].glossary_events] == ["dg"]


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("و<x1/> قال", "والمدير العام قال"),
        ("و <x1/> قال", "والمدير العام قال"),
        ("ل<x1/>", "للمدير العام"),
        ("ول <x1/>", "وللمدير العام"),
        ("بال<x1/>", "بالمدير العام"),
        ("ال<x1/>", "المدير العام"),  # the article is not doubled
        ("كتاب <x1/>", "كتاب المدير العام"),  # a word ending in ب is not a clitic
    ],
)
def test_arabic_clitics_attached_by_the_engine_join_the_term(output, expected):
    seg, uses = protect(text_segment("the Director-General"), GLOSSARY, "en", "ar")
    text, local = realise(seg, uses, output.replace("<x1/>", f"<x{uses[0].tag_id}/>"), "ar")
    assert plain_text(reassemble(local, text)) == expected


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("de <x1/>", "d'ICESCO"),
        ("le <x1/>", "l'ICESCO"),
        ("Le <x1/>", "L'ICESCO"),
        ("du <x1/>", "de l'ICESCO"),
        ("au <x1/>", "à l'ICESCO"),
        ("pour <x1/>", "pour ICESCO"),
    ],
)
def test_french_articles_elide_before_a_vowel(output, expected):
    seg, uses = protect(text_segment("ICESCO"), GLOSSARY, "en", "fr")
    text, local = realise(seg, uses, output, "fr")
    assert plain_text(reassemble(local, text)) == expected


FUND = Concept("fund", {"en": "Waqf Fund", "fr": "Fonds du waqf"})
OFFICES = Concept("offices", {"en": "Staff", "fr": "Effectifs"}, pos="noun pl")
UN = Concept("un", {"en": "United Nations", "fr": "Organisation des Nations unies"}, pos="sg")


@pytest.mark.parametrize(
    ("source", "output", "expected"),
    [
        # The engine cannot see the plural inside the placeholder: its article follows.
        ("Member States", "Le <x1/> ont voté.", "Les États membres ont voté."),
        ("Member States", "la <x1/>", "les États membres"),
        ("Member States", "l'<x1/>", "les États membres"),
        ("Member States", "du <x1/>", "des États membres"),
        ("Member States", "au <x1/>", "aux États membres"),
        ("Member States", "à la <x1/>", "aux États membres"),
        ("Member States", "de <x1/>", "d'États membres"),  # no article: elision only
        ("Member States", "les <x1/>", "les États membres"),  # already right
        ("Waqf Fund", "le <x1/>", "le Fonds du waqf"),  # -s in French, singular in English
        ("Staff", "le <x1/>", "les Effectifs"),  # the glossary's pos says plural
        ("United Nations", "l'<x1/>", "l'Organisation des Nations unies"),  # pos says singular
    ],
)
def test_french_articles_agree_with_a_plural_term(source, output, expected):
    glossary = Glossary([MS, FUND, OFFICES, UN])
    seg, uses = protect(text_segment(source), glossary, "en", "fr")
    text, local = realise(seg, uses, output, "fr")
    assert plain_text(reassemble(local, text)) == expected


def test_arabic_source_proclitics_stay_words_of_their_own():
    seg, uses = protect(text_segment("وأوضح المدير العام للإيسيسكو"), GLOSSARY, "ar", "en")
    assert seg.text == "وأوضح <x1/> ل <x2/>"
    assert [(u.concept.id, u.surface, u.form) for u in uses] == [
        ("dg", "المدير العام", "Director-General"),
        ("icesco", "لإيسيسكو", "ICESCO"),
    ]


def test_french_elision_in_the_source_is_recognised():
    seg, uses = protect(text_segment("le Directeur général de l’ICESCO"), GLOSSARY, "fr", "en")
    assert seg.text == "le <x1/> de l’<x2/>"
    assert [u.form for u in uses] == ["Director-General", "ICESCO"]


def test_do_not_translate_names_keep_their_latin_form_or_take_their_arabic_spelling():
    out = translate("<p>Dr. Salim M. AlMalik spoke.</p>", ScriptedEngine(upper))
    assert "Salim M. AlMalik" in out["fr"].body_html  # no French cell: kept as written
    assert "سالم بن محمد المالك" in out["ar"].body_html


@pytest.mark.parametrize(
    ("name", "transform"),
    [
        ("dropped", lambda t, s, g: re.sub(r"<x\d+/>", "", t)),
        ("duplicated", lambda t, s, g: re.sub(r"(<x\d+/>)", r"\1 \1", t)),
        ("mangled", lambda t, s, g: re.sub(r"<x(\d+)/>", r"<xع\1/>", t)),
    ],
)
def test_lost_placeholders_fall_back_and_the_term_still_comes_out_right(name, transform):
    body = '<p>The <a href="/dg">Director-General</a> met the Member States.</p>'
    out = translate(body, ScriptedEngine(transform))
    for lang, forms in {
        "fr": ("Directeur général", "États membres"),
        "ar": ("المدير العام",),
    }.items():
        html = out[lang].body_html
        assert all(form in html for form in forms), (name, html)
        assert '<a href="/dg">' in html
        assert all(e.complied for e in out[lang].glossary_events), name
        assert {e.method for e in out[lang].glossary_events} <= {"substituted", "rebuilt"}


def test_without_machine_rendering_the_fallback_is_the_piecewise_rebuild():
    terms = Terminology(GLOSSARY, record_machine=False)
    out = translate(
        "<p>The Director-General spoke.</p>",
        ScriptedEngine(lambda t, s, g: re.sub(r"<x\d+/>", "", t)),
        targets=("fr",),
        terms=terms,
    )
    [event] = out["fr"].glossary_events
    assert event.method == "rebuilt" and event.machine == ""
    assert "Directeur général" in out["fr"].body_html


class NBestEngine(ScriptedEngine):
    """Its best hypothesis drops the term placeholder; its second keeps it."""

    def __init__(self):
        super().__init__(lambda t, s, g: re.sub(r"<x\d+/>", "", t))
        self.alternative_calls = 0

    def translate_alternatives(self, texts, source, target, n):
        self.alternative_calls += 1
        return [[self.transform(t, source, target), t] for t in texts]


def test_an_n_best_hypothesis_that_keeps_the_placeholder_is_used():
    engine = NBestEngine()
    out = translate("<p>The Director-General spoke.</p>", engine, targets=("fr",))
    [event] = out["fr"].glossary_events
    assert event.method == "alternative"
    assert out["fr"].body_html == "<div><p>The Directeur général spoke.</p></div>"
    assert engine.alternative_calls == 1


def test_a_term_the_engine_rendering_cannot_be_found_for_is_reported_never_silent():
    # The engine drops the placeholder AND renders the term differently alone than in
    # the sentence: substitution fails, the rebuild puts the term back.
    def engine(text, src, tgt):
        if text == "Director-General":
            return "chef"
        return re.sub(r"<x\d+/>", "", text)

    out = translate("<p>The Director-General spoke.</p>", ScriptedEngine(engine), ("fr",))
    [event] = out["fr"].glossary_events
    assert event.method == "rebuilt"
    assert "Directeur général" in out["fr"].body_html


def test_terms_in_titles_descriptions_and_attributes_are_enforced():
    out = translate(
        '<p><img src="/a.png" alt="ICESCO logo"> Text.</p>',
        ScriptedEngine(upper),
        targets=("fr",),
        title="The Director-General visits",
    )
    fr = out["fr"]
    assert fr.title == "THE Directeur général VISITS"
    assert 'alt="ICESCO LOGO"' in fr.body_html
    assert {e.where for e in fr.glossary_events} == {"title", "attribute"}


def test_pinned_segments_win_over_machine_output_and_may_keep_markup():
    pinned = PinnedSegments(
        [
            PinnedSegment("p1", "en", "fr", "Welcome to  our site.", "Bienvenue sur notre site."),
            PinnedSegment(
                "p2", "en", "fr", "Read the report today.", "Lisez <g1>le rapport</g1> aujourd'hui."
            ),
        ]
    )
    engine = ScriptedEngine(upper)
    out = translate(
        '<p>Welcome to our site.</p><p>Read <a href="/r">the report</a> today.</p><p>Other.</p>',
        engine,
        targets=("fr",),
        terms=Terminology(GLOSSARY, pinned),
    )
    fr = out["fr"]
    assert fr.body_html == (
        "<div><p>Bienvenue sur notre site.</p>"
        '<p>Lisez <a href="/r">le rapport</a> aujourd\'hui.</p><p>OTHER.</p></div>'
    )
    sent = {t for _s, _t, texts in engine.calls for t in texts}
    assert "Welcome to our site." not in sent  # never sent to the engine
    assert sorted(e.concept for e in fr.glossary_events if e.method == "pinned") == ["p1", "p2"]


def test_translation_memory_sends_only_new_segments_to_the_engine(tmp_path):
    memory = TranslationMemory(StateStore(tmp_path / "s.sqlite3"))
    first = ScriptedEngine(upper)
    article = make_article("<p>One.</p><p>The Director-General spoke.</p>")
    translate_articles([article], ["fr"], first, terminology=TERMS, memory=memory)
    assert first.calls

    again = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], again, terminology=TERMS, memory=memory)[
        article.url
    ]
    assert again.calls == []  # everything came from the memory
    assert fr.body_html == "<div><p>ONE.</p><p>THE Directeur général SPOKE.</p></div>"

    edited = make_article("<p>One.</p><p>Two.</p><p>The Director-General spoke.</p>")
    third = ScriptedEngine(upper)
    translate_articles([edited], ["fr"], third, terminology=TERMS, memory=memory)
    assert [texts for _s, _t, texts in third.calls] == [["Two."]]


def test_editing_a_term_retranslates_only_the_segments_that_depend_on_it(tmp_path):
    memory = TranslationMemory(StateStore(tmp_path / "s.sqlite3"))
    article = make_article("<p>One.</p><p>The Director-General spoke.</p>")
    translate_articles([article], ["fr"], ScriptedEngine(upper), terminology=TERMS, memory=memory)

    edited_dg = Concept("dg", {**DG.terms, "fr": "Directrice générale"})
    terms = Terminology(Glossary([ICESCO, edited_dg, MS, SALIM]))
    engine = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], engine, terminology=terms, memory=memory)[
        article.url
    ]
    assert "Directrice générale" in fr.body_html
    # The protected sentence is unchanged (a placeholder): only what the review shows
    # about the edited term is translated again.
    sent = sorted(t for _s, _t, texts in engine.calls for t in texts)
    assert sent == ["Director-General", "The Director-General spoke."]


def test_rebuilt_pieces_are_not_glued_to_the_term():
    # The engine loses every placeholder and translates "L’" as a word: the rebuild
    # must not publish "TheICESCO".
    def engine(text, src, tgt):
        text = re.sub(r"<x\d+/>", "", text)
        return {"L’": "The", "L’ ouvrira un appel.": "will open a call."}.get(text, text)

    terms = Terminology(GLOSSARY, record_machine=False)  # straight to the rebuild layer
    out = translate(
        "<p>L’ICESCO ouvrira un appel.</p>", ScriptedEngine(engine), ("en",), "fr", terms=terms
    )
    assert "The ICESCO" in out["en"].body_html
    assert all(e.complied for e in out["en"].glossary_events)


def test_substitution_only_replaces_whole_words():
    # Unprotected, the engine renders the term glued to an Arabic proclitic (لايسيسكو):
    # that is not a whole-word rendering, so the rebuild layer is used instead.
    def engine(text, src, tgt):
        if "<x" in text:
            return re.sub(r"<x\d+/>", "", text)
        return text.replace("للإيسيسكو", "لICESCO").replace("الإيسيسكو", "ICESCO")

    out = translate("<p>وأوضح المدير العام للإيسيسكو.</p>", ScriptedEngine(engine), ("fr",), "ar")
    assert "لICESCO" not in out["fr"].body_html
    icesco = [e for e in out["fr"].glossary_events if e.concept == "icesco"]
    assert icesco and all(e.method == "rebuilt" for e in icesco)


def test_the_pos_column_is_read_from_the_csv(tmp_path):
    from translator_pipeline.glossary.load import load_glossary

    path = tmp_path / "g.csv"
    path.write_text("en,fr,pos\nStaff,Effectifs, noun pl \nFund,Fonds,\n", encoding="utf-8")
    by_en = {c.terms["en"]: c for c in load_glossary(path).concepts}
    assert by_en["Staff"].pos == "noun pl" and by_en["Fund"].pos == ""
