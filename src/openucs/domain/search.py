"""The search query language (`q`): its syntax tree, its parser, its renderer, the attribute
comparison rule, and a plain-Python reference evaluator that the stores are tested against.

Grammar (docs/search.md has it with examples); NOT binds tighter than AND, AND than OR:

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          two clauses side by side are AND-ed
    unary   := ("NOT" | "-") unary | primary   `-` only at the start of a clause
    primary := "(" or ")" | clause
    clause  := word | word* | "phrase" | FIELD:value | attr.NAME:value | startDate:value

Only upper-case AND, OR and NOT are operators; in lower case they are words.

Words are what the text index will hold: the text folded by `openucs.domain.text.fold` (case and
diacritics dropped), then split on every character that is not a letter or a digit. So `Über`
is the word `uber`, and `e-mail` is the phrase `"e mail"`.

`attr.NAME:!=x` is "present and not x"; `-attr.NAME:x` is "not x", which includes the
interactions without the attribute. `-attr.NAME:*` (and `NOT attr.NAME:*`) parse to the
`missing` operator.

For the stores: `searchable_texts` names the pieces of text an interaction is searched in, and
`words_of` their words; `classify` gives the kind and key an attribute value compares by. Both
are what the index must hold for a store to answer as `matches` does.
"""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.formats import parse_window_bound
from openucs.domain.models import Interaction
from openucs.domain.text import fold
from openucs.errors import InvalidInput

MAX_QUERY_LENGTH = 2000
MAX_DEPTH = 32
MAX_CLAUSES = 64

TEXT_FIELDS = ("subject", "comment", "text")
MATCH_FIELDS = ("mediaType", "state", "typeId", "agent", "userId", "contactId", "threadId")
DATE_FIELDS = ("startDate",)
_FIELD_NAMES = {name.lower(): name for name in (*TEXT_FIELDS, *MATCH_FIELDS, *DATE_FIELDS)}
_ENUM_FIELDS: dict[str, type[MediaType] | type[State] | type[InteractionType]] = {
    "mediaType": MediaType,
    "state": State,
    "typeId": InteractionType,
}


class AttrOp(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    PREFIX = "prefix"
    EXISTS = "exists"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Term:
    """One folded word (`prefix`: any word starting with it); `field` None is all the text."""

    text: str
    prefix: bool = False
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    """Folded words next to each other in this order, within one piece of text."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """Equality on a column; `value` is the enum member for mediaType, state and typeId."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class DateRange:
    """startDate between two instants; a None bound is open."""

    lower: datetime | None
    upper: datetime | None
    lower_inclusive: bool = True
    upper_inclusive: bool = False
    field: str = "startDate"


@dataclass(frozen=True, slots=True)
class AttrCompare:
    """A custom attribute against a value (`value` is "" for exists and missing)."""

    name: str
    op: AttrOp
    value: str = ""


@dataclass(frozen=True, slots=True)
class AttrRange:
    """lower <= attribute <= upper, by `compare_values`."""

    name: str
    lower: str
    upper: str


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Term | Phrase | FieldMatch | DateRange | AttrCompare | AttrRange | And | Or | Not

# --- words -------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    """The index's words of `text`: folded, split on anything but letters and digits."""
    return _WORD.findall(fold(text))


# --- attribute values --------------------------------------------------------------------

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_DIGITS = 15
_MOMENT = re.compile(
    r"(?P<d>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<t>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
    r"(?P<z>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


class ValueKind(StrEnum):
    NUMBER = "number"
    DATE = "date"
    STRING = "string"


def classify(value: str) -> tuple[ValueKind, Decimal | datetime | str]:
    """How an attribute value compares, and its key.

    NUMBER: `-?digits(.digits)?`, at most 15 digits in all (so a 64-bit float orders them as
    exactly as the decimal does); key a Decimal. DATE: `yyyy-mm-dd`, optionally followed by `T`
    or a space and `HH:MM[:SS[.ffffff]]` and an optional `Z` or `+HH:MM`/`-HH:MM`; a date alone is
    its midnight, a time without a zone is UTC; key the UTC instant. Anything else (no spaces
    around, no `+5`, no `1e3`, no invalid day) is a STRING; key the string itself, compared in
    code point order (SQLite BINARY, PostgreSQL "C").
    """
    if _NUMBER.fullmatch(value) and sum(c.isdigit() for c in value) <= _MAX_DIGITS:
        return ValueKind.NUMBER, Decimal(value)
    moment = _moment_of(value)
    if moment is not None:
        return ValueKind.DATE, moment
    return ValueKind.STRING, value


def _moment_of(value: str) -> datetime | None:
    match = _MOMENT.fullmatch(value)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match["d"])
        clock = time.fromisoformat(match["t"]) if match["t"] else time()
        moment = datetime.fromisoformat(f"{day.isoformat()}T{clock.isoformat()}{match['z'] or ''}")
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def compare_values(stored: str, given: str) -> int:
    """-1, 0 or 1 as `stored` is before, equal to or after `given`: as numbers when both are
    numbers, as instants when both are dates, otherwise as strings (see `classify`)."""
    stored_kind, stored_key = classify(stored)
    given_kind, given_key = classify(given)
    if stored_kind is not given_kind:
        stored_key, given_key = stored, given
    return (stored_key > given_key) - (stored_key < given_key)  # type: ignore[operator]


# --- the lexer ---------------------------------------------------------------------------

_OPERATORS = ("AND", "OR", "NOT")
_STOP = frozenset(' \t\r\n\f\v()"')
_FIELD_NAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_]*|[Aa][Tt][Tt][Rr]\.[^\s:()\"]*):")
_COMPARATORS = (">=", "<=", "!=", ">", "<")


@dataclass(frozen=True, slots=True)
class _Bound:
    text: str | None  # None: `*`, open
    quoted: bool
    col: int


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(" ")" AND OR NOT - word quoted field
    col: int
    text: str = ""
    name: str = ""  # field tokens: the field as written
    comparator: str = ""  # field tokens: >= <= != > < or ""
    quoted: bool = False
    star: bool = False  # a quoted field value followed by `*`
    bounds: tuple[_Bound, _Bound, bool, bool] | None = None  # lower, upper, [ or {, ] or }


def _fail(problem: str, col: int) -> InvalidInput:
    return InvalidInput("q", f"{problem} at column {col}")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Token] = []

    def run(self) -> list[_Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace():
                self.pos += 1
            elif char in "()":
                self.tokens.append(_Token(char, self.pos + 1))
                self.pos += 1
            elif char == '"':
                col = self.pos + 1
                self.tokens.append(_Token("quoted", col, self._quoted(), quoted=True))
            elif char == "-" and self._negates():
                self.tokens.append(_Token("-", self.pos + 1))
                self.pos += 1
            else:
                self._word_or_field()
        return self.tokens

    def _negates(self) -> bool:
        """A `-` right before a clause, `(` or a quote is NOT; elsewhere it is part of a word."""
        following = self.text[self.pos + 1 : self.pos + 2]
        return following != "" and not following.isspace() and following != ")"

    def _quoted(self) -> str:
        """The string from the quote at `pos`: `\\"` and `\\\\` are a quote and a backslash."""
        start, text = self.pos, self.text
        self.pos += 1
        out: list[str] = []
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                out.append(text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise _fail("unterminated quote starting", start + 1)

    def _bare(self, stop: frozenset[str] = _STOP) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stop:
            self.pos += 1
        return self.text[start : self.pos]

    def _word_or_field(self) -> None:
        col = self.pos + 1
        field = _FIELD_NAME.match(self.text, self.pos)
        if field is None:
            word = self._bare()
            kind = word if word in _OPERATORS else "word"
            self.tokens.append(_Token(kind, col, word))
            return
        self.pos = field.end()
        name = field.group()[:-1]
        rest = self.text[self.pos :]
        if rest[:1] in ("[", "{"):
            self.tokens.append(_Token("field", col, name=name, bounds=self._range()))
            return
        comparator = next((c for c in _COMPARATORS if rest.startswith(c)), "")
        self.pos += len(comparator)
        star = False
        if self.text[self.pos : self.pos + 1] == '"':
            value, quoted = self._quoted(), True
            star = self.text[self.pos : self.pos + 1] == "*"  # `"a b"*`: a quoted prefix
            self.pos += star
        else:
            value, quoted = self._bare(), False
        if not value and not quoted:
            raise _fail(f"{name}: needs a value", col)
        self.tokens.append(_Token("field", col, value, name, comparator, quoted, star))

    def _range(self) -> tuple[_Bound, _Bound, bool, bool]:
        start = self.pos + 1
        lower_inclusive = self.text[self.pos] == "["
        self.pos += 1
        lower = self._bound(start)
        to_col = self._skip_spaces(start)
        if self._bare(_STOP | {"]", "}"}) != "TO":
            raise _fail("expected TO in the range", to_col)
        upper = self._bound(start)
        end_col = self._skip_spaces(start)
        closer = self.text[self.pos : self.pos + 1]
        if closer not in ("]", "}"):
            raise _fail("expected ] or } to close the range", end_col)
        self.pos += 1
        return lower, upper, lower_inclusive, closer == "]"

    def _skip_spaces(self, range_col: int) -> int:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(self.text):
            raise _fail("unterminated range starting", range_col)
        return self.pos + 1

    def _bound(self, range_col: int) -> _Bound:
        col = self._skip_spaces(range_col)
        if self.text[self.pos] == '"':
            return _Bound(self._quoted(), True, col)
        raw = self._bare(_STOP | {"]", "}"})
        if not raw:
            raise _fail("expected a value in the range", col)
        return _Bound(None if raw == "*" else raw, False, col)


# --- the parser --------------------------------------------------------------------------


def parse_query(text: str, *, zone: tzinfo) -> Node:
    """The syntax tree of a `q` string; InvalidInput("q", "... at column N") when it is wrong.
    Dates without a zone are in `zone`."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput("q", f"is {len(text)} characters long (at most {MAX_QUERY_LENGTH})")
    tokens = _Lexer(text).run()
    if not tokens:
        raise _fail("empty query", 1)
    return _Parser(tokens, len(text) + 1, zone).run()


class _Parser:
    def __init__(self, tokens: list[_Token], end_col: int, zone: tzinfo) -> None:
        self.tokens = tokens
        self.end_col = end_col
        self.zone = zone
        self.pos = 0
        self.depth = 0
        self.clauses = 0

    def run(self) -> Node:
        node = self._or()
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            raise _fail(f"unexpected {_shown(token)}", token.col)
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> Node:
        items = [self._and()]
        while (token := self._peek()) is not None and token.kind == "OR":
            self.pos += 1
            self._need_operand(token)
            items.append(self._and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Node:
        items = [self._unary()]
        while (token := self._peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.pos += 1
                self._need_operand(token)
            items.append(self._unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def _need_operand(self, operator: _Token) -> None:
        following = self._peek()
        if following is None or following.kind in ("AND", "OR", ")"):
            raise _fail(f"{operator.text or operator.kind} needs a term after it", operator.col)

    def _deeper(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _fail(f"nested more than {MAX_DEPTH} deep", col)

    def _unary(self) -> Node:
        token = self._peek()
        if token is None:
            raise _fail("unexpected end of query", self.end_col)
        if token.kind not in ("NOT", "-"):
            return self._primary(token)
        self.pos += 1
        self._need_operand(token)
        self._deeper(token.col)
        item = self._unary()
        self.depth -= 1
        if isinstance(item, AttrCompare) and item.op is AttrOp.EXISTS:
            return AttrCompare(item.name, AttrOp.MISSING)
        return Not(item)

    def _primary(self, token: _Token) -> Node:
        if token.kind == "(":
            self.pos += 1
            self._deeper(token.col)
            node = self._or()
            closer = self._peek()
            if closer is None:
                raise _fail("unmatched '('", token.col)
            self.pos += 1
            self.depth -= 1
            return node
        if token.kind in ("AND", "OR", ")"):
            raise _fail(f"unexpected {_shown(token)}", token.col)
        self.pos += 1
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise _fail(f"more than {MAX_CLAUSES} clauses", token.col)
        if token.kind == "field":
            return _field_clause(token, self.zone)
        return _text_clause(token.text, token.quoted, None, token.col)


def _shown(token: _Token) -> str:
    return f"'{token.kind}'" if token.kind in "()" else repr(token.text)


def _text_clause(raw: str, quoted: bool, field: str | None, col: int) -> Node:
    prefix = not quoted and raw.endswith("*")
    words = words_of(raw[:-1] if prefix else raw)
    if not words:
        raise _fail(f"{raw!r} has no letters or digits to search for", col)
    if prefix and len(words) > 1:
        raise _fail(f"a prefix must be one word: {raw!r}", col)
    if len(words) == 1:
        return Term(words[0], prefix, field)
    return Phrase(tuple(words), field)


def _field_clause(token: _Token, zone: tzinfo) -> Node:
    if token.name.lower().startswith("attr."):
        return _attr_clause(token)
    field = _FIELD_NAMES.get(token.name.lower())
    if field is None:
        known = ", ".join((*_FIELD_NAMES.values(), "attr.NAME"))
        raise _fail(f"unknown field {token.name!r} (known: {known})", token.col)
    if field == "startDate":
        return _date_clause(token, zone)
    if token.bounds is not None or token.comparator or token.star:
        raise _fail(f"{field} takes a single value, not a range or comparison", token.col)
    if field in TEXT_FIELDS:
        return _text_clause(token.text, token.quoted, field, token.col)
    value: str = token.text
    if field in _ENUM_FIELDS:
        try:
            value = _ENUM_FIELDS[field].parse(field, token.text)
        except InvalidInput as exc:
            raise _fail(f"{field}: {exc.problem}", token.col) from None
    return FieldMatch(field, value)


def _attr_clause(token: _Token) -> Node:
    name = token.name[len("attr.") :]
    if not name:
        raise _fail("attr. needs an attribute name", token.col)
    if token.bounds is not None:
        lower, upper, lower_inclusive, upper_inclusive = token.bounds
        if not (lower_inclusive and upper_inclusive):
            raise _fail("an attribute range is inclusive: write [a TO b]", token.col)
        if lower.text is None and upper.text is None:
            return AttrCompare(name, AttrOp.EXISTS)
        if lower.text is None:
            return AttrCompare(name, AttrOp.LE, upper.text or "")
        if upper.text is None:
            return AttrCompare(name, AttrOp.GE, lower.text)
        return AttrRange(name, lower.text, upper.text)
    ops = {">=": AttrOp.GE, "<=": AttrOp.LE, "!=": AttrOp.NE, ">": AttrOp.GT, "<": AttrOp.LT}
    if token.comparator:
        return AttrCompare(name, ops[token.comparator], token.text)
    if not token.quoted and token.text == "*":
        return AttrCompare(name, AttrOp.EXISTS)
    if token.star:
        return AttrCompare(name, AttrOp.PREFIX, token.text)
    if not token.quoted and token.text.endswith("*"):
        return AttrCompare(name, AttrOp.PREFIX, token.text[:-1])
    return AttrCompare(name, AttrOp.EQ, token.text)


def _moment(raw: str, col: int, zone: tzinfo, *, upper: bool) -> datetime:
    """A date is a whole day: as a lower bound its first instant, as an upper bound the first
    instant after it (as GWS's fromDate and toDate); a date-time is itself."""
    try:
        moment = parse_window_bound("startDate", raw, zone, upper=upper)
    except InvalidInput as exc:
        raise _fail(f"startDate: {exc.problem}", col) from None
    return moment - timedelta(milliseconds=1) if upper and _is_datetime(raw) else moment


def _is_datetime(raw: str) -> bool:
    return len(raw.strip()) > len("yyyy-mm-dd")


def _date_clause(token: _Token, zone: tzinfo) -> DateRange:
    if token.bounds is not None:
        lower, upper, lower_inclusive, upper_inclusive = token.bounds
        low = high = None
        if lower.text is not None:
            low, lower_inclusive = _lower(lower.text, lower.col, zone, lower_inclusive)
        if upper.text is not None:
            high, upper_inclusive = _upper(upper.text, upper.col, zone, upper_inclusive)
        if low is not None and high is not None and low > high:
            raise _fail("startDate: the range ends before it starts", token.col)
        return DateRange(low, high, lower_inclusive, upper_inclusive)
    comparator = token.comparator
    if comparator in (">", ">="):
        low, inclusive = _lower(token.text, token.col, zone, comparator == ">=")
        return DateRange(low, None, inclusive, False)
    if comparator in ("<", "<="):
        high, inclusive = _upper(token.text, token.col, zone, comparator == "<=")
        return DateRange(None, high, True, inclusive)
    if comparator:
        raise _fail("startDate takes >, >=, <, <= or a range", token.col)
    low, _ = _lower(token.text, token.col, zone, True)
    high, upper_inclusive = _upper(token.text, token.col, zone, True)
    return DateRange(low, high, True, upper_inclusive)


def _lower(raw: str, col: int, zone: tzinfo, inclusive: bool) -> tuple[datetime, bool]:
    """`>= day` is from its first instant; `> day` from the first instant after it."""
    if _is_datetime(raw):
        return _moment(raw, col, zone, upper=False), inclusive
    return _moment(raw, col, zone, upper=not inclusive), True


def _upper(raw: str, col: int, zone: tzinfo, inclusive: bool) -> tuple[datetime, bool]:
    """`<= day` is up to the end of that day; `< day` up to its first instant (both exclusive)."""
    if _is_datetime(raw):
        return _moment(raw, col, zone, upper=True), inclusive
    return _moment(raw, col, zone, upper=inclusive), False


# --- rendering ---------------------------------------------------------------------------


def render(node: Node) -> str:
    """`q` text that parses back to `node` (for a tree the parser could have produced)."""
    match node:
        case Term(text, prefix, field):
            return f"{field + ':' if field else ''}{text}{'*' if prefix else ''}"
        case Phrase(words, field):
            return f"{field + ':' if field else ''}{_quote(' '.join(words))}"
        case FieldMatch(field, value):
            return f"{field}:{_quote(value)}"
        case DateRange(lower, upper, lower_inclusive, upper_inclusive, field):
            low = lower.astimezone(UTC).isoformat() if lower else "*"
            high = upper.astimezone(UTC).isoformat() if upper else "*"
            opener, closer = "[" if lower_inclusive else "{", "]" if upper_inclusive else "}"
            return f"{field}:{opener}{low} TO {high}{closer}"
        case AttrCompare(name, op, value):
            return _render_attr(name, op, value)
        case AttrRange(name, lower, upper):
            return f"attr.{name}:[{_quote(lower)} TO {_quote(upper)}]"
        case And(items):
            return " AND ".join(_grouped(item) for item in items)
        case Or(items):
            return " OR ".join(_grouped(item) for item in items)
        case Not(item):
            return f"NOT {_grouped(item)}"
    raise TypeError(f"not a query node: {node!r}")


_RENDERED_OPS = {AttrOp.NE: "!=", AttrOp.GT: ">", AttrOp.GE: ">=", AttrOp.LT: "<", AttrOp.LE: "<="}


def _render_attr(name: str, op: AttrOp, value: str) -> str:
    if op is AttrOp.EXISTS:
        return f"attr.{name}:*"
    if op is AttrOp.MISSING:
        return f"-attr.{name}:*"
    if op is AttrOp.PREFIX:
        return f"attr.{name}:{_quote(value)}*"
    return f"attr.{name}:{_RENDERED_OPS.get(op, '')}{_quote(value)}"


def _grouped(node: Node) -> str:
    return f"({render(node)})" if isinstance(node, And | Or | Not) else render(node)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- the reference evaluator -------------------------------------------------------------


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML body: its character data, tags dropped, entities decoded."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


INDEX_FIELDS = ("subject", "comment", "text", "data")


def text_pieces(item: Interaction) -> dict[str, list[str]]:
    """The pieces of text an interaction is searched in, by index field: `subject` (the
    interaction's and the email's), `comment`, `text` (chat-like transcripts and the email body:
    its plain text, else its HTML's text), `data` (the string values in userData, at any depth).
    A phrase matches within one piece, never across two."""
    email = item.email
    text: list[str | None] = []
    if item.media_type.has_transcript and item.messages:
        text += [message.text for message in item.messages]
    if email is not None:
        plain = email.body_as_plain_text
        text.append(plain if plain is not None or email.body is None else html_text(email.body))
    pieces: dict[str, list[str | None]] = {
        "subject": [item.subject, email.subject if email else None],
        "comment": [item.comment],
        "text": text,
        "data": _strings_in(item.user_data),
    }
    return {name: [piece for piece in found if piece] for name, found in pieces.items()}


def searchable_texts(item: Interaction, field: str | None) -> list[str]:
    """The pieces of text a clause on `field` looks in (`text_pieces`); with None, all of them
    (userData's strings are searched only by bare words, not by a field)."""
    pieces = text_pieces(item)
    if field is not None:
        return pieces[field]
    return [piece for name in INDEX_FIELDS for piece in pieces[name]]


def _strings_in(value: Any) -> list[str | None]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for inner in value.values() for text in _strings_in(inner)]
    if isinstance(value, list):
        return [text for inner in value for text in _strings_in(inner)]
    return []


def matches(node: Node, item: Interaction, *, owner_name: str | None) -> bool:
    """Whether `item` answers `node`; `owner_name` is its owner's user name (for `agent:`)."""
    match node:
        case Term() | Phrase():
            return any(
                _in_words(node, words_of(text)) for text in searchable_texts(item, node.field)
            )
        case FieldMatch(field, value):
            return _column(item, field, owner_name) == value
        case DateRange():
            return _in_range(node, item.start_date)
        case AttrCompare(name, op, value):
            return _attr_matches(item.custom_attributes.get(name), op, value)
        case AttrRange(name, lower, upper):
            stored = item.custom_attributes.get(name)
            return stored is not None and compare_values(lower, stored) <= 0 <= compare_values(
                upper, stored
            )
        case And(items):
            return all(matches(inner, item, owner_name=owner_name) for inner in items)
        case Or(items):
            return any(matches(inner, item, owner_name=owner_name) for inner in items)
        case Not(inner):
            return not matches(inner, item, owner_name=owner_name)
    raise TypeError(f"not a query node: {node!r}")


def _in_words(node: Term | Phrase, words: list[str]) -> bool:
    if isinstance(node, Term):
        if node.prefix:
            return any(word.startswith(node.text) for word in words)
        return node.text in words
    size = len(node.words)
    return any(tuple(words[i : i + size]) == node.words for i in range(len(words) - size + 1))


def _column(item: Interaction, field: str, owner_name: str | None) -> str | None:
    columns: dict[str, str | None] = {
        "mediaType": item.media_type,
        "state": item.state,
        "typeId": item.type_id,
        "agent": owner_name,
        "userId": item.owner_id,
        "contactId": item.contact_id,
        "threadId": item.thread_id,
    }
    return columns[field]


def _in_range(node: DateRange, moment: datetime) -> bool:
    if node.lower is not None and (
        moment < node.lower or (moment == node.lower and not node.lower_inclusive)
    ):
        return False
    return (
        node.upper is None or moment < node.upper or (moment == node.upper and node.upper_inclusive)
    )


def _attr_matches(stored: str | None, op: AttrOp, value: str) -> bool:
    """eq, ne and prefix compare the strings exactly (case-sensitive); the ranges use
    `compare_values`; ne and the ranges need the attribute to be present."""
    if op is AttrOp.EXISTS:
        return stored is not None
    if op is AttrOp.MISSING or stored is None:
        return op is AttrOp.MISSING and stored is None
    if op is AttrOp.EQ:
        return stored == value
    if op is AttrOp.NE:
        return stored != value
    if op is AttrOp.PREFIX:
        return stored.startswith(value)
    order = compare_values(stored, value)
    return {
        AttrOp.GT: order > 0,
        AttrOp.GE: order >= 0,
        AttrOp.LT: order < 0,
        AttrOp.LE: order <= 0,
    }[op]


# --- snippets ----------------------------------------------------------------------------

SNIPPET_WORDS = 24
_SNIPPET_LEAD = 8
_SNIPPET_TAIL = 40  # characters after the last word, at most


def positive_text_clauses(node: Node) -> list[Term | Phrase]:
    """The words and phrases a match is found by: those not under a NOT."""
    match node:
        case Term() | Phrase():
            return [node]
        case And(items) | Or(items):
            return [clause for item in items for clause in positive_text_clauses(item)]
    return []


def snippet(node: Node, item: Interaction) -> str | None:
    """A short piece of the first text that a positive word or phrase of `node` matched, HTML
    escaped, its matching words wrapped in `<mark>`...`</mark>`; `…` where it was cut. None
    when no word or phrase of `node` matched (a query on attributes alone, say)."""
    clauses = positive_text_clauses(node)
    for clause in clauses:
        for piece in searchable_texts(item, clause.field):
            if _in_words(clause, words_of(piece)):
                return _marked(piece, clauses)
    return None


def _marked(piece: str, clauses: list[Term | Phrase]) -> str:
    """The words around the first matching one. One pass that stops after the window; the
    text between marks is escaped in one piece."""
    tokens = _WORD.finditer(piece)
    before: deque[re.Match[str]] = deque(maxlen=_SNIPPET_LEAD)
    window: list[tuple[re.Match[str], bool]] = []
    cut_before = False
    for token in tokens:
        hit = _token_matches(token.group(), clauses)
        if not window and not hit:
            cut_before = cut_before or len(before) == _SNIPPET_LEAD
            before.append(token)
            continue
        window.append((token, hit))
        if len(window) + len(before) == SNIPPET_WORDS:
            break
    shown = [(token, False) for token in before] + window
    following = next(tokens, None)
    position = shown[0][0].start() if cut_before and shown else 0
    out: list[str] = ["… "] if cut_before else []
    for token, hit in shown:
        if hit:
            out.append(html.escape(piece[position : token.start()]))
            out.append(f"<mark>{html.escape(token.group())}</mark>")
            position = token.end()
    if following is not None:
        out.append(html.escape(piece[position : following.start()].rstrip()) + " …")
    else:
        last = shown[-1][0].end() if shown else 0
        out.append(html.escape(piece[position : last + _SNIPPET_TAIL]))
    return "".join(out).strip()


def _token_matches(token: str, clauses: list[Term | Phrase]) -> bool:
    for word in words_of(token):
        for clause in clauses:
            if isinstance(clause, Phrase):
                if word in clause.words:
                    return True
            elif word == clause.text or (clause.prefix and word.startswith(clause.text)):
                return True
    return False
