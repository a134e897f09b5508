from dataclasses import replace

from bs4 import BeautifulSoup

from tests.factories import body_article as make_article
from tests.support.engines import (
    ScriptedEngine,
    drop_placeholders,
    duplicate_first_placeholder,
    upper,
)
from translator_pipeline.errors import EngineError
from translator_pipeline.translate.articles import translate_articles


def test_identity_engine_reproduces_the_body_markup():
    body = '<p>Visit <a href="https://x.org/">our <b>new</b> site</a>.</p><ul><li>One</li></ul>'
    article = make_article(body)
    [fr] = translate_articles([article], ["fr"], ScriptedEngine())[article.url]
    assert fr.body_html == f"<div>{body}</div>"
    assert fr.fallbacks == 0
    assert fr.language == "fr" and fr.source_language == "en"


def test_one_batch_per_language_pair_with_duplicates_sent_once():
    engine = ScriptedEngine(upper)
    a = make_article("<p>Same</p><p>Same</p><p>Other</p>", url="http://s/a")
    b = make_article("<p>Same</p><p>Third</p>", url="http://s/b", title="Title")
    results = translate_articles([a, b], ["fr", "ar"], engine)
    assert sorted((src, tgt) for src, tgt, _ in engine.calls) == [("en", "ar"), ("en", "fr")]
    for _src, _tgt, texts in engine.calls:
        assert sorted(texts) == sorted(["Title", "Same", "Other", "Third"])
    fr_a = next(v for v in results[a.url] if v.language == "fr")
    assert fr_a.body_html == "<div><p>SAME</p><p>SAME</p><p>OTHER</p></div>"
    assert fr_a.title == "TITLE"


def test_the_articles_own_language_is_not_a_target():
    article = make_article("<p>Bonjour</p>", language="fr")
    variants = translate_articles([article], ["ar", "fr", "en"], ScriptedEngine(upper))[article.url]
    assert [v.language for v in variants] == ["ar", "en"]


def test_dropped_placeholders_fall_back_to_piecewise_translation_and_keep_links():
    article = make_article('<p>Visit <a href="https://x.org/">our site</a> today</p><p>Plain</p>')
    engine = ScriptedEngine(drop_placeholders)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert (
        fr.body_html
        == '<div><p>VISIT <a href="https://x.org/">OUR SITE</a> TODAY</p><p>PLAIN</p></div>'
    )
    assert fr.fallbacks == 1
    # First call: whole segments; second call: the pieces of the broken block only.
    assert len(engine.calls) == 2
    assert sorted(engine.calls[1][2]) == ["Visit", "our site", "today"]


def test_duplicated_placeholder_is_a_fallback_too():
    article = make_article("<p>See <b>this</b> now</p>")
    [fr] = translate_articles([article], ["fr"], ScriptedEngine(duplicate_first_placeholder))[
        article.url
    ]
    assert fr.body_html == "<div><p>See <b>this</b> now</p></div>"
    assert fr.fallbacks == 1


def test_block_in_target_language_is_kept_as_written_and_third_language_uses_its_own():
    article = make_article(
        "<p>Un paragraphe en français.</p><blockquote>An English quote.</blockquote>"
        "<p>فقرة عربية</p>",
        language="fr",
    )
    article = replace(article, block_languages=(None, "en", "ar"))
    engine = ScriptedEngine(lambda text, src, tgt: f"{src}-{tgt}:{text}")
    results = {
        v.language: v for v in translate_articles([article], ["en", "ar"], engine)[article.url]
    }
    assert results["en"].body_html == (
        "<div><p>fr-en:Un paragraphe en français.</p>"
        '<blockquote lang="en">An English quote.</blockquote><p>ar-en:فقرة عربية</p></div>'
    )
    assert results["en"].kept_blocks == 1
    assert results["ar"].body_html == (
        "<div><p>fr-ar:Un paragraphe en français.</p>"
        '<blockquote>en-ar:An English quote.</blockquote><p lang="ar">فقرة عربية</p></div>'
    )


def test_unsupported_pair_fails_only_that_article():
    engine = ScriptedEngine(upper, pairs={("en", "fr")})
    good = make_article("<p>Hello</p>", url="http://s/good")
    bad = make_article("<p>Hallo</p>", url="http://s/bad", language="de")
    results = translate_articles([good, bad], ["fr"], engine)
    assert isinstance(results[bad.url], EngineError)
    assert "de→fr" in str(results[bad.url])
    assert results[good.url][0].body_html == "<div><p>HELLO</p></div>"


def test_engine_crash_becomes_an_engine_error_for_the_articles_that_needed_it():
    def boom(text, src, tgt):
        raise RuntimeError("model exploded")

    article = make_article("<p>Hello</p>")
    result = translate_articles([article], ["fr"], ScriptedEngine(boom))[article.url]
    assert isinstance(result, EngineError)
    assert "model exploded" in str(result)


def test_engine_returning_wrong_number_of_results_is_an_error():
    class Short(ScriptedEngine):
        def translate_batch(self, texts, source, target):
            return list(texts)[:-1]

    article = make_article("<p>One</p><p>Two</p>")
    result = translate_articles([article], ["fr"], Short())[article.url]
    assert isinstance(result, EngineError)
    assert "returned" in str(result)


# --- kept tokens, attributes, description, Arabic punctuation -------------------------


def test_kept_tokens_never_reach_the_engine_and_come_back_byte_identical():
    body = (
        "<p>Write to info@alecso.org before 25/11/2022: 1 250,50 dinars, 3.5 %, "
        "ref ALECSO/2026/REF-114 (https://www.alecso.org/ar?x=1).</p>"
    )
    article = make_article(body, title="Report ICESCO-2026-07")
    engine = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert fr.body_html == (
        "<div><p>WRITE TO info@alecso.org BEFORE 25/11/2022: 1 250,50 DINARS, 3.5 %, "
        "REF ALECSO/2026/REF-114 (https://www.alecso.org/ar?x=1).</p></div>"
    )
    assert fr.title == "REPORT ICESCO-2026-07"
    sent = " ".join(engine.calls[0][2])
    for token in ("alecso", "2022", "250", "3.5", "2026", "ICESCO"):
        assert token not in sent


def test_segments_without_words_are_copied_through_without_an_engine_call():
    article = make_article("<p>2026</p><p> 25/11/2022 </p><p>www.x.org</p><p>Hello</p>")
    engine = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert engine.calls == [("en", "fr", ["Title", "Hello"])]
    assert fr.body_html == ("<div><p>2026</p><p> 25/11/2022 </p><p>www.x.org</p><p>HELLO</p></div>")


def test_an_engine_that_drops_kept_placeholders_falls_back_piecewise():
    article = make_article("<p>Meeting on 25/11/2022 in Rabat</p>")
    engine = ScriptedEngine(drop_placeholders)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert fr.body_html == "<div><p>MEETING ON 25/11/2022 IN RABAT</p></div>"
    assert fr.fallbacks == 1
    assert sorted(engine.calls[1][2]) == ["Meeting on", "in Rabat"]


def test_attributes_are_translated_in_the_same_batch_except_never_translated_ones():
    article = make_article(
        '<p>See <img alt="A map" src="m.png"> and <abbr title="United Nations">UN</abbr></p>'
        '<figure title="A map"><img alt="Photo 2026" src="p.jpg"></figure>'
        '<p class="notranslate"><img alt="Logo" src="l.png"></p>'
        '<p><code title="command">ls</code> <span aria-label="Close">x</span></p>'
    )
    engine = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert len(engine.calls) == 1
    sent = engine.calls[0][2]
    assert sent.count("A map") == 1  # deduplicated with the other texts
    assert "Photo <x1/>" in sent and "Logo" not in sent and "command" not in sent
    soup = BeautifulSoup(fr.body_html, "html.parser")
    assert [img["alt"] for img in soup.find_all("img")] == ["A MAP", "PHOTO 2026", "Logo"]
    assert soup.abbr["title"] == "UNITED NATIONS"
    assert soup.figure["title"] == "A MAP"
    assert soup.code["title"] == "command"
    assert soup.find("span", attrs={"aria-label": True})["aria-label"] == "CLOSE"


def test_attribute_of_a_block_in_the_target_language_is_kept():
    article = make_article('<p>Texte <img alt="Une photo"></p><p>Text <img alt="A photo"></p>')
    article = replace(article, language="fr", block_languages=(None, "en"))
    engine = ScriptedEngine(lambda text, src, tgt: f"{src}:{text}")
    [en] = translate_articles([article], ["en"], engine)[article.url]
    assert [img["alt"] for img in BeautifulSoup(en.body_html, "html.parser").find_all("img")] == [
        "fr:Une photo",
        "A photo",
    ]


def test_mangled_attribute_placeholders_count_as_a_fallback():
    article = make_article('<p>Plain</p><p><img alt="Photo 2026"></p>')
    [fr] = translate_articles([article], ["fr"], ScriptedEngine(drop_placeholders))[article.url]
    assert BeautifulSoup(fr.body_html, "html.parser").img["alt"] == "PHOTO 2026"
    assert fr.fallbacks == 1


def test_description_is_translated_with_the_batch_and_absent_stays_none():
    article = replace(make_article("<p>Body</p>"), description="News & views from 2026")
    engine = ScriptedEngine(upper)
    [fr] = translate_articles([article], ["fr"], engine)[article.url]
    assert fr.description == "NEWS & VIEWS FROM 2026"  # plain text, not HTML
    assert engine.calls[0][2] == ["Title", "Body", "News & views from <x1/>"]
    [fr] = translate_articles([make_article("<p>Body</p>")], ["fr"], engine)[article.url]
    assert fr.description is None


def test_arabic_target_gets_arabic_punctuation_outside_kept_tokens():
    outputs = {
        "Title": "عنوان, فرعي?",
        "Hello, <g1>world</g1>; see <x2/>, ok?": "مرحبا, <g1>بالعالم</g1>; انظر <x2/>, حسنا ?",
    }
    article = make_article("<p>Hello, <b>world</b>; see 1,5, ok?</p>")
    engine = ScriptedEngine(lambda text, src, tgt: outputs.get(text, text))
    results = translate_articles([article], ["ar", "fr"], engine)[article.url]
    ar, fr = results
    assert ar.title == "عنوان، فرعي؟"
    # 1,5 is also isolated (bidi) in the RTL variant; its comma stays Latin either way.
    assert ar.body_html == "<div><p>مرحبا، <b>بالعالم</b>؛ انظر <bdi>1,5</bdi>, حسنا ؟</p></div>"
    assert fr.title == "عنوان, فرعي?"  # only Arabic-script targets


def test_placeholders_mangled_with_spaces_or_arabic_letters_keep_markup():
    import re

    def spaced(text, src, tgt):
        return re.sub(r"<(/?)g(\d+)>", r"< \1g \2>", text)

    def arabic_inside(text, src, tgt):
        return re.sub(r"<(/?)g(\d+)>", r"<\1gع\2>", text)

    body = '<p>Visit <a href="https://x.org/">our site</a> and <em>read</em> it.</p>'

    def upper_case(text, src, tgt):
        return re.sub(r"<(/?)([gx])(\d+)", lambda m: f"<{m[1]}{m[2].upper()}{m[3]}", text)

    # Spaces and case are repaired (the sentence stays whole); letters inside are not
    # guessed at: that block is rebuilt piece by piece.
    for transform, fallbacks in ((spaced, 0), (upper_case, 0), (arabic_inside, 1)):
        article = make_article(body)
        [fr] = translate_articles([article], ["fr"], ScriptedEngine(transform))[article.url]
        assert fr.fallbacks == fallbacks, transform.__name__
        assert '<a href="https://x.org/">our site</a>' in fr.body_html
        assert "<em>read</em>" in fr.body_html
        assert "&lt;" not in fr.body_html  # no mangled placeholder leaks as text


def test_word_order_reversing_engine_keeps_markup_around_the_right_words():
    import re

    def reverse_words(text, src, tgt):
        # Reverse the order of top-level chunks: words and whole placeholder pairs.
        pattern = r"<g(\d+)>.*?</g\1>|<x\d+/>|[^\s<]+"
        chunks = [m.group(0) for m in re.finditer(pattern, text)]
        return " ".join(reversed(chunks))

    article = make_article('<p>Visit <a href="https://x.org/">our site</a> today</p>')
    [fr] = translate_articles([article], ["fr"], ScriptedEngine(reverse_words))[article.url]
    assert fr.body_html == '<div><p>today <a href="https://x.org/">our site</a> Visit</p></div>'
    assert fr.fallbacks == 0
