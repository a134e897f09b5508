"""XLIFF review files: what is written validates against the OASIS schemas, reads back
to the same placeholders, and a hostile or broken file is refused whole."""

import pytest
from lxml import etree

from tests.review.records import BLOCKS, URL, record, records, variant
from translator_pipeline.errors import ReviewFileError
from translator_pipeline.review import xliff
from translator_pipeline.review.export import machine_target, review_files
from translator_pipeline.review.xliff import XLIFF12_NS, read_xliff, write_xliff

NS = {"x": XLIFF12_NS}


def exported(version="1.2", **kwargs):
    return write_xliff(review_files([variant()], **kwargs), version=version, tool_version="9")


def test_the_machine_target_maps_back_onto_the_source_tags():
    for i, (html, target) in enumerate(BLOCKS):
        assert machine_target(record(html, target, i)) == target


def test_a_target_whose_markup_is_not_the_sources_has_no_machine_target():
    rec = record(*BLOCKS[0])
    from dataclasses import replace

    broken = replace(rec, target_html=rec.target_html.replace("<b>", "<i>").replace("</b>", "</i>"))
    assert machine_target(broken) is None
    [rf] = review_files([variant([broken])])
    [unit] = rf.units
    assert unit.target == "" and any("translate from the source" in n for n in unit.notes)


def test_xliff_1_2_validates_and_carries_tags_states_and_notes(xliff12_schema):
    data = exported()
    doc = etree.fromstring(data)
    assert xliff12_schema.validate(doc), xliff12_schema.error_log
    [f] = doc.findall("x:file", NS)
    assert (f.get("original"), f.get("source-language"), f.get("target-language")) == (
        URL,
        "en",
        "fr",
    )
    units = f.findall(".//x:trans-unit", NS)
    # Weakest first: the copied segment (a severe signal) leads.
    assert units[0].findtext("x:source", namespaces=NS).startswith("Plain text")
    notes = [n.text for n in units[0].findall("x:note", NS)]
    assert any(n.startswith("SEVERE copied-source") for n in notes)
    assert any("engine score -2.50" in n for n in notes)
    link = units[1].find("x:source/x:g", NS)
    assert (link.get("id"), link.get("ctype"), link.text) == ("1", "link", "the ")
    assert link.find("x:g", NS).get("ctype") == "bold"
    kept = units[1].find("x:source/x:x", NS)
    assert (kept.get("ctype"), kept.get("equiv-text")) == ("x-kept-text", "2024")
    target = units[1].find("x:target", NS)
    assert target.get("state") == "needs-review-translation"
    assert target.get("state-qualifier") == "leveraged-mt"
    br, code = units[2].findall("x:source/x:x", NS)
    assert br.get("ctype") == "lb" and code.get("ctype") == "x-html-code"


def test_document_order_is_kept_on_request():
    doc = etree.fromstring(exported(order="document"))
    first = doc.find(".//x:trans-unit/x:source", NS)
    assert "".join(first.itertext()).startswith("Read")


def test_xliff_2_0_validates(xliff20_schema):
    doc = etree.fromstring(exported("2.0"))
    assert xliff20_schema.validate(doc), xliff20_schema.error_log


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_a_written_file_reads_back_to_the_same_placeholders(version):
    [rf] = read_xliff(exported(version))
    assert (rf.original, rf.source_language, rf.target_language) == (URL, "en", "fr")
    by_id = {u.id: u for u in rf.units}
    for rec in records():
        unit = by_id[rec.id]
        assert unit.source == rec.source
        assert unit.target == machine_target(rec)
        assert not unit.approved and unit.problem == ""


def test_xliff_2_0_holds_one_language_pair():
    files = review_files([variant(), variant(url="https://x.org/a", source="ar")])
    with pytest.raises(ValueError, match="one language pair"):
        write_xliff(files, version="2.0")


def test_states_and_the_approved_attribute_are_read():
    data = exported().replace(b'state="needs-review-translation"', b'state="translated"', 1)
    units = read_xliff(data)[0].units
    assert [u.approved for u in units] == [True, False, False]
    doc = etree.fromstring(exported())
    doc.find(".//x:trans-unit", NS).set("approved", "yes")
    assert read_xliff(etree.tostring(doc))[0].units[0].approved


def test_inline_elements_we_never_write_are_a_unit_problem_not_a_crash():
    doc = etree.fromstring(exported())
    target = doc.find(".//x:trans-unit/x:target", NS)
    etree.SubElement(target, f"{{{XLIFF12_NS}}}bpt", id="1").text = "<b>"
    units = read_xliff(etree.tostring(doc))[0].units
    assert "inline element <bpt>" in units[0].problem
    assert units[1].problem == ""


def test_mrk_annotations_keep_their_content():
    doc = etree.fromstring(exported())
    target = doc.find(".//x:trans-unit/x:target", NS)
    target.text = "Texte "
    mrk = etree.SubElement(target, f"{{{XLIFF12_NS}}}mrk", mtype="term")
    mrk.text, mrk.tail = "relu", "."
    assert read_xliff(etree.tostring(doc))[0].units[0].target == "Texte relu."


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="u"
source-language="en" target-language="fr" datatype="html"><body><trans-unit id="1">
<source>&b;</source><target>&b;</target></trans-unit></body></file></xliff>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="u"
source-language="en" target-language="fr" datatype="html"><body><trans-unit id="1">
<source>x</source><target>&secret;</target></trans-unit></body></file></xliff>"""
DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/xliff.dtd">
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="u"
source-language="en" target-language="fr" datatype="html"><body/></file></xliff>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BILLION_LAUGHS, "declares entities"),
        (EXTERNAL, "declares entities"),
        (DTD_ONLY, "DOCTYPE is not allowed"),
        (b"", "empty file"),
        (
            b"<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'><file",
            "not well-formed",
        ),
        (b"<html><body>not a review file</body></html>", "not XLIFF"),
        (b"<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'/>", "no <file>"),
        (b"\xff\xfe<\x00x\x00", "not well-formed"),
        (
            b"<xliff version='1.2' xmlns='urn:oasis:names:tc:xliff:document:1.2'>"
            + b"<g id='1'>" * 5000,
            "Excessive depth",
        ),
    ],
)
def test_hostile_and_broken_files_are_refused_whole(data, message):
    with pytest.raises(ReviewFileError, match=message):
        read_xliff(data, path="bad.xlf")


def test_a_truncated_export_is_refused():
    data = exported()
    with pytest.raises(ReviewFileError, match="not well-formed"):
        read_xliff(data[: len(data) // 2])


def test_a_file_above_the_size_limit_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(xliff, "MAX_REVIEW_FILE_BYTES", 1000)
    with pytest.raises(ReviewFileError, match="above the 1,000-byte limit"):
        read_xliff(exported())


def test_a_file_saved_by_a_tool_in_utf_16_with_a_bom_reads_the_same():
    data = exported()
    text = data.decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
    utf16 = text.encode("utf-16")  # with a byte-order mark
    assert read_xliff(utf16) == read_xliff(data)


def test_trados_style_segment_markers_in_the_target_are_read_through():
    doc = etree.fromstring(exported(order="document"))
    target = doc.find(".//x:trans-unit/x:target", NS)
    seg = etree.Element(f"{{{XLIFF12_NS}}}mrk", mtype="seg", mid="0")
    seg.text = target.text
    for child in list(target):
        seg.append(child)
    target.text = None
    target.append(seg)
    [rf] = read_xliff(etree.tostring(doc))
    assert rf.units[0].target == "Lisez <g1>le rapport <g2>final</g2></g1> de <x3/> et plus."
