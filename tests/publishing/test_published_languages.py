"""End to end: the lang of every element of a published variant is that of its text.

A French review's article, served by a real HTTP server, carries the source's
lang attributes as CMSs write them: a French quote wrongly tagged ``en``, an
English section, a Spanish line kept as is, code, an Arabic paragraph with
``dir="rtl"``, a French paragraph with ``dir="ltr"``. After a run with the
pseudo engine, each text node of each variant must sit under the ``lang`` of the
text it now holds (the variant's machine translation, or the language of what was
kept), and under the right ``dir``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from tests.factories import write_source_config
from tests.support import server as http
from tests.support.server import Response, serve
from translator_pipeline import load_settings, run_once

ENGLISH_1 = (
    "The keynote speaker said that the translation of public archives is a question "
    "of access for every citizen of the region."
)
ENGLISH_2 = (
    "She added that the work of the libraries would continue with the help of the "
    "universities and of the ministry."
)
SPANISH_INLINE = "caminante, no hay camino"
SPANISH_QUOTE = "Se hace camino al andar, y al volver la vista atrás se ve la senda."
CODE = "tp-run --all"
PRE = "traduire --de fr --vers ar archives.html"
ARABIC = (
    "وقد أكد المشاركون في ختام أعمال الندوة على أهمية التعاون بين المكتبات الوطنية "
    "والجامعات في المنطقة."
)

ARTICLE = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Colloque sur la traduction - La Revue des bibliothèques</title></head><body>
<header class="site">La Revue des bibliothèques</header>
<div class="page">
<h1 class="titre">Un colloque sur la traduction des archives publiques</h1>
<div class="corps" lang="fr">
<p>Le colloque a réuni des chercheurs venus de nombreux pays pour discuter de la
traduction des archives et des bibliothèques numériques.</p>
<blockquote lang="en"><p>Les organisateurs ont rappelé que la qualité des traductions
dépend avant tout des données disponibles pour chaque langue.</p></blockquote>
<section lang="en"><p>{ENGLISH_1}</p><p>{ENGLISH_2}</p></section>
<p>Le directeur a cité le poète : <span lang="es" translate="no">{SPANISH_INLINE}</span>,
puis il a présenté le programme <code>{CODE}</code> aux participants.</p>
<blockquote lang="es" translate="no"><p>{SPANISH_QUOTE}</p></blockquote>
<pre>{PRE}</pre>
<p lang="ar" dir="rtl">{ARABIC}</p>
<p dir="ltr" lang="fr">La séance de clôture s'est tenue dans la grande salle de la
bibliothèque nationale, devant un public nombreux.</p>
</div></div></body></html>"""

LISTING = """<!doctype html><html><body><ul class="revue">
<li><a class="lien" href="/revue/colloque-traduction.html">Colloque</a></li>
</ul></body></html>"""

# Text kept as the page wrote it, and its language; any other text was translated.
KEPT = {
    SPANISH_INLINE: "es",
    SPANISH_QUOTE: "es",
    CODE: "fr",
    PRE: "fr",
}
KEPT_IN = {"en": {ENGLISH_1: "en", ENGLISH_2: "en"}, "ar": {ARABIC: "ar"}}
RTL = {"ar"}


SELECTORS = {
    "link_selector": "ul.revue a.lien",
    "title_selector": "h1.titre",
    "body_selector": "div.corps",
}


@pytest.fixture
def published(tmp_path: Path) -> dict[str, BeautifulSoup]:
    server = http.TestServer()  # (a module attribute: pytest would try to collect it)
    server.route("/revue/index.html", Response(LISTING.encode()))
    server.route("/revue/colloque-traduction.html", Response(ARTICLE.encode()))
    with serve(server):
        config = write_source_config(tmp_path, "revue", server.url("/revue/index.html"), SELECTORS)
        report = run_once(load_settings(config, env={}))
    assert [o.status for o in report.outcomes] == ["published"]
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [article] = manifest["articles"]
    assert article["language"] == "fr"
    return {
        v["language"]: BeautifulSoup((out / v["path"]).read_text(encoding="utf-8"), "html.parser")
        for v in article["variants"]
    }


def nearest(node: Tag | NavigableString, attribute: str) -> str | None:
    parent = node if isinstance(node, Tag) else node.parent
    for tag in (parent, *parent.parents):
        if isinstance(tag, Tag) and tag.get(attribute):
            return str(tag[attribute])
    return None


def expected(text: str, variant: str) -> tuple[str, bool]:
    """(language, kept as written?) of a piece of published text."""
    squeezed = " ".join(text.split())
    for phrase, lang in {**KEPT, **KEPT_IN.get(variant, {})}.items():
        if squeezed and squeezed in phrase:
            return lang, True
    return variant, False


def primary(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


@pytest.mark.parametrize("variant", ["ar", "en"])
def test_every_piece_of_text_sits_under_its_own_language(published, variant):
    soup = published[variant]
    article = soup.select_one("article.tp-article")
    checked = {"kept": 0, "translated": 0}
    for node in article.find_all(string=True):
        if not any(ch.isalpha() for ch in node):
            continue
        lang, kept = expected(str(node), variant)
        effective = nearest(node, "lang")
        assert primary(effective) == lang, (variant, str(node), effective)
        if kept:
            # Not machine-translated, so not labelled as such.
            assert "-x-mtfrom-" not in effective, (str(node), effective)
        else:
            assert effective == f"{variant}-x-mtfrom-fr", (str(node), effective)
        want_dir = "rtl" if lang in RTL else "ltr"
        assert nearest(node, "dir") == want_dir, (variant, str(node))
        checked["kept" if kept else "translated"] += 1
    # The page really had both kinds (the check above cannot pass on an empty page).
    assert checked["kept"] >= 4 and checked["translated"] >= 6, checked


def test_the_arabic_variant_keeps_no_english_label_and_isolates_kept_latin_text(published):
    soup = published["ar"]
    body = soup.select_one(".tp-body")
    assert body.select('[lang^="en"]') == []  # nothing English is left in it
    assert body.select('[lang="fr"][dir="ltr"]')  # code and the pre are French, LTR
    span = body.find("span", attrs={"translate": "no"})
    assert (span["lang"], span["dir"]) == ("es", "ltr")  # dir isolates it in the RTL line
    kept = body.find(string=lambda s: "المشاركون" in s).find_parent("p")
    assert kept["lang"] == "ar"
    # The French closing paragraph was translated: its dir="ltr" went with its French.
    assert not body.select('p[dir="ltr"]')


def test_the_english_variant_labels_the_kept_english_section(published):
    body = published["en"].select_one(".tp-body")
    paragraphs = [p for p in body.find_all("p") if ENGLISH_1[:30] in p.get_text()]
    assert len(paragraphs) == 1
    # The sanitiser removed the <section>: its lang went down to the paragraphs.
    assert body.find("section") is None
    assert nearest(paragraphs[0], "lang") == "en"
    arabic = [p for p in body.find_all("p") if "[en~]" in p.get_text() and p.get("dir")]
    assert arabic == []  # the translated Arabic paragraph lost its dir="rtl"
