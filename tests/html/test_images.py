"""Images of a published body: unusable sources are dropped, not shown broken."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from translator_pipeline.html.images import clean_images, parse_srcset, usable_url

BASE = "https://news.example.org/2026/forum.html"


@pytest.mark.parametrize(
    "src",
    [
        None,
        "",
        "   ",
        "\t\n",
        "#top",
        "?",
        "about:blank",
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "file:///etc/passwd",
        "ftp://files.example.org/a.png",
        "http:///a.png",
        "http:/a.png",
        "https://[::1/a.png",
        "https://example.org:99999/a.png",
        "http://exa mple.org/a.png",
        "https://exa\x00mple.org/a.png",
    ],
)
def test_unusable_image_sources(src):
    assert usable_url(src, BASE) is None


@pytest.mark.parametrize(
    ("src", "resolved"),
    [
        ("https://cdn.example.org/a.png", "https://cdn.example.org/a.png"),
        ("/img/a.png", "https://news.example.org/img/a.png"),
        ("a.png", "https://news.example.org/2026/a.png"),
        ("//cdn.example.org/a.png", "https://cdn.example.org/a.png"),
        ("  /img/a.png\n", "https://news.example.org/img/a.png"),
        ("photo of me.jpg", "https://news.example.org/2026/photo%20of%20me.jpg"),
        ("HTTP://CDN.example.org/a.png", "HTTP://CDN.example.org/a.png"),
    ],
)
def test_usable_image_sources_are_resolved(src, resolved):
    assert usable_url(src, BASE) == resolved


def test_srcset_is_read_as_browsers_read_it():
    assert parse_srcset("a.jpg 1x,b.jpg 2x, c,d.jpg, e.jpg 100w 50h ,, f.jpg") == [
        ("a.jpg", "1x"),
        ("b.jpg", "2x"),
        ("c,d.jpg", ""),
        ("e.jpg", "100w 50h"),
        ("f.jpg", ""),
    ]


def images(fragment: str) -> list[dict]:
    return [img.attrs for img in BeautifulSoup(fragment, "html.parser").find_all("img")]


def test_images_without_a_usable_source_are_removed_with_their_empty_wrappers():
    out = clean_images(
        '<p>Avant <img src=""> après</p>'
        '<p><a href="https://x.org/"><img src="javascript:alert(1)"></a></p>'
        '<p><img src="#haut" alt="Logo"><img src="about:blank"></p>'
        '<p>Fin <img src="/ok.png" alt="OK"></p>',
        BASE,
    )
    assert images(out) == [{"src": "https://news.example.org/ok.png", "alt": "OK"}]
    soup = BeautifulSoup(out, "html.parser")
    assert soup.find("a") is None  # the link held only the broken image
    assert [p.get_text() for p in soup.find_all("p")] == ["Avant  après", "Fin "]


def test_srcset_keeps_usable_candidates_and_goes_when_none_is_left():
    out = clean_images(
        '<img src="/a.png" srcset="javascript:x 1x, /a2.png 2x, data:x 3x, /b.png 9q">'
        '<img src="/c.png" srcset="about:blank 1x, #x 2x">',
        BASE,
    )
    first, second = images(out)
    assert first["srcset"] == "https://news.example.org/a2.png 2x"
    assert "srcset" not in second


def test_lazy_loaded_images_use_their_real_source():
    out = clean_images(
        '<img src="data:image/gif;base64,R0lGOD" data-src="/real.jpg" alt="Lazy">'
        '<img src="" data-srcset="/s1.jpg 1x, /s2.jpg 2x">'
        '<img srcset="/only.jpg 640w">',
        BASE,
    )
    lazy, from_set, only_set = images(out)
    assert lazy["src"] == "https://news.example.org/real.jpg"
    assert from_set["src"] == "https://news.example.org/s1.jpg"
    assert from_set["srcset"] == (
        "https://news.example.org/s1.jpg 1x, https://news.example.org/s2.jpg 2x"
    )
    assert only_set["src"] == "https://news.example.org/only.jpg"


def test_a_figure_whose_image_is_gone_keeps_its_caption_as_a_paragraph():
    out = clean_images(
        '<figure lang="fr"><picture><source srcset="/x.webp"><img src="about:blank"></picture>'
        "<figcaption>La légende reste.</figcaption></figure>"
        '<figure><img src="javascript:x"><figcaption> </figcaption></figure>'
        '<figure><img src=""><img src="/b.png"><figcaption>Deux images</figcaption></figure>',
        BASE,
    )
    soup = BeautifulSoup(out, "html.parser")
    caption = soup.find("p")
    assert caption.get_text() == "La légende reste." and caption["lang"] == "fr"
    assert soup.find("picture") is None and soup.find("source") is None
    [figure] = soup.find_all("figure")  # the empty one is gone, the one with an image stays
    assert figure.figcaption.get_text() == "Deux images"
    assert images(out) == [{"src": "https://news.example.org/b.png"}]


def test_a_body_without_images_is_returned_as_it_is():
    body = "<p>Texte &amp; rien d'autre</p>"
    assert clean_images(body, BASE) is body
