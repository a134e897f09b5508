"""Language identification: sentences, paragraphs, scripts, and whole demo articles."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import SITE
from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.extract import extract_article
from translator_pipeline.language.langid import LanguageDetector, detect_article, script_of
from translator_pipeline.models import Article, Block, FetchedPage

ARABIC = [
    "استقبل المدير العام للمنظمة وفدا رفيع المستوى من وزارة التربية الوطنية في مقرها بالرباط.",
    "وقعت المنظمة اتفاقية تعاون لتطوير التعليم الرقمي وتأهيل المعلمين في المدارس الحكومية.",
    "أكد المشاركون في الندوة أهمية حماية التراث الثقافي المادي وغير المادي في الدول الأعضاء.",
    "تنظم المنظمة الأسبوع المقبل دورة تدريبية لفائدة الباحثين الشباب في مجال الذكاء الاصطناعي.",
    "احتفلت المنظمة باليوم العالمي للغة العربية بتنظيم معرض للخط العربي وأمسية شعرية.",
    "دعا البيان الختامي للمؤتمر إلى تعزيز التعاون بين الجامعات ومراكز البحث العلمي.",
    "أعلنت اللجنة عن أسماء الفائزين بجائزة الإبداع التربوي في دورتها الخامسة.",
    "شارك أكثر من مئتي خبير في الاجتماع الإقليمي الذي انعقد على مدى ثلاثة أيام.",
    "تهدف المبادرة إلى محو الأمية وتعليم الكبار في المناطق الريفية والنائية.",
    "أشاد الوزير بجهود المنظمة في دعم المنظومات التعليمية خلال الأزمات والكوارث.",
    "صادق المجلس التنفيذي على خطة العمل والميزانية للسنتين المقبلتين بالإجماع.",
    "تستعد المنظمة لإطلاق منصة إلكترونية لتبادل الموارد التربوية المفتوحة بين المدارس.",
]

FRENCH = [
    "Le directeur général de l’Organisation a reçu jeudi une délégation du ministère de "
    "l’Éducation nationale.",
    "Les participants ont adopté une déclaration commune sur la transformation numérique de "
    "l’école.",
    "L’atelier régional a réuni une quarantaine de jeunes chercheurs venus de onze pays africains.",
    "La cérémonie de remise des prix aura lieu le mois prochain au siège de l’Organisation à "
    "Rabat.",
    "Cette initiative vise à renforcer les capacités des enseignants dans les zones rurales.",
    "Les enregistrements des conférences seront mis en ligne dans les prochains jours sur notre "
    "site.",
    "Le colloque international a été consacré à la préservation des manuscrits anciens et des "
    "archives.",
    "Selon le communiqué, les deux organisations souhaitent approfondir leur coopération dans le "
    "domaine culturel.",
    "Un appel à candidatures est ouvert jusqu’au 30 juin pour les bourses de recherche doctorale.",
    "Les élèves ont découvert l’histoire de la calligraphie lors d’une visite guidée de "
    "l’exposition.",
    "La ministre a salué l’engagement des bénévoles qui animent les programmes d’alphabétisation.",
    "Le conseil exécutif a approuvé à l’unanimité le plan d’action et le budget pour les deux "
    "prochaines années.",
]

ENGLISH = [
    "The Director-General received a high-level delegation from the Ministry of Education on "
    "Thursday.",
    "Participants adopted a joint declaration on the digital transformation of schools in the "
    "region.",
    "The regional workshop brought together about forty young researchers from eleven African "
    "countries.",
    "The award ceremony will take place next month at the Organization's headquarters in Rabat.",
    "This initiative aims to strengthen the skills of teachers working in rural and remote areas.",
    "Recordings of the lectures will be published on our website in the coming days.",
    "The international symposium focused on the preservation of ancient manuscripts and archives.",
    "According to the statement, both organizations wish to deepen their cooperation in the "
    "cultural field.",
    "Applications for the doctoral research grants are open until the end of June.",
    "Students learned about the history of calligraphy during a guided tour of the exhibition.",
    "The minister praised the commitment of the volunteers who run the literacy programmes.",
    "The Executive Council unanimously approved the action plan and the budget for the next two "
    "years.",
]

PERSIAN = [
    "سازمان آموزشی، علمی و فرهنگی جهان اسلام روز یکشنبه در رباط نشستی با حضور پژوهشگران جوان "
    "برگزار کرد.",
    "وزیر آموزش و پرورش گفت که برنامه‌های آموزش دیجیتال در همه مدرسه‌های کشور اجرا خواهد شد.",
    "این کارگاه با هدف حفظ میراث فرهنگی و نسخه‌های خطی کهن برگزار شد.",
    "شرکت‌کنندگان در پایان نشست بیانیه‌ای درباره همکاری میان دانشگاه‌ها تصویب کردند.",
]

URDU = [
    "اسلامی دنیا کی تعلیمی، سائنسی اور ثقافتی تنظیم نے اتوار کے روز رباط میں نوجوان محققین کے "
    "ساتھ ایک اجلاس منعقد کیا۔",
    "وزیر تعلیم نے کہا کہ ملک کے تمام سرکاری اسکولوں میں ڈیجیٹل تعلیم کا پروگرام شروع کیا جائے گا۔",
    "اس ورکشاپ کا مقصد ثقافتی ورثے اور پرانے مخطوطات کی حفاظت کرنا تھا۔",
    "اجلاس کے اختتام پر شرکاء نے جامعات کے درمیان تعاون کے بارے میں ایک مشترکہ اعلامیہ منظور کیا۔",
]

SAMPLES = [("ar", s) for s in ARABIC] + [("fr", s) for s in FRENCH] + [("en", s) for s in ENGLISH]


def paragraph(sentences: list[str], start: int) -> str:
    return " ".join(sentences[start : start + 4])


PARAGRAPHS = [
    (lang, paragraph(sentences, start))
    for lang, sentences in (("ar", ARABIC), ("fr", FRENCH), ("en", ENGLISH))
    for start in (0, 4, 8)
]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


# --- sentences and paragraphs ------------------------------------------------------------


@pytest.mark.parametrize(("expected", "text"), SAMPLES)
def test_news_sentence(detector: LanguageDetector, expected: str, text: str) -> None:
    guess = detector.detect(text)

    assert guess.language == expected
    assert guess.known
    assert guess.confidence >= 0.7
    assert guess.script == ("Arab" if expected == "ar" else "Latn")


@pytest.mark.parametrize(("expected", "text"), PARAGRAPHS)
def test_news_paragraph(detector: LanguageDetector, expected: str, text: str) -> None:
    guess = detector.detect(text)

    assert guess.language == expected
    assert guess.confidence >= 0.9


def test_arabic_with_latin_names_and_digits_is_still_arabic(detector: LanguageDetector) -> None:
    text = "استقبل الدكتور سالم المالك نظيره من منظمة ALECSO يوم 25 نوفمبر 2022 في مقر ICESCO."

    assert detector.detect(text).language == "ar"


def test_french_with_an_arabic_quotation_is_french(detector: LanguageDetector) -> None:
    text = (
        "Le slogan choisi cette année, «اللغة العربية جسر», soit « la langue arabe, un pont "
        "entre les civilisations », était affiché en grand format dans le hall d’accueil."
    )

    assert detector.detect(text).language == "fr"


# --- persian and urdu are not arabic -----------------------------------------------------


@pytest.mark.parametrize("text", PERSIAN)
def test_persian_is_not_labelled_arabic(detector: LanguageDetector, text: str) -> None:
    guess = detector.detect(text)

    assert guess.language == "fa"
    assert guess.script == "Arab"


@pytest.mark.parametrize("text", URDU)
def test_urdu_is_not_labelled_arabic(detector: LanguageDetector, text: str) -> None:
    guess = detector.detect(text)

    assert guess.language == "ur"
    assert guess.script == "Arab"


# --- undetermined ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "a", "Le", "ب", "في", "12", "2026", "9 / 03 / 2026", "+212 5 37 56 60 52", "…!?",
     "٢٠٢٦", "— 3 —"],
)  # fmt: skip
def test_too_short_or_letterless_text_is_undetermined(
    detector: LanguageDetector, text: str
) -> None:
    guess = detector.detect(text)

    assert guess.language == "und"
    assert not guess.known
    assert guess.confidence == 0.0


def test_unsupported_scripts_are_undetermined(detector: LanguageDetector) -> None:
    assert detector.detect("Министр образования открыл новую школу в столице.").language == "und"
    assert detector.detect("教育部长今天在首都参观了一所新学校。").language == "und"


@pytest.mark.parametrize("text", ["Message important", "Events calendar"])
def test_hint_breaks_a_tie(detector: LanguageDetector, text: str) -> None:
    # Short strings the detector hesitates on (top answer below 0.7): the page's
    # lang settles a near-tie, but cannot impose a language the text argues against.
    assert detector.detect(text).language == "und"
    assert detector.detect(text, hint="fr").language == "fr"
    assert detector.detect(text, hint="en").language == "und"


def test_hint_does_not_override_a_clear_answer(detector: LanguageDetector) -> None:
    assert detector.detect(FRENCH[0], hint="en").language == "fr"
    assert detector.detect(ENGLISH[0], hint="fr").language == "en"
    assert detector.detect(ARABIC[0], hint="fr").language == "ar"


# --- determinism --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH[0],
        FRENCH[3],
        "Rabat, Dakar, Tunis",  # short and ambiguous: where randomness would show
        "Programme ICESCO 2026",
    ],
)
def test_same_input_same_output(text: str) -> None:
    detector = LanguageDetector()
    first = detector.detect(text)

    assert all(detector.detect(text) == first for _ in range(20))
    assert LanguageDetector().detect(text) == first  # another instance agrees


def test_same_output_from_concurrent_threads(detector: LanguageDetector) -> None:
    texts = [text for _, text in SAMPLES] * 3
    expected = [detector.detect(text) for text in texts]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(detector.detect, texts))

    assert results == expected


# --- script_of --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("مرحبا", "Arab"),
        ("ﻣﺮﺣﺒﺎ", "Arab"),  # presentation forms
        ("Élève", "Latn"),
        ("Ngũgĩ wa Thiong'o", "Latn"),
        ("Đà Nẵng", "Latn"),
        ("Москва", "Cyri"),
        ("שלום", "Hebr"),
        ("", "Zyyy"),
        ("2026 — !?", "Zyyy"),
    ],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text)[0] == script


def test_script_of_counts_letters_only() -> None:
    script, counts = script_of("ICESCO 2026 الإيسيسكو!")

    assert script == "Arab"
    assert counts == {"Latn": 6, "Arab": 9}


# --- whole articles ---------------------------------------------------------------------------

DEMO_SOURCE = SourceSettings(
    name="demo-news",
    start_urls=["http://127.0.0.1:8765/index.html"],
    title_selector="h1.article-title",
    body_selector="div.article-body",
    date_selector="time.article-date",
    remove_selectors=[".share-buttons"],
)


def demo_article(name: str) -> Article:
    url = f"http://127.0.0.1:8765/articles/{name}"
    page = FetchedPage(
        url=url,
        requested_url=url,
        status=200,
        content_type="text/html",
        encoding="utf-8",
        encoding_origin="header",
        text=(SITE / "articles" / name).read_text(encoding="utf-8"),
    )
    return extract_article(page, DEMO_SOURCE)


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("icesco-alecso-partnership-meeting.html", "en"),
        ("ittifaqiyat-taawun-tarbawi.html", "ar"),
        ("journee-langue-arabe.html", "fr"),
        ("rencontre-jeunes-chercheurs.html", "fr"),
    ],
)
def test_demo_article_language(detector: LanguageDetector, name: str, language: str) -> None:
    article = detect_article(demo_article(name), detector, supported=["ar", "fr", "en"])

    assert article.language == language
    assert article.language_confidence >= 0.9
    assert len(article.block_languages) == len(article.blocks)
    if name != "journee-langue-arabe.html":
        assert set(article.block_languages) == {None}  # single-language articles


def test_english_quotation_in_the_french_article_is_its_own_language(
    detector: LanguageDetector,
) -> None:
    article = detect_article(
        demo_article("journee-langue-arabe.html"), detector, supported=["ar", "fr", "en"]
    )

    quote = next(b.index for b in article.blocks if b.tag == "blockquote")
    assert article.language == "fr"
    assert article.block_languages[quote] == "en"
    others = [lang for i, lang in enumerate(article.block_languages) if i != quote]
    assert others == [None] * len(others)  # everything else inherits French


def test_block_language_is_kept_only_when_supported(detector: LanguageDetector) -> None:
    article = detect_article(
        demo_article("journee-langue-arabe.html"), detector, supported=["ar", "fr"]
    )

    assert article.language == "fr"
    assert set(article.block_languages) == {None}


def _article(title: str, *texts: str, declared: str | None = None) -> Article:
    blocks = tuple(Block(i, "p", text, text) for i, text in enumerate(texts))
    return Article(
        url="https://news.example.org/a",
        source="s",
        title=title,
        body_html="",
        blocks=blocks,
        declared_lang=declared,
    )


def test_short_foreign_block_inherits_the_article_language(detector: LanguageDetector) -> None:
    article = _article(FRENCH[0], FRENCH[1], FRENCH[2], "Thank you very much.")

    detected = detect_article(article, detector, supported=["ar", "fr", "en"])

    assert detected.language == "fr"
    assert detected.block_languages == (None, None, None)  # under 40 characters


def test_long_arabic_block_in_an_english_article(detector: LanguageDetector) -> None:
    article = _article(ENGLISH[0], ENGLISH[1], ENGLISH[2], ARABIC[0], ENGLISH[3])

    detected = detect_article(article, detector, supported=["ar", "fr", "en"])

    assert detected.language == "en"
    assert detected.block_languages == (None, None, "ar", None)


def test_declared_language_does_not_override_the_text(detector: LanguageDetector) -> None:
    # "templates and machine-translated pages lie"
    article = _article(ENGLISH[0], ENGLISH[1], ENGLISH[2], declared="fr-FR")

    assert detect_article(article, detector).language == "en"


def test_detect_article_is_deterministic(detector: LanguageDetector) -> None:
    article = demo_article("journee-langue-arabe.html")
    first = detect_article(article, detector, supported=["ar", "fr", "en"])

    for _ in range(20):
        again = detect_article(article, detector, supported=["ar", "fr", "en"])
        assert (again.language, again.language_confidence, again.block_languages) == (
            first.language,
            first.language_confidence,
            first.block_languages,
        )


@pytest.mark.parametrize("text", ["Rabat", "Paris", "Bamako", "Abdelilah Benarafa"])
def test_names_alone_have_no_language(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).language == "und"


@pytest.mark.parametrize("text", ["Culture", "Agenda", "Innovation sociale"])
def test_short_strings_are_not_given_a_confuser_language(
    detector: LanguageDetector, text: str
) -> None:
    # Plain langdetect calls these Romanian, Portuguese or Italian with certainty.
    assert detector.detect(text).language in ("und", "fr", "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le conseil s'est réuni hier à Paris pour examiner le rapport annuel sur la "
         "coopération éducative avec les États membres.", "fr"),
        ("The council met yesterday in London to review the annual report on "
         "educational cooperation with the member states.", "en"),
        ("اجتمع المجلس أمس في الرباط لدراسة التقرير السنوي حول التعاون التربوي مع الدول الأعضاء.",
         "ar"),
        ("El consejo se reunió ayer en Madrid para examinar el informe anual sobre la "
         "cooperación educativa con los países miembros.", "es"),
    ],
)  # fmt: skip
def test_a_deployment_of_other_languages_still_names_common_ones(text, expected):
    # An es/de/pt deployment: a French page must be reported as French (not
    # translated from), not as the nearest language the deployment knows.
    guess = LanguageDetector(("es", "de", "pt")).detect(text)
    assert guess.language == expected
