"""The history query compiled to one SQLAlchemy Core SELECT, shared by both engines.

Every history query is read along one index in (start_ms, id) order, so no engine sorts or scans:

- a contact's history: `ix_interactions_contact` (contact_id, source, start_ms, id)
- an agent's history: `ix_interactions_owner` (owner_id, source, start_ms, id)
- a window of everything: `ix_interactions_window` (source, start_ms, id)
- a custom attribute search without contact or owner: `ix_interaction_attributes_lookup`
  (name, value, source, start_ms, interaction_id), joined to the rows by primary key.

The other filters (media types, states, type ids, thread, more attribute pairs, text) are
checked on the rows met along that index, and so is the reader's scope (`domain.access`):
`own` is the owner column; `handled` is, for a contact's history, one uncorrelated EXISTS
(evaluated once: has the reader an interaction of this contact?) and elsewhere "owned, or of a
contact the reader has an interaction of". Paging is keyset paging: the rows after a cursor in
the sort direction; one extra row is fetched to learn whether a next page exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    exists,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from openucs.domain.access import AgentAccess
from openucs.domain.enums import SortOrder
from openucs.domain.formats import to_millis
from openucs.domain.query import Cursor, HistoryQuery
from openucs.domain.search import Node
from openucs.store._search import TextDialect, condition
from openucs.store._text import contains_folded
from openucs.store.schema import interaction_attributes, interaction_contents, interactions, users

_attrs = interaction_attributes
_rows = interactions
RowsSelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Driver:
    """The index-ordered relation a query reads, and its (source, start, id) columns."""

    relation: FromClause
    source: ColumnElement[str]
    start: ColumnElement[int]
    id: ColumnElement[str]
    conditions: tuple[ColumnElement[bool], ...]
    attribute_pairs: tuple[tuple[str, str], ...]  # still to be checked with EXISTS


def history_select(
    query: HistoryQuery,
    *,
    limit: int | None,
    text: TextDialect,
    with_content: bool = False,
    drive: Node | None = None,
) -> RowsSelect:
    """The SELECT of one page: interaction columns, the owner's names (`owner_*`) and, with
    content, `messages` and `email`; ordered by (start, id) in the query's direction. `text`
    is the engine's full-text matching, for the search language's words; `drive` an
    attribute clause of `query.q` to read first (`_search.condition`)."""
    driver = driver_of(query)
    stmt = select_rows(driver.relation, with_content=with_content)
    return ordered(stmt.where(*matching(query, driver, text, drive)), query, driver, limit)


def plain_page(query: HistoryQuery, *, limit: int) -> tuple[RowsSelect, dict[str, Any]] | None:
    """The SELECT of `history_select` (without content) for the plainest pages, a contact's
    or an owner's in a window, taken from statements built once, and its parameters; None
    for any other query. Building the SELECT and its cache key took a third of such a page's
    time in the store."""
    if (
        query.custom_equals
        or query.media_types
        or query.states
        or query.type_ids
        or query.thread_id is not None
        or query.text
        or query.q is not None
        or _scope(query)
    ):
        return None
    after = query.after
    shape = (
        query.contact_id is not None,
        query.owner_id is not None,
        query.start_from is not None,
        query.start_to is not None,
        after is not None,
        query.sort is SortOrder.ASC,
        query.return_attributes != (),  # () asks for none: they need not be decoded
    )
    values: dict[str, Any] = {
        "contact": query.contact_id,
        "owner": query.owner_id,
        "source": query.source.value,
        "lower": None if query.start_from is None else to_millis(query.start_from),
        "upper": None if query.start_to is None else to_millis(query.start_to),
        "after_start": None if after is None else after.start_ms,
        "after_id": None if after is None else after.id,
        "limit": limit,
    }
    stmt, names = _plain_select(*shape)
    return stmt, {name: values[name] for name in names}


@cache
def _plain_select(
    contact: bool,
    owner: bool,
    lower: bool,
    upper: bool,
    after: bool,
    ascending: bool,
    attributes: bool,
) -> tuple[RowsSelect, tuple[str, ...]]:
    """The statement of `plain_page` for one shape (the conditions in `matching`'s order),
    and the names of its parameters. Without `attributes`, the custom attributes come as
    their JSON text, not decoded (a page that returns none of them ignores them)."""
    c = _rows.c
    conditions: list[ColumnElement[bool]] = []
    if contact:
        conditions.append(c.contact_id == bindparam("contact"))
    if owner:
        conditions.append(c.owner_id == bindparam("owner"))
    conditions.append(c.source == bindparam("source"))
    if lower:
        conditions.append(c.start_ms >= bindparam("lower"))
    if upper:
        conditions.append(c.start_ms < bindparam("upper"))
    if after:
        s: ColumnElement[int] = bindparam("after_start", type_=c.start_ms.type)
        i: ColumnElement[str] = bindparam("after_id", type_=c.id.type)
        if ascending:
            conditions += [c.start_ms >= s, or_(c.start_ms > s, and_(c.start_ms == s, c.id > i))]
        else:
            conditions += [c.start_ms <= s, or_(c.start_ms < s, and_(c.start_ms == s, c.id < i))]
    stmt = select_rows(_rows, with_content=False, attributes=attributes).where(*conditions)
    if ascending:
        stmt = stmt.order_by(c.start_ms.asc(), c.id.asc())
    else:
        stmt = stmt.order_by(c.start_ms.desc(), c.id.desc())
    stmt = stmt.limit(bindparam("limit", type_=Integer))
    bounds = (("contact", contact), ("owner", owner), ("lower", lower), ("upper", upper))
    names = ["source", "limit", *(name for name, on in bounds if on)]
    return stmt, tuple(names + (["after_start", "after_id"] if after else []))


def matching(
    query: HistoryQuery, driver: Driver, text: TextDialect, drive: Node | None = None
) -> list[ColumnElement[bool]]:
    """Every condition of `query` on the rows read along `driver`."""
    conditions = [
        *driver.conditions,
        *_window(query, driver),
        *_row_filters(query, driver),
        *_scope(query),
    ]
    if query.q is not None:
        conditions.append(condition(query.q, text, drive))
    return conditions


def ordered(stmt: RowsSelect, query: HistoryQuery, driver: Driver, limit: int | None) -> RowsSelect:
    if query.sort is SortOrder.ASC:
        stmt = stmt.order_by(driver.start.asc(), driver.id.asc())
    else:
        stmt = stmt.order_by(driver.start.desc(), driver.id.desc())
    return stmt if limit is None else stmt.limit(limit)


def interactions_select(*, with_content: bool) -> RowsSelect:
    """Interaction rows with their owner (and content): add a WHERE on `interactions`."""
    return select_rows(_rows, with_content=with_content)


def interaction_select(interaction_id: str, *, with_content: bool) -> RowsSelect:
    """One interaction by id (primary key), with its owner and optionally its content."""
    return interactions_select(with_content=with_content).where(_rows.c.id == interaction_id)


BY_ID = "interaction_id"  # the parameter of `by_id`


@cache
def by_id(*, with_content: bool) -> RowsSelect:
    """`interaction_select` built once, the id a parameter (`{BY_ID: id}`): building the
    SELECT and its cache key took a third of a GET by id's time in the store."""
    return interactions_select(with_content=with_content).where(_rows.c.id == bindparam(BY_ID))


def select_rows(relation: FromClause, *, with_content: bool, attributes: bool = True) -> RowsSelect:
    """Without `attributes`, `custom_attributes` is selected as text (not decoded)."""
    relation = relation.outerjoin(users, users.c.id == _rows.c.owner_id)
    columns: list[ColumnElement[object]] = [
        *(c if attributes or c.name != "custom_attributes" else _as_text(c) for c in _rows.c),
        users.c.user_name.label("owner_user_name"),
        users.c.first_name.label("owner_first_name"),
        users.c.last_name.label("owner_last_name"),
    ]
    if with_content:
        relation = relation.outerjoin(
            interaction_contents, interaction_contents.c.interaction_id == _rows.c.id
        )
        columns += [interaction_contents.c.messages, interaction_contents.c.email]
    return select(*columns).select_from(relation)


def _as_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return type_coerce(column, Text).label(column.name)


def driver_of(query: HistoryQuery) -> Driver:
    pairs = tuple(query.custom_equals)
    if pairs and query.contact_id is None and query.owner_id is None:
        (name, value), rest = pairs[0], pairs[1:]
        first = _attrs.alias("a0")
        return Driver(
            relation=first.join(_rows, _rows.c.id == first.c.interaction_id),
            source=first.c.source,
            start=first.c.start_ms,
            id=first.c.interaction_id,
            conditions=(first.c.name == name, first.c.value == value),
            attribute_pairs=rest,
        )
    conditions: list[ColumnElement[bool]] = []
    if query.contact_id is not None:
        conditions.append(_rows.c.contact_id == query.contact_id)
    if query.owner_id is not None:
        conditions.append(_rows.c.owner_id == query.owner_id)
    return Driver(_rows, _rows.c.source, _rows.c.start_ms, _rows.c.id, tuple(conditions), pairs)


def _window(query: HistoryQuery, driver: Driver) -> list[ColumnElement[bool]]:
    conditions = [driver.source == query.source.value]
    if query.start_from is not None:
        conditions.append(driver.start >= to_millis(query.start_from))
    if query.start_to is not None:
        conditions.append(driver.start < to_millis(query.start_to))
    if query.after is not None:
        conditions += _after(query.after, driver, descending=query.sort is not SortOrder.ASC)
    return conditions


def _after(cursor: Cursor, driver: Driver, *, descending: bool) -> list[ColumnElement[bool]]:
    """Rows strictly after the cursor in sort order. The redundant bound on `start` alone keeps
    the index range tight on SQLite, which does not derive it from the OR."""
    s, i = cursor.start_ms, cursor.id
    if descending:
        return [
            driver.start <= s,
            or_(driver.start < s, and_(driver.start == s, driver.id < i)),
        ]
    return [driver.start >= s, or_(driver.start > s, and_(driver.start == s, driver.id > i))]


def _row_filters(query: HistoryQuery, driver: Driver) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.media_types:
        conditions.append(_rows.c.media_type.in_([m.value for m in query.media_types]))
    if query.states:
        conditions.append(_rows.c.state.in_([s.value for s in query.states]))
    if query.type_ids:
        conditions.append(_rows.c.type_id.in_([t.value for t in query.type_ids]))
    if query.thread_id is not None:
        conditions.append(_rows.c.thread_id == query.thread_id)
    for name, value in driver.attribute_pairs:
        conditions.append(_has_attribute(name, value))
    if query.text:
        conditions.append(_text_matches(query.text))
    return conditions


def _scope(query: HistoryQuery) -> list[ColumnElement[bool]]:
    """The reader's rule as conditions on the rows (none for a reader of everything)."""
    scope = query.scope
    reader = scope.user_id
    if reader is None or scope.unlimited or query.owner_id == reader:
        return []
    owned = _rows.c.owner_id == reader
    if scope.access is AgentAccess.OWN:
        return [owned]
    handled = _rows.alias("handled")
    if query.contact_id is not None:
        of_contact = handled.c.contact_id == query.contact_id
        return [exists(select(handled.c.id).where(of_contact, handled.c.owner_id == reader))]
    same_contact = handled.c.contact_id == _rows.c.contact_id
    return [
        or_(owned, exists(select(handled.c.id).where(same_contact, handled.c.owner_id == reader)))
    ]


def _has_attribute(name: str, value: str) -> ColumnElement[bool]:
    """EXISTS on the attribute's primary key (interaction_id, name)."""
    match = select(_attrs.c.interaction_id).where(
        _attrs.c.interaction_id == _rows.c.id, _attrs.c.name == name, _attrs.c.value == value
    )
    return exists(match)


def _text_matches(text: str) -> ColumnElement[bool]:
    """Substring of the subject or the comment without case or diacritics (`store._text`);
    `%` and `_` are literal."""
    return contains_folded((_rows.c.subject, _rows.c.comment), text)


class Explain(Executable, ClauseElement):
    """`<prefix> <statement>`: the engine's plan of a statement, bound exactly as it runs."""

    inherit_cache = False

    def __init__(self, prefix: str, statement: RowsSelect) -> None:
        self.prefix = prefix
        self.statement = statement


@compiles(Explain)
def _compile_explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{element.prefix} {compiler.process(element.statement, **kw)}"
