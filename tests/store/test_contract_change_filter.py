"""A search filter on the change log (`ChangeQuery.q`, a webhook's `q`), on every engine: the
store passes exactly the records of an interaction stored now that matches the search (both
tiers), as the reference evaluator `domain.search.matches` judges it; contact records and
deleted interactions never pass; `until` bounds the seqs read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from openucs.domain.changes import ChangeQuery, ChangeRecord, ChangeType
from openucs.domain.enums import MediaType, Source
from openucs.domain.models import Interaction, InteractionPatch
from openucs.domain.search import Node, Or, matches, parse_query, render
from openucs.services import contacts, records
from openucs.store import Store, open_store
from tests.conftest import ENGINES, _fresh
from tests.factories import make_contact, make_interaction
from tests.store.search_data import SearchData, change, generate
from tests.store.search_queries import ZONES, QueryStrategies

ALL = 100_000  # a limit above the number of records
QUERIES = QueryStrategies(generate())


def _seqs(found: list[ChangeRecord]) -> list[int]:
    return [r.seq for r in found]


def _filtered(store: Store, q: str, **fields: object) -> list[int]:
    node = parse_query(q, zone=ZONES[0])
    query = ChangeQuery(**{"after": 0, "limit": ALL, "q": node, **fields})  # type: ignore[arg-type]
    return _seqs(store.changes(query))


def test_a_filter_passes_the_records_of_matching_interactions_only(store: Store) -> None:
    contacts.create_contact(store=store, contact=make_contact(id="K1"))  # 1: a contact's
    email = make_interaction(id="E1", media_type=MediaType.EMAIL, subject="Refund please")
    records.create_interaction(store=store, interaction=email)  # 2
    call = make_interaction(id="C1", subject="refund")
    records.create_interaction(store=store, interaction=call)  # 3: not an email
    old = make_interaction(
        id="A1", media_type=MediaType.EMAIL, subject="refund", source=Source.ARCHIVE
    )
    store.save_interactions([old])  # 4: the archive tier
    gone = make_interaction(id="G1", media_type=MediaType.EMAIL, subject="refund")
    records.create_interaction(store=store, interaction=gone)  # 5: deleted below
    patch = InteractionPatch(comment="done")
    records.update_interaction(store=store, interaction_id="E1", patch=patch)  # 6
    records.delete_interaction(store=store, interaction_id="G1")  # 7
    records.update_interaction(  # 8: C1 no longer says refund: its records stop passing
        store=store, interaction_id="C1", patch=InteractionPatch(subject="billing")
    )

    assert _filtered(store, "mediaType:email refund") == [2, 4, 6]
    assert _filtered(store, "refund") == [2, 4, 6]  # C1's records judged as it is now
    assert _filtered(store, "billing") == [3, 8]
    assert _filtered(store, "NOT mediaType:email") == [3, 8]  # never the contact's, nor G1's
    assert _filtered(store, "refund", until=4) == [2, 4]
    assert _filtered(store, "refund", after=2, limit=1) == [4]
    assert _filtered(store, "refund", types=frozenset({ChangeType.INTERACTION_UPDATED})) == [6]
    nothing = store.changes(ChangeQuery(after=0, limit=ALL, q=Or(())))
    assert nothing == []
    everything = store.changes(ChangeQuery(after=0, limit=ALL, until=5))
    assert _seqs(everything) == [1, 2, 3, 4, 5]


class Loaded:
    """One engine's store holding the generated interactions (after their changes) and the
    change records those writes made. Not a dataclass: Hypothesis would print every row."""

    def __init__(self, engine: str, store: Store, data: SearchData) -> None:
        self.engine = engine
        self.store = store
        self.present = data.by_id
        self.records = store.changes(ChangeQuery(after=0, limit=ALL))

    def __repr__(self) -> str:
        return f"Loaded({self.engine!r}, {len(self.records)} records)"

    def expected(self, node: Node) -> list[int]:
        return [r.seq for r in self.records if self._passes(node, r.interaction_id)]

    def _passes(self, node: Node, interaction_id: str | None) -> bool:
        item: Interaction | None = self.present.get(interaction_id or "")
        if item is None:
            return False
        return matches(node, item, owner_name=item.owner.user_name if item.owner else None)


@pytest.fixture(scope="module", params=ENGINES)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Loaded]:
    engine: str = request.param
    data = generate()
    with _fresh(engine, Path(tmp_path_factory.mktemp(engine))) as url:
        store = open_store(url)
        try:
            store.upgrade()
            store.save_contacts(data.contacts)
            store.save_interactions(data.items)
            change(store, data)
            yield Loaded(engine, store, data)
        finally:
            store.close()


def test_the_generated_records_name_present_deleted_and_contact_changes(loaded: Loaded) -> None:
    """The log holds what the comparison below needs: records of interactions stored now
    (in both tiers), of deleted ones, and of contacts."""
    ids = [r.interaction_id for r in loaded.records]
    assert any(i is None for i in ids)
    assert any(i is not None and i not in loaded.present for i in ids)
    sources = {loaded.present[i].source for i in ids if i in loaded.present}
    assert sources == {Source.MAIN, Source.ARCHIVE}


SEEN: dict[str, int] = {"none": 0, "some": 0}


@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trees=st.lists(QUERIES.trees, min_size=3, max_size=6))
def test_the_store_filter_agrees_with_the_reference(loaded: Loaded, trees: list[Node]) -> None:
    for tree in trees:
        node = parse_query(render(tree), zone=ZONES[0])
        got = _seqs(loaded.store.changes(ChangeQuery(after=0, limit=ALL, q=node)))
        want = loaded.expected(node)
        assert got == want, f"{loaded.engine}: q={render(node)!r}"
        SEEN["some" if want else "none"] += 1


def test_the_generated_filters_passed_some_records(loaded: Loaded) -> None:
    """Runs after the test above (file order): the comparison passed records, not only none."""
    assert SEEN["some"] > 0
