"""Enumerations of the UCS data model (spec 2.5). Wire values are the enum values."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from openucs.errors import InvalidInput


class _WireEnum(StrEnum):
    @classmethod
    def parse(cls, field: str, raw: str) -> Self:
        """Case-insensitive lookup; the error lists the allowed values."""
        found = _LOOKUP[cls].get(raw.strip().lower())
        if not isinstance(found, cls):
            allowed = ", ".join(m.value for m in cls)
            raise InvalidInput(field, f"unknown value {raw!r} (allowed: {allowed})")
        return found


class MediaType(_WireEnum):
    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"
    FACEBOOK = "facebook"
    FACEBOOKSESSION = "facebooksession"
    SMSSESSION = "smssession"
    OPENMEDIA = "openmedia"
    TWITTER = "twitter"
    WORKITEM = "workitem"

    @property
    def has_transcript(self) -> bool:
        return self in TRANSCRIPT_MEDIA


TRANSCRIPT_MEDIA = frozenset({MediaType.CHAT, MediaType.FACEBOOKSESSION, MediaType.SMSSESSION})


class InteractionType(_WireEnum):
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"
    INTERNAL = "Internal"
    CONSULT = "Consult"
    UNKNOWN = "Unknown"


class State(_WireEnum):
    NEW = "New"
    PENDING = "Pending"
    IN_PROCESS = "InProcess"
    STOPPED = "Stopped"


class MessageType(_WireEnum):
    """A transcript event (spec 2.2); `TypingStopping` is the documented spelling."""

    TEXT = "Text"
    TYPING_STARTED = "TypingStarted"
    TYPING_STOPPING = "TypingStopping"
    PARTICIPANT_JOINED = "ParticipantJoined"
    PARTICIPANT_REJOINED = "ParticipantRejoined"
    PARTICIPANT_LEFT = "ParticipantLeft"
    PUSH_URL = "PushUrl"
    NOTICE = "Notice"
    TRANSCRIPT_SAVE_DONE = "TranscriptSaveDone"


class ParticipantType(_WireEnum):
    """Who produced a transcript event (`from.type`, spec 2.2: Chat Server's party types)."""

    CUSTOMER = "Customer"
    AGENT = "Agent"
    CLIENT = "Client"
    EXTERNAL = "External"
    SUPERVISOR = "Supervisor"


class Visibility(_WireEnum):
    ALL = "All"
    AGENTS = "Agents"
    SUPERVISORS = "Supervisors"


class Source(_WireEnum):
    MAIN = "main"
    ARCHIVE = "archive"


class SortOrder(_WireEnum):
    ASC = "asc"
    DESC = "desc"


class Role(_WireEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def gws_name(self) -> str:
        return f"ROLE_{self.value.upper()}"


_LOOKUP: dict[type[_WireEnum], dict[str, _WireEnum]] = {
    cls: {m.value.lower(): m for m in cls}
    for cls in (
        MediaType,
        InteractionType,
        State,
        MessageType,
        ParticipantType,
        Visibility,
        Source,
        SortOrder,
        Role,
    )
}
