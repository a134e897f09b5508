"""End to end: readers see dates in the page's language and no broken images.

A real HTTP server serves a small library bulletin: an English article full of
images whose sources cannot be loaded (empty, blank, ``javascript:``, ``data:``,
a bare fragment, ``about:blank``, a malformed URL, bad ``srcset`` candidates, a
``<picture>`` and a ``<figure>`` around dead images, a lazy-loaded image) and a
French article dated with a time. The run uses the pseudo engine; the site's
``[publish] date_digits`` choice comes from the environment, one run per choice.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.factories import write_source_config
from tests.support import server as http
from tests.support.server import Response, serve
from translator_pipeline import load_settings, run_once
from translator_pipeline.engines.pseudo import PseudoTranslator

CAPTION = "Visitors in the reading room on the first day."
PHOTOS = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Photo archives open - Library Bulletin</title></head><body>
<div class="bulletin">
<h1 class="headline">The library opens its photo archives</h1>
<time class="stamp" datetime="2026-11-22">22 Nov</time>
<div class="text">
<p>The national library opened its photo archives to the public this week, with
thousands of pictures of the old city.</p>
<p>Before the opening <img src="" alt="Empty source"> the staff checked every picture.</p>
<p><img src="   " alt="Blank source"></p>
<p><a href="/gallery.html"><img src="javascript:alert(1)" alt="Script"></a></p>
<p><img src="#top" alt="Fragment"><img src="about:blank" alt="Blank page"></p>
<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="Inline data"></p>
<p><img src="http://exa mple.org/broken.png" alt="Malformed host"><img
 src="https://photos.example.org:99999/broken.png" alt="Malformed port"></p>
<p>The archive holds <img src="/media/archive.jpg" alt="The archive building"
 srcset="javascript:void(0) 1x, /media/archive-2x.jpg 2x, about:blank 3x"> many boxes.</p>
<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/media/lazy.jpg"
 alt="Reading room"></p>
<picture><source srcset="/media/dead.webp" type="image/webp"><img src="about:blank"
 alt="Dead picture"></picture>
<figure><img src="javascript:void(0)" alt="Lost photo"><figcaption>{CAPTION}</figcaption></figure>
<figure><img src="https://cdn.example.org/photos/hall.jpg" alt="The hall">
<figcaption>The main hall of the library.</figcaption></figure>
<p>On the shelves: <img src="media/shelf.jpg" alt="A shelf"> old registers.</p>
</div></div></body></html>"""

EVENING = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta property="article:published_time" content="2026-11-22T18:45:00+01:00">
<title>Soirée de lecture - Bulletin</title></head><body><div class="bulletin">
<h1 class="headline">Une soirée de lecture à la bibliothèque</h1>
<div class="text"><p>La bibliothèque nationale a organisé une soirée de lecture
publique consacrée aux archives photographiques de la ville.</p></div>
</div></body></html>"""

LISTING = """<!doctype html><html><body><ul class="news">
<li><a class="item" href="/bulletin/photo-archives.html">Photos</a></li>
<li><a class="item" href="/bulletin/soiree-lecture.html">Soirée</a></li>
</ul></body></html>"""

# Arabic dates per digit choice: CLDR's "ar" locale writes Latin digits.
ARABIC_DAY = {"locale": "22 نوفمبر 2026", "latn": "22 نوفمبر 2026", "arab": "٢٢ نوفمبر ٢٠٢٦"}
ARABIC_TIME = {"locale": "6:45", "latn": "6:45", "arab": "٦:٤٥"}


SELECTORS = {
    "link_selector": "ul.news a.item",
    "title_selector": "h1.headline",
    "body_selector": "div.text",
}


@pytest.fixture(scope="module", params=["locale", "latn", "arab"])
def run(request, tmp_path_factory) -> tuple[str, str, dict[tuple[str, str], BeautifulSoup]]:
    digits = request.param
    tmp = tmp_path_factory.mktemp(f"bulletin-{digits}")
    server = http.TestServer()  # (a module attribute: pytest would try to collect it)
    server.route("/bulletin/index.html", Response(LISTING.encode()))
    server.route("/bulletin/photo-archives.html", Response(PHOTOS.encode()))
    server.route("/bulletin/soiree-lecture.html", Response(EVENING.encode()))
    with serve(server):
        config = write_source_config(tmp, "bulletin", server.url("/bulletin/index.html"), SELECTORS)
        report = run_once(load_settings(config, env={"TP_PUBLISH__DATE_DIGITS": digits}))
    assert [(o.status, o.reason) for o in report.outcomes] == [("published", "")] * 2
    out = tmp / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pages = {}
    for article in manifest["articles"]:
        slug = article["slug"]
        for v in article["variants"]:
            text = (out / v["path"]).read_text(encoding="utf-8")
            pages[(slug, v["language"])] = BeautifulSoup(text, "html.parser")
    return digits, server.url("/"), pages


def shown_date(soup: BeautifulSoup) -> tuple[str, str]:
    time = soup.select_one("article.tp-article time")
    assert time is not None
    return time["datetime"], time.get_text()


def test_dates_are_shown_in_each_variants_language_with_the_chosen_digits(run):
    digits, _, pages = run
    assert shown_date(pages[("photo-archives", "fr")]) == ("2026-11-22", "22 novembre 2026")
    assert shown_date(pages[("photo-archives", "ar")]) == ("2026-11-22", ARABIC_DAY[digits])
    # A date with a time: the day and the time, as the original gives them.
    stamp = "2026-11-22T18:45:00+01:00"
    assert shown_date(pages[("soiree-lecture", "en")]) == (stamp, "November 22, 2026, 6:45\u202fPM")
    machine, arabic = shown_date(pages[("soiree-lecture", "ar")])
    assert machine == stamp
    assert arabic.startswith(ARABIC_DAY[digits]) and ARABIC_TIME[digits] in arabic
    for soup in pages.values():
        _, text = shown_date(soup)
        assert "2026-11-22" not in text and "T18" not in text  # never the raw timestamp


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_only_loadable_images_are_published(run, lang):
    _, site, pages = run
    body = pages[("photo-archives", lang)].select_one(".tp-body")
    origin = site.rstrip("/")
    sources = []
    for img in body.find_all("img"):
        src = img.get("src", "")
        parts = urlsplit(src)
        assert parts.scheme in ("http", "https") and parts.netloc, str(img)
        assert parts.path not in ("", "/bulletin/photo-archives.html"), str(img)
        for candidate in filter(None, (c.strip() for c in img.get("srcset", "").split(","))):
            assert urlsplit(candidate.split()[0]).scheme in ("http", "https"), str(img)
        sources.append(src)
    assert sorted(sources) == sorted(
        [
            f"{origin}/media/archive.jpg",
            f"{origin}/media/lazy.jpg",  # the lazy-loading page's real source
            "https://cdn.example.org/photos/hall.jpg",
            f"{origin}/bulletin/media/shelf.jpg",
        ]
    )
    archive = body.find("img", src=f"{origin}/media/archive.jpg")
    assert archive["srcset"] == f"{origin}/media/archive-2x.jpg 2x"
    assert body.find("picture") is None and body.find("source") is None
    assert body.find("a", href=lambda h: h and "gallery" in h) is None  # held only the image


def test_a_figure_without_its_image_keeps_its_caption_text(run):
    _, _, pages = run
    body = pages[("photo-archives", "fr")].select_one(".tp-body")
    [figure] = body.find_all("figure")  # the hall's
    assert figure.img["src"] == "https://cdn.example.org/photos/hall.jpg"
    caption = PseudoTranslator().translate_one(CAPTION, "fr")
    holders = [p for p in body.find_all("p") if p.get_text() == caption]
    assert len(holders) == 1 and holders[0].find_parent("figure") is None
    # The paragraphs around removed images keep their words.
    texts = " ".join(p.get_text() for p in body.find_all("p"))
    for words in ("Before the opening", "the staff checked", "many boxes", "old registers"):
        assert PseudoTranslator().translate_one(words, "fr")[len("[fr~] ") :] in texts, words
