"""Hypothesis strategies for `q` queries over `tests.store.search_data`: syntax trees (rendered
to text and parsed back, as a client would send them) and query text written directly, with
words as people type them. Both draw from the data's own words, ids, instants and attribute
values (and their near misses), so that most queries find some rows and miss others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.search import (
    And,
    AttrCompare,
    AttrOp,
    AttrRange,
    DateRange,
    FieldMatch,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    words_of,
)
from tests.store.search_data import (
    ATTR_NAMES,
    ATTR_VALUES,
    BASE,
    DATES,
    NUMBERS,
    STRINGS,
    WORDS,
    SearchData,
)

ZONES = (UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"))
TEXT_FIELDS = (None, None, "subject", "comment", "text")
# Words that the rows hold where a search must not look: the email's addresses, message
# nicknames and types, HTML tags and comments, userData keys and its numbers and booleans.
UNSEARCHED = (
    "zoe", "example", "com", "support", "bob", "ann", "customer", "agent", "text",
    "participantjoined", "div", "class", "br", "p", "b", "kundennummer", "note", "tags",
    "inner", "flag", "true", "false", "3", "5", "99",
)  # fmt: skip
# Words of the HTML bodies: entities decoded, a word split by a tag, a script's text.
HTML_WORDS = ("muller", "sohne", "zolw", "stra", "e", "var", "chargeback", "1")
NEAR_VALUES = ("8", "6.5", "-2.50", "1e2", "A", "Ab", "2026", "2026-01-01T09:00+01:00", "Z", "é")


class QueryStrategies:
    """The strategies, bound to one data set's pools."""

    def __init__(self, data: SearchData) -> None:
        self.data = data
        written = {word for raw in WORDS for word in words_of(raw)}
        self.folded = sorted(written | set(UNSEARCHED) | set(HTML_WORDS))
        self.phrases = data.phrases()
        self.trees = st.recursive(self._leaves(), _compound, max_leaves=6)
        self.texts = st.recursive(self._raw_clauses(), _raw_compound, max_leaves=5)

    # --- trees ---------------------------------------------------------------------------

    def _leaves(self) -> st.SearchStrategy[Node]:
        word = st.sampled_from(self.folded)
        prefix = st.builds(_cut, word, st.integers(1, 4))
        field = st.sampled_from(TEXT_FIELDS)
        return st.one_of(
            st.builds(Term, word, st.just(False), field),
            st.builds(Term, prefix, st.just(True), field),
            st.builds(Phrase, st.sampled_from(self.phrases), field),
            st.builds(Phrase, st.lists(word, min_size=2, max_size=3).map(tuple), field),
            self._field_matches(),
            self._date_ranges(),
            self._attr_compares(),
            st.builds(AttrRange, _attr_name(), _attr_value(), _attr_value()),
        )

    def _field_matches(self) -> st.SearchStrategy[Node]:
        data = self.data
        users = [owner.user_name for owner in data.owners] + ["ALICE", "nobody"]
        ids = {
            "agent": users,
            "userId": [owner.id for owner in data.owners] + ["f" * 32],
            "contactId": [contact.id for contact in data.contacts] + ["CTSR999999999999"],
            "threadId": [*data.threads, "th000"],
        }
        return st.one_of(
            st.builds(FieldMatch, st.just("mediaType"), st.sampled_from(list(MediaType))),
            st.builds(FieldMatch, st.just("state"), st.sampled_from(list(State))),
            st.builds(FieldMatch, st.just("typeId"), st.sampled_from(list(InteractionType))),
            *(st.builds(FieldMatch, st.just(name), st.sampled_from(v)) for name, v in ids.items()),
        )

    def _date_ranges(self) -> st.SearchStrategy[Node]:
        """Bounds on the rows' own instants and a millisecond either side, so that inclusive
        and exclusive bounds make a difference."""
        nudges = st.sampled_from(
            [timedelta(0), timedelta(milliseconds=1), -timedelta(milliseconds=1)]
        )
        moment = st.builds(lambda at, nudge: at + nudge, st.sampled_from(self.data.starts), nudges)
        return st.builds(
            _date_range, st.none() | moment, st.none() | moment, st.booleans(), st.booleans()
        )

    def _attr_compares(self) -> st.SearchStrategy[Node]:
        plain = [op for op in AttrOp if op not in (AttrOp.EXISTS, AttrOp.MISSING)]
        return st.one_of(
            st.builds(AttrCompare, _attr_name(), st.sampled_from(plain), _attr_value()),
            st.builds(AttrCompare, _attr_name(), st.sampled_from([AttrOp.EXISTS, AttrOp.MISSING])),
        )

    # --- text as typed -------------------------------------------------------------------

    def _raw_clauses(self) -> st.SearchStrategy[str]:
        surface = st.builds(_cased, st.sampled_from(WORDS), st.integers(0, 2))
        field = st.sampled_from(["", "", "subject:", "comment:", "text:", "Subject:", "TEXT:"])
        return st.one_of(
            st.builds(str.__add__, field, surface),
            st.builds(lambda w, n: w[:n] + "*", surface, st.integers(1, 4)),
            st.builds(lambda a, b: f'"{a} {b}"', surface, surface),
            st.sampled_from(RAW_CLAUSES),
        )


def _cut(word: str, size: int) -> str:
    return word[:size]


def _cased(word: str, how: int) -> str:
    return (word, word.upper(), word.lower())[how]


def _attr_name() -> st.SearchStrategy[str]:
    return st.sampled_from([*ATTR_NAMES, "Missing", "casenumber"])


def _attr_value() -> st.SearchStrategy[str]:
    return st.sampled_from([*ATTR_VALUES, *NEAR_VALUES])


def _date_range(
    lower: datetime | None, upper: datetime | None, lower_inclusive: bool, upper_inclusive: bool
) -> DateRange:
    if lower is not None and upper is not None and lower > upper:
        lower, upper = upper, lower
    return DateRange(lower, upper, lower_inclusive, upper_inclusive)


def _negated(item: Node) -> Node:
    if isinstance(item, AttrCompare) and item.op is AttrOp.EXISTS:
        return AttrCompare(item.name, AttrOp.MISSING)
    return Not(item)


def _compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(And, several), st.builds(Or, several), children.map(_negated))


def _raw_compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    joiner = st.sampled_from([" ", " AND ", " OR "])
    return st.one_of(
        st.builds(lambda a, j, b: f"{a}{j}{b}", children, joiner, children),
        st.builds(lambda a: f"-({a})", children),
        st.builds(lambda a: f"NOT ({a})", children),
        st.builds(lambda a: f"({a})", children),
    )


_DAY = BASE.date()
RAW_CLAUSES = (
    f"startDate:{_DAY}",
    f"startDate:>={_DAY}",
    f"startDate:>{_DAY}",
    f"startDate:<{_DAY}",
    f"startDate:<={_DAY}",
    f"startDate:[{_DAY - timedelta(days=1)} TO {_DAY}]",
    f"startDate:{{{_DAY - timedelta(days=1)} TO {_DAY + timedelta(days=2)}}}",
    f"startDate:[{_DAY} TO *]",
    f"startDate:{{* TO {_DAY}]",
    "startDate:>2026-01-01T06:00:00Z",
    "startDate:>=2026-01-01T00:00:00Z",
    'startDate:<="2026-01-01 10:00"',
    "startDate:[2025-12-31T23:59:59.999Z TO 2026-01-02T00:00:00Z}",
    "mediaType:CHAT",
    "state:inprocess",
    "typeId:consult",
    "agent:alice",
    "agent:bjørn",
    "agent:Alice",
    "attr.Amount:>9",
    "attr.Amount:>=007",
    "attr.Amount:[-3 TO 10]",
    "attr.CaseNumber:<100",
    "attr.CaseNumber:!=007",
    "attr.OrderId:[123456789012345 TO 1234567890123456]",
    "attr.Due:>=2026-01-01T09:00+01:00",
    "attr.Due:[2025-12-31 TO 2026-01-01T08:00Z]",
    "attr.Due:<2026-02-30",
    "attr.Country:DE*",
    "attr.Country:de",
    'attr.Note:"a b"',
    'attr.Note:"quote\\"d"',
    'attr.Note:"a "*',
    "attr.Größe:*",
    "-attr.Größe:*",
    "NOT attr.a.b:*",
    "attr.a.b:>Abc",
    "attr.a.b:<=東京",
    'attr.Note:""',
    "attr.Amount:[* TO 0]",
    "attr.Amount:[-0 TO *]",
    *(f"attr.Amount:{value}" for value in NUMBERS[:4]),
    *(f"attr.Due:>{value}" for value in DATES[:3]),
    *(f"attr.Country:<{value}" for value in STRINGS[:3]),
)
