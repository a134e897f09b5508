from dataclasses import replace
from functools import partial

import pytest
from bs4 import BeautifulSoup

from tests.factories import settings as one_source
from translator_pipeline.models import Article, TranslatedArticle
from translator_pipeline.publishing.render import render_variant, sanitise

settings = partial(one_source, "s", "https://news.example.org/")

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


@pytest.mark.parametrize("lang", ["fa", "pt"])
def test_a_language_without_a_disclaimer_gets_the_english_one_marked_as_english(lang):
    variant = render_variant(ARTICLE, translated(lang), "article-1", [lang, "en"], settings())
    soup = BeautifulSoup(variant.page_html, "lxml")
    [said] = soup.select("aside.tp-disclaimer > p")
    assert said["lang"] == "en" and said["dir"] == "ltr"
    assert "translated by machine from French" in said.get_text()
    # The page itself stays in the variant's language and direction.
    assert soup.html["lang"] == lang
    assert soup.html["dir"] == ("rtl" if lang == "fa" else "ltr")
    # A configured disclaimer is the variant's own: no lang override.
    own = settings(disclaimers={lang: {"text": "Tradução automática.", "link_text": "Original"}})
    soup = BeautifulSoup(
        render_variant(ARTICLE, translated(lang), "a", [lang], own).page_html, "lxml"
    )
    assert not soup.select_one("aside.tp-disclaimer > p").has_attr("lang")


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


# --- page metadata: canonical, noindex, provenance, alternates ------------------------


def soup_of(variant) -> BeautifulSoup:
    return BeautifulSoup(variant.page_html, "lxml")


def alternates_of(page: BeautifulSoup) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"]
        for link in page.find_all("link", rel="alternate")
        if link.get("rel") == ["alternate"]
    }


def test_without_base_url_there_is_no_canonical_and_no_og_url():
    page = soup_of(render_variant(ARTICLE, translated("ar"), "a", ["ar", "en"], settings()))
    assert page.find("link", rel="canonical") is None
    assert page.find("meta", property="og:url") is None


def test_canonical_is_the_page_itself_and_alternates_are_reciprocal():
    based = settings(public_base_url="https://www.example.org/mt/")
    pages = {
        lang: soup_of(render_variant(ARTICLE, translated(lang), "article-1", ["ar", "en"], based))
        for lang in ("ar", "en")
    }
    expected = {
        "fr": ARTICLE.url,
        "ar": "https://www.example.org/mt/ar/article-1/",
        "en": "https://www.example.org/mt/en/article-1/",
        "x-default": ARTICLE.url,
    }
    for lang, page in pages.items():
        canonical = page.find("link", rel="canonical")["href"]
        assert canonical == expected[lang]
        assert page.find("meta", property="og:url")["content"] == canonical
        # Every version lists every other one (and itself): the same set on every page.
        assert alternates_of(page) == expected
        assert len(page.find_all("link", rel="canonical")) == 1


def test_provenance_meta_carries_engine_model_and_glossary_fingerprint():
    variant = render_variant(
        ARTICLE, translated("en"), "a", ["en"], settings(), glossary_version="0123456789abcdef"
    )
    meta = soup_of(variant).find("meta", attrs={"name": "translator-pipeline-signature"})
    assert meta["content"] == "engine=test|model=m|version=1|glossary=0123456789abcdef"
    # The variant's own signature (what the manifest and the TM key use) is the engine's.
    assert variant.signature == "engine=test|model=m|version=1"


def test_noindex_only_when_configured_or_for_pseudo_output():
    def robots(variant) -> list[str]:
        return [m["content"] for m in soup_of(variant).find_all("meta", attrs={"name": "robots"})]

    assert robots(render_variant(ARTICLE, translated("en"), "a", ["en"], settings())) == []
    on = settings(noindex_machine_translations=True)
    assert robots(render_variant(ARTICLE, translated("en"), "a", ["en"], on)) == ["noindex"]
    pseudo = translated("en", pseudo=True)
    assert robots(render_variant(ARTICLE, pseudo, "a", ["en"], settings())) == ["noindex"]


def test_disclaimer_comes_first_names_the_source_and_links_to_the_original():
    variant = render_variant(ARTICLE, translated("en"), "a", ["en"], settings())
    body = soup_of(variant).body
    first = body.find(True).find(True)  # div.tp-variant > first child
    assert first.name == "aside" and first["translate"] == "no"
    assert "French" in first.get_text()
    assert first.a["href"] == ARTICLE.url and first.a["hreflang"] == "fr"
    # The fragment for CMS embedding carries the same disclaimer.
    fragment = BeautifulSoup(variant.fragment_html, "lxml")
    assert fragment.select_one("aside.tp-disclaimer")["translate"] == "no"


def test_template_documentation_lists_every_variable_the_context_has(monkeypatch):
    from translator_pipeline.publishing import render

    env = render.page_templates()
    header = env.loader.get_source(env, "page.html")[0].split("-#}", 1)[0]
    contexts: list[dict] = []

    class Spy:
        def __init__(self, name: str) -> None:
            self.template = env.get_template(name)

        def render(self, context: dict) -> str:
            contexts.append(context)
            return self.template.render(context)

    class SpyEnv:
        get_template = Spy

    monkeypatch.setattr(render, "page_templates", lambda _dir=None: SpyEnv())
    render_variant(ARTICLE, translated("en"), "a", ["en"], settings())
    assert len(contexts) == 2  # fragment, then page
    for name in contexts[1]:
        assert f"\n    {name} " in header, f"{name} is not documented in page.html"


# --- templates_dir: the web team's page shell ------------------------------------------


def test_templates_dir_overrides_the_page_and_keeps_the_packaged_fragment(tmp_path):
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="{{ lang }}" dir="{{ dir }}"><head>'
        "<title>{{ title }} | Our site</title></head>"
        '<body><header id="site">Site chrome</header>{{ fragment | safe }}</body></html>\n',
        encoding="utf-8",
    )
    custom = settings(templates_dir=tmp_path)
    variant = render_variant(ARTICLE, translated("ar"), "a", ["ar"], custom)
    page = soup_of(variant)
    assert page.title.get_text() == "Title in ar | Our site"
    assert page.select_one("header#site").get_text() == "Site chrome"
    # The packaged fragment (disclaimer, MT label) is still inside.
    assert page.select_one("aside.tp-disclaimer")["translate"] == "no"
    assert page.select_one("article")["lang"] == "ar-x-mtfrom-fr"
    assert (
        variant.fragment_html
        == render_variant(ARTICLE, translated("ar"), "a", ["ar"], settings()).fragment_html
    )


def test_override_can_extend_the_packaged_page_and_replace_blocks(tmp_path):
    (tmp_path / "page.html").write_text(
        '{% extends "translator_pipeline/page.html" %}'
        '{% block styles %}<link rel="stylesheet" href="/assets/site.css">{% endblock %}'
        "{% block header %}<header>Our header</header>{% endblock %}"
        "{% block footer %}<footer>Our footer</footer>{% endblock %}",
        encoding="utf-8",
    )
    variant = render_variant(
        ARTICLE, translated("en"), "a", ["en"], settings(templates_dir=tmp_path)
    )
    page = soup_of(variant)
    assert page.find("link", rel="stylesheet")["href"] == "/assets/site.css"
    assert page.find("style") is None
    assert page.header.get_text() == "Our header" and page.footer.get_text() == "Our footer"
    assert page.find("link", rel="machine-translated-from") is not None  # head kept
    assert page.select_one("aside.tp-disclaimer") is not None


def test_override_of_the_fragment_only(tmp_path):
    (tmp_path / "fragment.html").write_text(
        '<section class="cms" lang="{{ mt_lang }}"><h2>{{ title }}</h2>{{ body | safe }}'
        '<p translate="no">{{ disclaimer_text }}</p></section>',
        encoding="utf-8",
    )
    variant = render_variant(
        ARTICLE, translated("en"), "a", ["en"], settings(templates_dir=tmp_path)
    )
    assert variant.fragment_html.startswith('<section class="cms" lang="en-x-mtfrom-fr">')
    assert soup_of(variant).select_one("section.cms h2").get_text() == "Title in en"


def test_override_templates_are_autoescaped(tmp_path):
    (tmp_path / "page.html").write_text("<title>{{ title }}</title>{{ fragment | safe }}")
    hostile = replace(translated("en"), title="<script>alert(1)</script>")
    page = render_variant(ARTICLE, hostile, "a", ["en"], settings(templates_dir=tmp_path)).page_html
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_broken_override_is_reported_with_file_and_line_before_a_run(tmp_path):
    from translator_pipeline.errors import PublishError
    from translator_pipeline.publishing.render import check_templates

    check_templates(settings())  # the packaged templates are fine
    (tmp_path / "page.html").write_text("<html>\n{% if title %}\n</html>\n", encoding="utf-8")
    with pytest.raises(PublishError) as caught:
        check_templates(settings(templates_dir=tmp_path))
    message = str(caught.value)
    assert "page.html" in message and "line 2" in message and "templates_dir" in message
    # A variable the context does not have is caught by the sample render…
    (tmp_path / "page.html").write_text("{{ site_name }}{{ fragment | safe }}", encoding="utf-8")
    with pytest.raises(PublishError, match="site_name"):
        check_templates(settings(templates_dir=tmp_path))
    # …and, in a real render, is an error of that article, not a crash.
    with pytest.raises(PublishError) as caught:
        render_variant(ARTICLE, translated("en"), "a", ["en"], settings(templates_dir=tmp_path))
    assert caught.value.url == ARTICLE.url and "page.html" in str(caught.value)


def test_render_fingerprint_changes_with_templates_base_url_and_noindex(tmp_path):
    from translator_pipeline.publishing.render import render_fingerprint

    plain = render_fingerprint(settings())
    assert plain == render_fingerprint(settings())
    assert render_fingerprint(settings(public_base_url="https://x.org/")) != plain
    assert render_fingerprint(settings(noindex_machine_translations=True)) != plain
    assert render_fingerprint(settings(templates_dir=tmp_path)) == plain  # empty dir: same
    (tmp_path / "page.html").write_text("{{ fragment | safe }}", encoding="utf-8")
    override = render_fingerprint(settings(templates_dir=tmp_path))
    assert override != plain
    # A file the override includes counts too.
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "footer.html").write_text("<footer>x</footer>", encoding="utf-8")
    assert render_fingerprint(settings(templates_dir=tmp_path)) not in (plain, override)


def test_templates_dir_is_resolved_against_the_config_file_and_must_exist(tmp_path):
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.errors import ConfigError

    (tmp_path / "conf" / "shell").mkdir(parents=True)
    config = tmp_path / "conf" / "site.toml"
    config.write_text(
        'templates_dir = "shell"\nnoindex_machine_translations = true\n'
        '[[sources]]\nname = "s"\nstart_urls = ["https://news.example.org/"]\n',
        encoding="utf-8",
    )
    loaded = load_settings(config, env={})
    assert loaded.templates_dir == (tmp_path / "conf" / "shell").resolve()
    assert loaded.noindex_machine_translations is True
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={"TP_TEMPLATES_DIR": "missing"})
    assert caught.value.problems[0][0] == "env TP_TEMPLATES_DIR"
    assert "is not a directory" in caught.value.problems[0][1]


def test_lead_is_the_description_else_the_first_real_paragraph_cut_at_a_word():
    from translator_pipeline.publishing.render import lead

    body = (
        "<div><p>9 March 2026</p><p>The <b>council</b> met today &amp; agreed "
        "a plan for \u2068ICESCO\u2069.</p><p>Later text.</p></div>"
    )
    assert lead(body) == "The council met today & agreed a plan for ICESCO."
    assert lead(body, "A translated description.") == "A translated description."
    assert lead("<div><p>Too short.</p></div>") == ""
    long = "<p>" + " ".join(["word"] * 100) + "</p>"
    cut = lead(long, limit=30)
    assert cut.endswith("…") and len(cut) <= 30 and not cut[:-1].endswith(" ")


def test_a_rendered_variant_carries_its_lead():
    body = "<div><p>The council of the organisation met in Rabat today.</p></div>"
    variant = render_variant(ARTICLE, translated("en", body=body), "a", ["en"], settings())
    assert variant.summary == "The council of the organisation met in Rabat today."
