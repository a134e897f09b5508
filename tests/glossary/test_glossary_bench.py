"""Glossary compliance with engines that misbehave on purpose, and those engines themselves.

The benchmark (bench/glossary_compliance.py) runs here in quick mode, on a glossary
built in code: the demo articles plus generated en/fr/ar articles with French elision
and Arabic proclitics, translated into ar/fr/en by every engine of
``translator_pipeline.testing.misbehaving`` and a tiny Argos model. Compliance is
checked on the published text, independently of the pipeline's own events.

Targets (issue 7): 100 % whenever the engine returns a usable placeholder; for engines
that lose placeholders, the fallback layers must still reach 100 %, and whatever they
miss must be listed as a miss — never silent.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import pytest

from tests.factories import ROOT
from translator_pipeline.glossary.load import load_glossary
from translator_pipeline.glossary.model import Concept, Glossary
from translator_pipeline.html.placeholders import repair_placeholders
from translator_pipeline.testing.misbehaving import (
    BEHAVIOURS,
    AlternativesEngine,
    DictionaryEngine,
    DropEngine,
    make_engine,
)

BENCH = ROOT / "bench" / "glossary_compliance.py"


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("glossary_compliance_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


bench = _load_bench()

GLOSSARY = Glossary(
    [
        Concept(
            "icesco",
            {"en": "ICESCO", "fr": "ICESCO", "ar": "الإيسيسكو"},
            {"en": ("ISESCO",), "fr": ("ISESCO",), "ar": ("إيسيسكو",)},
            case_sensitive=True,
        ),
        Concept(
            "icesco-name",
            {
                "en": "Islamic World Educational, Scientific and Cultural Organization",
                "fr": (
                    "Organisation du monde islamique pour l'éducation, les sciences et la culture"
                ),
                "ar": "منظمة العالم الإسلامي للتربية والعلوم والثقافة",
            },
        ),
        Concept(
            "alecso",
            {"en": "ALECSO", "fr": "ALECSO", "ar": "الألكسو"},
            {"ar": ("ألكسو",)},
            case_sensitive=True,
        ),
        Concept(
            "alecso-name",
            {
                "en": "Arab League Educational, Cultural and Scientific Organization",
                "fr": "Organisation arabe pour l'éducation, la culture et les sciences",
                "ar": "المنظمة العربية للتربية والثقافة والعلوم",
            },
        ),
        Concept(
            "director-general",
            {"en": "Director-General", "fr": "Directeur général", "ar": "المدير العام"},
            {"en": ("Director General",), "ar": ("مدير عام",)},
        ),
        Concept(
            "deputy-director-general",
            {
                "en": "Deputy Director-General",
                "fr": "Directeur général adjoint",
                "ar": "نائب المدير العام",
            },
        ),
        Concept(
            "secretary-general",
            {"en": "Secretary-General", "fr": "Secrétaire général", "ar": "الأمين العام"},
        ),
        Concept(
            "member-states",
            {"en": "Member States", "fr": "États membres", "ar": "الدول الأعضاء"},
            {"fr": ("Etats membres",)},
        ),
        Concept(
            "muslim-world-league",
            {
                "en": "Muslim World League",
                "fr": "Ligue islamique mondiale",
                "ar": "رابطة العالم الإسلامي",
            },
        ),
        Concept(
            "arabization-coordination-office",
            {
                "en": "Arabization Coordination Office",
                "fr": "Bureau de coordination de l'arabisation",
                "ar": "مكتب تنسيق التعريب",
            },
        ),
        Concept(
            "world-arabic-language-day",
            {
                "en": "World Arabic Language Day",
                "fr": "Journée mondiale de la langue arabe",
                "ar": "اليوم العالمي للغة العربية",
            },
        ),
        Concept("rabat", {"en": "Rabat", "fr": "Rabat", "ar": "الرباط"}, case_sensitive=True),
        Concept(
            "salim-almalik",
            {"en": "Salim M. AlMalik", "ar": "سالم بن محمد المالك"},
            {"en": ("Salim AlMalik", "AlMalik"), "ar": ("سالم المالك",)},
            do_not_translate=True,
        ),
        Concept(
            "mohamed-ould-amar",
            {"en": "Mohamed Ould Amar", "ar": "محمد ولد أعمر"},
            {"en": ("Ould Amar",)},
            do_not_translate=True,
        ),
    ]
)

# Engines that always return every placeholder in a form the pipeline can read.
USABLE = ["faithful", "clitic", "case", "spaces", "reorder", "alternatives"]
# Engines that lose placeholders: the fallback layers must make up for them.
LOSSY = ["drop", "drop-some", "duplicate", "mangle"]


@pytest.fixture(scope="module")
def result():
    return bench.run_benchmark(GLOSSARY, quick=True, timing=False, glossary_label="in code")


def _failures(report, limit: int = 8) -> str:
    lines = [
        f"{report.name}: {report.compliant}/{report.occurrences} compliant, "
        f"{report.listed_misses} listed misses, methods {dict(report.methods)}"
    ]
    for f in report.failures[:limit]:
        lines.append(
            f"  {'listed' if f.listed else 'SILENT'} → {f.target} {f.article_url} {f.where}: "
            f"{f.concept} expected {f.expected!r}\n    source:    {f.source[:160]}\n"
            f"    published: {f.published[:200]}"
        )
    if len(report.failures) > limit:
        lines.append(f"  … {len(report.failures) - limit} more")
    return "\n".join(lines + report.errors)


# --- the benchmark ----------------------------------------------------------------------------


def test_every_engine_ran_on_the_same_term_occurrences(result):
    assert set(result.reports) == {*BEHAVIOURS, "argos-tiny"}
    counts = {name: r.occurrences for name, r in result.reports.items()}
    assert len(set(counts.values())) == 1, counts
    assert next(iter(counts.values())) > 100
    for report in result.reports.values():
        assert report.errors == []
        assert report.events == report.occurrences, report.name  # one event per occurrence


def test_the_source_matcher_finds_every_term_written_into_the_generated_articles(result):
    assert result.inserted > 50
    assert result.matched == result.inserted, "\n".join(result.matcher_misses)


@pytest.mark.parametrize("name", USABLE)
def test_engines_returning_usable_placeholders_comply_fully(result, name):
    report = result.reports[name]
    assert report.compliance == 1.0, _failures(report)
    assert report.listed_misses == 0
    expected = "alternative" if name == "alternatives" else "placeholder"
    assert set(report.methods) == {expected}


@pytest.mark.parametrize("name", [*LOSSY, "argos-tiny"])
def test_no_miss_is_silent(result, name):
    report = result.reports[name]
    assert report.compliant + report.listed_misses == report.occurrences, _failures(report)
    assert all(f.listed for f in report.failures), _failures(report)


@pytest.mark.parametrize("name", LOSSY)
def test_fallback_layers_reach_full_compliance_when_placeholders_are_lost(result, name):
    report = result.reports[name]
    assert report.compliance == 1.0, _failures(report)
    assert "placeholder" not in report.methods or name == "drop-some"


def test_the_institutional_glossary_file():
    glossary = load_glossary(ROOT / "glossaries" / "institutional.csv")
    run = bench.run_benchmark(glossary, quick=True, argos=False, timing=False)
    assert run.matched == run.inserted, "\n".join(run.matcher_misses)
    problems = [
        _failures(r)
        for r in run.reports.values()
        if r.compliance < 1.0 or r.compliant + r.listed_misses != r.occurrences
    ]
    assert not problems, "\n".join(problems)


# --- the independent check itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "text", "count"),
    [
        ("ar", "وأوضح المدير العام للإيسيسكو", {"director-general": 1, "icesco": 1}),
        ("ar", "والمدير العام وبالدول الأعضاء", {"director-general": 1, "member-states": 1}),
        ("ar", "نائب المدير العام", {"deputy-director-general": 1}),  # longest first
        ("ar", "مدير عام ايسيسكو الدول الاعضاء", {}),  # not the glossary's spelling
        ("fr", "l’ICESCO et d'ICESCO, le Directeur général", {"icesco": 2, "director-general": 1}),
        ("fr", "le directeur général de l'icesco", {}),  # case as in the glossary
        ("en", "TheICESCO and لICESCO and ICESCO's", {"icesco": 1}),  # glued: not a word
    ],
)
def test_form_finder_counts_exact_forms_only(target, text, count):
    assert dict(bench.FormFinder(GLOSSARY, target).count(text)) == count


# --- the misbehaving engines -------------------------------------------------------------------

SENTENCE = "The <g1>Director-General</g1> of <x2/> met <x3/> in <x4/>."
X = re.compile(r"<x\d+/>")


def placeholders(text: str) -> list[str]:
    return re.findall(r"</?g\d+>|<x\d+/>", text)


def test_behaviours_are_all_registered_and_fresh():
    assert set(BEHAVIOURS) == {
        "faithful",
        "drop",
        "drop-some",
        "duplicate",
        "mangle",
        "clitic",
        "case",
        "spaces",
        "reorder",
        "alternatives",
    }
    assert make_engine("drop") is not make_engine("drop")
    with pytest.raises(KeyError, match="known: faithful"):
        make_engine("polite")


def test_dictionary_engine_translates_word_by_word_and_copies_placeholders():
    engine = DictionaryEngine()
    assert engine.supports("en", "ar") and not engine.supports("en", "en")
    assert not engine.supports("en", "de")
    assert engine.translate_batch([SENTENCE], "en", "fr") == [
        "Le <g1>Directeur-général</g1> de <x2/> a rencontré <x3/> dans <x4/>."
    ]
    assert engine.translate_batch([SENTENCE], "en", "ar") == [
        "<g1>مدير عام</g1> <x2/> التقى <x3/> في <x4/>."
    ]
    assert engine.calls == [("en", "fr", [SENTENCE]), ("en", "ar", [SENTENCE])]
    # Unknown words pass through; the result is deterministic.
    assert engine.render("The zorglub met.", "en", "fr") == "Le zorglub a rencontré."
    assert engine.render("والمدير العام أعلن", "ar", "en") == "والمدير العام announced"
    assert engine.render("l'ICESCO et d'ALECSO", "fr", "en") == "the ICESCO and of ALECSO"


@pytest.mark.parametrize(
    ("source", "target", "term", "rendering"),
    [
        ("en", "fr", "Director-General", "Directeur-général"),
        ("en", "ar", "Director-General", "مدير عام"),
        ("fr", "en", "Directeur général", "General director"),
        ("ar", "en", "المدير العام", "general director"),
        ("en", "ar", "ICESCO", "ايسيسكو"),
        ("en", "fr", "Member States", "Pays membres"),
        ("en", "ar", "Member States", "البلدان الأعضاء"),
    ],
)
def test_dictionary_engine_renders_terms_unlike_the_glossary(source, target, term, rendering):
    assert DictionaryEngine().render(term, source, target) == rendering
    concept = next(c for c in GLOSSARY.concepts if term in c.forms(source))
    assert rendering != concept.target(target)


def test_faithful_keeps_every_placeholder_in_order():
    out = make_engine("faithful").translate_batch([SENTENCE], "en", "fr")[0]
    assert placeholders(out) == placeholders(SENTENCE)


def test_drop_removes_every_term_placeholder_but_keeps_markup():
    out = make_engine("drop").translate_batch([SENTENCE], "en", "fr")[0]
    assert X.findall(out) == []
    assert "<g1>" in out and "</g1>" in out
    assert "  " not in out and " ." not in out


def test_drop_one_in_k_counts_placeholders_across_the_batch():
    engine = DropEngine(every=3)
    out = engine.translate_batch(["<x1/> and <x2/>", "<x1/> and <x2/> and <x3/>"], "en", "fr")
    # placeholders 0..4 of the batch: the third (index 2) is dropped.
    assert out == ["<x1/> et <x2/>", "et <x2/> et <x3/>"]
    assert engine.translate_batch(["<x1/> and <x2/>"], "en", "fr") == ["<x1/> et <x2/>"]


def test_duplicate_writes_the_first_placeholder_twice():
    out = make_engine("duplicate").translate_batch([SENTENCE], "en", "fr")[0]
    assert out.count("<x2/>") == 2 and out.count("<x3/>") == 1 and out.count("<x4/>") == 1


def test_mangle_puts_junk_inside_placeholders_beyond_repair():
    out = make_engine("mangle").translate_batch([SENTENCE], "en", "ar")[0]
    assert "<xع2/>" in out and "<x3ع/>" in out and "<x#4/>" in out
    assert X.findall(repair_placeholders(out)) == []
    assert "<g1>" in out


def test_clitic_attaches_arabic_proclitics_glued_and_spaced():
    text = " ".join(f"<x{i}/> and" for i in range(1, 9))
    out = make_engine("clitic").translate_batch([text], "en", "ar")[0]
    for glued in ("و<x1/>", "ل<x2/>", "ب<x3/>", "ال<x4/>"):
        assert glued in out
    for spaced in ("و <x5/>", "ل <x6/>", "ب <x7/>", "ال <x8/>"):
        assert spaced in out


def test_clitic_puts_french_articles_before_placeholders():
    out = make_engine("clitic").translate_batch(["<x1/>, <x2/>, <x3/>"], "en", "fr")[0]
    assert out == "le <x1/>, de <x2/>, du <x3/>"


def test_case_and_spaces_change_placeholders_in_a_repairable_way():
    upper = make_engine("case").translate_batch([SENTENCE], "en", "fr")[0]
    spaced = make_engine("spaces").translate_batch([SENTENCE], "en", "fr")[0]
    assert "<X2/>" in upper and "<x2/>" not in upper
    assert "< x2 />" in spaced and "<x2/>" not in spaced
    faithful = make_engine("faithful").translate_batch([SENTENCE], "en", "fr")[0]
    assert repair_placeholders(upper) == repair_placeholders(spaced) == faithful


def test_reorder_moves_the_first_placeholder_to_the_end_of_the_sentence():
    out = make_engine("reorder").translate_batch([SENTENCE], "en", "fr")[0]
    assert out.endswith("<x2/>.")
    assert sorted(placeholders(out)) == sorted(placeholders(SENTENCE))
    assert placeholders(out) != placeholders(SENTENCE)


def test_alternatives_best_hypothesis_drops_the_second_keeps():
    engine = AlternativesEngine()
    best = engine.translate_batch([SENTENCE], "en", "fr")[0]
    assert X.findall(best) == []
    [options] = engine.translate_alternatives([SENTENCE], "en", "fr", 4)
    assert options[0] == best
    assert options[1] == make_engine("faithful").translate_batch([SENTENCE], "en", "fr")[0]
    assert len(options) == 3
    assert engine.translate_alternatives([SENTENCE], "en", "fr", 1) == [[best]]
    assert not hasattr(DictionaryEngine(), "translate_alternatives")
