"""The search language (`domain.search`) compiled to SQL, and the full-text index kept in step
with every write.

**What the index holds.** Each interaction with text gets one document: the words
(`domain.search.words_of`: folded, split on everything but letters and digits) of its pieces of
text (`domain.search.text_pieces`), by field: subject, comment, text (transcript and email body),
data (userData strings). Python folds and splits, so the engines never tokenize themselves and
find the same words: `uber` finds `Über` on both.

- SQLite: an FTS5 table `interaction_fts` (columns subject, comment, text, data) with the `ascii`
  tokenizer, which splits exactly at the spaces we put. The pieces of one field are joined with a
  `_` token that no query word can be, so a phrase never spans two pieces. Its rowid is the
  interaction's *search key* (`interaction_search_keys`): the start time's second-bucket in the
  high bits, so reading the index in rowid order reads matches newest (or oldest) first, and a
  top-100 stops early instead of sorting every match (`fts_driven_select`).
- PostgreSQL: `interaction_search` (interaction_id, doc tsvector) with a GIN index. The tsvector
  is written as a literal, lexemes with positions, weight A..D per field; pieces are one
  position apart so a phrase (`<->`) never spans two.

The same limits on both engines, so both find the same: the first `MAX_POSITIONS` word positions
of a document, the first `MAX_OCCURRENCES` occurrences of a word (PostgreSQL keeps no more), and
no word longer than `MAX_WORD` characters (hashes and base64 are not what people search for).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.types import UserDefinedType

from openucs.domain.enums import Source
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery
from openucs.domain.search import (
    INDEX_FIELDS,
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
    classify,
    positive_text_clauses,
    text_pieces,
    words_of,
)
from openucs.domain.text import prefix_end
from openucs.store.schema import interaction_attributes, interactions, users

MAX_POSITIONS = 16_383  # PostgreSQL's largest tsvector position
MAX_OCCURRENCES = 256  # PostgreSQL keeps this many positions of one lexeme
MAX_WORD = 100
FILLER = "_"  # an FTS5 token (see the tokenizer) that no query word can be

FTS_TOKENIZER = "ascii tokenchars '_'"
WEIGHTS = dict(zip(INDEX_FIELDS, "ABCD", strict=True))

_rows = interactions
_attrs = interaction_attributes

# Tables that exist on one engine only: created by migration 0007, outside `schema.metadata`.
search_metadata = MetaData()


class TsVector(UserDefinedType[str]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "tsvector"


search_keys = Table(  # SQLite
    "interaction_search_keys",
    search_metadata,
    Column("search_key", BigInteger, primary_key=True),
    Column("interaction_id", String(64), nullable=False, unique=True),
)
fts = Table(  # SQLite, FTS5
    "interaction_fts",
    search_metadata,
    Column("rowid", BigInteger, primary_key=True),
    *(Column(name, String) for name in INDEX_FIELDS),
)
documents = Table(  # PostgreSQL
    "interaction_search",
    search_metadata,
    Column("interaction_id", String(64), primary_key=True),
    Column("doc", TsVector, nullable=False),
)
ONE_ENGINE_TABLES = frozenset(("interaction_search_keys", "interaction_fts", "interaction_search"))


# --- documents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """The indexed words of one interaction: per field, per piece, (position, word or None for
    a word not indexed). Positions count through all fields, one apart between pieces."""

    interaction_id: str
    start_ms: int
    fields: dict[str, list[list[tuple[int, str | None]]]]


def document_of(item: Interaction) -> Document | None:
    """The document of `item`, or None when it has no words."""
    position = 0
    seen: Counter[str] = Counter()
    fields: dict[str, list[list[tuple[int, str | None]]]] = {}
    any_word = False
    for name, pieces in text_pieces(item).items():
        out: list[list[tuple[int, str | None]]] = []
        for piece in pieces:
            words: list[tuple[int, str | None]] = []
            for word in words_of(piece):
                position += 1
                if position > MAX_POSITIONS:
                    break
                seen[word] += 1
                kept = len(word) <= MAX_WORD and seen[word] <= MAX_OCCURRENCES
                words.append((position, word if kept else None))
                any_word = any_word or kept
            if words:
                out.append(words)
            position += 1  # a gap: no phrase spans two pieces
        fields[name] = out
    if not any_word:
        return None
    return Document(item.id, to_millis(item.start_date), fields)


def fts_columns(document: Document) -> tuple[str, ...]:
    """The FTS5 row of a document: per field, its pieces' words joined by the filler token."""
    return tuple(
        f" {FILLER} ".join(
            " ".join(word or FILLER for _, word in piece) for piece in document.fields[name]
        )
        for name in INDEX_FIELDS
    )


def tsvector_literal(document: Document) -> str:
    """The PostgreSQL tsvector of a document, as its input text (`'word':3A,9C ...`)."""
    positions: dict[str, list[str]] = {}
    for name in INDEX_FIELDS:
        weight = WEIGHTS[name]
        for piece in document.fields[name]:
            for position, word in piece:
                if word is not None:
                    positions.setdefault(word, []).append(f"{position}{weight}")
    return " ".join(f"'{word}':{','.join(at)}" for word, at in positions.items())


# --- search keys (SQLite) ----------------------------------------------------------------

BUCKET_SHIFT = 10  # a bucket is 1,024 ms of start time
SEQ_BITS = 25  # up to 33 million interactions starting in one bucket
_OFFSET_MS = 1 << 43  # start times from 1800 on are positive after this


def bucket_of(start_ms: int) -> int:
    return (start_ms + _OFFSET_MS) >> BUCKET_SHIFT


def bucket_keys(bucket: int) -> tuple[int, int]:
    """The first and last search key of a bucket."""
    return bucket << SEQ_BITS, ((bucket + 1) << SEQ_BITS) - 1


# --- compiling a query -------------------------------------------------------------------


class TextDialect:
    """How one engine matches a text-only subtree: one index lookup per subtree."""

    def expression(self, node: Node) -> str | None:
        """The engine's match expression for `node`, or None when it cannot say it alone."""
        raise NotImplementedError

    def matches(self, expression: str) -> ColumnElement[bool]:
        """Whether the row of `interactions` has a document matching `expression`."""
        raise NotImplementedError

    def capped_matches(self, expression: str, cap: int) -> Select[tuple[Any]]:
        """The first `cap` + 1 documents matching `expression` (in no order)."""
        raise NotImplementedError


class Fts5(TextDialect):
    """FTS5 query syntax: `{col} : "word"`, `"word" *`, `"a b"`, AND, OR, binary NOT."""

    def expression(self, node: Node) -> str | None:
        match node:
            case Term(text, prefix, field):
                return _fts_column(field) + f'"{text}"' + (" *" if prefix else "")
            case Phrase(words, field):
                return _fts_column(field) + '"' + " ".join(words) + '"'
            case Or(items):
                parts = [self.expression(item) for item in items]
                if any(part is None for part in parts):
                    return None
                return " OR ".join(f"({part})" for part in parts)
            case And(items):
                return self._conjunction(items)
        return None

    def _conjunction(self, items: Sequence[Node]) -> str | None:
        positive = [self.expression(i) for i in items if not isinstance(i, Not)]
        negative = [self.expression(i.item) for i in items if isinstance(i, Not)]
        if not positive or None in positive or None in negative:
            return None
        out = " AND ".join(f"({part})" for part in positive)
        for part in negative:
            out = f"({out}) NOT ({part})"
        return out

    def matches(self, expression: str) -> ColumnElement[bool]:
        keys = search_keys.alias("k")
        found: Select[tuple[Any]] = (
            select(literal_column("1"))
            .select_from(keys.join(fts, fts.c.rowid == keys.c.search_key))
            .where(keys.c.interaction_id == _rows.c.id, fts_match(expression))
        )
        return exists(found)

    def capped_matches(self, expression: str, cap: int) -> Select[tuple[Any]]:
        return select(fts.c.rowid).where(fts_match(expression)).limit(cap + 1)


def _fts_column(field: str | None) -> str:
    return f"{field} : " if field else ""


def fts_match(expression: str) -> ColumnElement[bool]:
    return literal_column("interaction_fts").op("MATCH")(bindparam(None, expression, String()))


class TsQuery(TextDialect):
    """tsquery syntax, written as a literal: `'word'`, `'word':*`, `:A` for a field, `<->`.

    A negation is said inside the tsquery only beside a positive word (`a & !b`): a document
    exists then. An interaction without words has no document, so `NOT a` alone is said in
    SQL (NOT EXISTS), where it finds it."""

    def expression(self, node: Node) -> str | None:
        match node:
            case Term(text, prefix, field):
                return f"'{text}'" + _ts_suffix(prefix, field)
            case Phrase(words, field):
                suffix = _ts_suffix(False, field)
                return "(" + " <-> ".join(f"'{w}'{suffix}" for w in words) + ")"
            case Or(items):
                parts = [self.expression(item) for item in items]
                if any(part is None for part in parts):
                    return None
                return "(" + " | ".join(f"({part})" for part in parts) + ")"
            case And(items):
                return self._conjunction(items)
        return None

    def _conjunction(self, items: Sequence[Node]) -> str | None:
        positive = [self.expression(i) for i in items if not isinstance(i, Not)]
        negative = [self.expression(i.item) for i in items if isinstance(i, Not)]
        if not positive or None in positive or None in negative:
            return None
        parts = [f"({part})" for part in positive] + [f"!({part})" for part in negative]
        return "(" + " & ".join(parts) + ")"

    def matches(self, expression: str) -> ColumnElement[bool]:
        found: Select[tuple[Any]] = select(literal_column("1")).where(
            documents.c.interaction_id == _rows.c.id, tsquery_matches(expression)
        )
        return exists(found)

    def capped_matches(self, expression: str, cap: int) -> Select[tuple[Any]]:
        query = select(documents.c.interaction_id).where(tsquery_matches(expression))
        return query.limit(cap + 1)


def tsquery_matches(expression: str) -> ColumnElement[bool]:
    query = bindparam(None, expression, String()).cast(TsVectorQuery())
    return documents.c.doc.op("@@")(query)


class TsVectorQuery(UserDefinedType[str]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "tsquery"


def _ts_suffix(prefix: bool, field: str | None) -> str:
    marks = ("*" if prefix else "") + (WEIGHTS[field] if field else "")
    return f":{marks}" if marks else ""


def is_text_only(node: Node) -> bool:
    match node:
        case Term() | Phrase():
            return True
        case And(items) | Or(items):
            return all(is_text_only(item) for item in items)
        case Not(item):
            return is_text_only(item)
    return False


def condition(node: Node, text: TextDialect, drive: Node | None = None) -> ColumnElement[bool]:
    """`node` as a condition on the rows of `interactions` (null-safe, so NOT is exact).
    `drive`, one of its top-level attribute conjuncts (`attribute_conjuncts`), becomes an IN
    list of interaction ids, which an engine reads first (see `SqliteStore`)."""
    if is_text_only(node):
        expression = text.expression(node)
        if expression is not None:
            return text.matches(expression)
    if drive is not None and node is drive and isinstance(node, AttrCompare | AttrRange):
        name, check = _attribute_check(node)
        found = select(_attrs.c.interaction_id).where(_attrs.c.name == name, check)
        return _rows.c.id.in_(found)
    match node:
        case Term() | Phrase():  # pragma: no cover - every leaf has an expression
            raise TypeError(f"no match expression for {node!r}")
        case And(items):
            return and_(*(condition(item, text, drive) for item in items))
        case Or(items):
            return or_(*(condition(item, text) for item in items))
        case Not(item):
            return not_(condition(item, text))
        case FieldMatch(field, value):
            return _field(field, value)
        case DateRange():
            return _date_range(node)
        case AttrCompare(name, op, value):
            return _attribute(name, _attr_compare(op, value), missing=op is AttrOp.MISSING)
        case AttrRange():
            name, check = _attribute_check(node)
            return _attribute(name, check, missing=False)
    raise TypeError(f"not a query node: {node!r}")


_DRIVING_OPS = frozenset({AttrOp.EQ, AttrOp.PREFIX, AttrOp.GT, AttrOp.GE, AttrOp.LT, AttrOp.LE})


def attribute_conjuncts(node: Node) -> list[AttrCompare | AttrRange]:
    """The attribute clauses every match must meet, that an attribute index can list."""
    items = node.items if isinstance(node, And) else (node,)
    return [
        item
        for item in items
        if isinstance(item, AttrRange)
        or (isinstance(item, AttrCompare) and item.op in _DRIVING_OPS)
    ]


def attribute_rows(node: AttrCompare | AttrRange, cap: int) -> Any:
    """How many attribute rows meet `node`, counted up to `cap` + 1 (an index range)."""
    name, check = _attribute_check(node)
    rows = select(_attrs.c.interaction_id).where(_attrs.c.name == name, check).limit(cap + 1)
    return select(func.count()).select_from(rows.subquery())


def _attribute_check(node: AttrCompare | AttrRange) -> tuple[str, ColumnElement[bool]]:
    if isinstance(node, AttrCompare):
        return node.name, _attr_compare(node.op, node.value)
    return node.name, _range(node.lower, node.upper)


def _range(lower: str, upper: str) -> ColumnElement[bool]:
    """lower <= value <= upper by `compare_values`. Bounds of one kind make two index ranges:
    the typed key's, and the string's of the values not of that kind."""
    low_kind, low = classify(lower)
    high_kind, high = classify(upper)
    as_string = _attrs.c.value.between(lower, upper)
    if low_kind is not high_kind:
        return and_(_compare(AttrOp.GE, lower), _compare(AttrOp.LE, upper))
    if isinstance(low, Decimal) and isinstance(high, Decimal):
        typed, bounds = _attrs.c.num, (float(low), float(high))
    elif isinstance(low, datetime) and isinstance(high, datetime):
        typed, bounds = _attrs.c.moment_us, (micros(low), micros(high))
    else:
        return as_string
    return or_(typed.between(*bounds), and_(typed.is_(None), as_string))


_COLUMNS = {
    "mediaType": _rows.c.media_type,
    "state": _rows.c.state,
    "typeId": _rows.c.type_id,
    "userId": _rows.c.owner_id,
    "contactId": _rows.c.contact_id,
    "threadId": _rows.c.thread_id,
}


def _field(field: str, value: str) -> ColumnElement[bool]:
    if field == "agent":
        owner = select(users.c.id).where(users.c.user_name == value)
        return and_(_rows.c.owner_id.is_not(None), _rows.c.owner_id.in_(owner.scalar_subquery()))
    column = _COLUMNS[field]
    return and_(column.is_not(None), column == value)


def _date_range(node: DateRange) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    start = _rows.c.start_ms
    if node.lower is not None:
        low = to_millis(node.lower)
        parts.append(start >= low if node.lower_inclusive else start > low)
    if node.upper is not None:
        high = to_millis(node.upper)
        parts.append(start <= high if node.upper_inclusive else start < high)
    return and_(*parts) if parts else true()


def _attribute(name: str, check: ColumnElement[bool], *, missing: bool) -> ColumnElement[bool]:
    found = select(_attrs.c.interaction_id).where(
        _attrs.c.interaction_id == _rows.c.id, _attrs.c.name == name, check
    )
    return not_(exists(found)) if missing else exists(found)


def _attr_compare(op: AttrOp, value: str) -> ColumnElement[bool]:
    match op:
        case AttrOp.EXISTS | AttrOp.MISSING:
            return true()
        case AttrOp.EQ:
            return _attrs.c.value == value
        case AttrOp.NE:
            return _attrs.c.value != value
        case AttrOp.PREFIX:
            end = prefix_end(value)
            above = _attrs.c.value >= value
            return above if end is None else and_(above, _attrs.c.value < end)
    return _compare(op, value)


def _compare(op: AttrOp, given: str) -> ColumnElement[bool]:
    """The attribute against `given` by `domain.search.compare_values`: as numbers when both
    are numbers, as instants when both are dates, else as strings (code point order)."""
    _, key = classify(given)
    as_string = _ordered(op, _attrs.c.value, given)
    if isinstance(key, Decimal):
        typed = _attrs.c.num
        return or_(
            and_(typed.is_not(None), _ordered(op, typed, float(key))),
            and_(typed.is_(None), as_string),
        )
    if isinstance(key, datetime):
        typed = _attrs.c.moment_us
        return or_(
            and_(typed.is_not(None), _ordered(op, typed, micros(key))),
            and_(typed.is_(None), as_string),
        )
    return as_string


def _ordered(op: AttrOp, column: ColumnElement[Any], value: Any) -> ColumnElement[bool]:
    compared: ColumnElement[bool]
    match op:
        case AttrOp.GT:
            compared = column > value
        case AttrOp.GE:
            compared = column >= value
        case AttrOp.LT:
            compared = column < value
        case AttrOp.LE:
            compared = column <= value
        case _:  # pragma: no cover
            raise ValueError(f"not an ordering: {op}")
    return compared


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def typed_keys(value: str) -> tuple[float | None, int | None]:
    """The (num, moment_us) columns of an attribute value (`domain.search.classify`)."""
    if not value or not (value[0].isdigit() or value[0] == "-"):
        return None, None  # most values: neither a number nor a date, known at once
    _, key = classify(value)
    if isinstance(key, Decimal):
        return float(key), None
    if isinstance(key, datetime):
        return None, micros(key)
    return None, None


def words_only(query: HistoryQuery, text: TextDialect) -> str | None:
    """The match expression of a query that is words and nothing else (no window, filter or
    limited reader), whose matches are the index's documents in the query's tier."""
    unlimited = query.scope.user_id is None or query.scope.unlimited
    others = (
        query.start_from,
        query.start_to,
        query.media_types,
        query.states,
        query.type_ids,
        query.owner_id,
        query.contact_id,
        query.thread_id,
        query.custom_equals,
        query.text,
    )
    if query.q is None or not unlimited or any(others) or not is_text_only(query.q):
        return None
    if not positive_text_clauses(query.q):
        return None
    return text.expression(query.q)


def other_tier(query: HistoryQuery) -> Select[tuple[Any]]:
    """Any interaction of the tier `query` does not read (the index holds both)."""
    others = [s.value for s in Source if s is not query.source]  # `!=` would read every row
    return select(_rows.c.id).where(_rows.c.source.in_(others)).limit(1)


def driving_text(node: Node, text: TextDialect) -> tuple[str, list[Node]] | None:
    """For a query that a text match can drive: the match expression of its positive text
    conjuncts (with its negated text conjuncts), and the conjuncts left to check on the rows."""
    items = list(node.items) if isinstance(node, And) else [node]
    textual = [i for i in items if is_text_only(i)]
    rest = [i for i in items if not is_text_only(i)]
    if not any(not isinstance(i, Not) for i in textual):
        return None
    expression = text.expression(textual[0] if len(textual) == 1 else And(tuple(textual)))
    if expression is None:
        return None
    return expression, rest


# --- writing documents -------------------------------------------------------------------

FtsRow = tuple[str, int, str, str, str, str]  # interaction id, start_ms, the four fields
PgRow = tuple[str, str]  # interaction id, tsvector literal

_CHUNK = 500


def fts_rows(items: Sequence[Interaction]) -> list[FtsRow]:
    """The FTS5 rows of the interactions that have words (picklable, made where a batch is
    prepared)."""
    out: list[FtsRow] = []
    for item in items:
        document = document_of(item)
        if document is not None:
            subject, comment, text, data = fts_columns(document)
            out.append((item.id, document.start_ms, subject, comment, text, data))
    return out


def pg_rows(items: Sequence[Interaction]) -> list[PgRow]:
    """The `interaction_search` rows of the interactions that have words."""
    out: list[PgRow] = []
    for item in items:
        document = document_of(item)
        if document is not None:
            out.append((item.id, tsvector_literal(document)))
    return out


def write_fts(conn: Connection, ids: Sequence[str], found: Sequence[FtsRow]) -> None:
    """The documents of `ids` become `found` (ids without a row have no words). A trigger
    deletes the FTS row of a deleted key; keys are allocated per start bucket, after the
    largest taken (the writer holds SQLite's write lock, so no other writer allocates)."""
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        conn.execute(delete(search_keys).where(search_keys.c.interaction_id.in_(chunk)))
    if not found:
        return
    taken = _largest_keys(conn, {bucket_of(row[1]) for row in found})
    keyed: list[tuple[int, FtsRow]] = []
    for row in found:
        bucket = bucket_of(row[1])
        key = taken.get(bucket, bucket_keys(bucket)[0] - 1) + 1
        if key > bucket_keys(bucket)[1]:
            raise OverflowError(f"more than {1 << SEQ_BITS} interactions start in one second")
        taken[bucket] = key
        keyed.append((key, row))
    conn.exec_driver_sql(
        "INSERT INTO interaction_search_keys (search_key, interaction_id) VALUES (?, ?)",
        [(key, row[0]) for key, row in keyed],
    )
    conn.exec_driver_sql(
        "INSERT INTO interaction_fts (rowid, subject, comment, text, data) VALUES (?, ?, ?, ?, ?)",
        [(key, *row[2:]) for key, row in keyed],
    )


_LARGEST_KEYS = (
    "SELECT b.value, (SELECT max(search_key) FROM interaction_search_keys"
    " WHERE search_key BETWEEN b.value << 25 AND ((b.value + 1) << 25) - 1)"
    " FROM json_each(?) AS b"
)
if SEQ_BITS != 25:  # pragma: no cover - keep the statement in step
    raise RuntimeError("update _LARGEST_KEYS")


def _largest_keys(conn: Connection, buckets: set[int]) -> dict[int, int]:
    """The largest search key taken in each bucket (one statement, one index seek each)."""
    found = conn.exec_driver_sql(_LARGEST_KEYS, (json.dumps(sorted(buckets)),))
    return {int(bucket): int(key) for bucket, key in found if key is not None}


def write_pg(conn: Connection, ids: Sequence[str], found: Sequence[PgRow]) -> None:
    """The documents of `ids` become `found` (ids without a row have no words)."""
    with_words = {row[0] for row in found}
    gone = [i for i in ids if i not in with_words]
    for start in range(0, len(gone), _CHUNK):
        chunk = gone[start : start + _CHUNK]
        conn.execute(delete(documents).where(documents.c.interaction_id.in_(chunk)))
    if found:
        conn.execute(
            text(
                "INSERT INTO interaction_search (interaction_id, doc)"
                " VALUES (:id, CAST(:doc AS tsvector))"
                " ON CONFLICT (interaction_id) DO UPDATE SET doc = excluded.doc"
            ),
            [{"id": i, "doc": doc} for i, doc in found],
        )
