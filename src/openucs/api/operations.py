"""The nine asynchronous UCS operations (spec 3.0): from a POSTed body to an `Operation`, the
work that runs after the HTTP reply and yields the notification payload.

`plan()` does everything that needs no database, synchronously, so its errors reach the
caller in the HTTP reply: statusCode 1 (missing operationName or a required parameter), 2 (an
operation unknown on this resource, disabled by the feature settings, or a bad value), 10 (a
value out of range), 5 (an agent asking for another agent's history). What needs the
database (unknown ids, access to a contact, the writes) runs in `Operation.work` and fails
as an `errorMessage` notification. History reads use the same query code as the GET routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openucs.config import Settings
from openucs.domain.enums import InteractionType, State
from openucs.domain.models import User
from openucs.errors import InvalidInput, MissingParameter
from openucs.events.channels import UCS_INTERACTIONS
from openucs.gws import operations as w
from openucs.gws.params import build_history_query
from openucs.services import history, voice
from openucs.services.access import Reader, owner_filter_for
from openucs.store.base import Store

# Resources (URLs) and the operations each accepts (spec 3.0).
INTERACTIONS = "interactions"  # POST /api/v2/ucs/interactions
CONTACT_INTERACTIONS = "contact-interactions"  # POST /api/v2/ucs/contacts/{id}/interactions
INTERACTION = "interaction"  # POST /api/v2/ucs/interactions/{id}
UCS_CONTACTS = "ucs-contacts"  # POST /api/v2/contacts/ucs

HISTORY_FEATURES = frozenset(
    {
        "api-multimedia-chat",
        "api-multimedia-email",
        "api-multimedia-facebook",
        "api-multimedia-twitter",
        "api-ucs-voice",
    }
)
CALL_FEATURES = frozenset({"api-voice", "api-ucs-voice"})
CONTENT_FEATURES = frozenset({"api-multimedia"})
IDENTIFY_FEATURES = frozenset(
    {"api-ucs-voice", "api-multimedia", *(f for f in HISTORY_FEATURES if "multimedia" in f)}
)

# operationName -> (resource, features of which one must be enabled)
OPERATIONS: dict[str, tuple[str, frozenset[str]]] = {
    "RetrieveInteractionHistory": (INTERACTIONS, HISTORY_FEATURES),
    "RetrieveAgentHistory": (INTERACTIONS, HISTORY_FEATURES),
    "FindPhoneCall": (INTERACTIONS, frozenset({"api-ucs-voice"})),
    "RetrieveContactHistory": (CONTACT_INTERACTIONS, HISTORY_FEATURES),
    "GetInteractionContent": (INTERACTION, CONTENT_FEATURES),
    "SetCallContact": (INTERACTION, CALL_FEATURES),
    "SetCallNote": (INTERACTION, CALL_FEATURES),
    "SetCallCompleted": (INTERACTION, CALL_FEATURES),
    "IdentifyUCSContact": (UCS_CONTACTS, IDENTIFY_FEATURES),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """Accepted work: `work()` runs in a worker thread and returns the success payload;
    a failure becomes `failure_payload(message_type, reason)`. Both go to `topic`."""

    name: str
    message_type: str | None
    work: Callable[[], dict[str, Any]]
    topic: str = UCS_INTERACTIONS


@dataclass(frozen=True, slots=True)
class Caller:
    store: Store
    settings: Settings
    reader: Reader
    now: datetime

    @property
    def user(self) -> User:
        return self.reader.user


def plan(resource: str, body: dict[str, Any], *, caller: Caller, target: str | None) -> Operation:
    """Validate an operation request; raises OpenUcsError for a synchronous error reply."""
    name = w.operation_name(body)
    known = OPERATIONS.get(name)
    if known is None or known[0] != resource:
        raise InvalidInput("operationName", f"{name!r} is not a valid operation here")
    if not known[1] & caller.settings.features:
        raise InvalidInput("operationName", f"{name!r} is not a valid operation (feature disabled)")
    return _PLANNERS[name](body, caller, target or "")


Planner = Callable[[dict[str, Any], Caller, str], Operation]


def _history(agent: bool, contact: bool) -> Planner:
    def planner(body: dict[str, Any], caller: Caller, target: str) -> Operation:
        wire = w.convert(body, w.HistoryOpWire)
        params = w.history_params(wire)
        if agent and not params.userId:
            params.userId = caller.user.id
        if contact:
            params.contactId = target
        query = build_history_query(params, settings=caller.settings, now=caller.now)
        owner_filter_for(caller.reader.scope, query.owner_id)  # another agent's: 5, now
        store, reader, settings = caller.store, caller.reader, caller.settings

        def work() -> dict[str, Any]:
            if contact:
                page = history.contact_history(
                    store=store, reader=reader, contact_id=target, query=query
                )
            else:
                page = history.interaction_history(store=store, reader=reader, query=query)
            return w.history_payload(page.items, base_url=settings.api_base_url, zone=settings.zone)

        return Operation(str(body["operationName"]), w.HISTORY_MESSAGE, work)

    return planner


def _content(body: dict[str, Any], caller: Caller, target: str) -> Operation:
    wire = w.convert(body, w.ContentOpWire)
    source = w.source_of(wire.source)
    store, reader, settings = caller.store, caller.reader, caller.settings

    def work() -> dict[str, Any]:
        item = history.get_interaction(
            store=store, reader=reader, interaction_id=target, source=source
        )
        return w.content_payload(item, base_url=settings.api_base_url, zone=settings.zone)

    return Operation("GetInteractionContent", w.CONTENT_MESSAGE, work)


def _identify(body: dict[str, Any], caller: Caller, _: str) -> Operation:
    wire = w.convert(body, w.IdentifyOpWire)
    ident = voice.Identification.build(
        email=wire.emailAddress,
        phone=wire.phoneNumber,
        last_name=wire.lastName,
        create=w.flag("createContactEnabled", wire.createContactEnabled),
        user_data=wire.userData,
    )
    store = caller.store

    def work() -> dict[str, Any]:
        contact, _created = voice.identify_contact(store=store, ident=ident)
        return w.identify_payload(contact.id)

    return Operation("IdentifyUCSContact", None, work)


def _find_phone_call(body: dict[str, Any], caller: Caller, _: str) -> Operation:
    wire = w.convert(body, w.FindPhoneCallWire)
    call = voice.PhoneCall(
        call_id=w.require("callId", wire.callId),
        state=State.parse("status", w.require("status", wire.status)),
        phone_number=w.require("phoneNumber", wire.phoneNumber),
        type_id=InteractionType.parse("type", w.require("type", wire.type)),
        contact_id=wire.contactId or None,
        parent_id=wire.parentId or None,
        thread_id=wire.threadId or None,
        subject=wire.subject,
        user_data=wire.userData,
    )
    store, reader, now = caller.store, caller.reader, caller.now

    def work() -> dict[str, Any]:
        item, created = voice.find_phone_call(store=store, reader=reader, call=call, now=now)
        return w.created_payload(item.id, created)

    return Operation("FindPhoneCall", w.CREATE_RESPONSE, work)


def _set_call_contact(body: dict[str, Any], caller: Caller, target: str) -> Operation:
    wire = w.convert(body, w.SetCallContactWire)
    contact_id = w.contact_id_from_path(wire.contactPath, wire.contactId)
    store, user = caller.store, caller.user

    def work() -> dict[str, Any]:
        unchanged = voice.set_call_contact(
            store=store, user=user, interaction_id=target, contact_id=contact_id
        )
        return w.success_payload(unchanged)

    return Operation("SetCallContact", w.UCS_RESPONSE, work)


def _set_call_note(body: dict[str, Any], caller: Caller, target: str) -> Operation:
    wire = w.convert(body, w.SetCallNoteWire)
    if wire.note is None:
        raise MissingParameter("note")
    note, store, user = wire.note, caller.store, caller.user

    def work() -> dict[str, Any]:
        voice.set_call_note(store=store, user=user, interaction_id=target, note=note)
        return w.success_payload()

    return Operation("SetCallNote", w.UCS_RESPONSE, work)


def _set_call_completed(body: dict[str, Any], caller: Caller, target: str) -> Operation:
    wire = w.convert(body, w.SetCallCompletedWire)
    duration = w.seconds("callDuration", wire.callDuration)
    store, user, now = caller.store, caller.user, caller.now

    def work() -> dict[str, Any]:
        voice.set_call_completed(
            store=store,
            user=user,
            interaction_id=target,
            call_duration=duration,
            user_data=wire.userData,
            now=now,
        )
        return w.success_payload()

    return Operation("SetCallCompleted", w.UCS_RESPONSE, work)


_PLANNERS: dict[str, Planner] = {
    "RetrieveInteractionHistory": _history(agent=False, contact=False),
    "RetrieveAgentHistory": _history(agent=True, contact=False),
    "RetrieveContactHistory": _history(agent=False, contact=True),
    "GetInteractionContent": _content,
    "IdentifyUCSContact": _identify,
    "FindPhoneCall": _find_phone_call,
    "SetCallContact": _set_call_contact,
    "SetCallNote": _set_call_note,
    "SetCallCompleted": _set_call_completed,
}
