"""Genesys Cloud analytics conversation details: the `conversations` array of a details query
(`POST /api/v2/analytics/conversations/details/query`) or of a details job's results, a bare
JSON array of conversations, or one conversation a line. The mapping is documented field by
field in docs/importers.md. A conversation met twice (pages of a job overlap) is imported once,
as last seen, where first seen."""

from __future__ import annotations

from collections.abc import Iterator

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.imports import Identity, ImportRecord, stable_id
from openucs.domain.models import Interaction, OwnerInfo
from openucs.errors import InvalidInput
from openucs.importers._fields import Fields, json_records, split_name
from openucs.importers.options import ImportOptions

NAMESPACE = "genesys-cloud"

MEDIA = {
    "voice": MediaType.CALL,
    "callback": MediaType.CALL,
    "chat": MediaType.CHAT,
    "email": MediaType.EMAIL,
    "message": MediaType.SMSSESSION,
}
MESSAGE_TYPES = {
    "sms": MediaType.SMSSESSION,
    "facebook": MediaType.FACEBOOKSESSION,
    "twitter": MediaType.TWITTER,
}
DIRECTIONS = {"inbound": InteractionType.INBOUND, "outbound": InteractionType.OUTBOUND}
CUSTOMER_PURPOSES = ("customer", "external")


def parse(data: bytes, options: ImportOptions) -> Iterator[ImportRecord]:
    records: dict[str, ImportRecord] = {}
    for located in json_records(data, wrapper="conversations"):
        try:
            record = _record(Fields(located.value), options)
        except InvalidInput as exc:
            raise located.fail(exc) from None
        record.line, record.path = located.line, located.path
        records[record.interaction.external_id or ""] = record  # the first place, the last copy
    yield from records.values()


def _record(conversation: Fields, options: ImportOptions) -> ImportRecord:
    conversation_id = conversation.required_text("conversationId")
    start = conversation.instant("conversationStart", required=True)
    assert start is not None  # noqa: S101 - required
    end = conversation.instant("conversationEnd")
    if end is not None and end < start:
        raise InvalidInput("conversationEnd", "is before conversationStart")
    participants = conversation.children("participants")
    customer = _first(participants, CUSTOMER_PURPOSES)
    agent = _first(participants, ("agent",))
    session = _main_session(customer, agent, participants)
    media = _media(session)
    direction = conversation.text("originatingDirection") or (
        session.text("direction") if session else None
    )
    identity = _identity(customer, session, direction)
    attributes: dict[str, str] = {}
    for participant in participants:
        attributes.update(participant.attributes("attributes"))
    item = Interaction(
        id=stable_id(NAMESPACE, conversation_id),
        media_type=media,
        type_id=DIRECTIONS.get((direction or "").lower(), InteractionType.UNKNOWN),
        state=State.STOPPED if end else State.IN_PROCESS,
        start_date=start,
        end_date=end,
        owner=_owner(agent),
        custom_attributes=attributes,
        phone_number=identity.phone if identity and media is MediaType.CALL else None,
        external_id=conversation_id,
        source=options.source,
    )
    return ImportRecord(item, identity)


def _first(participants: list[Fields], purposes: tuple[str, ...]) -> Fields | None:
    for purpose in purposes:
        for participant in participants:
            if (participant.text("purpose") or "").lower() == purpose:
                return participant
    return None


def _main_session(
    customer: Fields | None, agent: Fields | None, participants: list[Fields]
) -> Fields | None:
    """The customer's first session, else the agent's, else anybody's."""
    ordered = [p for p in (customer, agent) if p is not None] + participants
    for participant in ordered:
        for session in participant.children("sessions"):
            if session.text("mediaType"):
                return session
    return None


def _media(session: Fields | None) -> MediaType:
    if session is None:
        raise InvalidInput("participants", "no session names a mediaType")
    kind = (session.text("mediaType") or "").lower()
    if kind == "message":
        return MESSAGE_TYPES.get((session.text("messageType") or "").lower(), MediaType.SMSSESSION)
    return MEDIA.get(kind, MediaType.OPENMEDIA)


def _identity(
    customer: Fields | None, session: Fields | None, direction: str | None
) -> Identity | None:
    """The customer's address in their session: the number that called or was called, the
    email or messaging address; their name when the participant has one."""
    if customer is None or session is None:
        return None
    first, last = split_name(customer.text("participantName"))
    outbound = (direction or "").lower() == "outbound"
    kind = (session.text("mediaType") or "").lower()
    if kind in ("voice", "callback"):
        number = session.text("dnis" if outbound else "ani", max_length=320)
        if kind == "callback" and not number:
            numbers = session.value.get("callbackNumbers")
            number = numbers[0] if isinstance(numbers, list) and numbers else None
        phone = _phone(number if isinstance(number, str) else None)
        return Identity(phone=phone, first_name=first, last_name=last) if phone else None
    address = session.text("addressTo" if outbound else "addressFrom", max_length=320)
    if address and "@" in address and kind == "email":
        return Identity(email=address, first_name=first, last_name=last)
    phone = _phone(address) if kind == "message" else None
    return Identity(phone=phone, first_name=first, last_name=last) if phone else None


def _phone(address: str | None) -> str | None:
    """`tel:+15550100` -> `+15550100`; a SIP address or a name is no phone number."""
    if not address:
        return None
    number = address.removeprefix("tel:")
    if number.startswith("sip:") or not any(ch.isdigit() for ch in number):
        return None
    allowed = all(ch.isdigit() or ch in "+-() ." for ch in number)
    return number[:64] if allowed else None


def _owner(agent: Fields | None) -> OwnerInfo | None:
    if agent is None:
        return None
    user_id = agent.text("userId", max_length=128)
    if not user_id:
        return None
    first, last = split_name(agent.text("participantName"))
    return OwnerInfo("", user_id, first, last)
