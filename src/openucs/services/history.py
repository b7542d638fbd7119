"""Reading history: one page of a window, one contact's history, one interaction. Each read
carries the reader's scope into the SQL and leaves a record in the read audit."""

from __future__ import annotations

from dataclasses import replace

from openucs.domain.enums import Source
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery, Page
from openucs.errors import NotFound
from openucs.services.access import (
    Reader,
    owner_filter_for,
    require_contact_access,
    require_interaction_access,
)
from openucs.store.base import Store


def interaction_history(*, store: Store, reader: Reader, query: HistoryQuery) -> Page[Interaction]:
    """RetrieveInteractionHistory / RetrieveAgentHistory: an agent lists only their own rows.

    Rows reference their owner (a foreign key), so a non-empty page proves the owner exists;
    only an empty page looks further, to answer 404 for an unknown user."""
    scope = reader.scope
    owner = owner_filter_for(scope, query.owner_id)
    page = store.history(replace(query, owner_id=owner, scope=scope))
    if not page.items and owner and owner != reader.user.id and store.get_user(owner) is None:
        raise NotFound("user", owner)
    reader.record("interactions.list", interaction_ids=_ids(page))
    return page


def contact_history(
    *, store: Store, reader: Reader, contact_id: str, query: HistoryQuery
) -> Page[Interaction]:
    """RetrieveContactHistory: the history of a contact, as far as the reader may see it.

    A merged contact answers with the history of the contact it was merged into (one primary
    key read more). Hot path: one SELECT with the scope in it. Rows reference their contact
    (a foreign key), so a non-empty page proves the contact exists and is readable; only an
    empty page looks
    further, to answer 404 (no such contact) before 403 (not readable)."""
    scope = reader.scope
    if query.owner_id:
        owner_filter_for(scope, query.owner_id)
    contact_id = store.merged_into(contact_id) or contact_id  # a merged contact's is its target's
    page = store.history(replace(query, contact_id=contact_id, scope=scope))
    if not page.items:
        _require_contact(store, contact_id)
        require_contact_access(store, scope, contact_id)
    reader.record("contact.history", contact_id=contact_id, interaction_ids=_ids(page))
    return page


def _require_contact(store: Store, contact_id: str) -> None:
    if not store.existing_contact_ids([contact_id]):
        raise NotFound("contact", contact_id)


def get_interaction(
    *,
    store: Store,
    reader: Reader,
    interaction_id: str,
    with_content: bool = True,
    source: Source | None = None,
) -> Interaction:
    """GetInteractionContent: every field, the transcript or the email. With `source`, an
    interaction kept in the other tier is not found."""
    item = store.get_interaction(interaction_id, with_content=with_content)
    if item is None or (source is not None and item.source is not source):
        raise NotFound("interaction", interaction_id)
    require_interaction_access(store, reader.scope, item)
    reader.record("interaction.read", interaction_ids=(item.id,), contact_id=item.contact_id)
    return item


def _ids(page: Page[Interaction]) -> tuple[str, ...]:
    return tuple(item.id for item in page.items)
