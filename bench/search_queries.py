"""The search benchmark's queries, drawn from the demo data itself.

Words are ranked by how many interactions hold them (document frequency), measured on the first
SAMPLE interactions of the benchmark's plan and counting only words of the demo vocabulary
(`openucs.demo.text`: the lexicon's words and the made-up names), so ids and numbers are not
ranked. The rare words are those of rank ~5000, the common ones those of rank ~20; a phrase is a
pair of vocabulary words that follow each other in the demo text (pairs of rank 100-300).
Each kind of query has several variants (other words, other windows, other ranges); the
requests go round them, so a p99 is not one query's cache.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from search_build import ANCHOR

from openucs.demo import DemoData, DemoPlan
from openucs.demo.text import distinct_words
from openucs.domain.search import searchable_texts, words_of

SAMPLE = 60_000
VARIANTS = 12
# Words of the contact-centre topics, each in a few percent of the interactions.
TOPIC_WORDS = ("refund", "invoice", "payment", "order", "delivery", "password", "contract")
TEXT_KINDS = ("rare word", "common word", "phrase", "prefix", "word, all time")


@dataclass(frozen=True)
class Kind:
    """One kind of query of the issue's list, and its variants (`q` strings)."""

    name: str
    what: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Ranks:
    words: list[tuple[str, int]]  # vocabulary words, most interactions first
    pairs: list[tuple[str, int]]  # "word word", as above


def rank_words(plan: DemoPlan, sample: int = SAMPLE) -> Ranks:
    """Document frequencies over the first `sample` interactions of `plan`."""
    vocabulary = {w for word in distinct_words() for w in words_of(word)}
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for item in itertools.islice(DemoData(plan).interactions(), sample):
        seen: set[str] = set()
        seen_pairs: set[str] = set()
        for piece in searchable_texts(item, None):
            found = words_of(piece)
            seen.update(w for w in found if w in vocabulary)
            seen_pairs.update(
                f"{a} {b}"
                for a, b in itertools.pairwise(found)
                if a in vocabulary and b in vocabulary and len(a) > 2 and len(b) > 2
            )
        words.update(seen)
        pairs.update(seen_pairs)
    return Ranks(_ranked(words), _ranked(pairs))


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most interactions first, ties in alphabetical order (not in set order, which changes
    from one process to the next with the hash seed)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def kinds(ranks: Ranks, seed: int = 9) -> list[Kind]:
    """The nine queries of issue 9's benchmark, VARIANTS of each."""
    rng = random.Random(seed)
    rare = _around(ranks.words, 5000)
    common = _around(ranks.words, 20)
    phrases = tuple(f'"{pair}"' for pair, _ in ranks.pairs[100:300:16])[:VARIANTS]
    prefixes = _prefixes(ranks.words)
    topics = TOPIC_WORDS
    return [
        Kind("rare word", f"one word of document-frequency rank ~5000 ({_span(rare)})", rare),
        Kind("common word", f"one word of rank ~20 ({_span(common)})", common),
        Kind("phrase", "two words that follow each other (pairs of rank 100-300)", phrases),
        Kind("prefix", "the first 5 letters of a word of rank 30-300, then *", prefixes),
        Kind(
            "word + media + 30 days",
            "a topic word, mediaType chat or email, a 30-day window in the last year",
            tuple(
                f"{topics[i % len(topics)]} mediaType:{('chat', 'email')[i % 2]} "
                f"startDate:[{_day(rng, 30)}]"
                for i in range(VARIANTS)
            ),
        ),
        Kind("word, all time", "a topic word, no window", topics),
        Kind(
            "attribute range",
            "attr.SearchId (a number in 100000-999999 on half the rows) in a range of 10,000",
            tuple(
                f"attr.SearchId:[{low} TO {low + 9_999}]"
                for low in (rng.randrange(100_000, 990_000) for _ in range(VARIANTS))
            ),
        ),
        Kind(
            "attribute prefix",
            "attr.CaseNumber (web forms and work items: CS-<year>-<6 digits>) by prefix",
            tuple(f"attr.CaseNumber:CS-2026-{rng.randrange(100):02d}*" for _ in range(VARIANTS)),
        ),
        Kind(
            "three-clause boolean",
            "(topic word OR topic word) -topic word",
            tuple("({} OR {}) -{}".format(*rng.sample(topics, 3)) for _ in range(VARIANTS)),
        ),
    ]


def _around(ranked: list[tuple[str, int]], rank: int) -> tuple[str, ...]:
    """VARIANTS words whose rank (from 1) is near `rank`."""
    first = max(0, rank - 1 - VARIANTS // 2)
    return tuple(word for word, _ in ranked[first : first + VARIANTS])


def _span(words: tuple[str, ...]) -> str:
    return ", ".join(words[:3]) + ", ..."


def _prefixes(ranked: list[tuple[str, int]]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for word, _ in ranked[29:300]:
        if len(word) >= 7 and word.isalpha():
            found[word[:5] + "*"] = None
    return tuple(found)[:VARIANTS]


def _day(rng: random.Random, days: int) -> str:
    """`first TO last`: `days` whole days (a date-only upper bound includes its day) ending
    within the year before the anchor."""
    end = ANCHOR.date() - timedelta(days=1 + rng.randrange(365 - days))
    return f"{end - timedelta(days=days - 1)} TO {end}"
