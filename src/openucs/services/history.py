"""Reading history: one page of a window, one contact's history, one interaction."""

from __future__ import annotations

from dataclasses import replace

from openucs.domain.enums import Source
from openucs.domain.models import Interaction, User
from openucs.domain.query import HistoryQuery, Page
from openucs.errors import NotFound
from openucs.services.access import (
    owner_filter_for,
    require_contact_access,
    require_interaction_access,
)
from openucs.store.base import Store


def interaction_history(*, store: Store, user: User, query: HistoryQuery) -> Page[Interaction]:
    """RetrieveInteractionHistory / RetrieveAgentHistory: an agent sees only their own rows."""
    owner = owner_filter_for(user, query.owner_id)
    if owner and owner != user.id and store.get_user(owner) is None:
        raise NotFound("user", owner)
    return store.history(replace(query, owner_id=owner))


def contact_history(
    *, store: Store, user: User, contact_id: str, query: HistoryQuery
) -> Page[Interaction]:
    """RetrieveContactHistory: the whole history of a contact the user may see.

    Hot path: rows reference their contact (a foreign key), so a non-empty page or a handled
    contact proves the contact exists; its row is looked up only otherwise (404 before 403)."""
    if query.owner_id:
        owner_filter_for(user, query.owner_id)
    if not user.reads_everything and not store.owner_handled_contact(user.id, contact_id):
        _require_contact(store, contact_id)
        require_contact_access(store, user, contact_id)
    page = store.history(replace(query, contact_id=contact_id))
    if not page.items:
        _require_contact(store, contact_id)
    return page


def _require_contact(store: Store, contact_id: str) -> None:
    if not store.existing_contact_ids([contact_id]):
        raise NotFound("contact", contact_id)


def get_interaction(
    *,
    store: Store,
    user: User,
    interaction_id: str,
    with_content: bool = True,
    source: Source | None = None,
) -> Interaction:
    """GetInteractionContent: every field, the transcript or the email. With `source`, an
    interaction kept in the other tier is not found."""
    item = store.get_interaction(interaction_id, with_content=with_content)
    if item is None or (source is not None and item.source is not source):
        raise NotFound("interaction", interaction_id)
    require_interaction_access(store, user, item)
    return item
