"""Deterministic, realistic English news sentences for benchmarks (no data files needed)."""

from __future__ import annotations

import random

SUBJECTS = [
    "The Director-General of the Organization",
    "A delegation from the Ministry of Education",
    "The Secretary-General of the National Commission",
    "Representatives of twelve Member States",
    "The regional office in Rabat",
    "A group of young researchers from West Africa",
    "The Arabization Coordination Office",
    "The Deputy Director-General",
    "The executive board",
    "Experts in digital heritage",
    "The minister of culture",
    "University rectors from the region",
    "The organizing committee",
    "Teachers taking part in the programme",
    "The cultural attaché",
]
ACTIONS = [
    "announced a new partnership on",
    "discussed ways of strengthening cooperation in",
    "signed a memorandum of understanding on",
    "presented the final report on",
    "launched a training programme dedicated to",
    "called for greater investment in",
    "reviewed the progress achieved in",
    "opened an international conference on",
    "welcomed the results of the joint study on",
    "stressed the importance of sustained funding for",
]
TOPICS = [
    "teaching the Arabic language in primary schools",
    "the recognition of students' certificates across the region",
    "the preservation of manuscripts and historical archives",
    "digital skills for teachers in rural areas",
    "scientific research and innovation in universities",
    "the protection of intangible cultural heritage",
    "girls' access to secondary education",
    "the use of artificial intelligence in classrooms",
    "water management and climate adaptation",
    "museums and the history of Islamic civilization",
]
TAILS = [
    "during a meeting held at the headquarters on Monday.",
    "in the presence of several ambassadors and senior officials.",
    "as part of the action plan adopted last year.",
    "before the ministerial conference scheduled for December in Riyadh.",
    "and agreed to meet again within six months to assess the first results.",
    "with the support of national commissions for education, science and culture.",
    "in a statement published on the Organization's website.",
    "while visiting the exhibition organized for the occasion.",
]


def news_sentences(count: int = 200, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    return [
        f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(TOPICS)} {rng.choice(TAILS)}"
        for _ in range(count)
    ]


def paragraphs(sentences: list[str], size: int = 5) -> list[str]:
    """Group sentences into paragraphs, as they come out of article blocks."""
    return [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]


def news_articles(count: int, size: int, sentences: int = 3, *, links: bool = False) -> list:
    """``count`` English articles of ``size`` paragraphs of ``sentences`` sentences, their
    blocks marked as extraction marks them; with ``links``, each paragraph's middle is a
    link (inline markup for the placeholders)."""
    from bs4 import BeautifulSoup

    from translator_pipeline.html.segment import blocks_from_units, mark_blocks
    from translator_pipeline.models import Article

    texts = paragraphs(news_sentences(count * size * sentences), sentences)
    out = []
    for i in range(count):
        body = texts[i * size : (i + 1) * size]
        html = "".join(
            f'<p>{t[:40]}<a href="/n/{i}/{j}">{t[40:80]}</a>{t[80:]}</p>'
            if links
            else f"<p>{t}</p>"
            for j, t in enumerate(body)
        )
        soup = BeautifulSoup(f"<div>{html}</div>", "html.parser")
        units = mark_blocks(soup.div, soup)
        out.append(
            Article(
                url=f"https://s.org/news/{i}.html",
                source="s",
                title=body[0].split(".")[0],
                body_html=str(soup.div),
                blocks=blocks_from_units(units),
                language="en",
            )
        )
    return out
