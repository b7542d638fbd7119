"""UCS contacts: create, read, replace, and find by email, phone or name prefix.

A search takes the caller's `ReadScope` (a `Reader`'s scope) and the store applies it
in the one SELECT of the search: an agent finds the contacts they may read, whichever page
they are on.
"""

from __future__ import annotations

from openucs.domain.access import ReadScope
from openucs.domain.models import Contact
from openucs.domain.search import words_of
from openucs.errors import Conflict, InvalidInput, NotFound, OutOfRange
from openucs.services.access import Reader, require_contact_access
from openucs.store.base import Store

MAX_CONTACT_PAGE = 1000


def create_contact(*, store: Store, contact: Contact) -> Contact:
    """Create one contact; Conflict when the id is taken, also by a concurrent create."""
    with store.atomic():
        if store.get_contact(contact.id) is not None:
            raise Conflict(f"contact {contact.id!r} already exists")
        return store.save_contact(contact, replace=False)


def put_contact(*, store: Store, contact: Contact) -> tuple[Contact, bool]:
    """Create or replace in one transaction; returns the contact and whether it was created."""
    with store.atomic():
        store.lock(f"contact:{contact.id}")
        existing = store.get_contact(contact.id)
        if existing is not None:
            contact.created_at = existing.created_at
        return store.save_contact(contact), existing is None


def get_contact(*, store: Store, contact_id: str) -> Contact:
    contact = store.get_contact(contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return contact


def read_contact(*, store: Store, reader: Reader, contact_id: str) -> Contact:
    """One contact, for a supervisor or admin, or an agent who may read its history."""
    contact = get_contact(store=store, contact_id=contact_id)
    require_contact_access(store, reader.scope, contact_id)
    reader.record("contact.read", contact_id=contact_id)
    return contact


def find_contacts_page(
    *,
    store: Store,
    scope: ReadScope,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    limit: int = 100,
    after_id: str | None = None,
    q: str | None = None,
) -> tuple[list[Contact], str | None]:
    """A page of the contacts `scope` may read that match, in id order, and the `after_id` of
    the next page (None on the last page): one SELECT of one row more than the page. `q` is
    words each of which begins the first or the last name ("ann smi")."""
    if not 1 <= limit <= MAX_CONTACT_PAGE:
        raise OutOfRange("maxSize", f"{limit} is out of range (1-{MAX_CONTACT_PAGE})")
    if phone is not None and not any(ch.isdigit() for ch in phone):
        raise InvalidInput("phone", f"{phone!r} has no digits")
    words = words_of(q) if q is not None and q.strip() else []
    if q is not None and q.strip() and not words:
        raise InvalidInput("q", f"{q!r} has no letters or digits to search for")
    found = store.find_contacts(
        words=words,
        scope=scope,
        email=email or None,
        phone=phone or None,
        name=name or None,
        limit=limit + 1,
        after_id=after_id,
    )
    if len(found) <= limit:
        return found, None
    return found[:limit], found[limit - 1].id
