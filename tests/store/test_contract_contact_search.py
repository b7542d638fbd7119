"""The Store contract for the contact search: name keys written by every contact write,
names matched without case or diacritics, and the read scope applied in the search."""

from __future__ import annotations

from openucs.domain.access import EVERYTHING, AgentAccess, ReadScope
from openucs.store import Store
from tests.factories import make_contact, make_interaction, make_owner


def _ids(store: Store, name: str, scope: ReadScope = EVERYTHING) -> list[str]:
    return [c.id for c in store.find_contacts(scope=scope, name=name)]


def test_every_contact_write_stores_the_name_keys(store: Store) -> None:
    created = store.save_contact(make_contact(id="C1", last_name="Über"), replace=False)
    put = store.save_contact(make_contact(id="C2", last_name="Überall"))
    store.save_contacts([make_contact(id="C3", first_name="Ülla", last_name="Öst")])
    identified, made = store.identify_contact(
        email=None,
        phone="+49 30 0000",
        last_name=None,
        create=make_contact(id="C4", last_name="Üz"),
    )

    assert made and identified is not None
    assert (created.id, put.id) == ("C1", "C2")
    assert _ids(store, "ub") == ["C1", "C2"]
    assert _ids(store, "UL") == ["C3"]
    assert _ids(store, "uz") == ["C4"]


def test_a_rename_replaces_the_keys(store: Store) -> None:
    store.save_contact(make_contact(id="C1", first_name="Łucja", last_name="Żółw"))
    store.save_contact(make_contact(id="C1", first_name="Anna", last_name=None))

    assert _ids(store, "zolw") == []
    assert _ids(store, "lucja") == []
    assert _ids(store, "ANNA") == ["C1"]


def test_names_that_fold_long_or_to_nothing(store: Store) -> None:
    long_name = "\ufdfa" * 20  # each folds to 18 characters: the key is cut at 256
    store.save_contacts([make_contact(id="C1", first_name=long_name), make_contact(id="C2")])

    assert _ids(store, long_name) == ["C1"]
    assert _ids(store, long_name[:3]) == ["C1"]
    assert _ids(store, "\u0301") == []  # a lone combining mark folds to nothing
    assert _ids(store, "  ") == ["C1", "C2"]  # no name: no name criterion


def test_the_read_scope_is_applied_in_the_search(store: Store) -> None:
    contacts = [make_contact(id=f"C{n}", last_name="Smith") for n in range(1, 6)]
    store.save_contacts(contacts)
    agent, other = make_owner(), make_owner()
    store.save_interactions(
        [
            make_interaction(contact_id="C2", owner_id=agent.id, owner=agent),
            make_interaction(contact_id="C4", owner_id=agent.id, owner=agent),
            make_interaction(contact_id="C4", owner_id=other.id, owner=other),
            make_interaction(contact_id=None, owner_id=agent.id, owner=agent),
        ]
    )

    for access in (AgentAccess.OWN, AgentAccess.HANDLED):
        scope = ReadScope(agent.id, access)
        assert _ids(store, "smith", scope) == ["C2", "C4"]
        assert [c.id for c in store.find_contacts(scope=scope, limit=1, after_id="C2")] == ["C4"]
        assert [c.id for c in store.find_contacts(scope=scope)] == ["C2", "C4"]
    assert _ids(store, "smith", ReadScope(agent.id, AgentAccess.ALL)) == [c.id for c in contacts]
    assert _ids(store, "smith", ReadScope("0" * 32)) == []
