"""`Store.check_integrity` (`openucs db check`), mixed into `SqlStore`: what is wrong with the
database, one line each.

1. The engine's own check. SQLite: `PRAGMA integrity_check` (every page, index and row of the
   file; reads the whole file) and the FTS5 `integrity-check` command (the text index against
   itself). PostgreSQL keeps its files consistent itself; constraints left NOT VALID are named.
2. Foreign keys, every one of `schema.metadata`: a row whose reference is missing (written with
   the checks off: SQLite `foreign_keys = OFF`, PostgreSQL `session_replication_role`). One
   anti-join per key, each along the referenced primary key.
3. The search index against the tables: no document of an interaction that is gone (SQLite:
   also no FTS row without its search key), and, for `sample` interactions spread over the
   table (every one with `sample` None), the document stored is the one their text makes now
   (`store._search`), with a search key in their start time's bucket. Recomputing a document
   reads the interaction's content, about as costly as exporting it; the default sample keeps
   a check of a large database to seconds, `--all` reads everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Connection, ForeignKeyConstraint, and_, func, or_, select, text
from sqlalchemy.exc import DBAPIError

from openucs.store import _rows as rows
from openucs.store import _search as search
from openucs.store._history import interactions_select
from openucs.store.schema import contact_merges, contacts, interactions, metadata

DEFAULT_SAMPLE = 10_000
_ids = interactions.c.id


class _SqlBase(Protocol):
    def _read(self) -> AbstractContextManager[Connection]: ...

    def _write(self) -> AbstractContextManager[Connection]: ...


class CheckMethods:
    def check_integrity(self: _SqlBase, *, sample: int | None = DEFAULT_SAMPLE) -> list[str]:
        """What is wrong, one line each; empty when nothing is (module docstring)."""
        with self._read() as conn:
            sqlite = conn.dialect.name == "sqlite"
            problems = list(_sqlite_pages(conn) if sqlite else _postgres_engine(conn))
        if sqlite:
            with self._write() as conn:  # FTS5's check is an INSERT (that writes nothing)
                problems += _sqlite_text_index(conn)
        with self._read() as conn:
            problems += _foreign_keys(conn)
            problems += _merges(conn)
            problems += _orphan_documents(conn, sqlite=sqlite)
            problems += _documents(conn, sample=sample, sqlite=sqlite)
        return problems


def _sqlite_pages(conn: Connection) -> Iterator[str]:
    for (line,) in conn.exec_driver_sql("PRAGMA integrity_check"):
        if line != "ok":
            yield f"sqlite integrity_check: {line}"


def _sqlite_text_index(conn: Connection) -> Iterator[str]:
    try:
        conn.exec_driver_sql(
            "INSERT INTO interaction_fts(interaction_fts) VALUES ('integrity-check')"
        )
    except DBAPIError as error:
        yield f"search index (FTS5 integrity-check): {error.orig}"


def _postgres_engine(conn: Connection) -> Iterator[str]:
    found = conn.execute(
        text(
            "SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace"
            " WHERE NOT c.convalidated AND n.nspname = current_schema()"
        )
    )
    for table, name in found:
        yield f"{table}: constraint {name} is not validated"


def _foreign_keys(conn: Connection) -> Iterator[str]:
    for table in metadata.sorted_tables:
        for key in table.constraints:
            if not isinstance(key, ForeignKeyConstraint):
                continue
            parent = key.referred_table
            pairs = [(e.parent, e.column) for e in key.elements]
            missing = (
                select(func.count())
                .select_from(table.outerjoin(parent, and_(*(c == p for c, p in pairs))))
                .where(*(c.is_not(None) for c, _ in pairs), pairs[0][1].is_(None))
            )
            count = int(conn.scalar(missing) or 0)
            if count:
                names = ", ".join(c.name for c, _ in pairs)
                yield f"{table.name}: {count} row(s) whose {names} names no {parent.name} row"


def _merges(conn: Connection) -> Iterator[str]:
    """`contacts.merged_into` and the merge records say the same."""
    record = and_(contact_merges.c.from_id == contacts.c.id)
    unmatched = (
        select(func.count())
        .select_from(contacts.outerjoin(contact_merges, record))
        .where(
            or_(
                and_(contacts.c.merged_into.is_not(None), contact_merges.c.id.is_(None)),
                contacts.c.merged_into.is_distinct_from(contact_merges.c.into_id)
                & contact_merges.c.id.is_not(None),
            )
        )
    )
    count = int(conn.scalar(unmatched) or 0)
    if count:
        yield f"contacts: {count} contact(s) whose merged_into disagrees with contact_merges"


def _orphan_documents(conn: Connection, *, sqlite: bool) -> Iterator[str]:
    if sqlite:
        keys = search.search_keys.c
        orphans = select(func.count()).select_from(
            search.search_keys.outerjoin(interactions, _ids == keys.interaction_id)
        )
        count = int(conn.scalar(orphans.where(_ids.is_(None))) or 0)
        if count:
            yield f"search index: {count} search key(s) of interactions that are gone"
        stray = conn.exec_driver_sql(
            "SELECT count(*) FROM interaction_fts f WHERE NOT EXISTS"
            " (SELECT 1 FROM interaction_search_keys k WHERE k.search_key = f.rowid)"
        ).scalar()
        if stray:
            yield f"search index: {stray} document(s) without a search key"
        return
    docs = search.documents.c
    orphans = select(func.count()).select_from(
        search.documents.outerjoin(interactions, _ids == docs.interaction_id)
    )
    count = int(conn.scalar(orphans.where(_ids.is_(None))) or 0)
    if count:
        yield f"search index: {count} document(s) of interactions that are gone"


def _documents(conn: Connection, *, sample: int | None, sqlite: bool) -> Iterator[str]:
    """The stored document of each sampled interaction is the one its text makes now."""
    total = int(conn.scalar(select(func.count()).select_from(interactions)) or 0)
    if total == 0 or sample == 0:
        return
    step = 1 if sample is None or sample >= total else total // sample
    wrong = 0
    first: str | None = None
    for chunk in _sampled_ids(conn, step):
        stmt = interactions_select(with_content=True).where(_ids.in_(chunk))
        items = [rows.row_to_interaction(r, with_content=True) for r in conn.execute(stmt)]
        stored = _stored_fts(conn, chunk) if sqlite else _stored_pg(conn, chunk)
        for item in items:
            problem = _compare(conn, item, stored.get(item.id), sqlite=sqlite)
            if problem is not None:
                wrong += 1
                first = first or f"{item.id}: {problem}"
    if wrong:
        yield f"search index: {wrong} interaction(s) whose document is wrong (first: {first})"


def _sampled_ids(conn: Connection, step: int) -> Iterator[list[str]]:
    """Every `step`-th interaction id in id order, in chunks (a keyset walk of the primary
    key, which reads every id: cheap next to recomputing documents)."""
    after = ""
    seen = 0
    while True:
        found = list(conn.scalars(select(_ids).where(_ids > after).order_by(_ids).limit(5_000)))
        if not found:
            return
        after = found[-1]
        picked = [i for n, i in enumerate(found, seen) if n % step == 0]
        seen += len(found)
        for start in range(0, len(picked), 500):
            yield picked[start : start + 500]


def _stored_fts(conn: Connection, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    keys = search.search_keys.c
    fts = search.fts.c
    stmt = (
        select(keys.interaction_id, keys.search_key, fts.subject, fts.comment, fts.text, fts.data)
        .select_from(search.search_keys.outerjoin(search.fts, fts.rowid == keys.search_key))
        .where(keys.interaction_id.in_(ids))
    )
    return {r[0]: tuple(r[1:]) for r in conn.execute(stmt)}


def _stored_pg(conn: Connection, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    docs = search.documents.c
    stmt = select(docs.interaction_id, docs.doc).where(docs.interaction_id.in_(ids))
    return {r[0]: (r[1],) for r in conn.execute(stmt)}


def _compare(
    conn: Connection, item: Any, stored: tuple[Any, ...] | None, *, sqlite: bool
) -> str | None:
    document = search.document_of(item)
    if document is None:
        return None if stored is None else "has a document but no words"
    if stored is None:
        return "has words but no document"
    if sqlite:
        key, *columns = stored
        if key >> search.SEQ_BITS != search.bucket_of(document.start_ms):
            return "its search key is not in its start time's bucket"
        if tuple(columns) != search.fts_columns(document):
            return "its document differs from its text"
        return None
    same = conn.scalar(
        text("SELECT CAST(:doc AS tsvector) = CAST(:made AS tsvector)"),
        {"doc": stored[0], "made": search.tsvector_literal(document)},
    )
    return None if same else "its document differs from its text"
