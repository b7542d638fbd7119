"""Answer envelopes (spec 1.6: `statusCode` plus the resource or collection) and the request
bodies that exist only in the HTTP API. Resource shapes themselves live in `openucs.wire`."""

from __future__ import annotations

import msgspec

from openucs.gws.audit import ReadRecordWire
from openucs.gws.privacy import ErasureWire, HoldWire
from openucs.gws.wire import (
    ContactMergeWire,
    ContactWire,
    FeatureWire,
    InteractionWire,
    MessageWire,
    Name,
    UserWire,
)


class _Answer(msgspec.Struct, omit_defaults=True):
    pass


class StatusAnswer(_Answer):
    statusCode: int


class VersionAnswer(_Answer):
    statusCode: int
    version: str


class HistoryAnswer(_Answer):
    """`nextPageToken` (our extension) only when more rows exist."""

    statusCode: int
    interactions: list[InteractionWire]
    nextPageToken: str | None = None


class SearchHitWire(InteractionWire):
    """A search result: the interaction resource, and the text its words matched (HTML
    escaped, the matched words in `<mark>`)."""

    snippet: str | None = None


class TotalWire(_Answer):
    """How many match: exactly `value` ("eq"), or at least `value` ("gte": counting stopped)."""

    value: int
    relation: str


class FacetsWire(_Answer):
    mediaType: dict[str, int] | None = None
    state: dict[str, int] | None = None


class SearchAnswer(_Answer):
    statusCode: int
    interactions: list[SearchHitWire]
    total: TotalWire
    nextPageToken: str | None = None
    facets: FacetsWire | None = None


class ContentAnswer(_Answer):
    """GetInteractionContent: `messages` beside `interaction`, for transcript media only."""

    statusCode: int
    interaction: InteractionWire
    messages: list[MessageWire] | None = None


class InteractionAnswer(_Answer):
    statusCode: int
    interaction: InteractionWire


class CountAnswer(_Answer):
    statusCode: int
    count: int


class ContactAnswer(_Answer):
    statusCode: int
    contact: ContactWire


class ContactMergeAnswer(_Answer):
    statusCode: int
    merge: ContactMergeWire


class ContactsAnswer(_Answer):
    """`after`: pass it back as the `after` parameter for the next page; absent on the last."""

    statusCode: int
    contacts: list[ContactWire]
    after: str | None = None


class UserAnswer(_Answer):
    statusCode: int
    user: UserWire


class UsersAnswer(_Answer):
    statusCode: int
    users: list[UserWire]


class FeaturesAnswer(_Answer):
    """GWS list shapes (spec 1.6): `uris` by default, `features` with `fields`."""

    statusCode: int
    uris: list[str] | None = None
    features: list[FeatureWire] | None = None


class FeatureAnswer(_Answer):
    statusCode: int
    feature: FeatureWire


class NewUserWire(msgspec.Struct, forbid_unknown_fields=True):
    """`POST /openucs/v1/users`. Roles: agent, supervisor, admin (or ROLE_AGENT ...)."""

    userName: str
    password: str
    roles: list[str] = msgspec.field(default_factory=lambda: ["agent"])
    firstName: Name | None = None
    lastName: Name | None = None


class AuditAnswer(_Answer):
    """`nextPageToken` only when older records exist."""

    statusCode: int
    records: list[ReadRecordWire]
    nextPageToken: str | None = None


class HoldAnswer(_Answer):
    statusCode: int
    hold: HoldWire


class HoldsAnswer(_Answer):
    statusCode: int
    holds: list[HoldWire]


class ErasureAnswer(_Answer):
    statusCode: int
    erased: ErasureWire
