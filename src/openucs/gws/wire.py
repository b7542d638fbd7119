"""Wire shapes: msgspec Structs for the GWS resources and our extensions. The GWS field names
live only here. The same shapes serve HTTP (api/) and NDJSON files (cli import/export), so an
export re-imports unchanged.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Annotated, Any

import msgspec

from openucs.domain.enums import InteractionType, MediaType, Source, State
from openucs.domain.formats import format_gws, parse_instant, to_millis
from openucs.domain.ids import is_valid_ucs_id, new_ucs_id
from openucs.domain.models import (
    ChatMessage,
    Contact,
    ContactMerge,
    ContactPoint,
    EmailAttachment,
    EmailContent,
    Interaction,
    InteractionPatch,
    OwnerInfo,
    User,
)
from openucs.errors import InvalidInput, MissingParameter
from openucs.gws import limits

MAX_ATTRIBUTE_VALUE = 1024
MAX_ATTRIBUTE_NAME = 128


class _Wire(msgspec.Struct, omit_defaults=True):
    pass


# Strings of at most so many characters: what every engine stores in that column.
UcsId = Annotated[str, msgspec.Meta(max_length=64)]
UserId = Annotated[str, msgspec.Meta(max_length=32)]
UserName = Annotated[str, msgspec.Meta(max_length=128)]
Name = Annotated[str, msgspec.Meta(max_length=256)]
TitleText = Annotated[str, msgspec.Meta(max_length=64)]
Phone = Annotated[str, msgspec.Meta(max_length=64)]
ExternalId = Annotated[str, msgspec.Meta(max_length=256)]
PointValue = Annotated[str, msgspec.Meta(max_length=320)]


class OwnerWire(_Wire):
    id: UserId | None = None
    userName: UserName | None = None
    firstName: Name | None = None
    lastName: Name | None = None


class ParticipantWire(_Wire):
    nickname: str | None = None
    type: str | None = None
    participantId: str | None = None


class MessageWire(_Wire, forbid_unknown_fields=True):
    index: int
    type: str
    timestamp: str
    # `from` is a Python keyword: the attribute is `from_`, the wire name `from`.
    from_: ParticipantWire | None = msgspec.field(default=None, name="from")
    visibility: str = "All"
    timestampSeconds: int | None = None
    text: str | None = None
    url: str | None = None


class AttachmentWire(_Wire, forbid_unknown_fields=True):
    id: str
    name: str
    size: int | None = None
    mime: str | None = None


class EmailWire(_Wire, forbid_unknown_fields=True):
    from_: str | None = msgspec.field(default=None, name="from")
    to: list[str] = []
    cc: list[str] = []
    bcc: list[str] = []
    subject: str | None = None
    bodyAsPlainText: str | None = None
    body: str | None = None
    mime: str | None = None
    attachments: list[AttachmentWire] = []


class InteractionWire(_Wire, forbid_unknown_fields=True):
    """The interaction history resource (spec 2.1), plus `externalId`, `messages` and `email`
    in full exports and on input. Every field is optional on the wire."""

    uri: str | None = None
    id: str | None = None
    path: str | None = None
    mediaType: str | None = None
    typeId: str | None = None
    state: str | None = None
    startDate: str | None = None
    endDate: str | None = None
    subject: str | None = None
    contactId: UcsId | None = None
    ownerInformation: OwnerWire | None = None
    parentId: UcsId | None = None
    threadId: UcsId | None = None
    comment: str | None = None
    customAttributes: dict[str, str] | None = None
    phoneNumber: Phone | None = None
    callDuration: int | None = None
    userData: dict[str, Any] | None = None
    externalId: ExternalId | None = None
    messages: list[MessageWire] | None = None
    email: EmailWire | None = None


class InteractionPatchWire(_Wire, forbid_unknown_fields=True):
    """A partial update: only the fields present change; an explicit null clears one."""

    state: str | msgspec.UnsetType | None = msgspec.UNSET
    endDate: str | msgspec.UnsetType | None = msgspec.UNSET
    comment: str | msgspec.UnsetType | None = msgspec.UNSET
    subject: str | msgspec.UnsetType | None = msgspec.UNSET
    customAttributes: dict[str, str] | msgspec.UnsetType | None = msgspec.UNSET
    userData: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET
    contactId: UcsId | msgspec.UnsetType | None = msgspec.UNSET
    callDuration: int | msgspec.UnsetType | None = msgspec.UNSET


class ContactPointWire(_Wire, forbid_unknown_fields=True):
    value: PointValue
    primary: bool = False
    description: Name | None = None


class ContactWire(_Wire, forbid_unknown_fields=True):
    """A UCS contact (extension; attribute names as UCS spells them, spec 2.4)."""

    id: str | None = None
    uri: str | None = None
    path: str | None = None
    Title: TitleText | None = None
    FirstName: Name | None = None
    LastName: Name | None = None
    EmailAddress: list[ContactPointWire] = []
    PhoneNumber: list[ContactPointWire] = []
    customAttributes: dict[str, str] = {}
    # Read-only: the contact this one was merged into (the end of the chain), when it was.
    mergedInto: UcsId | None = None


class ContactMergeWire(_Wire, forbid_unknown_fields=True):
    """A contact merge (extension, UCS MergeContacts): `from` merged into `into`. The body of
    `POST /openucs/v1/contacts/{into}/merge` is `{"from": "<id>"}`."""

    from_: UcsId = msgspec.field(name="from")
    into: UcsId | None = None
    mergedAt: str | None = None
    mergedBy: str | None = None
    interactionIds: list[str] = []


class UserWire(_Wire):
    """The GWS user resource of `GET /api/v2/me` (spec 1.2)."""

    id: str
    userName: str
    roles: list[str]
    enabled: bool
    changePasswordOnFirstLogin: bool
    uri: str
    path: str
    firstName: str | None = None
    lastName: str | None = None


class FeatureWire(_Wire):
    """A GWS feature (spec 1.4): `GET /api/v2/features?fields=*` and `/features/{id}`."""

    id: str | None = None
    uri: str | None = None
    path: str | None = None


def feature_to_wire(
    name: str, *, base_url: str, fields: frozenset[str] | None = None
) -> FeatureWire:
    """The feature; `fields` keeps only those attributes (GWS `fields=a,b`), None all."""
    path = f"/features/{name}"
    full = {"id": name, "uri": base_url + path, "path": path}
    return FeatureWire(**{k: v for k, v in full.items() if fields is None or k in fields})


# --- interactions: domain -> wire ----------------------------------------------------------


def interaction_to_wire(
    item: Interaction, *, base_url: str, zone: tzinfo, full: bool = False
) -> InteractionWire:
    """The GWS resource. `full` adds what a GWS answer does not carry (externalId, content) for
    exports; custom attributes are whatever the store loaded (it loads only the requested ones)."""
    path = f"/interactions/{item.id}"
    owner = item.owner
    end = item.end_date
    # Positional, in `InteractionWire`'s field order: msgspec matches keyword arguments to
    # fields one by one, which costs this hot path (100 per history page) four times as much.
    wire = InteractionWire(
        base_url + path,
        item.id,
        path,
        item.media_type,  # StrEnum members are str: no .value lookup per item
        item.type_id,
        item.state,
        format_gws(item.start_date, zone),
        format_gws(end, zone) if end else None,
        item.subject,
        item.contact_id,
        OwnerWire(owner.id, owner.user_name, owner.first_name, owner.last_name) if owner else None,
        item.parent_id,
        item.thread_id,
        item.comment,
        item.custom_attributes or None,
        item.phone_number,
        item.call_duration,
        item.user_data,
    )
    if full:
        wire.externalId = item.external_id
    if item.messages is not None:
        wire.messages = [message_to_wire(m, zone) for m in item.messages]
    if item.email is not None:
        wire.email = email_to_wire(item.email)
    return wire


def message_to_wire(message: ChatMessage, zone: tzinfo) -> MessageWire:
    has_from = message.nickname or message.participant_type or message.participant_id
    return MessageWire(
        index=message.index,
        type=message.type,
        timestamp=format_gws(message.timestamp, zone),
        from_=(
            ParticipantWire(message.nickname, message.participant_type, message.participant_id)
            if has_from
            else None
        ),
        visibility=message.visibility,
        timestampSeconds=to_millis(message.timestamp),
        text=message.text,
        url=message.url,
    )


def email_to_wire(email: EmailContent) -> EmailWire:
    return EmailWire(
        from_=email.from_address,
        to=list(email.to),
        cc=list(email.cc),
        bcc=list(email.bcc),
        subject=email.subject,
        bodyAsPlainText=email.body_as_plain_text,
        body=email.body,
        mime=email.mime,
        attachments=[AttachmentWire(a.id, a.name, a.size, a.mime) for a in email.attachments],
    )


# --- interactions: wire -> domain ----------------------------------------------------------


def interaction_from_wire(
    wire: InteractionWire,
    *,
    zone: tzinfo,
    interaction_id: str | None = None,
    source: Source = Source.MAIN,
) -> Interaction:
    """A domain interaction from its wire form; `interaction_id` (from a URL) wins over the
    body's id, and a missing id is generated. Raises InvalidInput naming the field."""
    iid = interaction_id or wire.id or new_ucs_id()
    if wire.id and interaction_id and wire.id != interaction_id:
        raise InvalidInput("id", f"{wire.id!r} does not match the id in the URL")
    if not is_valid_ucs_id(iid):
        raise InvalidInput("id", "must be 1-64 letters, digits or _ . : -")
    media = _required(wire.mediaType, "mediaType")
    start = _required(wire.startDate, "startDate")
    limits.call_duration("callDuration", wire.callDuration)
    if wire.userData is not None:
        limits.check_json("userData", wire.userData, depth=1)
    owner = _owner_from_wire(wire.ownerInformation)
    media_type = MediaType.parse("mediaType", media)
    if wire.messages is not None and not media_type.has_transcript:
        # No read would show them (GET answers a call without `messages`).
        raise InvalidInput("messages", f"a {media_type} interaction has no transcript")
    return Interaction(
        id=iid,
        media_type=media_type,
        type_id=InteractionType.parse("typeId", wire.typeId or "Unknown"),
        state=State.parse("state", wire.state or "New"),
        start_date=parse_instant("startDate", start, zone),
        end_date=parse_instant("endDate", wire.endDate, zone) if wire.endDate else None,
        subject=wire.subject,
        contact_id=wire.contactId,
        owner_id=owner.id if owner and owner.id else None,
        owner=owner,
        parent_id=wire.parentId,
        thread_id=wire.threadId,
        comment=wire.comment,
        custom_attributes=check_custom_attributes(wire.customAttributes or {}),
        phone_number=wire.phoneNumber,
        call_duration=wire.callDuration,
        user_data=wire.userData,
        external_id=wire.externalId,
        source=source,
        messages=(
            [message_from_wire(m, zone, n) for n, m in enumerate(wire.messages)]
            if wire.messages is not None
            else None
        ),
        email=email_from_wire(wire.email) if wire.email is not None else None,
    )


_PATCH_FIELDS = {
    "state": "state",
    "endDate": "end_date",
    "comment": "comment",
    "subject": "subject",
    "customAttributes": "custom_attributes",
    "userData": "user_data",
    "contactId": "contact_id",
    "callDuration": "call_duration",
}


def patch_from_wire(wire: InteractionPatchWire, *, zone: tzinfo) -> InteractionPatch:
    """The domain patch; `present` names the fields given, so that null clears."""
    given = {
        name: getattr(wire, wire_name)
        for wire_name, name in _PATCH_FIELDS.items()
        if getattr(wire, wire_name) is not msgspec.UNSET
    }
    if not given:
        allowed = ", ".join(_PATCH_FIELDS)
        raise InvalidInput("body", f"names no field to change (allowed: {allowed})")
    if "state" in given:
        if given["state"] is None:
            raise InvalidInput("state", "cannot be cleared")
        given["state"] = State.parse("state", given["state"])
    if given.get("end_date") is not None:
        given["end_date"] = parse_instant("endDate", given["end_date"], zone)
    if given.get("custom_attributes") is not None:
        check_custom_attributes(given["custom_attributes"])
    limits.call_duration("callDuration", given.get("call_duration"))
    if given.get("user_data") is not None:
        limits.check_json("userData", given["user_data"], depth=1)
    return InteractionPatch(**given, present=frozenset(given))


def _required(value: str | None, field: str) -> str:
    if value is None or not value.strip():
        raise MissingParameter(field)
    return value


def _owner_from_wire(wire: OwnerWire | None) -> OwnerInfo | None:
    """An owner by id, by userName or both; the service resolves a name-only owner."""
    if wire is None:
        return None
    if not wire.id and not wire.userName:
        raise InvalidInput("ownerInformation", "needs an id or a userName")
    return OwnerInfo(wire.id or "", wire.userName or "", wire.firstName, wire.lastName)


def check_custom_attributes(attrs: dict[str, str]) -> dict[str, str]:
    for name, value in attrs.items():
        if not name or len(name) > MAX_ATTRIBUTE_NAME:
            raise InvalidInput("customAttributes", f"name {name[:40]!r} must be 1-128 characters")
        if len(value) > MAX_ATTRIBUTE_VALUE:
            raise InvalidInput(f"customAttributes.{name}", "value is longer than 1024 characters")
    return attrs


def message_from_wire(wire: MessageWire, zone: tzinfo, position: int) -> ChatMessage:
    field = f"messages[{position}]"
    sender = wire.from_
    return ChatMessage(
        index=wire.index,
        type=wire.type,
        timestamp=parse_instant(f"{field}.timestamp", wire.timestamp, zone),
        visibility=wire.visibility,
        nickname=sender.nickname if sender else None,
        participant_type=sender.type if sender else None,
        participant_id=sender.participantId if sender else None,
        text=wire.text,
        url=wire.url,
    )


def email_from_wire(wire: EmailWire) -> EmailContent:
    return EmailContent(
        from_address=wire.from_,
        to=list(wire.to),
        cc=list(wire.cc),
        bcc=list(wire.bcc),
        subject=wire.subject,
        body_as_plain_text=wire.bodyAsPlainText,
        body=wire.body,
        mime=wire.mime,
        attachments=[EmailAttachment(a.id, a.name, a.size, a.mime) for a in wire.attachments],
    )


# --- NDJSON --------------------------------------------------------------------------------

_interaction_decoder = msgspec.json.Decoder(InteractionWire)
_encoder = msgspec.json.Encoder()


def decode_interaction(raw: bytes | str, field_prefix: str = "") -> InteractionWire:
    """One JSON object; a decoding error names the offending field."""
    try:
        decoded = _interaction_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        field, problem = describe_validation_error(exc)
        raise InvalidInput(_join(field_prefix, field) or "body", problem) from None
    except msgspec.DecodeError as exc:
        raise InvalidInput(field_prefix or "body", f"malformed JSON ({exc})") from None
    except RecursionError:
        raise limits.too_deep(field_prefix or "body") from None
    check_decoded(decoded, raw, field_prefix)
    return decoded


def check_decoded(decoded: msgspec.Struct, raw: bytes | str, field_prefix: str = "") -> None:
    """Refuses a NUL in any string of a decoded line (see `gws.limits`). The document is walked
    only when its text escapes one (JSON text cannot hold it otherwise): imports pay nothing."""
    text = raw if isinstance(raw, bytes) else raw.encode()
    if b"\\u0000" in text:
        limits.check_json(field_prefix, msgspec.to_builtins(decoded))


def encode_line(wire: msgspec.Struct) -> bytes:
    return _encoder.encode(wire) + b"\n"


def describe_validation_error(exc: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec says "Expected `int`, got `str` - at `$.callDuration`": the field
    (`callDuration`, empty for the document itself) and the problem."""
    problem, _, where = str(exc).rpartition(" - at `")
    if not problem:
        return "", str(exc)
    path = where.rstrip("`").removeprefix("$").removeprefix(".")
    return path, problem


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix and field else prefix or field


# --- contacts and users --------------------------------------------------------------------


def contact_to_wire(
    contact: Contact, *, base_url: str, merged_into: str | None = None
) -> ContactWire:
    path = f"/ucs/contacts/{contact.id}"
    return ContactWire(
        id=contact.id,
        uri=base_url + path,
        path=path,
        Title=contact.title,
        FirstName=contact.first_name,
        LastName=contact.last_name,
        EmailAddress=[ContactPointWire(p.value, p.primary, p.description) for p in contact.emails],
        PhoneNumber=[ContactPointWire(p.value, p.primary, p.description) for p in contact.phones],
        customAttributes=dict(contact.custom_attributes),
        mergedInto=merged_into,
    )


def contact_merge_to_wire(merge: ContactMerge) -> ContactMergeWire:
    return ContactMergeWire(
        from_=merge.from_id,
        into=merge.into_id,
        mergedAt=format_gws(merge.merged_at, UTC),
        mergedBy=merge.merged_by,
        interactionIds=list(merge.interaction_ids),
    )


def contact_from_wire(wire: ContactWire, *, contact_id: str | None = None) -> Contact:
    if wire.mergedInto is not None:
        raise InvalidInput("mergedInto", "is read-only: contacts merge through .../merge")
    cid = contact_id or wire.id or new_ucs_id()
    if not is_valid_ucs_id(cid):
        raise InvalidInput("id", "must be 1-64 letters, digits or _ . : -")
    return Contact(
        id=cid,
        first_name=wire.FirstName,
        last_name=wire.LastName,
        title=wire.Title,
        emails=_points("EmailAddress", wire.EmailAddress),
        phones=_points("PhoneNumber", wire.PhoneNumber),
        custom_attributes=check_custom_attributes(dict(wire.customAttributes)),
    )


def _points(field: str, values: list[ContactPointWire]) -> list[ContactPoint]:
    points = [ContactPoint(v.value.strip(), v.primary, v.description) for v in values]
    if any(not p.value for p in points):
        raise InvalidInput(field, "values must not be empty")
    if sum(p.primary for p in points) > 1:
        raise InvalidInput(field, "only one value may be primary")
    if points and not any(p.primary for p in points):
        points[0].primary = True
    return points


def user_to_wire(user: User, *, base_url: str) -> UserWire:
    path = f"/users/{user.id}"
    return UserWire(
        id=user.id,
        userName=user.user_name,
        firstName=user.first_name,
        lastName=user.last_name,
        roles=sorted(r.gws_name for r in user.roles),
        enabled=user.enabled,
        changePasswordOnFirstLogin=False,
        uri=base_url + path,
        path=path,
    )
