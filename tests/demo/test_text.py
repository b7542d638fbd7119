"""The demo's free text: a vocabulary of thousands of words in several languages, drawn with a
Zipf-like frequency, so a search finds common words and rare ones."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from openucs.demo import DemoData, DemoPlan
from openucs.demo.text import VOCABULARY, distinct_words
from openucs.domain.models import Interaction

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
_WORD = re.compile(r"\w+")


def texts(item: Interaction) -> list[str]:
    """Every searchable text of an interaction."""
    found = [item.subject or "", item.comment or ""]
    found += [m.text or "" for m in item.messages or []]
    if item.email:
        found += [item.email.subject or "", item.email.body_as_plain_text or ""]
    return found


@pytest.fixture(scope="module")
def items() -> list[Interaction]:
    return list(DemoData(DemoPlan(interactions=10_000, seed=5, now=NOW)).interactions())


@pytest.fixture(scope="module")
def counts(items: list[Interaction]) -> Counter[str]:
    return Counter(w.lower() for item in items for t in texts(item) for w in _WORD.findall(t))


def test_the_vocabulary_has_thousands_of_words_with_diacritics() -> None:
    words = distinct_words()
    assert len(words) >= 5000
    assert {"über", "déjà", "niño", "città", "invoice", "refund"} <= words
    assert set(VOCABULARY) == {"en", "de", "fr", "es", "nl", "it"}


def test_word_frequencies_follow_zipf(counts: Counter[str]) -> None:
    ranked = [n for _, n in counts.most_common()]
    assert len(ranked) > 5000
    assert ranked[0] > 50 * ranked[999]  # about 1/r: the 1,000th word is far rarer than the 1st
    assert ranked[99] > 5 * ranked[999]
    rare = sum(1 for n in ranked if n <= 2)
    assert rare > 0.2 * len(ranked)  # a good share occur once or twice in 10,000 interactions


def test_texts_mix_languages_with_non_ascii_words(counts: Counter[str]) -> None:
    non_ascii = [w for w in counts if not w.isascii()]
    assert len(non_ascii) > 200
    assert {"für", "très", "más"} & set(non_ascii)


def test_texts_name_orders_amounts_and_products(items: list[Interaction]) -> None:
    joined = "\n".join(t for item in items for t in texts(item))
    assert len(set(re.findall(r"ORD-\d{6}", joined))) > 500
    assert re.search(r"[€$£]\d+\.\d\d", joined)
    assert re.search(r"\b\d\d\.\d\d\.20\d\d\b", joined)


def test_every_searchable_text_has_words_from_the_vocabulary(items: list[Interaction]) -> None:
    """Transcript lines, email bodies (and the HTML of replies), comments of web forms."""
    lines = [m.text for i in items for m in i.messages or [] if m.type == "Text"]
    assert lines and all(line and len(line.split()) >= 2 for line in lines)
    emails = [i.email for i in items if i.email]
    assert all(e.body_as_plain_text and len(e.body_as_plain_text.split()) > 10 for e in emails)
    html = [e.body for e in emails if e.body]
    assert html and all(b.startswith("<html><body><p>") for b in html)
    assert any(i.comment for i in items if i.media_type.value == "openmedia")


def test_the_same_plan_gives_the_same_text(items: list[Interaction]) -> None:
    again = DemoData(DemoPlan(interactions=10_000, seed=5, now=NOW)).interactions()
    assert [texts(i) for i in again] == [texts(i) for i in items]
    other = DemoData(DemoPlan(interactions=200, seed=6, now=NOW)).interactions()
    assert [texts(i) for i in other] != [texts(i) for i in items[:200]]
