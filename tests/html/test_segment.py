from bs4 import BeautifulSoup

from translator_pipeline.html.segment import (
    BLOCK_ATTR,
    apply_translations,
    blocks_from_units,
    mark_blocks,
    reassemble,
    rebuild_from_pieces,
    segment_body,
    text_pieces,
)


def marked(html: str) -> str:
    soup = BeautifulSoup(f"<div id='root'>{html}</div>", "html.parser")
    root = soup.find(id="root")
    mark_blocks(root, soup)
    return str(root)


def test_inline_markup_becomes_one_segment_with_paired_placeholders():
    body = marked('<p>Visit <a href="https://x.org/">our <b>new</b> site</a> today.</p>')
    [seg] = segment_body(body)
    assert seg.text == "Visit <g1>our <g2>new</g2> site</g1> today."
    assert seg.plain_text == "Visit our new site today."
    assert seg.tags[0].start == '<a href="https://x.org/">'
    assert seg.tags[1].end == "</b>"


def test_every_block_level_leaf_is_a_unit_and_containers_are_not():
    body = marked(
        "<h2>Title</h2><ul><li>One</li><li>Two</li></ul>"
        "<table><tr><td>Cell</td><th>Head</th></tr></table><blockquote>Quote</blockquote>"
    )
    texts = [s.text for s in segment_body(body)]
    assert texts == ["Title", "One", "Two", "Cell", "Head", "Quote"]


def test_loose_text_beside_blocks_is_not_lost_and_wrappers_disappear():
    body = marked("Intro with <b>bold</b><p>Para</p>tail text<br>")
    segs = segment_body(body)
    assert [s.text for s in segs] == ["Intro with <g1>bold</g1>", "Para", "tail text<x1/>"]
    out = apply_translations(body, {s.block_index: f"T{s.block_index}" for s in segs})
    assert "tp-run" not in out and BLOCK_ATTR not in out
    assert out == '<div id="root">T0<p>T1</p>T2</div>'


def test_code_and_translate_no_are_kept_verbatim_and_not_offered_for_translation():
    body = marked(
        '<p>Run <code>make  test</code> or see <span translate="no">ICESCO HQ</span>.</p>'
        '<p class="notranslate">Never this</p><pre>  keep\n  me</pre>'
    )
    [seg] = segment_body(body)
    assert seg.text == "Run <x1/> or see <x2/>."
    html = reassemble(seg, "Lancez <x1/> ou voyez <x2/>.")
    assert html == 'Lancez <code>make  test</code> ou voyez <span translate="no">ICESCO HQ</span>.'
    assert "Never this" not in " ".join(text_pieces(seg))


def test_reassemble_puts_markup_back_around_moved_words():
    body = marked('<p>Visit <a href="/x">our site</a> today</p>')
    [seg] = segment_body(body)
    assert reassemble(seg, "Aujourd'hui, visitez <g1>notre site</g1>") == (
        'Aujourd\'hui, visitez <a href="/x">notre site</a>'
    )


def test_reassemble_escapes_text_that_looks_like_markup():
    [seg] = segment_body(marked("<p>a &lt;script&gt; b</p>"))
    assert seg.text == "a <script> b"
    assert reassemble(seg, "x <script>alert(1)</script>") == (
        "x &lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_reassemble_refuses_dropped_duplicated_misnested_or_invented_placeholders():
    [seg] = segment_body(marked("<p>a <b>b <i>c</i></b> d</p>"))
    assert seg.text == "a <g1>b <g2>c</g2></g1> d"
    assert reassemble(seg, "A <g1>B <g2>C</g2></g1> D") is not None
    for broken in (
        "A <g1>B C</g1> D",  # dropped
        "A <g1>B <g2>C</g2></g1> D <g1>",  # duplicated
        "A <g1>B <g2>C</g1></g2> D",  # misnested
        "A </g1>B<g1> <g2>C</g2> D",  # closed before opened
        "A <g1>B <g2>C</g2></g1> <g7>D</g7>",  # invented
    ):
        assert reassemble(seg, broken) is None, broken


def test_rebuild_from_pieces_keeps_every_link_and_spacing():
    [seg] = segment_body(marked('<p>Visit <a href="https://x.org/">our site</a> today</p>'))
    assert text_pieces(seg) == ["Visit", "our site", "today"]
    html = rebuild_from_pieces(seg, ["VISIT", "OUR SITE", "TODAY"])
    assert html == 'VISIT <a href="https://x.org/">OUR SITE</a> TODAY'


def test_blocks_record_declared_language_and_plain_text():
    soup = BeautifulSoup(
        '<div id="r" lang="fr"><p>Bonjour <b>à</b> tous</p>'
        '<blockquote lang="en">Hello</blockquote></div>',
        "html.parser",
    )
    units = mark_blocks(soup.find(id="r"), soup)
    blocks = blocks_from_units(units)
    assert [(b.tag, b.text, b.declared_lang) for b in blocks] == [
        ("p", "Bonjour à tous", "fr"),
        ("blockquote", "Hello", "en"),
    ]


def test_empty_and_whitespace_only_blocks_are_not_units():
    assert [s.text for s in segment_body(marked("<p>   </p><p><br></p><div> <p>x</p> </div>"))] == [
        "x"
    ]


# --- never-translated tokens ---------------------------------------------------------

from translator_pipeline.html.segment import (  # noqa: E402
    KEEP,
    needs_translation,
    text_segment,
    translatable_attributes,
)


def test_urls_emails_numbers_and_codes_become_keep_placeholders():
    body = marked(
        "<p>Write to info@alecso.org or see https://www.alecso.org/ar/news?id=5&amp;x=1. "
        "Signed on 25/11/2022 for 1 250,50 dinars (3.5 %) in 2026, ref ALECSO/2026/REF-114, "
        "ICESCO-2026-07 and ISBN 978-2-1234-5680-3.</p>"
    )
    [seg] = segment_body(body)
    assert seg.text == (
        "Write to <x1/> or see <x2/>. Signed on <x3/> for <x4/> dinars (<x5/>) in <x6/>, "
        "ref <x7/>, <x8/> and <x9/>."
    )
    assert all(t.kind == "keep" for t in seg.tags)
    assert [t.start for t in seg.tags][:2] == [
        "info@alecso.org",
        "https://www.alecso.org/ar/news?id=5&amp;x=1",  # HTML, like every placeholder
    ]


def test_kept_tokens_come_back_byte_identical_around_inline_markup():
    src = '<p>On <b>25/11/2022</b>, see <a href="/r">www.icesco.org</a> (ICESCO-2026-07).</p>'
    body = marked(src)
    [seg] = segment_body(body)
    assert seg.text == "On <g1><x2/></g1>, see <g3><x4/></g3> (<x5/>)."
    assert [t.id for t in seg.tags] == [1, 2, 3, 4, 5]  # numbered in reading order
    out = reassemble(seg, "LE <g1><x2/></g1>, VOIR <g3><x4/></g3> (<x5/>).")
    assert out == 'LE <b>25/11/2022</b>, VOIR <a href="/r">www.icesco.org</a> (ICESCO-2026-07).'


def test_numbers_inside_words_and_short_hyphenated_words_stay_text():
    text = "G20, MP3, 1er, 3D, v1.2, 1.5x, x86_64, COVID-19, REF-114 and عام2026"
    assert [m.group() for m in KEEP.finditer(text)] == []
    assert text_segment(text).text == text


def test_sentence_punctuation_after_a_url_or_number_is_not_part_of_it():
    seg = text_segment("See https://x.org/a, www.y.org. In 2026.")
    assert [t.start for t in seg.tags] == ["https://x.org/a", "www.y.org", "2026"]
    assert seg.text == "See <x1/>, <x2/>. In <x3/>."


def test_a_block_that_is_only_a_number_gets_no_placeholder_and_needs_no_engine():
    [seg] = segment_body(marked("<p> 1 250,50 </p>"))
    assert seg.text == "1 250,50" and not seg.tags
    assert not needs_translation(seg)
    assert not needs_translation(text_segment("ISBN 978-2-1234-5680-3"))  # all kept
    assert needs_translation(text_segment("Page 3"))


def test_piecewise_rebuild_keeps_tokens_and_does_not_offer_punctuation():
    [seg] = segment_body(marked('<p>Call <a href="/c">us</a> on 12:30, 2026.</p>'))
    assert text_pieces(seg) == ["Call", "us", "on"]
    assert rebuild_from_pieces(seg, ["APPEL", "NOUS", "À"]) == (
        'APPEL <a href="/c">NOUS</a> À 12:30, 2026.'
    )


def test_block_text_for_language_id_still_has_its_numbers():
    soup = BeautifulSoup('<div id="r"><p>Born 2026 at www.x.org</p></div>', "html.parser")
    [block] = blocks_from_units(mark_blocks(soup.find(id="r"), soup))
    assert block.text == "Born 2026 at www.x.org"


def test_translatable_attributes_skip_never_translated_elements():
    body = marked(
        '<figure title="A figure"><img alt="A  photo" src="x.jpg"><figcaption>Cap '
        '<abbr title="United Nations">UN</abbr></figcaption></figure>'
        '<p class="notranslate"><img alt="Logo"></p><code title="cmd">x</code>'
        '<p translate="no" aria-label="Brand">B</p>'
        '<p><img alt="2026"><span placeholder="Type">t</span></p>'
    )
    found = [
        (tag.name, name, text, block)
        for tag, name, text, block in translatable_attributes(BeautifulSoup(body, "html.parser"))
    ]
    assert found == [
        ("figure", "title", "A figure", None),
        ("img", "alt", "A photo", None),
        ("abbr", "title", "United Nations", 0),
        ("span", "placeholder", "Type", 1),
    ]


def test_apply_translations_rewrites_attributes_inside_and_outside_units():
    body = marked('<p>See <img alt="Map"> and <abbr title="Old">x</abbr></p><img alt="Old">')
    out = apply_translations(
        body,
        {0: 'VOIR <img alt="Map"> ET <abbr title="Old">X</abbr>'},
        attribute_hook=lambda text, block: f"{text.upper()}@{block}",
    )
    assert out == (
        '<div id="root"><p>VOIR <img alt="MAP@0"/> ET <abbr title="OLD@0">X</abbr></p>'
        '<img alt="OLD@None"/></div>'
    )
