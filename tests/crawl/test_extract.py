"""Article extraction and link discovery, on the demo site and on small pages written here."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.factories import SITE
from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.extract import extract_article
from translator_pipeline.errors import ExtractionError
from translator_pipeline.html.segment import BLOCK_ATTR
from translator_pipeline.models import Article, FetchedPage

BASE = "http://127.0.0.1:8765/"

DEMO_SOURCE = SourceSettings(
    name="demo-news",
    start_urls=[BASE + "index.html"],
    link_selector="ul.news-list a.news-link",
    title_selector="h1.article-title",
    body_selector="div.article-body",
    date_selector="time.article-date",
    remove_selectors=[".share-buttons"],
)
NO_SELECTORS = SourceSettings(name="plain", start_urls=["https://news.example.org/"])

# (file, title, date, <html lang>, block tags in order)
DEMO_ARTICLES = [
    (
        "icesco-alecso-partnership-meeting.html",
        "ICESCO and ALECSO Directors-General Discuss Joint Work on the Arabic Language",
        "2022-11-25",
        "en",
        ["p", "p", "h2", "p", "li", "li", "li", "p", "p"],
    ),
    (
        "ittifaqiyat-taawun-tarbawi.html",
        "الإيسيسكو توقع اتفاقية تعاون تربوي لتطوير التعليم الرقمي وتأهيل المعلمين",
        "2026-03-09",
        "ar",
        ["p", "p", "h2", "p", "li", "li", "li", "li", "p", "p"],
    ),
    (
        "journee-langue-arabe.html",
        "Journée mondiale de la langue arabe : l’ICESCO célèbre une langue de savoir et de "
        "création",
        "2026-12-18",
        "fr",
        ["p", "h2", "p", "li", "li", "li", "li", "p", "blockquote", "p"],
    ),
    (
        "rencontre-jeunes-chercheurs.html",
        "À Dakar, de jeunes chercheurs africains se forment à la sauvegarde numérique du "
        "patrimoine",
        "2026-10-14",
        "fr",
        ["p", "p", "h2", "p", "li", "li", "li", "li", "p", "p"],
    ),
]
DEMO_FILES = [row[0] for row in DEMO_ARTICLES]

# Text from the page chrome that must never reach the translator.
CHROME = [
    "Share:",
    "Facebook",
    "LinkedIn",
    "uses cookies",
    "Accept",
    "Refuse",
    "Google Translate",
    "Privacy policy",
    "©",
    "Fictional fixture",
    "ICESCO News (demo)",
    "demoAnalytics",
]


def fetched(text: str, url: str = "https://news.example.org/fr/2026/article.html") -> FetchedPage:
    return FetchedPage(
        url=url,
        requested_url=url,
        status=200,
        content_type="text/html",
        encoding="utf-8",
        encoding_origin="header",
        text=text,
    )


def demo_page(name: str) -> FetchedPage:
    path = SITE / "articles" / name
    return fetched(path.read_text(encoding="utf-8"), url=f"{BASE}articles/{name}")


def demo_article(name: str, source: SourceSettings = DEMO_SOURCE) -> Article:
    return extract_article(demo_page(name), source)


def marked_elements(article: Article) -> list:
    return BeautifulSoup(article.body_html, "html.parser").select(f"[{BLOCK_ATTR}]")


# --- the demo articles, with the demo selectors -----------------------------------------------


@pytest.mark.parametrize(("name", "title", "date", "lang", "tags"), DEMO_ARTICLES)
def test_demo_article_metadata_and_blocks(
    name: str, title: str, date: str, lang: str, tags: list[str]
) -> None:
    article = demo_article(name)

    assert article.url == f"{BASE}articles/{name}"
    assert article.source == "demo-news"
    assert article.title == title
    assert article.published == date
    assert article.declared_lang == lang
    assert article.author is None
    assert [b.tag for b in article.blocks] == tags
    assert [b.index for b in article.blocks] == list(range(len(tags)))
    assert all(b.text.strip() for b in article.blocks)


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_article_has_no_page_chrome(name: str) -> None:
    article = demo_article(name)

    texts = [
        article.body_html,
        *(b.text for b in article.blocks),
        *(b.html for b in article.blocks),
    ]
    for noise in CHROME:
        for text in texts:
            assert noise not in text, noise
    assert "share-buttons" not in article.body_html


@pytest.mark.parametrize(("name", "title", "date", "lang", "tags"), DEMO_ARTICLES)
def test_title_and_date_are_not_repeated_in_the_body(
    name: str, title: str, date: str, lang: str, tags: list[str]
) -> None:
    article = demo_article(name)

    assert title not in article.body_html
    assert "<time" not in article.body_html
    assert "<h1" not in article.body_html


@pytest.mark.parametrize("name", DEMO_FILES)
def test_demo_article_links_are_absolute(name: str) -> None:
    article = demo_article(name)

    soup = BeautifulSoup(article.body_html, "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert hrefs  # every demo article links somewhere
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
    assert "../" not in article.body_html


def test_relative_link_is_resolved_against_the_article_url() -> None:
    article = demo_article("icesco-alecso-partnership-meeting.html")

    soup = BeautifulSoup(article.body_html, "html.parser")
    about = soup.find("a", string="About page")
    assert about["href"] == BASE + "about.html"
    assert soup.find("a", string="ICESCO news releases")["href"] == (
        "https://www.icesco.org/en/category/news/"
    )


@pytest.mark.parametrize("name", DEMO_FILES)
def test_blocks_are_marked_in_body_html(name: str) -> None:
    article = demo_article(name)

    marked = marked_elements(article)
    assert [int(el[BLOCK_ATTR]) for el in marked] == [b.index for b in article.blocks]
    assert [el.name for el in marked] == [b.tag for b in article.blocks]
    for element, block in zip(marked, article.blocks, strict=True):
        assert element.decode_contents() == block.html
    assert article.body_html.startswith("<div")


def test_block_text_and_html_keep_inline_markup_apart() -> None:
    article = demo_article("icesco-alecso-partnership-meeting.html")

    first = article.blocks[0]
    assert first.text.startswith("Dr. Salim M. AlMalik, Director-General of the Islamic World")
    assert "<" not in first.text
    assert '<strong><a href="https://www.icesco.org/en/">' in first.html


def test_lang_attribute_inside_the_body_is_the_blocks_declared_language() -> None:
    article = demo_article("journee-langue-arabe.html")

    [quote] = [b for b in article.blocks if b.tag == "blockquote"]
    assert quote.declared_lang == "en"
    assert quote.text.startswith("“Arabic is not a low-resource language")


def test_page_language_is_not_a_blocks_declared_language() -> None:
    # Block.declared_lang is "a lang attribute found on the block or an ancestor
    # inside the body"; <html lang="fr"> is outside the body.
    article = demo_article("journee-langue-arabe.html")

    others = [b.declared_lang for b in article.blocks if b.tag != "blockquote"]
    assert others == [None] * len(others)


def test_content_hash_ignores_page_chrome_but_not_the_article() -> None:
    original = demo_page("journee-langue-arabe.html")
    chrome_changed = fetched(
        original.text.replace("uses cookies", "uses delicious cookies"), url=original.url
    )
    text_changed = fetched(original.text.replace("18 décembre", "19 décembre"), url=original.url)

    first = extract_article(original, DEMO_SOURCE)

    assert extract_article(original, DEMO_SOURCE).content_hash == first.content_hash
    assert extract_article(chrome_changed, DEMO_SOURCE).content_hash == first.content_hash
    assert extract_article(text_changed, DEMO_SOURCE).content_hash != first.content_hash


# --- fallback extraction (no selectors) -------------------------------------------------------


@pytest.mark.parametrize(("name", "title", "date", "lang", "tags"), DEMO_ARTICLES)
def test_demo_article_without_selectors(
    name: str, title: str, date: str, lang: str, tags: list[str]
) -> None:
    article = demo_article(name, NO_SELECTORS)
    with_selectors = demo_article(name)

    assert article.title == title
    assert article.published == date
    assert article.declared_lang == lang
    for noise in CHROME:
        assert noise not in article.body_html, noise
    # Every paragraph the selectors found is found without them, in the same order.
    texts = [b.text for b in article.blocks]
    expected = [b.text for b in with_selectors.blocks]
    assert [t for t in texts if t in expected] == expected


@pytest.mark.parametrize("name", DEMO_FILES)
def test_date_line_is_not_a_block_without_selectors(name: str) -> None:
    # The date is published separately (Article.published), so its line must not
    # also be translated and printed as the first paragraph.
    article = demo_article(name, NO_SELECTORS)

    assert [b.text for b in article.blocks] == [b.text for b in demo_article(name).blocks]


def test_fallback_uses_main_and_drops_site_chrome() -> None:
    html = """<!DOCTYPE html><html lang="fr"><head><title>Site – Accueil</title></head><body>
      <header><h1>Nom du site</h1><p>Le portail officiel</p></header>
      <nav><a href="/">Accueil</a></nav>
      <main>
        <h1>Ouverture d’un centre de formation</h1>
        <p>Le nouveau centre accueillera <a href="/centres/rabat">200 stagiaires</a> par an.</p>
        <aside><p>À lire aussi : nos autres centres</p></aside>
        <div class="cookie-consent"><p>Nous utilisons des cookies.</p></div>
        <div class="social-share"><p>Partager sur les réseaux</p></div>
        <p>Les inscriptions ouvriront en septembre.</p>
      </main>
      <footer><p>Mentions légales</p></footer>
    </body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    assert article.title == "Ouverture d’un centre de formation"
    assert article.declared_lang == "fr"
    assert [b.text for b in article.blocks] == [
        "Le nouveau centre accueillera 200 stagiaires par an.",
        "Les inscriptions ouvriront en septembre.",
    ]
    assert 'href="https://news.example.org/centres/rabat"' in article.body_html
    for noise in ["Nom du site", "portail", "lire aussi", "cookies", "Partager", "Mentions"]:
        assert noise not in article.body_html


def test_fallback_skips_an_empty_first_article_for_the_real_body() -> None:
    # The first <article> is an empty card: the old rule took it and failed with
    # "article body has no text"; the body is found wherever it is.
    html = """<html lang="fr"><head><title>Le rapport annuel</title></head><body>
      <article class="promo"><a href="/abonnement"></a></article>
      <div class="story"><h1>Le rapport annuel</h1>
        <p>Le rapport annuel de l’organisation a été présenté jeudi au conseil exécutif.</p>
        <p>Il recense les programmes menés dans quarante pays et leurs résultats chiffrés.</p>
        <p>Les États membres ont salué la transparence de la présentation des comptes.</p>
      </div></body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    assert article.title == "Le rapport annuel"
    assert [b.text[:20] for b in article.blocks] == [
        "Le rapport annuel de",
        "Il recense les progr",
        "Les États membres on",
    ]


def test_fallback_finds_a_body_made_of_line_breaks() -> None:
    # Blogspot-style: no <p> at all, paragraphs separated by <br>.
    html = """<html><head><title>Notes de terrain</title></head><body>
      <div class="sidebar"><ul><li><a href="/">Accueil</a></li>
        <li><a href="/archives">Archives</a></li></ul></div>
      <div class="post-body entry-content">La mission a visité trois écoles rurales cette
      semaine.<br><br>Dans chacune, les enseignants ont présenté leurs nouveaux outils
      numériques.<br><br>Un rapport détaillé sera publié le mois prochain.</div>
    </body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    text = " ".join(b.text for b in article.blocks)
    assert "trois écoles rurales" in text and "rapport détaillé" in text
    assert "Archives" not in article.body_html
    assert article.body_html.count("<br") >= 2  # the line breaks are kept as markup


def test_metadata_from_meta_tags_when_there_are_no_selectors() -> None:
    html = """<html><head><base href="https://cdn.example.org/news/">
      <meta property="og:title" content="Titre Open Graph">
      <meta name="author" content="Service de presse">
      <meta property="article:published_time" content="2026-01-02T10:00:00Z"></head>
      <body><article><p>Voir <a href="docs/rapport.html#p2">le rapport</a>
      <img src="img/photo.jpg" srcset="img/photo.jpg 1x, img/photo@2x.jpg 2x"></p>
      </article></body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    assert article.title == "Titre Open Graph"
    assert article.author == "Service de presse"
    assert article.published == "2026-01-02T10:00:00Z"
    soup = BeautifulSoup(article.body_html, "html.parser")
    assert soup.a["href"] == "https://cdn.example.org/news/docs/rapport.html#p2"  # <base href>
    assert soup.img["src"] == "https://cdn.example.org/news/img/photo.jpg"
    assert soup.img["srcset"] == (
        "https://cdn.example.org/news/img/photo.jpg 1x, "
        "https://cdn.example.org/news/img/photo@2x.jpg 2x"
    )


# --- errors -----------------------------------------------------------------------------


def test_body_selector_that_matches_nothing() -> None:
    source = DEMO_SOURCE.model_copy(update={"body_selector": "div.story-text"})
    page = demo_page("journee-langue-arabe.html")

    with pytest.raises(ExtractionError) as caught:
        extract_article(page, source)

    assert "div.story-text" in caught.value.message
    assert caught.value.url == page.url


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body_selector", "div["),
        ("title_selector", "h1..title"),
        ("date_selector", "time:::x"),
        ("remove_selectors", [".ok", "p:::"]),
    ],
)
def test_syntactically_invalid_selector(field: str, value: object) -> None:
    source = DEMO_SOURCE.model_copy(update={field: value})

    with pytest.raises(ExtractionError, match=r"invalid \w+ selector"):
        extract_article(demo_page("journee-langue-arabe.html"), source)


@pytest.mark.parametrize(
    "html",
    [
        '<html><body><h1>Titre</h1><div class="article-body"><img src="a.png"></div></body></html>',
        '<html><body><h1>Titre</h1><div class="article-body">   </div></body></html>',
        '<html><body><h1>Titre</h1><div class="article-body"><div class="share-buttons">'
        'Share: <a href="#">Facebook</a></div><script>var x = "text";</script></div></body></html>',
    ],
)
def test_body_without_text(html: str) -> None:
    with pytest.raises(ExtractionError, match="no text"):
        extract_article(fetched(html), DEMO_SOURCE)


@pytest.mark.parametrize(
    "html",
    ["<html><body></body></html>", "<html><body><div>Du texte sans paragraphe</div></body></html>"],
)
def test_no_body_found_without_selectors(html: str) -> None:
    with pytest.raises(ExtractionError, match="no article body"):
        extract_article(fetched(html), NO_SELECTORS)


def test_article_without_any_title() -> None:
    page = fetched("<html><body><article><p>Texte.</p></article></body></html>")

    with pytest.raises(ExtractionError, match="no title"):
        extract_article(page, NO_SELECTORS)


# --- publication dates ------------------------------------------------------------------


def test_date_from_json_ld_when_no_meta_or_time() -> None:
    html = """<html lang="fr"><head><title>Titre</title>
      <script type="application/ld+json">{ not json</script>
      <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Portail"},
        {"@type": "NewsArticle", "headline": "Titre",
         "datePublished": "2026-03-09T10:30:00+01:00"}]}</script></head>
      <body><article><h1>Titre</h1><p>Le texte de l’article.</p>
      <script type="application/ld+json">{"datePublished": "2020-01-01"}</script>
      </article></body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    assert article.published == "2026-03-09T10:30:00+01:00"
    assert "datePublished" not in article.body_html


@pytest.mark.parametrize(
    "markup",
    [
        '<meta itemprop="datePublished" content="2026-03-09">',
        '<span itemprop="datePublished" content="2026-03-09">lundi 9 mars</span>',
        '<span itemprop="datePublished">Publié le 9 mars 2026</span>',
    ],
)
def test_date_from_itemprop(markup: str) -> None:
    html = f"""<html><body><article itemscope itemtype="https://schema.org/NewsArticle">
      <h1>Titre</h1><p class="meta">{markup}</p><p>Le texte de l’article.</p>
    </article></body></html>"""

    article = extract_article(fetched(html), NO_SELECTORS)

    assert article.published == "2026-03-09"
    assert [b.text for b in article.blocks] == ["Le texte de l’article."]


def test_meta_date_wins_over_itemprop_and_json_ld() -> None:
    html = """<html><head><meta name="date" content="Tue, 09 Mar 2026 10:30:00 GMT">
      <script type="application/ld+json">{"datePublished": "2020-01-01"}</script></head>
      <body><article><h1>Titre</h1><meta itemprop="datePublished" content="2021-01-01">
      <p>Le texte.</p></article></body></html>"""

    assert extract_article(fetched(html), NO_SELECTORS).published == "2026-03-09T10:30:00Z"


def test_unreadable_meta_date_is_not_published_as_is() -> None:
    html = """<html><head><meta name="date" content="bientôt"></head>
      <body><article><h1>Titre</h1><p>Le texte.</p></article></body></html>"""

    assert extract_article(fetched(html), NO_SELECTORS).published is None


def test_arabic_text_date_with_arabic_indic_digits_in_the_date_selector() -> None:
    source = DEMO_SOURCE.model_copy(update={"date_selector": "span.post-date"})
    html = """<html lang="ar" dir="rtl"><body>
      <h1 class="article-title">عنوان الخبر</h1>
      <div class="article-body"><span class="post-date">الاثنين ٩ مارس ٢٠٢٦م</span>
      <p>نص الخبر.</p></div></body></html>"""

    article = extract_article(fetched(html), source)

    assert article.published == "2026-03-09"
    assert [b.text for b in article.blocks] == ["نص الخبر."]
    assert "post-date" not in article.body_html


def test_date_selector_with_unreadable_text_gives_no_date_and_no_error() -> None:
    source = DEMO_SOURCE.model_copy(update={"date_selector": "span.post-date"})
    html = """<html><head><meta property="article:published_time" content="2026-03-09">
      </head><body><h1 class="article-title">Titre</h1>
      <div class="article-body"><span class="post-date">il y a 3 heures</span>
      <p>Le texte.</p></div></body></html>"""

    article = extract_article(fetched(html), source)

    # The configured element is the site's date: nothing readable there means no date.
    assert article.published is None
    assert [b.text for b in article.blocks] == ["Le texte."]


def test_written_date_in_the_selected_element_comes_out_as_iso() -> None:
    html = demo_page("journee-langue-arabe.html").text.replace(' datetime="2026-12-18"', "")
    assert 'datetime="' not in html.split("article-date", 1)[1][:40]

    article = extract_article(fetched(html), DEMO_SOURCE)

    assert article.published == "2026-12-18"  # from the text «18 décembre 2026»


def test_meta_description_is_extracted_falling_back_to_og_description() -> None:
    page = (
        "<html><head>{meta}</head><body><article><h1>Titre</h1><p>Texte.</p></article>"
        "</body></html>"
    )
    both = (
        '<meta property="og:description" content="OG text">'
        '<meta name="Description" content="  Le   résumé ">'
    )
    article = extract_article(fetched(page.format(meta=both)), NO_SELECTORS)
    assert article.description == "Le résumé"
    og = '<meta property="og:description" content="OG text">'
    assert extract_article(fetched(page.format(meta=og)), NO_SELECTORS).description == ("OG text")
    none = extract_article(fetched(page.format(meta="")), NO_SELECTORS)
    assert none.description is None
