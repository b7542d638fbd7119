"""Store contract of the asynchronous UCS operations' writes, on every engine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from openucs.domain.enums import MediaType, State
from openucs.domain.models import Contact, ContactPoint, Interaction, Session
from openucs.errors import NotFound
from openucs.services import records
from openucs.store import Store, open_store
from tests.factories import make_contact, make_interaction, make_user

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def call(external_id: str, **overrides: Any) -> Interaction:
    return make_interaction(media_type=MediaType.CALL, external_id=external_id, **overrides)


def test_find_or_create_call_creates_once(store: Store) -> None:
    first, created = store.find_or_create_call(call("CALL-1", id="A1"))
    assert created and first.id == "A1" and first.external_id == "CALL-1"
    again, created = store.find_or_create_call(call("CALL-1", id="A2"))
    assert not created and again.id == "A1"
    assert store.get_interactions(["A2"]) == {}


def test_find_or_create_call_under_concurrency(database_url: str) -> None:
    """Eight threads on two stores (two pools, as two processes) race for one call id."""
    stores = [open_store(database_url), open_store(database_url)]
    results: list[tuple[str, bool]] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        barrier.wait()
        item, created = stores[n % 2].find_or_create_call(call("RACE", id=f"R{n}"))
        results.append((item.id, created))

    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for opened in stores:
            opened.close()
    assert len(results) == 8
    assert len({item_id for item_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_identify_contact_by_email_phone_or_last_name(store: Store) -> None:
    ann = store.save_contact(
        Contact(
            id="C1",
            last_name="Kim",
            emails=[ContactPoint("Ann@Example.com", primary=True)],
            phones=[ContactPoint("+1 (555) 000-1111", primary=True)],
        )
    )
    for key in ({"email": "ann@example.com"}, {"phone": "15550001111"}, {"last_name": "KIM"}):
        found, created = store.identify_contact(
            email=key.get("email"),
            phone=key.get("phone"),
            last_name=key.get("last_name"),
            create=None,
        )
        assert found is not None and found.id == ann.id and not created, key
    missing, created = store.identify_contact(
        email="nobody@example.com", phone=None, last_name=None, create=None
    )
    assert missing is None and not created
    made, created = store.identify_contact(
        email="new@example.com", phone=None, last_name=None, create=make_contact(id="C2")
    )
    assert created and made is not None and made.id == "C2"


def test_assign_thread_contact_links_the_thread_only(store: Store) -> None:
    contact = store.save_contact(make_contact())
    records.ingest(
        store=store,
        interactions=[
            make_interaction(id="T1"),
            make_interaction(id="T2", parent_id="T1"),
            make_interaction(id="T3", parent_id="T2"),
            make_interaction(id="U1"),
        ],
    )
    assert store.assign_thread_contact("T3", contact.id) == []
    found = store.get_interactions(["T1", "T2", "T3", "U1"])
    assert {k: v.contact_id for k, v in found.items()} == {
        "T1": contact.id,
        "T2": contact.id,
        "T3": contact.id,
        "U1": None,
    }
    with pytest.raises(NotFound):
        store.assign_thread_contact("T1", "NO-SUCH-CONTACT")
    with pytest.raises(NotFound):
        store.assign_thread_contact("NO-SUCH-CALL", contact.id)


def test_complete_interaction_merges_user_data(store: Store) -> None:
    records.ingest(
        store=store,
        interactions=[
            make_interaction(
                id="C", state=State.IN_PROCESS, user_data={"a": "1", "b": "old"}, call_duration=5
            )
        ],
    )
    done = store.complete_interaction("C", end_date=NOW, call_duration=None, user_data={"b": 2})
    assert done.state is State.STOPPED and done.end_date == NOW
    assert done.call_duration == 5
    assert done.user_data == {"a": "1", "b": 2}
    with pytest.raises(NotFound):
        store.complete_interaction("NOPE", end_date=NOW, call_duration=1, user_data={})


def test_reference_ids_count_per_session(store: Store) -> None:
    user = store.save_user(make_user())
    for token in ("s1", "s2"):
        store.create_session(Session(token, user.id, "csrf", NOW, NOW))
    assert [store.next_reference_id("s1") for _ in range(3)] == [1, 2, 3]
    assert store.next_reference_id("s2") == 1
    assert store.next_reference_id("missing") is None
