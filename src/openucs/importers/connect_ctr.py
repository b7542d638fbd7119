"""Amazon Connect contact trace records (CTR), as Kinesis, Firehose or S3 deliver them: one
JSON object a line (or back to back), or a JSON array. The mapping is documented field by field
in docs/importers.md.

Connect writes a record again each time a contact changes (after-contact work, a later
attribute update): of the records of one ContactId, the one with the latest
LastUpdateTimestamp is imported, wherever it is in the file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.imports import Identity, ImportRecord, stable_id
from openucs.domain.models import Interaction, OwnerInfo
from openucs.errors import InvalidInput
from openucs.importers._fields import Fields, json_records
from openucs.importers.options import ImportOptions

NAMESPACE = "connect-ctr"

CHANNELS = {
    "VOICE": MediaType.CALL,
    "CHAT": MediaType.CHAT,
    "TASK": MediaType.WORKITEM,
    "EMAIL": MediaType.EMAIL,
}
METHODS = {
    "INBOUND": InteractionType.INBOUND,
    "OUTBOUND": InteractionType.OUTBOUND,
    "TRANSFER": InteractionType.INBOUND,
    "QUEUE_TRANSFER": InteractionType.INBOUND,
    "CALLBACK": InteractionType.OUTBOUND,
    "DISCONNECT": InteractionType.INBOUND,
    "MONITOR": InteractionType.INTERNAL,
    "EXTERNAL_OUTBOUND": InteractionType.OUTBOUND,
    "WEBRTC_API": InteractionType.INBOUND,
    "AGENT_REPLY": InteractionType.OUTBOUND,
    "FLOW": InteractionType.OUTBOUND,
    "CAMPAIGN": InteractionType.OUTBOUND,
}
_EPOCH = datetime.min.replace(tzinfo=UTC)
MAX_SECONDS = 2**31 - 1


def parse(data: bytes, options: ImportOptions) -> Iterator[ImportRecord]:
    """The records of the file, one per ContactId (the latest), in the order of first sight."""
    latest: dict[str, tuple[datetime, ImportRecord]] = {}
    for located in json_records(data):
        try:
            record, updated = _record(Fields(located.value), options)
        except InvalidInput as exc:
            raise located.fail(exc) from None
        record.line, record.path = located.line, located.path
        key = record.interaction.external_id or ""
        if key not in latest or updated >= latest[key][0]:
            # Replacing keeps the first position: dicts keep insertion order.
            latest[key] = (updated, record)
    for _, record in latest.values():
        yield record


def _record(ctr: Fields, options: ImportOptions) -> tuple[ImportRecord, datetime]:
    contact_id = ctr.required_text("ContactId")
    media = _channel(ctr)
    start = ctr.instant("InitiationTimestamp", required=True)
    assert start is not None  # noqa: S101 - required
    end = ctr.instant("DisconnectTimestamp")
    if end is not None and end < start:
        raise InvalidInput("DisconnectTimestamp", "is before InitiationTimestamp")
    identity = _customer(ctr)
    first = ctr.text("InitialContactId") or ctr.text("PreviousContactId")
    item = Interaction(
        id=stable_id(NAMESPACE, contact_id),
        media_type=media,
        type_id=_direction(ctr.text("InitiationMethod"), media),
        state=State.STOPPED if end else State.IN_PROCESS,
        start_date=start,
        end_date=end,
        subject=ctr.text("Name", max_length=512),
        owner=_agent(ctr),
        thread_id=stable_id(NAMESPACE, first) if first else None,
        custom_attributes=ctr.attributes("Attributes"),
        phone_number=identity.phone if identity and media is MediaType.CALL else None,
        call_duration=_seconds(start, end) if media is MediaType.CALL else None,
        external_id=contact_id,
        source=options.source,
    )
    updated = ctr.instant("LastUpdateTimestamp") or _EPOCH
    return ImportRecord(item, identity), updated


def _channel(ctr: Fields) -> MediaType:
    channel = ctr.required_text("Channel")
    media = CHANNELS.get(channel.upper())
    if media is None:
        raise InvalidInput(
            "Channel", f"unknown value {channel!r} (allowed: VOICE, CHAT, TASK, EMAIL)"
        )
    return media


def _direction(method: str | None, media: MediaType) -> InteractionType:
    """API starts an outbound call (StartOutboundVoiceContact) but a customer's chat or task
    (StartChatContact, StartTaskContact); methods unknown here read as Unknown."""
    key = (method or "").upper()
    if key == "API":
        return InteractionType.OUTBOUND if media is MediaType.CALL else InteractionType.INBOUND
    return METHODS.get(key, InteractionType.UNKNOWN)


def _agent(ctr: Fields) -> OwnerInfo | None:
    agent = ctr.child("Agent")
    user_name = agent.text("Username", max_length=128) if agent else None
    return OwnerInfo("", user_name) if user_name else None


def _customer(ctr: Fields) -> Identity | None:
    """The customer's endpoint: a phone number or an email address (other types, such as a
    chat's, name nobody)."""
    endpoint = ctr.child("CustomerEndpoint")
    if endpoint is None:
        return None
    kind = (endpoint.text("Type") or "").upper()
    if kind == "TELEPHONE_NUMBER":
        phone = endpoint.text("Address", max_length=64)
        if phone and any(ch.isdigit() for ch in phone):
            return Identity(phone=phone)
    elif kind == "EMAIL_ADDRESS":
        email = endpoint.text("Address", max_length=320)
        if email and "@" in email:
            return Identity(email=email)
    return None


def _seconds(start: datetime, end: datetime | None) -> int | None:
    """The call's length, when it has ended (and fits the stored integer)."""
    if end is None:
        return None
    seconds = int((end - start).total_seconds())
    return seconds if seconds <= MAX_SECONDS else None
