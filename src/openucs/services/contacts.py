"""UCS contacts: create, read, replace, list and identify by email or phone."""

from __future__ import annotations

from openucs.domain.models import Contact, User
from openucs.errors import Conflict, InvalidInput, NotFound, OutOfRange
from openucs.services.access import (
    Reader,
    require_contact_access,
    require_reader_of_everything,
)
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


def find_contacts(
    *,
    store: Store,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    limit: int = 100,
    after_id: str | None = None,
) -> list[Contact]:
    if not 1 <= limit <= MAX_CONTACT_PAGE:
        raise OutOfRange("maxSize", f"{limit} is out of range (1-{MAX_CONTACT_PAGE})")
    if phone is not None and not any(ch.isdigit() for ch in phone):
        raise InvalidInput("phone", f"{phone!r} has no digits")
    return store.find_contacts(
        email=email or None,
        phone=phone or None,
        name=name or None,
        limit=limit,
        after_id=after_id,
    )


def read_contact(*, store: Store, reader: Reader, contact_id: str) -> Contact:
    """One contact, for a supervisor or admin, or an agent who may read its history."""
    contact = get_contact(store=store, contact_id=contact_id)
    require_contact_access(store, reader.scope, contact_id)
    reader.record("contact.read", contact_id=contact_id)
    return contact


def find_contacts_page(
    *,
    store: Store,
    user: User,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    limit: int = 100,
    after_id: str | None = None,
) -> tuple[list[Contact], str | None]:
    """A page of `find_contacts` for a supervisor or admin, and the `after_id` of the next
    page (None on the last page)."""
    require_reader_of_everything(user, "finding contacts")
    found = find_contacts(
        store=store, email=email, phone=phone, name=name, limit=limit, after_id=after_id
    )
    if len(found) < limit:
        return found, None
    more = store.find_contacts(
        email=email or None, phone=phone or None, name=name or None, limit=1, after_id=found[-1].id
    )
    return found, found[-1].id if more else None
