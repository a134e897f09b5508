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
