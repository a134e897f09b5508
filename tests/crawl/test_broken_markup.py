"""Broken markup must not cost an article its title or any of its text.

The pages are the kinds a WordPress-like blog really serves: a ``<h1>`` never
closed, so it runs into the body; a stray ``</div></span>`` left by a pasted embed,
which closes the body container early; a heading closed with the wrong tag, so it
wraps the whole article; a page whose only title is ``<title>`` with the site's
name. They are parsed the way the project parses (lxml), and the last test runs
the whole pipeline on them over a real HTTP server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.support.server import Response, TestServer
from translator_pipeline import load_settings, run_once
from translator_pipeline.config.settings import SourceSettings
from translator_pipeline.crawl.extract import MAX_TITLE_CHARS, extract_article
from translator_pipeline.models import Article, FetchedPage

HTML = {"Content-Type": "text/html; charset=utf-8"}
SITE = "Lantern Youth Notes"

BLOG = SourceSettings(
    name="lantern",
    start_urls=["http://127.0.0.1/"],
    title_selector="h1.post-title",
    body_selector="div.entry-content",
    remove_selectors=[".sharedaddy"],
)
NO_SELECTORS = SourceSettings(name="plain", start_urls=["http://127.0.0.1/"])

# Page furniture around every post; none of it may reach a published body.
CHROME = [
    "Skip to content",
    "Share this post",
    "Filed under",
    "Leave a comment",
    "Recent posts",
    "Powered by a content system",
]


def head(title: str, *, og_site: bool = True) -> str:
    site = f'<meta property="og:site_name" content="{SITE}">' if og_site else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | {SITE}</title>{site}</head>"
    )


def page_end() -> str:
    return (
        '<nav class="post-navigation"><a href="/prev/">Recent posts</a></nav>'
        '<div id="comments" class="comments-area"><h3>Leave a comment</h3></div>'
        "</main></div>"
        '<aside id="secondary" class="widget-area"><p>Recent posts: none</p></aside>'
        '<footer id="colophon"><p>Powered by a content system</p></footer></body></html>'
    )


def page_start() -> str:
    return (
        '<body class="single-post"><a class="skip-link" href="#main">Skip to content</a>'
        '<div id="page"><main id="main">'
    )


# --- the pages ----------------------------------------------------------------------------

UNCLOSED_TITLE = "Lantern volunteers repaint the harbour school"
UNCLOSED_TEXT = [
    "Forty volunteers spent the weekend repainting the classrooms of the harbour school.",
    "The head teacher thanked the families who lent ladders, brushes and a small boat.",
    "Pupils will return to the bright rooms on Tuesday after the spring holiday.",
]
# The page: <h1 class="post-title"> never closed, then the body, then a stray
# </div></span> with the last paragraph after it.
UNCLOSED = (
    head(UNCLOSED_TITLE)
    + page_start()
    + f'<article class="post"><h1 class="post-title">{UNCLOSED_TITLE}\n'
    + '<div class="entry-content">'
    + f"<p>{UNCLOSED_TEXT[0]}</p><p>{UNCLOSED_TEXT[1]}</p>"
    + "</div></span>"
    + f"<p>{UNCLOSED_TEXT[2]}</p>"
    + '<div class="sharedaddy"><p>Share this post</p></div>'
    + '<footer class="entry-footer">Filed under news</footer></article>'
    + page_end()
)

STRAY_TITLE = "Night library opens for exam week"
STRAY_TEXT = [
    "The municipal library stays open until midnight during the exam week.",
    "Students can book a quiet desk online or simply walk in after dinner.",
    "A volunteer tutor answers mathematics questions every evening from eight.",
    "Hot tea is served in the reading room, but food stays in the hall.",
]
# The title is fine; an embed inside the body carries a stray </div></span>, which
# closes div.entry-content early: the last paragraphs become its siblings.
STRAY = (
    head(STRAY_TITLE)
    + page_start()
    + '<article class="post"><header class="entry-header">'
    + f'<h1 class="post-title">{STRAY_TITLE}</h1></header>'
    + '<div class="entry-content">'
    + f"<p>{STRAY_TEXT[0]}</p>"
    + '<div class="video-embed"><iframe src="https://video.example/1"></iframe></div></span>'
    + "</div>"
    + f"<p>{STRAY_TEXT[1]}</p><p>{STRAY_TEXT[2]}</p>"
    + f"<blockquote><p>{STRAY_TEXT[3]}</p></blockquote>"
    + '<div class="sharedaddy"><p>Share this post</p></div>'
    + "</div>"
    + '<footer class="entry-footer">Filed under campus</footer></article>'
    + page_end()
)

WRAPPING_TITLE = "Choir of the old town sings at the river festival"
WRAPPING_TEXT = [
    "The choir of the old town opened the river festival on Saturday evening.",
    "Sixty singers, the youngest nine years old, performed songs from four regions.",
]
# <h1> closed with </h2>: the heading never ends and wraps the whole article.
WRAPPING = (
    head(WRAPPING_TITLE)
    + page_start()
    + f'<h1 class="post-title">{WRAPPING_TITLE}</h2>'
    + '<article class="post"><div class="entry-content">'
    + "".join(f"<p>{p}</p>" for p in WRAPPING_TEXT)
    + '<div class="sharedaddy"><p>Share this post</p></div>'
    + "</div></article>"
    + page_end()
)

SITE_NAME_TITLE = "Bicycle workshop teaches repairs to teenagers"
SITE_NAME_TEXT = [
    "Every Wednesday the bicycle workshop teaches teenagers to fix brakes and gears.",
    "Old bicycles donated by residents are repaired and given to new students.",
]
# No heading at all: the only title is <title>, which ends with the site's name.
SITE_NAME = (
    head(SITE_NAME_TITLE)
    + page_start()
    + '<article class="post"><div class="entry-content">'
    + "".join(f"<p>{p}</p>" for p in SITE_NAME_TEXT)
    + "</div></article>"
    + page_end()
)

INLINE_TITLE = "Harbour cleanup collects two tonnes of plastic"
INLINE_TEXT = (
    "Divers and kayakers from three clubs pulled nets, bottles and tyres out of the "
    "harbour basin on Sunday morning."
)
INLINE_MORE = "The town will place new bins along the quay before the summer."
# The heading is never closed but swallows only inline text before its container
# closes it: no block in it, only far more text than the page's title.
INLINE = (
    head(INLINE_TITLE, og_site=False)
    + page_start()
    + '<article class="post"><header class="entry-header">'
    + f'<h1 class="post-title">{INLINE_TITLE} <span class="lead">{INLINE_TEXT}</span>'
    + "</header>"
    + f'<div class="entry-content"><p>{INLINE_MORE}</p></div></article>'
    + page_end()
)

PAGES = {
    "unclosed-h1": (UNCLOSED, UNCLOSED_TITLE, UNCLOSED_TEXT),
    "stray-close": (STRAY, STRAY_TITLE, STRAY_TEXT),
    "h1-wraps-article": (WRAPPING, WRAPPING_TITLE, WRAPPING_TEXT),
    "title-with-site-name": (SITE_NAME, SITE_NAME_TITLE, SITE_NAME_TEXT),
    "inline-swallow": (INLINE, INLINE_TITLE, [INLINE_TEXT, INLINE_MORE]),
}


def fetched(html: str, url: str = "http://127.0.0.1/post/") -> FetchedPage:
    return FetchedPage(url, url, 200, "text/html", "utf-8", "header", html)


def assert_whole_article(article: Article, title: str, paragraphs: list[str]) -> None:
    """Title and body hold the source article's text exactly once, in order, and no
    page furniture."""
    assert article.title == title
    assert [b.text for b in article.blocks] == paragraphs
    everything = "\n".join([article.title, *(b.text for b in article.blocks)])
    for text in [title, *paragraphs]:
        assert everything.count(text) == 1, text
    for noise in [*CHROME, SITE]:
        assert noise not in everything


# --- extraction -------------------------------------------------------------------------


@pytest.mark.parametrize("source", [BLOG, NO_SELECTORS], ids=["selectors", "fallback"])
@pytest.mark.parametrize("name", list(PAGES))
def test_broken_page_keeps_its_title_and_all_its_text(name: str, source: SourceSettings) -> None:
    html, title, paragraphs = PAGES[name]

    article = extract_article(fetched(html), source)

    assert_whole_article(article, title, paragraphs)


def test_unclosed_title_is_its_own_first_text_not_the_first_paragraphs() -> None:
    article = extract_article(fetched(UNCLOSED), BLOG)

    assert "\n" not in article.title and len(article.title) < 60
    assert UNCLOSED_TEXT[0] not in article.title
    body = BeautifulSoup(article.body_html, "html.parser")
    assert [p.get_text() for p in body.find_all("p")] == UNCLOSED_TEXT


def test_text_a_heading_swallowed_without_blocks_becomes_a_paragraph_with_its_markup() -> None:
    html = INLINE.replace("three clubs", '<a href="/clubs/">three clubs</a>')

    article = extract_article(fetched(html), BLOG)

    assert article.title == INLINE_TITLE
    first = BeautifulSoup(article.body_html, "html.parser").find("p")
    assert first.get_text(" ", strip=True).startswith("Divers and kayakers")
    assert first.find("a")["href"] == "http://127.0.0.1/clubs/"


def test_well_formed_page_keeps_what_follows_the_body_out_of_it() -> None:
    # Balanced markup: the site's body selector is taken at its word, even when a
    # paragraph follows the container (a byline the site keeps out on purpose).
    html = (
        head(STRAY_TITLE)
        + page_start()
        + f'<article class="post"><h1 class="post-title">{STRAY_TITLE}</h1>'
        + f'<div class="entry-content"><p>{STRAY_TEXT[0]}</p></div>'
        + "<p>Written by the editorial team of the library.</p></article>"
        + page_end()
    )

    article = extract_article(fetched(html), BLOG)

    assert [b.text for b in article.blocks] == [STRAY_TEXT[0]]


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ('<h1 class="post-title"><div class="t">Park concert moves indoors</div></h1>',
         "Park concert moves indoors"),
        ('<h1 class="post-title"><a href="/p">Park concert\n   moves\tindoors</a></h1>',
         "Park concert moves indoors"),
        ('<h1 class="post-title">Park concert moves indoors | Lantern Youth Notes</h1>',
         "Park concert moves indoors"),
    ],
)  # fmt: skip
def test_a_well_formed_title_element_gives_one_clean_line(heading: str, title: str) -> None:
    html = (
        head("Park concert moves indoors")
        + f'<body><article class="post">{heading}<div class="entry-content">'
        + "<p>The rain moved the park concert into the town hall.</p></div></article></body>"
    )

    article = extract_article(fetched(html), BLOG)

    assert article.title == title
    assert [b.text for b in article.blocks] == [
        "The rain moved the park concert into the town hall."
    ]


def test_a_title_is_bounded_and_nothing_of_an_oversized_heading_is_lost() -> None:
    words = " ".join(f"word{i}" for i in range(60))  # about 400 characters, no <title>
    html = (
        f'<html><body><article><h1 class="post-title">{words}</h1>'
        '<div class="entry-content"><p>The short body.</p></div></article></body></html>'
    )

    article = extract_article(fetched(html), BLOG)

    assert len(article.title) <= MAX_TITLE_CHARS and "\n" not in article.title
    assert article.title.startswith("word0 word1")
    assert [b.text for b in article.blocks] == [words, "The short body."]


def test_a_generic_short_page_title_does_not_cut_a_real_heading() -> None:
    heading = "Newsletter of the youth council announces the summer programme for all ages"
    html = (
        "<html><head><title>News</title></head><body><article>"
        f'<h1 class="post-title">{heading}</h1>'
        '<div class="entry-content"><p>Registration opens in May.</p></div></article></body></html>'
    )

    article = extract_article(fetched(html), BLOG)

    assert article.title == heading


# --- a whole run over HTTP ------------------------------------------------------------------

# The pseudo engine accents Latin letters: undone here to read the published text.
_UNACCENT = str.maketrans("áçéîñöûýÁÇÉÎÑÖÛÝ", "aceinouyACEINOUY")


def unpseudo(text: str) -> str:
    return re.sub(r"\[fr~\] ", "", text).translate(_UNACCENT)


def test_a_run_on_a_broken_blog_publishes_whole_articles(
    tmp_path: Path, server: TestServer
) -> None:
    paths = {name: f"/2026/03/{name}/" for name in PAGES}
    listing = "".join(f'<li><a class="entry" href="{p}">{n}</a></li>' for n, p in paths.items())
    server.route("/", Response(f'<ul class="posts">{listing}</ul>'.encode(), headers=HTML))
    for name, path in paths.items():
        server.route(path, Response(PAGES[name][0].encode(), headers=HTML))
    config = tmp_path / "lantern.toml"
    config.write_text(
        f"""
source_languages = ["en"]
target_languages = ["fr"]
engine = "pseudo"
output_dir = "out"
state_path = "state.sqlite3"

[[sources]]
name = "lantern"
start_urls = ["{server.url("/")}"]
link_selector = "ul.posts a.entry"
title_selector = "h1.post-title"
body_selector = "div.entry-content"
remove_selectors = [".sharedaddy"]

[fetch]
host_delay = 0
respect_robots = false
""",
        encoding="utf-8",
    )

    report = run_once(load_settings(config, env={}))

    assert [o.status for o in report.outcomes] == ["published"] * len(PAGES)
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_url = {a["url"]: a for a in manifest["articles"]}
    for name, path in paths.items():
        _, title, paragraphs = PAGES[name]
        entry = by_url[server.url(path)]
        assert entry["title"] == title, name
        variant = entry["variants"][0]
        assert unpseudo(variant["title"]) == title
        fragment = BeautifulSoup(
            (out / variant["fragment_path"]).read_text(encoding="utf-8"), "html.parser"
        )
        body = fragment.select_one(".tp-body")
        published = [unpseudo(b.get_text(" ", strip=True)) for b in body.find_all("p")]
        assert published == paragraphs, name
        assert unpseudo(fragment.select_one("h1").get_text()) == title
        text = unpseudo(fragment.get_text(" "))
        for noise in CHROME:
            assert noise not in text, (name, noise)
