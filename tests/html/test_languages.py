"""lang/dir of a translated body: every element carries the language of its text."""

from __future__ import annotations

from dataclasses import replace

from bs4 import BeautifulSoup, Tag

from tests.factories import body_article
from tests.support.engines import ScriptedEngine
from translator_pipeline.html.languages import LanguagePlan, UnitLanguage, relabel_languages
from translator_pipeline.html.segment import mark_blocks
from translator_pipeline.publishing.render import sanitise
from translator_pipeline.translate.articles import translate_articles


def tagged(text: str, src: str, tgt: str) -> str:
    return f"[{tgt}] {text}"


def variants(body: str, language: str, block_languages=None, targets=("ar", "en")):
    article = body_article(body, language=language)
    if block_languages is not None:
        article = replace(article, block_languages=tuple(block_languages))
    out = translate_articles([article], list(targets), ScriptedEngine(tagged))[article.url]
    return {v.language: BeautifulSoup(v.body_html, "html.parser") for v in out}


def lang_of(tag: Tag, context: str) -> str:
    """The language a reader's browser gives ``tag`` inside the published article."""
    found = next((t.get("lang") for t in (tag, *tag.parents) if t.get("lang")), None)
    return str(found) if found else context


def dir_of(tag: Tag, context: str) -> str:
    found = next((t.get("dir") for t in (tag, *tag.parents) if t.get("dir")), None)
    return str(found) if found else context


def text_tag(soup: BeautifulSoup, words: str) -> Tag:
    node = soup.find(string=lambda s: words in s)
    assert node is not None, words
    return node.parent


def test_a_source_lang_on_translated_text_is_replaced_by_the_variants():
    soup = variants(
        '<blockquote lang="en"><p>Texte étiqueté anglais par erreur.</p></blockquote>'
        '<div lang="en" dir="ltr"><p>Deuxième texte.</p></div>',
        "fr",
    )["ar"]
    assert soup.find(attrs={"lang": True}) is None  # everything inherits the variant's
    assert soup.find(attrs={"dir": True}) is None  # the source's dir went with its text
    assert lang_of(text_tag(soup, "[ar] Texte"), "ar-x-mtfrom-fr") == "ar-x-mtfrom-fr"


def test_untranslated_pieces_keep_their_language_and_direction_in_an_rtl_variant():
    body = (
        '<p>Il a dit <span translate="no">Institut du monde arabe</span> et '
        "<code>make test</code>.</p>"
        '<blockquote lang="es" translate="no"><p>Caminante, no hay camino.</p></blockquote>'
        "<pre>traduire --tout</pre>"
    )
    soup = variants(body, "fr")["ar"]
    span = soup.find("span", attrs={"translate": "no"})
    assert (span["lang"], span["dir"]) == ("fr", "ltr")  # dir also isolates it inline
    code = soup.find("code")
    assert (code["lang"], code["dir"]) == ("fr", "ltr")
    quote = soup.find("blockquote")
    assert (quote["lang"], quote["dir"]) == ("es", "ltr")
    assert (soup.pre["lang"], soup.pre["dir"]) == ("fr", "ltr")
    # The paragraph around them is the translation: no label of its own.
    assert "lang" not in soup.p.attrs and "dir" not in soup.p.attrs


def test_in_an_ltr_variant_untranslated_pieces_need_no_dir():
    soup = variants('<p>Il a dit <span translate="no">Institut du monde</span>.</p>', "fr")["en"]
    span = soup.find("span")
    assert span["lang"] == "fr" and "dir" not in span.attrs


def test_blocks_kept_in_the_target_language_are_labelled_and_translated_ones_are_not():
    body = (
        "<p>Un long paragraphe écrit en français pour le test.</p>"
        '<blockquote lang="en-GB"><p>A long quotation in English.</p></blockquote>'
        '<p lang="ar" dir="rtl">فقرة عربية طويلة للاختبار</p>'
    )
    by_lang = variants(body, "fr", block_languages=(None, "en", "ar"))
    en, ar = by_lang["en"], by_lang["ar"]
    # Kept as written: the page's more precise tag stays, not a machine-translation label.
    assert lang_of(text_tag(en, "A long quotation"), "") == "en-GB"
    assert lang_of(text_tag(ar, "فقرة عربية"), "") == "ar"
    assert text_tag(ar, "فقرة عربية").get("dir") == "rtl"
    # Translated: the Arabic paragraph lost its lang and dir in the English variant …
    arabic = text_tag(en, "[en] فقرة")
    assert arabic.attrs == {}
    assert lang_of(arabic, "en-x-mtfrom-fr") == "en-x-mtfrom-fr"
    # … and the English quote its en-GB in the Arabic one.
    assert ar.find(attrs={"lang": "en-GB"}) is None


def test_a_block_translated_inside_a_kept_container_gets_the_variants_label():
    body = (
        '<div lang="en">Loose words written in English stay.'
        "<p>Un paragraphe français au milieu.</p></div>"
    )
    en = variants(body, "fr", block_languages=("en", None), targets=("en",))["en"]
    loose = text_tag(en, "Loose words")
    assert lang_of(loose, "en-x-mtfrom-fr") == "en"
    french = text_tag(en, "[en] Un paragraphe")
    assert lang_of(french, "en-x-mtfrom-fr") == "en-x-mtfrom-fr"


def test_units_without_words_and_translated_attributes_take_no_foreign_label():
    body = (
        "<p>www.example.org</p><p>2026</p>"
        '<figure><img src="https://x.org/a.png" alt="Une photo">'
        '<figcaption translate="no">Légende</figcaption></figure>'
    )
    ar = variants(body, "fr", targets=("ar",))["ar"]
    assert [p.attrs for p in ar.find_all("p")] == [{}, {}]
    img = ar.find("img")
    assert img["alt"] == "[ar] Une photo"
    assert lang_of(img, "ar-x-mtfrom-fr") == "ar-x-mtfrom-fr"  # the figure is not "fr"
    assert ar.find("figcaption")["lang"] == "fr"


def test_relabel_directly_with_a_plan():
    soup = BeautifulSoup(
        '<div lang="fr"><p lang="en">T0</p><p>Kept text</p><p>Text</p></div>', "html.parser"
    )
    mark_blocks(soup.div, soup)
    plan = LanguagePlan(
        context="ar-x-mtfrom-fr",
        source="fr",
        units={
            0: UnitLanguage("fr", True),
            1: UnitLanguage("en", False),
            2: UnitLanguage("fr", False),
        },
    )
    relabel_languages(soup, plan)
    first, second, third = soup.find_all("p")
    assert "lang" not in first.attrs and "lang" not in soup.div.attrs
    assert (second["lang"], second["dir"]) == ("en", "ltr")
    assert (third["lang"], third["dir"]) == ("fr", "ltr")


def test_the_sanitiser_keeps_the_language_of_elements_it_unwraps():
    out = BeautifulSoup(
        sanitise(
            '<section lang="en" dir="ltr"><p>Kept English.</p>Loose English.</section>'
            '<main lang="es"><p lang="fr">Français.</p></main>'
        ),
        "html.parser",
    )
    assert out.find("section") is None and out.find("main") is None
    assert lang_of(text_tag(out, "Kept English"), "") == "en"
    assert dir_of(text_tag(out, "Kept English"), "") == "ltr"
    assert lang_of(text_tag(out, "Loose English"), "") == "en"
    assert lang_of(text_tag(out, "Français"), "") == "fr"
