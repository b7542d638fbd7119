"""UCS contacts: create, read, replace, list and identify by email or phone."""

from __future__ import annotations

from openucs.domain.models import Contact
from openucs.errors import Conflict, InvalidInput, NotFound
from openucs.store.base import Store

MAX_CONTACT_PAGE = 1000


def create_contact(*, store: Store, contact: Contact) -> Contact:
    if store.get_contact(contact.id) is not None:
        raise Conflict(f"contact {contact.id!r} already exists")
    return store.save_contact(contact)


def put_contact(*, store: Store, contact: Contact) -> tuple[Contact, bool]:
    """Create or replace; returns the contact and whether it was created."""
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
        raise InvalidInput("maxSize", f"{limit} is out of range (1-{MAX_CONTACT_PAGE})")
    if phone is not None and not any(ch.isdigit() for ch in phone):
        raise InvalidInput("phone", f"{phone!r} has no digits")
    return store.find_contacts(
        email=email or None,
        phone=phone or None,
        name=name or None,
        limit=limit,
        after_id=after_id,
    )
