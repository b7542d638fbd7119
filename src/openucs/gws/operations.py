"""Wire shapes of the asynchronous UCS operations (spec 3.1-3.9): the request bodies
(`{"operationName": ..., params at the top level}`) and the CometD notification payloads.

Requests tolerate unknown fields (real desktops send extra ones) but not wrong types. Payloads
are plain dicts in exactly the documented shapes; `referenceId` is added by the runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any, TypeVar

import msgspec

from openucs.domain.enums import Source
from openucs.domain.models import Interaction
from openucs.errors import InvalidInput, MissingParameter
from openucs.gws import limits
from openucs.gws.params import HistoryParams
from openucs.gws.wire import (
    ExternalId,
    Name,
    Phone,
    PointValue,
    UcsId,
    describe_validation_error,
    interaction_to_wire,
)

FAILED = "UCS request failed"
HISTORY_MESSAGE = "GetInteractionsHistoryMessage"
CONTENT_MESSAGE = "GetInteractionContentMessage"
CREATE_RESPONSE = "createInteractionResponse"
UCS_RESPONSE = "UcsOperationResponse"

Scalar = str | int | float | bool


class _Op(msgspec.Struct, kw_only=True):
    operationName: str | None = None


class HistoryOpWire(_Op):
    """RetrieveInteractionHistory, RetrieveAgentHistory, RetrieveContactHistory."""

    fromDate: str | None = None
    toDate: str | None = None
    mediaType: str | list[str] | None = None
    sort: str | None = None
    maxSize: int | str | None = None
    source: str | None = None
    customAttributes: list[str] | str | None = None
    searchCustomAttributes: dict[str, Scalar] | None = None
    userId: str | None = None


class ContentOpWire(_Op):
    source: str | None = None


class IdentifyOpWire(_Op):
    emailAddress: PointValue | None = None
    lastName: Name | None = None
    phoneNumber: PointValue | None = None
    mediaType: str | None = None
    createContactEnabled: bool | str | None = None
    userData: dict[str, Any] | None = None


class FindPhoneCallWire(_Op):
    callId: ExternalId | None = None
    status: str | None = None
    phoneNumber: Phone | None = None
    type: str | None = None
    contactId: UcsId | None = None
    parentId: UcsId | None = None
    threadId: UcsId | None = None
    subject: str | None = None
    userData: dict[str, Any] | None = None


class SetCallContactWire(_Op):
    contactPath: str | None = None
    contactId: str | None = None  # accepted too: a bare id instead of a path


class SetCallNoteWire(_Op):
    note: str | None = None


class SetCallCompletedWire(_Op):
    callDuration: int | str | None = None
    userData: dict[str, Any] | None = None


W = TypeVar("W", bound=_Op)


def operation_name(body: dict[str, Any]) -> str:
    """The `operationName` of a body; statusCode 1 when missing."""
    name = body.get("operationName")
    if name is None or (isinstance(name, str) and not name.strip()):
        raise MissingParameter("operationName")
    if not isinstance(name, str):
        raise InvalidInput("operationName", "must be a string")
    return name.strip()


def convert(body: dict[str, Any], kind: type[W]) -> W:
    """The typed body; a wrong type is statusCode 2 naming the field."""
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError as exc:
        field, problem = describe_validation_error(exc)
        raise InvalidInput(field or "body", problem) from None


def history_params(wire: HistoryOpWire) -> HistoryParams:
    """The same parameters the GET routes parse, from a JSON body."""
    return HistoryParams(
        fromDate=wire.fromDate,
        toDate=wire.toDate,
        mediaType=_listed(wire.mediaType),
        sort=wire.sort,
        maxSize=wire.maxSize,
        source=wire.source,
        customAttributes=_listed(wire.customAttributes),
        searchCustomAttributes=sorted(
            (name, _text(value)) for name, value in (wire.searchCustomAttributes or {}).items()
        ),
        userId=wire.userId,
    )


def _listed(value: str | list[str] | None) -> list[str]:
    values = [value] if isinstance(value, str) else value or []
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flag(field: str, value: bool | str | None) -> bool:
    """A boolean the docs write as "true"/"false"."""
    if value is None or isinstance(value, bool):
        return bool(value)
    lowered = value.strip().lower()
    if lowered not in {"true", "false"}:
        raise InvalidInput(field, f"{value!r} is not true or false")
    return lowered == "true"


def seconds(field: str, value: int | str | None) -> int | None:
    """Whole seconds, as a number or a string of ASCII digits, within `limits`."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise InvalidInput(field, f"{value!r} is not an integer")
        value = int(text[:20])  # more digits are out of range anyway (and slow to convert)
    return limits.call_duration(field, value)


def contact_id_from_path(path: str | None, bare: str | None = None) -> str:
    """`/contacts/{id}`, `/ucs/contacts/{id}`, `/path/{id}` or a bare id: the last segment."""
    raw = (path or bare or "").strip().rstrip("/")
    if not raw:
        raise MissingParameter("contactPath")
    return raw.rsplit("/", 1)[-1]


def source_of(raw: str | None) -> Source | None:
    return Source.parse("source", raw) if raw else None


def require(field: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise MissingParameter(field)
    return value.strip()


# --- notification payloads (without referenceId) ---------------------------------------------


def history_payload(items: list[Interaction], *, base_url: str, zone: tzinfo) -> dict[str, Any]:
    return {
        "messageType": HISTORY_MESSAGE,
        "interactions": [
            msgspec.to_builtins(interaction_to_wire(i, base_url=base_url, zone=zone)) for i in items
        ],
    }


def content_payload(item: Interaction, *, base_url: str, zone: tzinfo) -> dict[str, Any]:
    """The interaction (with `path`, and `email` for emails) and, for transcript media, the
    `messages` beside it, as the GET route answers."""
    wire = interaction_to_wire(item, base_url=base_url, zone=zone)
    messages, wire.messages = wire.messages, None
    payload: dict[str, Any] = {
        "messageType": CONTENT_MESSAGE,
        "interaction": msgspec.to_builtins(wire),
    }
    if item.media_type.has_transcript:
        payload["messages"] = msgspec.to_builtins(messages or [])
    return payload


def identify_payload(contact_id: str) -> dict[str, Any]:
    """IdentifyUCSContact: the bare contact id, no messageType (spec 3.5)."""
    return {"contactId": contact_id}


def created_payload(interaction_id: str, created: bool) -> dict[str, Any]:
    """FindPhoneCall: `isCreated` is the string "true" or "false" (spec 3.6)."""
    return {
        "messageType": CREATE_RESPONSE,
        "interactionId": interaction_id,
        "isCreated": "true" if created else "false",
    }


def success_payload(unchanged: Sequence[str] = ()) -> dict[str, Any]:
    """`unchanged` (an OpenUCS addition, present only when not empty): the interactions a
    thread-wide change left as they were because another agent owns them."""
    payload: dict[str, Any] = {"messageType": UCS_RESPONSE, "success": True}
    if unchanged:
        payload["unchangedInteractionIds"] = list(unchanged)
    return payload


def failure_payload(message_type: str | None, reason: str) -> dict[str, Any]:
    """The failure notification of an operation whose success carries `message_type`."""
    text = f"{FAILED}: {reason}" if reason else FAILED
    payload: dict[str, Any] = {"messageType": message_type} if message_type else {}
    if message_type == UCS_RESPONSE:
        payload["success"] = False
    payload["errorMessage"] = text
    return payload
