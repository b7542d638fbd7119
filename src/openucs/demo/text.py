"""The free text of the demo: sentences in the contact's language whose words follow Zipf's law,
so a search finds words in most transcripts and words in one or two.

Each language ranks its words most common first: real words (`lexicon`), then its share of
made-up but pronounceable names (products, places, brands), the rarest words; product names are
also mentioned now and then from all of them. A word of rank r (from 1) is
drawn with a weight of about 1/r: `int(n ** u)` for a uniform u is exactly that distribution, one
`random()` and one power per word, so the texts cost little to make. Sentences may carry what real
messages carry: order ids, amounts, dates, numbers and names.

Most lines come from a fixed book of sentences per language (people say the same things, and a
pick costs one draw); the rest are made afresh, which is where most rare words come from.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from openucs.demo import lexicon, pools

# Contact-centre words, ranked right after the commonest English words: what customers write
# about is common in a contact centre's history.
_DOMAIN_EN = """
order invoice refund payment account delivery address password contract bill plan number
customer email phone card device router charge service help please thanks problem today
tomorrow week month
"""
_TAIL_SIZE = 2500
_ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "fl",
    "g",
    "gr",
    "h",
    "j",
    "k",
    "kl",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "qu",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ei", "ou"]
_CODAS = ["", "", "", "n", "r", "s", "x", "l", "m", "nd", "st"]
_END = ".", ".", ".", "?", "!"
_BOOK_SIZE = 1500
_FRESH = 0.05  # the share of sentences made afresh rather than taken from the book


def _made_up_names(count: int) -> tuple[str, ...]:
    """`count` distinct pronounceable names, the same every run: Velorix, Brandou ..."""
    rng = random.Random(0x7E47)  # noqa: S311 - reproducible, not secret
    names: dict[str, None] = {}
    while len(names) < count:
        syllables = rng.randrange(2, 4)
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        names[(word + rng.choice(_CODAS)).capitalize()] = None
    return tuple(names)


TAIL = _made_up_names(_TAIL_SIZE)


def _ranked(words: str, tail: int, first: str = "") -> tuple[str, ...]:
    """The commonest 20 words, `first`, the other words, then 600 made-up names from `tail` on
    (a longer tail would make every tenth word a made-up one)."""
    listed = words.split()
    head = listed[:20] + first.split()
    seen = set(head)
    return (*head, *(w for w in listed[20:] if w not in seen), *TAIL[tail : tail + 600])


VOCABULARY: dict[str, tuple[str, ...]] = {
    "en": _ranked(lexicon.EN, 0, _DOMAIN_EN),
    "de": _ranked(lexicon.DE, 380),
    "fr": _ranked(lexicon.FR, 760),
    "es": _ranked(lexicon.ES, 1140),
    "nl": _ranked(lexicon.NL, 1520),
    "it": _ranked(lexicon.IT, 1900),
}


def distinct_words() -> set[str]:
    """Every word a demo text may draw (people's names and numbers aside)."""
    return {w for words in VOCABULARY.values() for w in words} | set(TAIL)


class Writer:
    """Sentences from one random stream, apart from the stream of ids and dates, so the texts
    can change without moving any id."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.extras: tuple[Callable[[], str], ...] = (
            self.order_id,
            self.amount,
            self.date,
            self.number,
            self.name,
            self.product,
        )

    def words(self, language: str, count: int) -> list[str]:
        vocabulary = VOCABULARY.get(language) or VOCABULARY["en"]
        n, draw = len(vocabulary) + 1, self.rng.random
        return [vocabulary[int(n ** draw()) - 1] for _ in range(count)]

    def sentence(self, language: str) -> str:
        rng = self.rng
        words = self.words(language, 3 + int(rng.random() * 10))
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words) + 1), rng.choice(self.extras)())
        words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words) + rng.choice(_END)

    def said(self, language: str) -> str:
        """A sentence, most often one from the language's book."""
        draw = self.rng.random()
        if draw < _FRESH:
            return self.sentence(language)
        book = _BOOKS.get(language) or _book(language)
        return book[int((draw - _FRESH) / (1 - _FRESH) * _BOOK_SIZE)]

    def tag(self) -> str:
        """What a subject may name: an order, a product, an amount."""
        return self.rng.choice(self.extras[:3] + self.extras[5:])()

    # --- the things messages mention --------------------------------------------------------

    def order_id(self) -> str:
        return f"ORD-{self.rng.randrange(1_000_000):06d}"

    def amount(self) -> str:
        rng = self.rng
        return f"{rng.choice('€$£')}{rng.randrange(1, 500)}.{rng.randrange(100):02d}"

    def date(self) -> str:
        rng = self.rng
        return f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.choice((2025, 2026))}"

    def number(self) -> str:
        return str(self.rng.randrange(1, 10_000))

    def name(self) -> str:
        return self.rng.choice(pools.FIRST_NAMES + pools.LAST_NAMES)

    def product(self) -> str:
        rng = self.rng
        return f"{TAIL[rng.randrange(len(TAIL))]} {rng.choice('XSMP')}{rng.randrange(1, 100) * 10}"


_BOOKS: dict[str, list[str]] = {}


def _book(language: str) -> list[str]:
    """The same book for every plan, made once per process by a writer of a fixed stream."""
    writer = Writer(random.Random(language))  # noqa: S311 - reproducible, not secret
    book = _BOOKS[language] = [writer.sentence(language) for _ in range(_BOOK_SIZE)]
    return book
