from dataclasses import replace

from bs4 import BeautifulSoup

from translator_pipeline.config import Settings
from translator_pipeline.models import Article
from translator_pipeline.render import render_variant, sanitise
from translator_pipeline.translate import TranslatedArticle


def settings(**extra) -> Settings:
    return Settings(sources=[{"name": "s", "start_urls": ["https://news.example.org/"]}], **extra)


ARTICLE = Article(
    url="https://news.example.org/fr/article-1.html",
    source="s",
    title="Titre",
    body_html="<div><p>x</p></div>",
    blocks=(),
    published="2026-03-09",
    language="fr",
)


def translated(lang: str, body: str = "<div><p>Body</p></div>", pseudo: bool = False):
    return TranslatedArticle(
        article_url=ARTICLE.url,
        language=lang,
        source_language="fr",
        title=f"Title in {lang}",
        body_html=body,
        signature="engine=test|model=m|version=1",
        pseudo=pseudo,
    )


def test_arabic_variant_is_rtl_with_arabic_disclaimer_naming_french():
    variant = render_variant(ARTICLE, translated("ar"), "article-1", ["ar", "en"], settings())
    soup = BeautifulSoup(variant.page_html, "lxml")
    assert soup.html["lang"] == "ar" and soup.html["dir"] == "rtl"
    assert variant.direction == "rtl"
    aside = soup.select_one("aside.tp-disclaimer")
    assert "الفرنسية" in aside.get_text()  # the source language, named in Arabic
    assert aside.a["href"] == ARTICLE.url
    assert aside.a.get_text() == "اقرأ النص الأصلي"
    assert soup.select_one("article")["lang"] == "ar-x-mtfrom-fr"
    mt = soup.find("link", rel="machine-translated-from")
    assert mt["hreflang"] == "fr" and mt["href"] == ARTICLE.url
    sig = soup.find("meta", attrs={"name": "translator-pipeline-signature"})
    assert sig["content"] == "engine=test|model=m|version=1"


def test_hreflang_alternates_relative_without_base_url_absolute_with_it():
    variant = render_variant(ARTICLE, translated("en"), "article-1", ["ar", "en"], settings())
    links = {
        link["hreflang"]: link["href"]
        for link in BeautifulSoup(variant.page_html, "lxml").find_all("link", rel="alternate")
        if link.get("rel") == ["alternate"]
    }
    assert links == {
        "fr": ARTICLE.url,
        "ar": "../../ar/article-1/",
        "en": "./",
        "x-default": ARTICLE.url,
    }
    assert 'rel="canonical"' not in variant.page_html

    based = settings(public_base_url="https://www.example.org/mt")
    variant = render_variant(ARTICLE, translated("en"), "article-1", ["ar", "en"], based)
    soup = BeautifulSoup(variant.page_html, "lxml")
    assert soup.find("link", rel="canonical")["href"] == "https://www.example.org/mt/en/article-1/"
    assert soup.find("link", hreflang="ar")["href"] == "https://www.example.org/mt/ar/article-1/"


def test_configured_disclaimer_text_wins():
    custom = settings(
        disclaimers={
            "en": {"text": "Auto-translated from {source_language}.", "link_text": "Original"}
        }
    )
    variant = render_variant(ARTICLE, translated("en"), "a", ["en"], custom)
    aside = BeautifulSoup(variant.fragment_html, "lxml").select_one("aside")
    assert aside.get_text(" ", strip=True) == "Auto-translated from French. Original"


def test_pseudo_output_is_labelled_on_the_page():
    variant = render_variant(ARTICLE, translated("en", pseudo=True), "a", ["en"], settings())
    assert variant.pseudo
    assert "PSEUDO-TRANSLATION" in variant.page_html


def test_unsafe_markup_never_reaches_the_page():
    body = (
        '<div><p onclick="steal()">Hi <a href="javascript:alert(1)">x</a>'
        '<img src="data:image/png;base64,AAAA" onerror="x()"></p><script>alert(1)</script>'
        '<iframe src="https://evil.example/"></iframe><form action="/x"><input></form>'
        '<p style="background:url(javascript:alert(1))">s</p>'
        "&lt;script&gt;text&lt;/script&gt;</div>"
    )
    page = render_variant(ARTICLE, translated("en", body=body), "a", ["en"], settings()).page_html
    lowered = page.lower()
    for bad in (
        "onclick",
        "javascript:",
        "<script>alert",
        "<iframe",
        "<form",
        "onerror",
        "data:image",
        'style="background',
    ):
        assert bad not in lowered, bad
    assert "&lt;script&gt;text&lt;/script&gt;" in page  # escaped text stays text


def test_sanitise_keeps_structure_links_and_language_marks():
    html = (
        '<div><h2>T</h2><ul><li><a href="https://x.org/" hreflang="en">l</a></li></ul>'
        '<table><tr><td colspan="2">c</td></tr></table>'
        '<blockquote lang="en">q</blockquote><img src="https://x.org/i.png" alt="A"></div>'
    )
    out = sanitise(html)
    for kept in (
        '<a href="https://x.org/" hreflang="en">',
        'colspan="2"',
        'lang="en"',
        'alt="A"',
        "<h2>",
    ):
        assert kept in out, kept


def test_translated_description_and_og_title_are_escaped_meta_tags_only_when_present():
    with_desc = replace(translated("en"), title='Say "hi" & <go>', description='A <b>"résumé"</b>')
    page = render_variant(ARTICLE, with_desc, "article-1", ["en"], settings()).page_html
    soup = BeautifulSoup(page, "lxml")
    assert soup.find("meta", property="og:title")["content"] == 'Say "hi" & <go>'
    assert soup.find("meta", attrs={"name": "description"})["content"] == 'A <b>"résumé"</b>'
    assert soup.find("meta", property="og:description")["content"] == 'A <b>"résumé"</b>'
    assert "<b>" not in page and 'content="A &lt;b&gt;&#34;résumé&#34;&lt;/b&gt;"' in page
    page = render_variant(ARTICLE, translated("en"), "article-1", ["en"], settings()).page_html
    soup = BeautifulSoup(page, "lxml")
    assert soup.find("meta", attrs={"name": "description"}) is None
    assert soup.find("meta", property="og:description") is None
    assert soup.find("meta", property="og:title")["content"] == "Title in en"


def test_translated_attributes_survive_sanitising():
    body = (
        '<div><p><img src="https://x.org/a.png" alt="Carte"> '
        '<span aria-label="Fermer" title="T">x</span></p></div>'
    )
    out = sanitise(body)
    assert 'alt="Carte"' in out and 'aria-label="Fermer"' in out and 'title="T"' in out
