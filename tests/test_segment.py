from bs4 import BeautifulSoup

from translator_pipeline.segment import (
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
