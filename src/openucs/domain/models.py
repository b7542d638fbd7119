"""Domain models. Plain dataclasses; timestamps are timezone-aware datetimes (UTC inside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from openucs.domain.enums import InteractionType, MediaType, Role, Source, State

JsonObject = dict[str, Any]


@dataclass(slots=True)
class OwnerInfo:
    """The agent who owns an interaction (`ownerInformation` on the wire)."""

    id: str
    user_name: str
    first_name: str | None = None
    last_name: str | None = None


@dataclass(slots=True)
class ChatMessage:
    """One transcript entry (spec 2.2). `timestamp` is aware; the wire adds timestampSeconds."""

    index: int
    type: str
    timestamp: datetime
    visibility: str = "All"
    nickname: str | None = None
    participant_type: str | None = None
    participant_id: str | None = None
    text: str | None = None
    url: str | None = None


@dataclass(slots=True)
class EmailAttachment:
    id: str
    name: str
    size: int | None = None
    mime: str | None = None


@dataclass(slots=True)
class EmailContent:
    """Email content (spec 2.3)."""

    from_address: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    subject: str | None = None
    body_as_plain_text: str | None = None
    body: str | None = None
    mime: str | None = None
    attachments: list[EmailAttachment] = field(default_factory=list)


@dataclass(slots=True)
class Interaction:
    """One interaction (spec 2.1). `owner_id` is the owning user's 32-hex id; `owner` is filled
    on reads (joined from users) and may be given on writes to create an owner met on import."""

    id: str
    media_type: MediaType
    type_id: InteractionType
    state: State
    start_date: datetime
    end_date: datetime | None = None
    subject: str | None = None
    contact_id: str | None = None
    owner_id: str | None = None
    owner: OwnerInfo | None = None
    parent_id: str | None = None
    thread_id: str | None = None
    comment: str | None = None
    custom_attributes: dict[str, str] = field(default_factory=dict)
    phone_number: str | None = None
    call_duration: int | None = None
    user_data: JsonObject | None = None
    external_id: str | None = None
    source: Source = Source.MAIN
    can_be_parent: bool = True
    # Content: loaded only by `get_interaction(..., with_content=True)` and written with the row.
    messages: list[ChatMessage] | None = None
    email: EmailContent | None = None


@dataclass(slots=True)
class InteractionPatch:
    """A partial update: only fields that are not `UNSET` change. `None` clears a field."""

    state: State | None = None
    end_date: datetime | None = None
    comment: str | None = None
    subject: str | None = None
    custom_attributes: dict[str, str] | None = None
    user_data: JsonObject | None = None
    contact_id: str | None = None
    call_duration: int | None = None
    # Names of the fields present in the request, so that an explicit null can clear a value.
    present: frozenset[str] = frozenset()


@dataclass(slots=True)
class ContactPoint:
    """One value of a multi-valued contact attribute (EmailAddress, PhoneNumber)."""

    value: str
    primary: bool = False
    description: str | None = None


@dataclass(slots=True)
class Contact:
    id: str
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    emails: list[ContactPoint] = field(default_factory=list)
    phones: list[ContactPoint] = field(default_factory=list)
    custom_attributes: dict[str, str] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    merged_into: str | None = None  # read only: set by a merge (`Store.merge_contacts`)


@dataclass(frozen=True, slots=True)
class ContactMerge:
    """Contact `from_id` merged into `into_id` (UCS MergeContacts): its interactions, emails,
    phones and custom attributes joined `into_id`; `interaction_ids` are those moved."""

    id: str
    from_id: str
    into_id: str
    merged_at: datetime
    merged_by: str | None
    interaction_ids: tuple[str, ...]


@dataclass(slots=True)
class User:
    id: str
    user_name: str
    first_name: str | None = None
    last_name: str | None = None
    roles: frozenset[Role] = frozenset({Role.AGENT})
    enabled: bool = True
    password_hash: str | None = None

    @property
    def can_login(self) -> bool:
        return self.enabled and self.password_hash is not None

    @property
    def reads_everything(self) -> bool:
        return bool(self.roles & {Role.SUPERVISOR, Role.ADMIN})

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def owner_info(self) -> OwnerInfo:
        return OwnerInfo(self.id, self.user_name, self.first_name, self.last_name)


@dataclass(slots=True)
class Session:
    """An authenticated HTTP session (the JSESSIONID cookie); only a hash of the token is kept."""

    token_hash: str
    user_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None = None  # logged out: the token is refused


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """One read of history by a person (the read audit): who, when, through what (`via`: api,
    cometd, web, cli), from which address, what (`action`) and which interactions or contact.
    `seq` is given by the store when the record is written."""

    at: datetime
    user_id: str | None
    user_name: str
    action: str
    via: str
    client: str | None = None
    contact_id: str | None = None
    interaction_ids: tuple[str, ...] = ()
    seq: int | None = None

    @classmethod
    def now(cls, **fields: Any) -> ReadRecord:
        return cls(at=datetime.now(UTC), **fields)
