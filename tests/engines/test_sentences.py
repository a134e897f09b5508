"""Sentence splitting: realistic news in en/fr/ar, the fixes over pysbd,
placeholders, losslessness, the generic fallback and cutting long pieces."""

from __future__ import annotations

import random
import re
import sys

import pytest

from translator_pipeline.engines import sentences as sbd
from translator_pipeline.engines.sentences import (
    split_sentences,
    split_with_spacing,
)

PLACEHOLDER = re.compile(r"</?g\d+>|<x\d+/>")

# Each case is the expected split; the input is the sentences joined by a space.
EN_CASES = [
    [
        "The Director-General opened the 75th session of the Regional Committee on Monday.",
        "Delegates from 22 countries attended the meeting in Cairo.",
    ],
    [
        "Dr. Ahmed Al-Mandhari welcomed the ministers of health.",
        "He thanked the host country for its support.",
    ],
    [
        "Mr. Guterres and Mrs. Mohammed met in New York on 25.11.2022.",
        "They discussed funding for humanitarian operations.",
    ],
    [
        "Prof. Jane Smith of St. Andrews University presented the findings.",
        "The full report is available online.",
    ],
    [
        "The U.S. delegation supported the draft resolution.",
        "It was adopted by consensus.",
    ],
    [
        "The agency will reach remote areas, e.g. through mobile clinics.",
        "Vaccination starts next week.",
    ],
    [
        "Inflation rose to 3.5 % in May, i.e. the highest level in a decade.",
        "Analysts expect a slowdown.",
    ],
    ["Resolution No. 12 was adopted last year.", "It calls for an immediate ceasefire."],
    [
        "Salim M. AlMalik, the Director-General of ICESCO, signed the agreement.",
        "The ceremony took place in Rabat.",
    ],
    ['"We will not give up," the minister said.', '"The work continues."'],
    [
        "“This is a historic day,” said the spokesperson.",
        "“We are ready.”",
        "The talks resume on Friday.",
    ],
    [
        "Is the target still achievable?",
        "Experts believe it is!",
        "The next review is due in 2025.",
    ],
    [
        "The summit was held in Washington, D.C. on Tuesday.",
        "Leaders agreed on a joint statement.",
    ],
    [
        "About 1,200 people were displaced, according to the U.N. refugee agency.",
        "Most of them are women and children.",
    ],
    [
        "The programme covers health, education, etc. and will run until 2030.",
        "Its budget is $4.5 billion.",
    ],
    ["The meeting ended at 5 p.m. on Friday.", "A press conference followed."],
    ["He was born in the U.S.", "In 1990, he moved to Geneva."],
    ["See page 4 (Fig. 2) for the details.", "The data were collected in 2021."],
    ["The ministers met in Geneva...", "Talks will continue tomorrow."],
    ["The session was chaired by Gen. Lopez.", "(The minutes will be published.)", "Next."],
]

FR_CASES = [
    ["M. Dupont a ouvert la séance lundi.", "Il a salué les délégations présentes."],
    [
        "Mme Martin, ministre de la Santé, a pris la parole.",
        "Elle a annoncé un nouveau plan national.",
    ],
    ["MM. Durand et Leroy ont signé l'accord.", "La cérémonie s'est déroulée à Paris."],
    ["Le Dr. Benali a présenté les résultats de l'étude.", "Ceux-ci sont encourageants."],
    ["Le Pr. Lefèvre dirige le laboratoire depuis 2015.", "Son équipe compte trente chercheurs."],
    ["Les chiffres figurent à la p. 12 du rapport annuel.", "Ils seront actualisés en juin."],
    ["La décision no. 45 a été adoptée à l'unanimité.", "Elle entre en vigueur le 1er janvier."],
    ["La décision n° 46 a été reportée.", "Le vote aura lieu en mars."],
    ["Selon l'art. 5 du règlement, le vote est secret.", "Les résultats seront publiés demain."],
    [
        "La ville fut fondée vers 50 av. J.-C. par les Romains.",
        "Elle compte aujourd'hui 80 000 habitants.",
    ],
    ["Le temple date de 120 av. J.-C.", "Le site est classé depuis 1980."],
    [
        "Le programme couvre la santé, l'éducation, etc. et durera cinq ans.",
        "Il est financé par l'Union européenne.",
    ],
    ["Le rapport traite de la santé, de l'éducation, etc.", "Il sera présenté au Conseil."],
    [
        "« Nous sommes prêts », a déclaré le ministre.",
        "« Le travail continue. »",
        "Les négociations reprendront vendredi.",
    ],
    [
        "« Nous ne céderons pas. » a-t-il affirmé devant la presse.",
        "La séance a été levée à midi.",
    ],
    ["L'inflation a atteint 3,5 % en mai.", "C'est le niveau le plus élevé depuis dix ans."],
    ["La réunion s'est tenue le 25.11.2022 à Genève.", "Quarante pays y ont participé."],
    [
        "Faut-il revoir les objectifs ?",
        "Les experts le pensent !",
        "Une évaluation aura lieu en 2025.",
    ],
    [
        "Salim M. AlMalik, directeur général de l'ICESCO, a signé la convention.",
        "La cérémonie a eu lieu à Rabat.",
    ],
    [
        "Il a été reçu par S.E. M. Ahmed, ambassadeur du Maroc.",
        "Les deux hommes ont évoqué la coopération.",
    ],
    [
        "Les délégués se sont réunis à Genève...",
        "La suite des discussions est prévue demain.",
    ],
]

AR_CASES = [
    [
        "افتتح المدير العام أعمال الدورة الخامسة والسبعين يوم الاثنين.",
        "وحضر الاجتماع ممثلون عن اثنتين وعشرين دولة.",
    ],
    [
        "قال المدير العام، في كلمته الافتتاحية، إن المنظمة ملتزمة بدعم الدول الأعضاء.",
        "وأضاف أن التمويل سيزداد العام المقبل.",
    ],
    [
        "وأوضح الوزير: إن الخطة تشمل التعليم والصحة؛ وستنفذ على ثلاث مراحل.",
        "وتبلغ ميزانيتها أربعة مليارات دولار.",
    ],
    [
        "هل يمكن تحقيق هذه الأهداف بحلول عام 2030؟",
        "يرى الخبراء أن ذلك ممكن.",
        "لكنهم يطالبون بمزيد من التمويل.",
    ],
    ["ترأس د. سالم م. المالك الاجتماع.", "وناقش المشاركون خطة العمل للعام المقبل."],
    ["وقعت الاتفاقية في 25.11.2022 بمدينة الرباط.", "وتستمر لمدة خمس سنوات."],
    ["قال المتحدث: «نحن مستعدون للحوار.»", "ثم غادر القاعة."],
    ["وارتفع معدل التضخم إلى 3.5 % في مايو.", "وهو أعلى مستوى منذ عشر سنوات."],
    ["أعلنت المنظمة عن برنامج جديد!", "ويستهدف البرنامج الشباب في المناطق الريفية."],
    ["وشارك في الندوة أ.د. محمد العلي من جامعة القاهرة.", "وقدم ورقة عن التحول الرقمي."],
    ["وتم ذلك في عام 2022 م.", "وقال المدير إن النتائج مشجعة."],
    [
        "واستقبل الوزير السفراء المعتمدين لدى المملكة، وبحث معهم سبل التعاون.",
        "كما اطلع على سير المشاريع المشتركة.",
    ],
    [
        "وقالت المنظمة في بيان: إن الوضع الإنساني خطير؛ ويتطلب تدخلا عاجلا.",
        "ودعت المجتمع الدولي إلى تقديم الدعم.",
    ],
    ["ما هي أولويات المرحلة المقبلة؟", "التعليم والصحة والتشغيل."],
    [
        "وأكد الأمين العام أن الحوار هو السبيل الوحيد لحل الأزمة.",
        "وحث الأطراف على ضبط النفس.",
        "ومن المقرر أن تستأنف المحادثات الأسبوع المقبل.",
    ],
    ["زار الوفد مقر المنظمة في جنيف...", "وعقد لقاءات مع كبار المسؤولين."],
    [
        "وصرح المتحدث باسم الأمم المتحدة (U.N.) بأن المساعدات وصلت.",
        "ويجري توزيعها حاليا.",
    ],
    ["هل انتهت الأزمة?", "لا أحد يعرف.", "ويستمر الحوار."],
]

CORPUS = {"en": EN_CASES, "fr": FR_CASES, "ar": AR_CASES}


CASES = [
    pytest.param(lang, case, id=f"{lang}-{i}")
    for lang, cases in CORPUS.items()
    for i, case in enumerate(cases)
]


def rejoin(pairs: list[tuple[str, str]]) -> str:
    return "".join(s + ws for s, ws in pairs)


@pytest.mark.parametrize(("lang", "expected"), CASES)
def test_news_sentences_split_as_expected(lang: str, expected: list[str]) -> None:
    assert split_sentences(" ".join(expected), lang) == expected


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_each_language_has_enough_cases(lang: str) -> None:
    assert len(CORPUS[lang]) >= 15
    assert all(len(case) >= 2 for case in CORPUS[lang])


@pytest.mark.parametrize(("lang", "expected"), CASES)
def test_rules_alone_give_the_same_split_without_pysbd(
    lang: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine without pysbd must still split news text the same way."""
    splitter = sbd._splitter(lang)
    monkeypatch.setattr(splitter, "_segmenter", None)
    assert split_sentences(" ".join(expected), lang) == expected


def test_a_whole_article_in_one_go() -> None:
    expected = [s for case in EN_CASES for s in case]
    assert split_sentences(" ".join(expected), "en") == expected


# --- the fixes over pysbd ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "قال الوزير، في مؤتمر صحفي، إن الاتفاق نهائي.",
        "وأضاف: سنواصل العمل.",
        "الخطة طموحة؛ لكنها ممكنة.",
        "وجاء في البيان: «الوضع مستقر»، وفق المصدر.",
        "ووصل الوفد في الساعة 10:30 صباحا.",
    ],
)
def test_arabic_does_not_split_on_comma_semicolon_or_colon(text: str) -> None:
    assert split_sentences(text, "ar") == [text]


@pytest.mark.parametrize("mark", [".", "!", "؟", "?"])
def test_arabic_splits_on_sentence_punctuation_followed_by_space(mark: str) -> None:
    text = f"انتهى الاجتماع{mark} وبدأ المؤتمر الصحفي."
    assert split_sentences(text, "ar") == [f"انتهى الاجتماع{mark}", "وبدأ المؤتمر الصحفي."]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith arrived.",
        "Mr. Jones arrived.",
        "Mrs. Jones arrived.",
        "Prof. Brown arrived.",
        "They met at St. Paul's Cathedral.",
        "He lives at No. 10 Downing Street.",
        "Some agencies, e.g. UNICEF, responded.",
        "The poorest, i.e. Those in rural areas, suffer most.",
        "The U.S. Congress voted.",
        "The U.S. Senate voted.",
        "Salim M. AlMalik spoke.",
        "John F. Kennedy spoke.",
        "The session opens on Jan. 5 in Geneva.",
        "It lasted approx. 3 hours.",
    ],
)
def test_english_abbreviations_do_not_end_sentences(text: str) -> None:
    assert split_sentences(text, "en") == [text]


@pytest.mark.parametrize(
    "text",
    [
        "M. Dupont est arrivé.",
        "Mme. Martin est arrivée.",
        "MM. Durand et Leroy sont arrivés.",
        "Le Dr. Benali est arrivé.",
        "Le Pr. Lefèvre est arrivé.",
        "Voir p. 12 du rapport.",
        "La décision n° 5 et la décision no. 6 sont prêtes.",
        "Il est né en 52 av. J.-C. dans la région.",
        "Des fruits, des légumes, etc. sont vendus.",
        "Il a rencontré Salim M. AlMalik hier.",
        "Il habite 12 av. Foch à Paris.",
    ],
)
def test_french_abbreviations_do_not_end_sentences(text: str) -> None:
    assert split_sentences(text, "fr") == [text]


def test_etc_before_a_capital_ends_the_sentence() -> None:
    assert split_sentences("Des fruits, des légumes, etc. Le marché ferme.", "fr") == [
        "Des fruits, des légumes, etc.",
        "Le marché ferme.",
    ]
    assert split_sentences("Apples, pears, etc. The market closes.", "en") == [
        "Apples, pears, etc.",
        "The market closes.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On 25.11.2022 the board met. It agreed.", ["On 25.11.2022 the board met.", "It agreed."]),
        ("The board met on 25.11.2022. It agreed.", ["The board met on 25.11.2022.", "It agreed."]),
        ("Growth was 3.5 %. It was 2.1 % before.", ["Growth was 3.5 %.", "It was 2.1 % before."]),
        ("1. Introduction", ["1. Introduction"]),
        ("1. Introduction\n2. Methods", ["1. Introduction", "2. Methods"]),
        ("Summary. 1. Introduction of the plan.", ["Summary.", "1. Introduction of the plan."]),
        ("Sales rose in 2023. 2024 looks better.", ["Sales rose in 2023.", "2024 looks better."]),
        ("The fee is 3.50 euros. Pay now.", ["The fee is 3.50 euros.", "Pay now."]),
    ],
)
def test_dates_and_numbers(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("fr", "« Oui. » Il partit.", ["« Oui. »", "Il partit."]),
        ("fr", "« Oui », dit-il. « Non. »", ["« Oui », dit-il.", "« Non. »"]),
        ("fr", "« Oui. » dit-il.", ["« Oui. » dit-il."]),
        (
            "fr",
            "«\u202fPrêts\u202f!\u202f» Ils partirent.",
            ["«\u202fPrêts\u202f!\u202f»", "Ils partirent."],
        ),
        ("en", "“We won.” He smiled.", ["“We won.”", "He smiled."]),
        ("en", "“We won,” he said. “Really.”", ["“We won,” he said.", "“Really.”"]),
        ("en", '"Stop." "Why?" "Now."', ['"Stop."', '"Why?"', '"Now."']),
        ("en", "He left (for good.) Then silence.", ["He left (for good.)", "Then silence."]),
        ("ar", "قال: «انتهى.» وغادر.", ["قال: «انتهى.»", "وغادر."]),
    ],
)
def test_quotes_and_guillemets_stay_with_their_sentence(
    lang: str, text: str, expected: list[str]
) -> None:
    assert split_sentences(text, lang) == expected


def test_lowercase_after_a_period_never_starts_a_sentence() -> None:
    assert split_sentences("It is due on Monday. and then Tuesday.", "en") == [
        "It is due on Monday. and then Tuesday."
    ]


# --- placeholders -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "<g1>First sentence.</g1> Second one.", ["<g1>First sentence.</g1>", "Second one."]),
        ("en", "First one. <g1>Second sentence.</g1>", ["First one.", "<g1>Second sentence.</g1>"]),
        ("en", "<g1><g2>Nested end.</g2></g1> Next.", ["<g1><g2>Nested end.</g2></g1>", "Next."]),
        ("en", "See <g1>the report</g1>. It is new.", ["See <g1>the report</g1>.", "It is new."]),
        ("en", "Line one.<x2/> Line two.", ["Line one.<x2/>", "Line two."]),
        ("en", "Dr.<x3/> Smith came. <x4/> He left.", ["Dr.<x3/> Smith came.", "<x4/> He left."]),
        ("en", "Visit <g1>our site</g1> today.", ["Visit <g1>our site</g1> today."]),
        ("en", "<g1>One. Two.</g1> Three.", ["<g1>One.", "Two.</g1>", "Three."]),
        (
            "fr",
            "<g12>Le Dr.</g12> Martin est là. Il parle.",
            ["<g12>Le Dr.</g12> Martin est là.", "Il parle."],
        ),
        ("fr", "« <g1>Oui.</g1> » Il partit.", ["« <g1>Oui.</g1> »", "Il partit."]),
        (
            "ar",
            "<g1>انتهى الاجتماع.</g1> وبدأ المؤتمر.",
            ["<g1>انتهى الاجتماع.</g1>", "وبدأ المؤتمر."],
        ),
    ],
)
def test_placeholders_are_never_cut_and_closing_tags_stay(
    lang: str, text: str, expected: list[str]
) -> None:
    assert split_sentences(text, lang) == expected
    assert rejoin(split_with_spacing(text, lang)) == text


def test_whitespace_before_a_closing_tag_keeps_the_tag_with_its_sentence() -> None:
    assert split_sentences("<g1>First. </g1>Second.", "en") == ["<g1>First. </g1>", "Second."]


def test_text_that_only_looks_like_markup_is_left_alone() -> None:
    text = "If a < b. Then b > a."
    assert split_sentences(text, "en") == ["If a < b.", "Then b > a."]


# --- losslessness and robustness ---------------------------------------------


def _words(spaced: str) -> list[str]:
    return spaced.split(" ")


_FRAGMENTS = {
    "en": _words(
        "The minister said Dr. Mr. St. U.S. e.g. No. 12 3.5 % 2022. etc. M. word "
        "Geneva report agency “Yes.” (note.) it"
    ),
    "fr": _words(
        "Le ministre a dit M. Mme MM. Pr. p. 12 n° av. J.-C. etc. « Oui. » l'art. "
        "Genève rapport agence »."
    ),
    "ar": _words("قال الوزير، إن د. م. 2022 م. الاتفاق؛ نهائي: «نعم.» هل؟ جنيف U.N. التقرير"),
    "zh": _words("你好。 我很好！ 他说：“好。” 谢谢？"),
    "sw": _words("Rais alisema Dr. M. Je, ni kweli? Ndiyo! Tanzania 2022."),
}
_PUNCT = [
    "",
    "",
    "",
    ".",
    ".",
    "!",
    "?",
    "؟",
    "…",
    "...",
    ",",
    ";",
    ":",
    "،",
    "؛",
    ".»",
    ".”",
    ".)",
]
_SPACES = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u202f", " \n ", ""]
_TAGS = ["<g1>", "</g1>", "<x2/>", "<g13>", "</g13>", "<x40/>"]


def _random_text(rng: random.Random, lang: str) -> str:
    parts = [rng.choice(_SPACES) if rng.random() < 0.15 else ""]
    for _ in range(rng.randint(0, 40)):
        if rng.random() < 0.15:
            parts.append(rng.choice(_TAGS))
        word = rng.choice(_FRAGMENTS[lang])
        if rng.random() < 0.3:
            word = word.capitalize()
        parts.append(word + rng.choice(_PUNCT))
        if rng.random() < 0.1:
            parts.append(rng.choice(_TAGS))
        parts.append(rng.choice(_SPACES))
    return "".join(parts)


@pytest.mark.parametrize("lang", ["en", "fr", "ar", "zh", "sw"])
@pytest.mark.parametrize("seed", range(4))
def test_round_trip_property_on_random_text(lang: str, seed: int) -> None:
    rng = random.Random(f"{lang}-{seed}")
    for _ in range(150):
        text = _random_text(rng, lang)
        pairs = split_with_spacing(text, lang)
        assert rejoin(pairs) == text
        for i, (sentence, ws) in enumerate(pairs):
            assert ws.strip() == ""
            assert sentence == sentence.strip()
            assert sentence or i == 0  # only leading whitespace has an empty sentence
        # a placeholder cut in two would vanish from the per-sentence token lists
        tokens = [t for s, _ in pairs for t in PLACEHOLDER.findall(s)]
        assert tokens == PLACEHOLDER.findall(text)
        assert split_sentences(text, lang) == [s for s, _ in pairs if s]


@pytest.mark.parametrize(
    "text",
    [
        "  Leading and trailing.  Spaces.  ",
        "\n\nTitle\n\nBody. More body.\n",
        "\u00a0Non-breaking.\u00a0Spaces.",
        "Tabs.\tBetween.\tSentences.",
        "<x1/>",
        " <g1> </g1> ",
        "....",
        "?!",
        ". . .",
        "A.",
        "«",
        "\u200b.\u200b",
    ],
)
def test_round_trip_on_edge_cases(text: str) -> None:
    assert rejoin(split_with_spacing(text, "en")) == text


def test_blank_text_gives_no_sentences() -> None:
    assert split_sentences("", "en") == []
    assert split_with_spacing("", "en") == []
    assert split_sentences(" \n\t\u00a0", "fr") == []
    assert split_with_spacing("   ", "ar") == [("", "   ")]


def test_leading_whitespace_is_returned_as_an_empty_sentence() -> None:
    assert split_with_spacing("  One. Two.\n", "en") == [("", "  "), ("One.", " "), ("Two.", "\n")]


def test_long_text_without_punctuation_is_one_sentence() -> None:
    text = " ".join(["word"] * 50_000)
    assert split_sentences(text, "en") == [text]


def test_long_text_with_many_undecided_periods_stays_fast() -> None:
    text = " ".join(["Apple Inc. Board met at 5 p.m. Monday"] * 2000) + "."
    pairs = split_with_spacing(text, "en")
    assert rejoin(pairs) == text


def test_pathological_punctuation_runs_are_handled() -> None:
    for text in ["." * 20_000, ". " * 20_000 + "x", "?!" * 10_000 + " Next", "A. " * 20_000]:
        assert rejoin(split_with_spacing(text, "en")) == text


def test_works_without_pysbd_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pysbd", None)  # makes `import pysbd` fail
    monkeypatch.setitem(sys.modules, "pysbd.languages", None)
    splitter = sbd._Splitter("fr")
    assert splitter._segmenter is None
    monkeypatch.setattr(sbd, "_splitter", lambda lang: splitter)
    assert split_sentences("M. Dupont est venu. Il a parlé.", "fr") == [
        "M. Dupont est venu.",
        "Il a parlé.",
    ]


def test_blank_line_and_line_breaks() -> None:
    assert split_sentences("Headline\n\nThe story starts here. It goes on.", "en") == [
        "Headline",
        "The story starts here.",
        "It goes on.",
    ]
    # a lowercase next line is a wrapped sentence, not a new one
    assert split_sentences("The talks went\non all night.", "en") == [
        "The talks went\non all night."
    ]


@pytest.mark.parametrize("language", ["EN", "en-US", "fr_FR", "ara", "", "  "])
def test_language_codes_are_normalised(language: str) -> None:
    assert split_sentences("One. Two.", language) == ["One.", "Two."]


def test_splitters_are_cached_per_language() -> None:
    assert sbd._splitter("en") is sbd._splitter("en")
    split_sentences("One. Two.", "en-GB")
    assert sbd._splitter(sbd._language_key("en-GB")) is sbd._splitter("en")


def test_undecided_boundaries_are_handed_to_pysbd(monkeypatch: pytest.MonkeyPatch) -> None:
    splitter = sbd._splitter("en")
    seen: list[str] = []

    class Spy:
        def segment(self, text: str) -> list[str]:
            seen.append(text)
            return [text]  # "no boundary anywhere"

    monkeypatch.setattr(splitter, "_segmenter", Spy())
    text = "He joined Apple Inc. The board agreed. He left at 5 p.m. Monday was calm."
    assert split_sentences(text, "en") == [
        "He joined Apple Inc. The board agreed.",
        "He left at 5 p.m. Monday was calm.",
    ]
    assert seen == ["He joined Apple Inc. The board agreed.", "He left at 5 p.m. Monday was calm."]


# --- fallback languages -----------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sw", ["Rais alisema jana.", "Wananchi wamefurahi!", "Je, ni kweli?", "Ndiyo."]),
        ("tr", ["Toplantı Ankara'da yapıldı.", "Dr. Yılmaz konuştu.", "Karar 2023'te alındı."]),
        ("xx", ["Salim M. AlMalik spoke.", "“It works.”", "42 people came."]),
        ("sw", ["Mkutano ulifanyika.", "Rais Samia alihudhuria…", "Wengi walifurahi."]),
        ("tr", ["Yarın geliyor mu?", "Evet.", "Öğleden sonra."]),
    ],
)
def test_fallback_splitter_for_languages_pysbd_does_not_know(
    lang: str, expected: list[str]
) -> None:
    text = " ".join(expected)
    assert split_sentences(text, lang) == expected
    assert rejoin(split_with_spacing(text, lang)) == text


def test_fallback_does_not_split_before_lowercase_or_inside_placeholders() -> None:
    assert split_sentences("Hii ni kweli. na hii pia.", "sw") == ["Hii ni kweli. na hii pia."]
    assert split_sentences("<g1>Habari.</g1> Karibu.", "sw") == ["<g1>Habari.</g1>", "Karibu."]


def test_cjk_stops_split_without_spaces() -> None:
    assert split_sentences("会议今天开幕。代表们出席了会议！会议何时结束？", "zh") == [
        "会议今天开幕。",
        "代表们出席了会议！",
        "会议何时结束？",
    ]
    assert split_sentences("他说：“会议开幕了。” 代表们出席了。然后 Dr. Li 发言。", "zh") == [
        "他说：“会议开幕了。”",
        "代表们出席了。",
        "然后 Dr. Li 发言。",
    ]


# --- cut_long ---------------------------------------------------------------
