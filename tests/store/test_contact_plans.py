"""The contact name prefix search reads the folded name indexes, and an agent's contact search
never scans the contact table: plans of the exact SELECT the store runs (`contacts_select`),
after ANALYZE, on a table with many distinct names.

PostgreSQL is asked with its default settings: a prefix of two name columns is a BitmapOr of
the two key indexes, which `prefer_indexes` (bitmap scans off) would forbid.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Iterator
from typing import Any

import pytest

from openucs.domain.access import EVERYTHING, ReadScope
from openucs.domain.models import Contact
from openucs.store import Store
from openucs.store._people import contacts_select
from openucs.store.sql import SqlStore
from openucs.store.sqlite import SqliteStore
from tests.factories import make_contact, make_interaction, make_owner

CONTACTS = 10_000
OWNERS = 20
INTERACTIONS = 4_000
KEY_INDEXES = ("ix_contacts_last_name_key", "ix_contacts_first_name_key")


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)).title()


@pytest.fixture
def loaded(store: Store) -> tuple[SqlStore, str, list[Contact]]:
    """CONTACTS contacts with random names and one Żółwińska; INTERACTIONS interactions of
    OWNERS agents. Returns the store, an agent who handled the Żółwińska, the contacts."""
    assert isinstance(store, SqlStore)
    rng = random.Random(8)
    contacts = [make_contact(first_name=_name(rng), last_name=_name(rng)) for _ in range(CONTACTS)]
    contacts.append(make_contact(first_name="Łucja", last_name="Żółwińska"))
    store.save_contacts(contacts)
    owners = [make_owner() for _ in range(OWNERS)]
    items = [
        make_interaction(contact_id=contacts[n * 2].id, owner_id=o.id, owner=o)
        for n in range(INTERACTIONS)
        for o in [owners[n % OWNERS]]
    ]
    items.append(make_interaction(contact_id=contacts[-1].id, owner_id=owners[0].id))
    store.save_interactions(items)
    store.analyze()
    return store, owners[0].id, contacts


def _plan(store: SqlStore, scope: ReadScope, name: str, after_id: str | None = None) -> str:
    stmt = contacts_select(
        scope=scope, email=None, phone=None, name=name, limit=21, after_id=after_id
    )
    assert stmt is not None
    return store.explain(stmt)


def _pg_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child)


def _indexes_used(store: SqlStore, plan: str) -> set[str]:
    if isinstance(store, SqliteStore):
        return set(re.findall(r"USING (?:COVERING )?INDEX (\w+)", plan))
    nodes = _pg_nodes(json.loads(plan)[0]["Plan"])
    return {n["Index Name"] for n in nodes if "Index Name" in n}


def _scans(store: SqlStore, plan: str) -> list[str]:
    """Whole-table reads in the plan."""
    if isinstance(store, SqliteStore):
        return [line for line in plan.splitlines() if re.match(r"SCAN \w+", line)]
    nodes = _pg_nodes(json.loads(plan)[0]["Plan"])
    return [f"Seq Scan on {n['Relation Name']}" for n in nodes if n["Node Type"] == "Seq Scan"]


def test_name_prefix_search_reads_the_two_key_indexes(
    loaded: tuple[SqlStore, str, list[Contact]],
) -> None:
    store, _, contacts = loaded
    assert [c.id for c in store.find_contacts(scope=EVERYTHING, name="żółw")] == [contacts[-1].id]

    for name, after_id in (("zolw", None), ("ŁU", None), ("zolw", contacts[10].id)):
        plan = _plan(store, EVERYTHING, name, after_id)
        assert set(KEY_INDEXES) <= _indexes_used(store, plan), plan
        assert _scans(store, plan) == [], plan


def test_an_agents_search_never_scans_the_contacts(
    loaded: tuple[SqlStore, str, list[Contact]],
) -> None:
    store, agent, contacts = loaded
    scope = ReadScope(agent)
    assert [c.id for c in store.find_contacts(scope=scope, name="zolw")] == [contacts[-1].id]

    for name, after_id in (("zolw", None), ("zolw", contacts[10].id), ("a", None)):
        plan = _plan(store, scope, name, after_id)
        assert _indexes_used(store, plan), plan
        assert _scans(store, plan) == [], plan


def test_q_words_read_the_two_key_indexes(
    loaded: tuple[SqlStore, str, list[Contact]],
) -> None:
    store, _, contacts = loaded
    found = store.find_contacts(scope=EVERYTHING, words=["zolw", "lu"])
    assert [c.id for c in found] == [contacts[-1].id]
    stmt = contacts_select(
        scope=EVERYTHING,
        email=None,
        phone=None,
        name=None,
        limit=21,
        after_id=None,
        words=["zolw", "lu"],
    )
    assert stmt is not None
    plan = store.explain(stmt)
    assert set(KEY_INDEXES) <= _indexes_used(store, plan), plan
    assert _scans(store, plan) == [], plan
