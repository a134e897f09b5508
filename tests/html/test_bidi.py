"""Bidi isolation of Latin runs and formatted numbers inside right-to-left text."""

from __future__ import annotations

from tests.factories import body_article as make_article
from tests.support.engines import ScriptedEngine
from translator_pipeline.html.bidi import FSI, PDI, isolate_ltr_runs, isolate_ltr_text
from translator_pipeline.publishing.render import sanitise
from translator_pipeline.translate.articles import translate_articles


def test_codes_acronyms_numbers_urls_and_emails_are_isolated():
    html = (
        "<p>وقعت ICESCO و ALECSO/2026/REF-114 في 25/11/2022 بمبلغ 1 250,50 أي 3.5 % "
        "راسل info@example.org أو https://example.org/a/ الآن</p>"
    )
    out = isolate_ltr_runs(html)
    for run in (
        "ICESCO",
        "ALECSO/2026/REF-114",
        "25/11/2022",
        "1 250,50",
        "3.5 %",
        "info@example.org",
        "https://example.org/a/",
    ):
        assert f"<bdi>{run}</bdi>" in out, run


def test_runs_that_need_no_isolation_are_left_alone():
    html = "<p>في 2030 الحرف x و UNESCO 2030 &amp; &lt;b&gt;</p>"
    out = isolate_ltr_runs(html)
    assert "في 2030 الحرف x" in out  # a bare integer and a single letter
    assert "<bdi>UNESCO 2030</bdi>" in out
    assert "&amp; &lt;b&gt;" in out  # entities come back whole


def test_excluded_elements_and_whole_cell_runs_are_untouched():
    html = (
        '<p>نص <a href="/x">UNESCO 2030</a> <code>a.b</code> <span dir="ltr">AB CD</span> '
        '<span translate="no">AB 12</span> <span class="notranslate">CD 3.4</span> '
        "<bdi>EF</bdi> <strong>ICESCO</strong></p>"
        "<table><tr><td>2026</td><td>ICESCO/2026/EDU-042</td></tr></table>"
        '<p lang="en">Kept in English 2.5</p><pre>AB 1.2</pre>'
    )
    out = isolate_ltr_runs(html)
    assert out.count("<bdi>") == 2
    assert "<strong><bdi>ICESCO</bdi></strong>" in out
    assert "<td>ICESCO/2026/EDU-042</td>" in out


def test_latin_only_html_is_returned_unchanged():
    html = "<p>ICESCO 25/11/2022</p>"
    assert isolate_ltr_runs(html) is html


def test_plain_text_title_uses_isolate_characters():
    assert (
        isolate_ltr_text("اجتماع ICESCO في 3.5 %") == f"اجتماع {FSI}ICESCO{PDI} في {FSI}3.5 %{PDI}"
    )
    assert isolate_ltr_text("ICESCO 2026") == "ICESCO 2026"


def test_only_rtl_variants_get_isolates_and_the_sanitiser_keeps_them():
    article = make_article("<p>Talks ICESCO 3.5 %</p>", title="Title ICESCO 2026")
    to_arabic = ScriptedEngine(lambda text, src, tgt: text.replace("Talks", "محادثات"))
    ar, fr = translate_articles([article], ["ar", "fr"], to_arabic)[article.url]
    assert ar.body_html == "<div><p>محادثات <bdi>ICESCO 3.5 %</bdi></p></div>"
    assert "<bdi>" not in fr.body_html
    assert sanitise(ar.body_html) == ar.body_html
