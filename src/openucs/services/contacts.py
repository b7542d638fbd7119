"""UCS contacts: create, read, replace, find by email, phone or name prefix, merge and unmerge.

A merged contact (UCS MergeContacts, `store._merges`) answers as the contact it was merged
into (`Store.merged_into`): its history is that contact's, and a write naming it goes
to that contact (services.history, services.voice, services.records). Replacing a merged
contact is refused: unmerge it first.

A search takes the caller's `ReadScope` (a `Reader`'s scope) and the store applies it
in the one SELECT of the search: an agent finds the contacts they may read, whichever page
they are on.
"""

from __future__ import annotations

from openucs.domain.access import ReadScope
from openucs.domain.models import Contact, ContactMerge, User
from openucs.domain.search import words_of
from openucs.errors import Conflict, InvalidInput, NotFound, OutOfRange
from openucs.services.access import Reader, require_admin, require_contact_access
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
        merged = store.merged_into(contact.id) if existing is not None else None
        if merged is not None:
            raise Conflict(f"contact {contact.id!r} is merged into {merged!r}: unmerge it first")
        if existing is not None:
            contact.created_at = existing.created_at
        return store.save_contact(contact), existing is None


def get_contact(*, store: Store, contact_id: str) -> Contact:
    contact = store.get_contact(contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return contact


def read_contact(*, store: Store, reader: Reader, contact_id: str) -> Contact:
    """One contact, for a supervisor or admin, or an agent who may read its history (a merged
    contact's history is its target's)."""
    return read_contact_merged(store=store, reader=reader, contact_id=contact_id)[0]


def read_contact_merged(
    *, store: Store, reader: Reader, contact_id: str
) -> tuple[Contact, str | None]:
    """`read_contact` and the contact it was merged into (None when it was not)."""
    contact = get_contact(store=store, contact_id=contact_id)
    merged = store.merged_into(contact_id)
    require_contact_access(store, reader.scope, merged or contact_id)
    reader.record("contact.read", contact_id=contact_id)
    return contact, merged


def merge_contacts(*, store: Store, by: User | None, from_id: str, into_id: str) -> ContactMerge:
    """UCS MergeContacts: `from_id`'s interactions, emails, phones and attributes join
    `into_id`, and `from_id` answers as merged into it. `by`: an admin, or None for the
    command line (an operator with the database)."""
    if by is not None:
        require_admin(by)
    if not from_id:
        raise InvalidInput("from", "the contact to merge is required")
    merged_by = by.user_name if by is not None else "cli"
    return store.merge_contacts(from_id, into_id, merged_by=merged_by)


def unmerge_contact(*, store: Store, by: User | None, contact_id: str) -> ContactMerge:
    """UCS UnMergeContacts: `contact_id` gets back exactly what was its own (`by`: an admin,
    or None for the command line)."""
    if by is not None:
        require_admin(by)
    return store.unmerge_contact(contact_id)


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
