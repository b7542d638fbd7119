"""A contact's timeline: main and archive merged newest first, paged with one cursor per tier,
and the API's access rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openucs.domain.enums import Role, Source
from openucs.domain.models import Contact, Interaction, OwnerInfo, User
from openucs.domain.query import Cursor
from openucs.errors import NotFound, PermissionDenied
from openucs.services.timeline import contact_timeline
from openucs.store import Store
from tests.factories import BASE_TIME, make_contact, make_interaction, make_owner, make_user
from tests.readers import reader_of

# The history fixture: the contact, the owner of all its interactions, and the interactions.
History = tuple[Contact, OwnerInfo, list[Interaction]]


@pytest.fixture
def history(store: Store) -> History:
    """A contact with 7 main and 6 archive interactions, interleaved in time."""
    contact = store.save_contact(make_contact())
    owner = make_owner()
    items = [
        make_interaction(
            start_date=BASE_TIME + timedelta(hours=n),
            contact_id=contact.id,
            owner=owner,
            owner_id=owner.id,
            source=Source.ARCHIVE if n % 2 else Source.MAIN,
        )
        for n in range(13)
    ]
    store.save_interactions(items)
    return contact, owner, items


def walk(store: Store, user: User, contact_id: str, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    resume: dict[Source, Cursor | None] | None = None
    while True:
        timeline = contact_timeline(
            store=store, reader=reader_of(user), contact_id=contact_id, limit=limit, resume=resume
        )
        pages.append([i.id for i in timeline.items])
        if not timeline.has_more:
            return pages
        resume = timeline.resume
        assert len(pages) < 20


@pytest.mark.parametrize("limit", [1, 2, 4, 5, 13, 50])
def test_pages_merge_both_tiers_newest_first_without_repeats(
    store: Store, history: History, limit: int
) -> None:
    contact, _, items = history
    reader = store.save_user(make_user(roles=frozenset({Role.SUPERVISOR})))
    pages = walk(store, reader, contact.id, limit)
    expected = [i.id for i in sorted(items, key=lambda i: i.start_date, reverse=True)]
    assert [i for page in pages for i in page] == expected
    assert all(len(page) == limit for page in pages[:-1])


def test_an_agent_reads_the_timeline_of_a_contact_they_handled_only(
    store: Store, history: History
) -> None:
    contact, owner, items = history
    handler = store.get_user(owner.id)
    assert handler is not None
    assert len(walk(store, handler, contact.id, 50)[0]) == len(items)
    stranger = store.save_user(make_user())
    with pytest.raises(PermissionDenied):
        contact_timeline(store=store, reader=reader_of(stranger), contact_id=contact.id, limit=5)
    with pytest.raises(NotFound):
        contact_timeline(store=store, reader=reader_of(handler), contact_id="NOPE", limit=5)
