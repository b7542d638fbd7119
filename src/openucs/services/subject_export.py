"""Subject access export: everything held about one contact (the contact, its interactions in
both tiers with their content and attributes), for an admin answering a data subject's request.

`export_subject` checks and audits at once, before anything is sent, and returns a
`SubjectExport` whose interactions are read lazily, a chunk of rows at a time
(`Store.iter_history`): constant memory, whatever the contact's history. The record of the
export goes to the read audit directly (not through the queued trail, nor subject to
`audit_reads`): who exported whom is always kept. The document itself is encoded by
`openucs.gws.subject`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openucs.domain.enums import SortOrder, Source
from openucs.domain.models import Contact, Interaction, ReadRecord
from openucs.domain.query import HistoryQuery
from openucs.errors import NotFound
from openucs.services.access import Reader, require_admin
from openucs.services.audit import record_command
from openucs.store.base import Store

ACTION = "contact.export"
TIERS = (Source.MAIN, Source.ARCHIVE)


@dataclass(frozen=True, slots=True)
class SubjectExport:
    contact: Contact
    store: Store

    def interactions(self, source: Source) -> Iterator[Interaction]:
        """The contact's interactions of one tier, oldest first, with every custom attribute,
        the user data and the content (transcript, email)."""
        query = HistoryQuery(
            contact_id=self.contact.id,
            source=source,
            sort=SortOrder.ASC,
            return_attributes=None,
        )
        return self.store.iter_history(query)

    def tiers(self) -> list[tuple[Source, Iterator[Interaction]]]:
        """Each tier and its interactions, read when iterated."""
        return [(source, self.interactions(source)) for source in TIERS]


def export_subject(*, store: Store, reader: Reader, contact_id: str) -> SubjectExport:
    """An admin's export of the contact `contact_id` (NotFound when there is none)."""
    require_admin(reader.user)
    contact = _contact(store, contact_id)
    record = ReadRecord.now(
        user_id=reader.user.id,
        user_name=reader.user.user_name,
        action=ACTION,
        via=reader.via,
        client=reader.client,
        contact_id=contact.id,
    )
    store.append_reads([record])
    return SubjectExport(contact, store)


def export_subject_by_command(*, store: Store, contact_id: str) -> SubjectExport:
    """The command line's export (`openucs subject-export`): who ran it is the operating
    system's user (`audit.record_command`)."""
    contact = _contact(store, contact_id)
    record_command(store, ACTION, contact_id=contact.id)
    return SubjectExport(contact, store)


def _contact(store: Store, contact_id: str) -> Contact:
    contact = store.get_contact(contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    return contact
