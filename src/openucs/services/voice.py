"""The UCS Integration with Voice use cases (spec 3.5-3.9): identify a contact, find or create
the record of a call, link it to a contact, note it, complete it.

Each write is one store transaction: FindPhoneCall and IdentifyUCSContact look up and create
under a lock (no duplicate for two concurrent calls), SetCallContact re-links the whole thread
(spec 4.4) in one statement, SetCallCompleted merges user data inside its transaction.

Who may write: supervisors and admins any call; an agent the calls they own and calls that
have no owner yet, also in a thread-wide change (SetCallContact leaves the others' calls as
they are and says which). A parent given to FindPhoneCall must be readable by the caller.
Anybody may identify contacts (and create one, when asked to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openucs.domain import rules
from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.ids import is_valid_ucs_id, new_ucs_id
from openucs.domain.models import Contact, ContactPoint, Interaction, InteractionPatch, User
from openucs.domain.redaction import redact_interaction, redact_patch, redact_user_data
from openucs.errors import InvalidInput, MissingParameter, NotFound
from openucs.services import records
from openucs.services.access import Reader, require_interaction_access, require_interaction_writer
from openucs.store.base import Store

MAX_NOTE = 65_536


@dataclass(frozen=True, slots=True)
class PhoneCall:
    """FindPhoneCall's parameters, validated."""

    call_id: str
    state: State
    phone_number: str
    type_id: InteractionType
    contact_id: str | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    subject: str | None = None
    user_data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Identification:
    """IdentifyUCSContact's keys; `user_data` may carry EmailAddress, PhoneNumber, LastName,
    FirstName (the UCS identification keys) too."""

    email: str | None = None
    phone: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    create: bool = False
    user_data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        email: str | None,
        phone: str | None,
        last_name: str | None,
        create: bool,
        user_data: dict[str, Any] | None,
    ) -> Identification:
        data = user_data or {}

        def key(given: str | None, name: str) -> str | None:
            value = given if given and given.strip() else data.get(name)
            return value.strip() if isinstance(value, str) and value.strip() else None

        found = cls(
            email=key(email, "EmailAddress"),
            phone=key(phone, "PhoneNumber"),
            last_name=key(last_name, "LastName"),
            first_name=key(None, "FirstName"),
            create=create,
            user_data=data,
        )
        if not (found.email or found.phone or found.last_name):
            raise MissingParameter("emailAddress", "or phoneNumber or lastName is required")
        if found.phone and not any(ch.isdigit() for ch in found.phone):
            raise InvalidInput("phoneNumber", f"{found.phone!r} has no digits")
        return found

    def new_contact(self) -> Contact:
        return Contact(
            id=new_ucs_id(),
            first_name=self.first_name,
            last_name=self.last_name,
            emails=[ContactPoint(self.email, primary=True)] if self.email else [],
            phones=[ContactPoint(self.phone, primary=True)] if self.phone else [],
        )


def identify_contact(*, store: Store, ident: Identification) -> tuple[Contact, bool]:
    """The first contact matching email, then phone, then last name; created when none does
    and creation was asked for. NotFound otherwise."""
    candidate = ident.new_contact() if ident.create else None
    contact, created = store.identify_contact(
        email=ident.email, phone=ident.phone, last_name=ident.last_name, create=candidate
    )
    if contact is None:
        raise NotFound("contact", ident.email or ident.phone or ident.last_name or "")
    return contact, created


def find_phone_call(
    *, store: Store, reader: Reader, call: PhoneCall, now: datetime
) -> tuple[Interaction, bool]:
    """The call recorded under `call_id` (its UCS external id), or a new one owned by the
    caller, threaded by the UCS rule (spec 4.6). Returns it and whether it was created."""
    user = reader.user
    if call.parent_id:
        parent = store.get_interaction(call.parent_id, with_content=False)
        if parent is None:
            raise InvalidInput("parentId", f"interaction {call.parent_id!r} not found")
        require_interaction_access(store, reader.scope, parent)
    contact_id = call.contact_id and (store.merged_into(call.contact_id) or call.contact_id)
    candidate = Interaction(
        id=new_ucs_id(),
        media_type=MediaType.CALL,
        type_id=call.type_id,
        state=call.state,
        start_date=now,
        end_date=now if call.state is State.STOPPED else None,
        subject=call.subject,
        contact_id=contact_id,
        owner_id=user.id,
        owner=user.owner_info(),
        parent_id=call.parent_id,
        thread_id=call.thread_id,
        phone_number=call.phone_number,
        user_data=call.user_data,
        external_id=call.call_id,
    )
    rules.check_interaction(candidate)
    redact_interaction(candidate, store.redaction)
    if call.contact_id:
        records.check_contacts(store, {call.contact_id})
    # The one implementation of the UCS thread rule is the bulk writer's.
    records.apply_thread_rule(store, [candidate])
    return store.find_or_create_call(candidate)


def set_call_contact(
    *, store: Store, user: User, interaction_id: str, contact_id: str
) -> list[str]:
    """Link the call, and the interactions of its thread the caller may change, to the
    contact (spec 4.4). Returns the ids of the thread's interactions left unchanged because
    another agent owns them (always none for supervisors and admins)."""
    if not is_valid_ucs_id(contact_id):
        raise InvalidInput("contactPath", f"{contact_id!r} is not a contact id")
    _writable_call(store, user, interaction_id)
    if store.get_contact(contact_id) is None:
        raise NotFound("contact", contact_id)
    contact_id = store.merged_into(contact_id) or contact_id  # a merged contact's go to its target
    writer = None if user.reads_everything else user.id
    return store.assign_thread_contact(interaction_id, contact_id, writer_id=writer)


def set_call_note(*, store: Store, user: User, interaction_id: str, note: str) -> Interaction:
    """The call's comment; an empty note clears it."""
    if len(note) > MAX_NOTE:
        raise InvalidInput("note", f"is longer than {MAX_NOTE} characters")
    _writable_call(store, user, interaction_id)
    patch = InteractionPatch(comment=rules.comment_text(note), present=frozenset({"comment"}))
    return store.update_interaction(interaction_id, redact_patch(patch, store.redaction))


def set_call_completed(
    *,
    store: Store,
    user: User,
    interaction_id: str,
    call_duration: int | None,
    user_data: dict[str, Any] | None,
    now: datetime,
) -> Interaction:
    """State Stopped, endDate now (not before the call's start), the duration, and
    `user_data` merged into the stored user data (keys given win)."""
    with store.atomic():
        store.lock(f"interaction:{interaction_id}")  # the start read stays the start written
        item = _writable_call(store, user, interaction_id)
        rules.check_call_fields(item.media_type, phone_number=None, call_duration=call_duration)
        return store.complete_interaction(
            interaction_id,
            end_date=rules.completion_end(item.start_date, now),
            call_duration=call_duration,
            user_data=redact_user_data(user_data, store.redaction) or {},
        )


def _writable_call(store: Store, user: User, interaction_id: str) -> Interaction:
    item = store.get_interaction(interaction_id, with_content=False)
    if item is None:
        raise NotFound("interaction", interaction_id)
    require_interaction_writer(user, item)
    return item
