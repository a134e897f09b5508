"""Property tests: translate_articles + sanitise over generated news HTML fragments.

Fragments mix block elements (p, h2, ul/li, table/td, blockquote, figure with
figcaption, pre), inline markup (a, strong, em, b, i, span, sup, sub, abbr, q,
small, code, img, br), text in English, French and Arabic with numbers, e-mail
addresses and URLs, and content that must never be translated
(``translate="no"``, ``class="notranslate"``, code, pre).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import body_article as make_article
from tests.support.engines import (
    ScriptedEngine,
    drop_placeholders,
    duplicate_first_placeholder,
    upper,
)
from translator_pipeline.html.segment import BLOCK_ATTR, RUN_TAG
from translator_pipeline.models import Article
from translator_pipeline.publishing.render import sanitise
from translator_pipeline.translate.articles import translate_articles

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- engines ---------------------------------------------------------------------------

_TOKEN = re.compile(r"<g(\d+)>|</g(\d+)>|<x\d+/>|[^\s<]+|<")


def reverse_words(text: str, src: str, tgt: str) -> str:
    """Reverses the order of words and placeholder groups at every nesting level.

    Paired placeholders stay paired (a group's content is reversed inside it), so
    the output is a valid placeholder string when the input is.
    """
    root: list = []
    stack: list[tuple[str, list]] = [("", root)]
    for match in _TOKEN.finditer(text):
        opening, closing = match.group(1), match.group(2)
        if opening is not None:
            group: list = []
            stack[-1][1].append((opening, group))
            stack.append((opening, group))
        elif closing is not None and len(stack) > 1 and stack[-1][0] == closing:
            stack.pop()
        else:
            stack[-1][1].append(match.group())

    def render(items: list) -> str:
        out = []
        for item in reversed(items):
            if isinstance(item, tuple):
                gid, group = item
                out.append(f"<g{gid}>{render(group)}</g{gid}>")
            else:
                out.append(item)
        return " ".join(out)

    return render(root)


def identity(text: str, src: str, tgt: str) -> str:
    return text


ENGINES = {
    "identity": identity,
    "upper": upper,
    "drop_placeholders": drop_placeholders,
    "duplicate_first_placeholder": duplicate_first_placeholder,
    "reverse_words": reverse_words,
}


def test_reverse_words_keeps_placeholders_paired():
    assert (
        reverse_words("Visit <g1>our <g2>new</g2> site</g1> today<x3/>", "en", "fr")
        == "<x3/> today <g1>site <g2>new</g2> our</g1> Visit"
    )


# --- fragments -------------------------------------------------------------------------

WORDS = [
    # English
    "the", "minister", "said", "on", "Monday", "budget", "growth", "reporters", "AT&amp;T",
    # French
    "le", "ministre", "a", "déclaré", "l'économie", "être", "élèves", "à", "«", "»", "aujourd'hui",
    # Arabic
    "قال", "الوزير", "يوم", "الاثنين", "إن", "الميزانية", "ستزيد",
    # numbers, e-mail addresses, URLs, reference codes
    "2026", "3.5 %", "1 250,50", "25/11/2022", "12:30", "٣٫٥", "G20",
    "press@example.org", "https://example.org/a?b=1&amp;c=2", "www.example.com",
    "ALECSO/2026/REF-114",
    # punctuation and escapes a page may carry
    ",", ".", "x &lt; y", '"quoted"',
    # French typography: no-break spaces are content, not collapsible whitespace
    "3,5&nbsp;%", "«&nbsp;bonjour&nbsp;»", "1\u202f250", "vrai&nbsp;?",
]  # fmt: skip

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
hrefs = st.sampled_from(
    [
        "https://news.example.org/article/1",
        "https://example.com/search?q=budget&amp;page=2",
        "/local/path.html",
        "mailto:press@example.org",
        "https://ar.example.net/%D8%A7",
    ]
)
srcs = st.sampled_from(["https://cdn.example.org/a.jpg", "/img/b.png", "https://x.org/c.webp"])
alts = st.sampled_from(["", "The minister", "Le ministre à Paris", "الوزير", "Chart 2026"])
INLINE_TAGS = ["strong", "em", "b", "i", "span", "sup", "sub", "q", "small"]

# Excluded content: copied verbatim, so its whitespace is significant.
code_text = st.sampled_from(["x = 1", "print( 'hi' )", "a  &lt;b&gt;  c", "run --fast"])
excluded_inline = st.one_of(
    st.builds("<code>{}</code>".format, code_text),
    st.builds('<span translate="no">{}</span>'.format, words),
    st.builds('<span class="notranslate">{}  {}</span>'.format, words, words),
    st.builds('<em translate="no">BBC  <b>News</b></em>'.format),
)
pre_block = st.builds("<pre>{}\n    {}\n\t{}  </pre>".format, code_text, code_text, words)
leaves = st.one_of(
    words,
    words,
    words,
    excluded_inline,
    st.builds('<img src="{}" alt="{}">'.format, srcs, alts),
    st.just("<br>"),
    st.builds('<a href="{}"></a>'.format, hrefs),  # an anchor with no text
)


def _inline_extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    content = st.lists(children, min_size=1, max_size=3).map(" ".join)
    return st.one_of(
        st.builds(lambda t, c: f"<{t}>{c}</{t}>", st.sampled_from(INLINE_TAGS), content),
        st.builds('<a href="{}">{}</a>'.format, hrefs, content),
        st.builds(
            '<abbr title="{}">{}</abbr>'.format,
            st.sampled_from(["Fonds monétaire", "IMF", "l'Organisation mondiale"]),
            content,
        ),
    )


inline = st.recursive(leaves, _inline_extend, max_leaves=6)
# A block's content starts and ends with text or an element, never with a space.
inline_content = st.lists(inline, min_size=1, max_size=4).map(" ".join)


def _blocks() -> st.SearchStrategy[str]:
    simple = st.one_of(
        st.builds("<p>{}</p>".format, inline_content),
        st.builds("<h2>{}</h2>".format, inline_content),
        st.builds(
            "<ul>{}</ul>".format,
            st.lists(st.builds("<li>{}</li>".format, inline_content), min_size=1, max_size=3).map(
                "".join
            ),
        ),
        st.builds(
            "<table><tr>{}</tr><tr>{}</tr></table>".format,
            st.lists(st.builds("<td>{}</td>".format, inline_content), min_size=1, max_size=3).map(
                "".join
            ),
            st.lists(st.builds("<td>{}</td>".format, inline_content), min_size=1, max_size=3).map(
                "".join
            ),
        ),
        st.builds(
            '<figure><img src="{}" alt="{}"><figcaption>{}</figcaption></figure>'.format,
            srcs,
            alts,
            inline_content,
        ),
        st.builds('<p translate="no">{}</p>'.format, inline_content),
        st.builds('<p class="notranslate">{}</p>'.format, inline_content),
        pre_block,
    )
    quote = st.one_of(
        st.builds("<blockquote>{}</blockquote>".format, inline_content),
        st.builds(
            "<blockquote>{}</blockquote>".format,
            st.lists(simple, min_size=1, max_size=2).map("".join),
        ),
    )
    # Loose inline content next to blocks: wrapped in a temporary run while translated.
    mixed = st.builds(
        "<blockquote>{}<p>{}</p>{}</blockquote>".format, inline_content, inline_content, inline
    )
    return st.one_of(simple, simple, quote, mixed)


bodies = st.lists(_blocks(), min_size=1, max_size=5).map("".join)


# --- helpers ---------------------------------------------------------------------------


def translate(body: str, transform) -> tuple[Article, str]:
    article = make_article(body)
    [fr] = translate_articles([article], ["fr"], ScriptedEngine(transform))[article.url]
    return article, fr.body_html


def original(body: str) -> str:
    """The input body as html.parser serialises it, without any mark."""
    return str(BeautifulSoup(f"<div>{body}</div>", "html.parser"))


def canonical(fragment: str) -> str:
    return str(BeautifulSoup(fragment, "html.parser"))


def without_labels(fragment: str) -> str:
    """``fragment`` without lang/dir: the generated sources have none, and the labels
    a variant gets (its never-translated content is marked as source text) are
    checked on their own."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        tag.attrs.pop("lang", None)
        tag.attrs.pop("dir", None)
    return str(soup)


def effective_lang(tag: Tag) -> str | None:
    return next((str(t["lang"]) for t in (tag, *tag.parents) if t.get("lang")), None)


class _Balance(HTMLParser):
    """Checks every opened non-void element is closed, in order."""

    VOID = frozenset(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"]
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> with open {self.stack}")
        else:
            self.stack.pop()


def excluded_elements(fragment: str) -> list[str]:
    """Outermost never-translated elements, serialised, in document order."""
    soup = BeautifulSoup(fragment, "html.parser")

    def excluded(tag: Tag) -> bool:
        return (
            tag.name in {"code", "pre"}
            or str(tag.get("translate", "")).lower() == "no"
            or "notranslate" in (tag.get("class") or [])
        )

    found = []
    for tag in soup.find_all(True):
        if excluded(tag) and not any(excluded(p) for p in tag.parents if isinstance(p, Tag)):
            # The mark sits on the unit, never inside excluded content; drop it anyway.
            tag.attrs.pop(BLOCK_ATTR, None)
            found.append(without_labels(str(tag)))
    return found


def targets(fragment: str) -> Counter[tuple[str, str]]:
    soup = BeautifulSoup(fragment, "html.parser")
    out: Counter[tuple[str, str]] = Counter()
    out.update(("a", str(a["href"])) for a in soup.find_all("a", href=True))
    out.update(("img", str(i["src"])) for i in soup.find_all("img", src=True))
    return out


# --- properties ------------------------------------------------------------------------
# Each example goes through every engine: generating fragments costs as much as
# translating them, so this is five times cheaper than one test per engine.


@PROPERTY
@given(body=bodies)
def test_output_is_well_formed(body):
    for name, engine in ENGINES.items():
        _, out = translate(body, engine)
        clean = sanitise(out)
        once = canonical(clean)
        assert canonical(once) == once, name  # parse + serialise is stable
        checker = _Balance()
        checker.feed(clean)
        checker.close()
        assert (checker.errors, checker.stack) == ([], []), name
        # Both parsers see the same elements (lxml would repair anything unbalanced).
        tags_html = Counter(t.name for t in BeautifulSoup(clean, "html.parser").find_all(True))
        lxml_body = BeautifulSoup(f"<html><body>{clean}</body></html>", "lxml").body
        assert Counter(t.name for t in lxml_body.find_all(True)) == tags_html, name
        assert RUN_TAG not in out and BLOCK_ATTR not in out, name


@PROPERTY
@given(body=bodies)
def test_links_and_images_are_kept(body):
    expected = targets(sanitise(original(body)))
    for name, engine in ENGINES.items():
        _, out = translate(body, engine)
        assert targets(sanitise(out)) == expected, name


@PROPERTY
@given(body=bodies)
def test_excluded_content_is_byte_identical(body):
    expected = excluded_elements(original(body))
    for name, engine in ENGINES.items():
        _, out = translate(body, engine)
        # As a multiset: the word-reversing engine moves them around within a unit.
        assert Counter(excluded_elements(out)) == Counter(expected), name
        for element in expected:
            # verbatim in the raw output, not only re-parsed
            assert element in without_labels(out), name
        # Never translated, so still in the article's language inside the French variant.
        soup = BeautifulSoup(out, "html.parser")
        for tag in soup.select('code, pre, [translate="no"], .notranslate'):
            if any(ch.isalpha() for ch in tag.get_text()):  # "2026" has no language
                assert effective_lang(tag) == "en", (name, str(tag))


@PROPERTY
@given(body=bodies)
def test_identity_engine_reproduces_the_body(body):
    _, out = translate(body, identity)
    assert without_labels(out) == original(body)
