"""The GWS v2 read routes (synchronous forms of the Interaction History operations, spec 3.1-3.4)
plus `GET /api/v2/me`, `GET /api/v2/diagnostics/version`, the features (spec 1.4), and the
resources every handed-out `uri` names (`/interactions/{id}`, `/users/{id}`,
`/ucs/contacts/{id}`, `/features/{id}`). Mounted under `/api/v2`.

A disabled feature removes its read routes as it removes its operations: `feature_guard`
answers them 404 (statusCode 6), as for a path that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, get
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, QueryParameter, SkipValidation

from openucs import __version__
from openucs.api.answers import (
    ContactAnswer,
    ContentAnswer,
    FeatureAnswer,
    FeaturesAnswer,
    HistoryAnswer,
    UserAnswer,
    VersionAnswer,
)
from openucs.api.auth import current_user
from openucs.api.context import ApiContext, Ctx, CurrentReader, CurrentUser
from openucs.api.openapi import SEARCH_NOTE, errors
from openucs.api.operations import (
    CONTENT_FEATURES,
    HISTORY_FEATURES,
    IDENTIFY_FEATURES,
)
from openucs.config import ALL_FEATURES
from openucs.domain.enums import Source
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery, Page, encode_page_token
from openucs.errors import InvalidInput, NotFound
from openucs.gws.params import HistoryParams, build_history_query
from openucs.gws.wire import contact_to_wire, feature_to_wire, interaction_to_wire, user_to_wire
from openucs.services import contacts, history, users
from openucs.services.access import Reader

SEARCH_PREFIX = "searchCustomAttributes."

_DOCS = {
    "fromDate": "yyyy-MM-dd or ISO date-time; default today - 1 month",
    "toDate": "yyyy-MM-dd (the whole day included) or ISO date-time; default today",
    "mediaType": "comma list, e.g. chat,email",
    "state": "comma list of New, Pending, InProcess, Stopped",
    "typeId": "comma list of Inbound, Outbound, Internal, Consult, Unknown",
    "userId": "owner (32-hex user id)",
    "contactId": "UCS contact id",
    "threadId": "UCS thread id",
    "sort": "asc, or desc (default), by startDate then id",
    "maxSize": "page size, default 100",
    "source": "main (default) or archive",
    "customAttributes": "comma list of the custom attributes to return",
    "pageToken": "nextPageToken of the previous page",
}
_KNOWN = frozenset(_DOCS)

One = str | None
Many = list[str] | None


def _q(name: str) -> Any:
    return QueryParameter(name=name, description=_DOCS[name], required=False)


@dataclass(frozen=True, slots=True)
class HistoryCall:
    """Who reads through a history route, and with what parameters: one dependency, resolved
    after `ctx`. As two (`reader` and the parameters) they were independent of each other, and
    Litestar resolves a handler's independent dependencies in an anyio task group, one task
    each, on every request."""

    reader: Reader
    params: HistoryParams


def history_call(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    from_date: Annotated[One, _q("fromDate")] = None,
    to_date: Annotated[One, _q("toDate")] = None,
    media_type: Annotated[Many, _q("mediaType")] = None,
    states: Annotated[Many, _q("state")] = None,
    type_id: Annotated[Many, _q("typeId")] = None,
    user_id: Annotated[One, _q("userId")] = None,
    contact: Annotated[One, _q("contactId")] = None,
    thread_id: Annotated[One, _q("threadId")] = None,
    sort: Annotated[One, _q("sort")] = None,
    max_size: Annotated[One, _q("maxSize")] = None,
    source: Annotated[One, _q("source")] = None,
    custom_attributes: Annotated[Many, _q("customAttributes")] = None,
    page_token: Annotated[One, _q("pageToken")] = None,
) -> HistoryCall:
    """The caller and the history parameters; `searchCustomAttributes.NAME=VALUE` may repeat
    for any NAME.
    Other unknown parameters are refused (a typo must not silently widen a query), except
    names starting with `_` (cache busters such as jQuery's `_=1700000000`)."""
    search: list[tuple[str, str]] = []
    for key, value in request.query_params.multi_items():
        if key.startswith(SEARCH_PREFIX):
            if not key[len(SEARCH_PREFIX) :]:
                raise InvalidInput(key, "needs an attribute name after the dot")
            search.append((key[len(SEARCH_PREFIX) :], value))
        elif key not in _KNOWN and not key.startswith("_"):
            raise InvalidInput(key, "unknown parameter")
    params = HistoryParams(
        fromDate=from_date,
        toDate=to_date,
        mediaType=_split(media_type),
        state=_split(states),
        typeId=_split(type_id),
        sort=sort,
        maxSize=max_size,
        source=source,
        customAttributes=_split(custom_attributes),
        searchCustomAttributes=search,
        userId=user_id,
        contactId=contact,
        threadId=thread_id,
        pageToken=page_token,
    )
    return HistoryCall(ctx.reader(current_user(request), request), params)


Call = NamedDependency[SkipValidation[HistoryCall]]
_DEPENDENCIES = {"call": Provide(history_call, sync_to_thread=False)}


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for raw in values or () for v in raw.split(",") if v.strip()]


@get(
    "/ucs/interactions",
    dependencies=_DEPENDENCIES,
    responses=errors(400, 401, 403, 404),
    description="Interactions started in a window (RetrieveInteractionHistory; an agent gets "
    "their own: RetrieveAgentHistory). " + SEARCH_NOTE,
)
async def interaction_history(ctx: Ctx, call: Call) -> HistoryAnswer:
    """RetrieveInteractionHistory / RetrieveAgentHistory: interactions started in a window."""
    query = _query(ctx, call.params)
    if _short(query):
        return await ctx.read(_interaction_history, ctx, call.reader, query)
    return await sync_to_thread(_interaction_history, ctx, call.reader, query)


def _interaction_history(ctx: ApiContext, reader: Reader, query: HistoryQuery) -> HistoryAnswer:
    page = history.interaction_history(store=ctx.store, reader=reader, query=query)
    return _history_answer(ctx, query, page)


@get(
    "/ucs/contacts/{contact_id:str}/interactions",
    dependencies=_DEPENDENCIES,
    responses=errors(400, 401, 403, 404),
    description="The history of one UCS contact (RetrieveContactHistory). " + SEARCH_NOTE,
)
async def contact_history(ctx: Ctx, call: Call, contact_id: FromPath[str]) -> HistoryAnswer:
    """RetrieveContactHistory: the history of one UCS contact."""
    params = call.params
    if params.contactId and params.contactId != contact_id:
        raise InvalidInput("contactId", "does not match the contact id in the path")
    params.contactId = contact_id
    query = _query(ctx, params)
    if _short(query):
        return await ctx.read(_contact_history, ctx, call.reader, contact_id, query)
    return await sync_to_thread(_contact_history, ctx, call.reader, contact_id, query)


def _contact_history(
    ctx: ApiContext, reader: Reader, contact_id: str, query: HistoryQuery
) -> HistoryAnswer:
    page = history.contact_history(
        store=ctx.store, reader=reader, contact_id=contact_id, query=query
    )
    return _history_answer(ctx, query, page)


def _short(query: HistoryQuery) -> bool:
    """Whether a page is read along one index (a contact's, an owner's, or the window's) to at
    most its size plus one row, with no filter to check on the way: such a read is short
    (`ApiContext.read`). A filter may walk far along the index before the page fills."""
    return not (
        query.media_types
        or query.states
        or query.type_ids
        or query.thread_id is not None
        or query.custom_equals
        or query.text
        or query.q is not None
        or query.every_tier
    )


@get("/ucs/interactions/{interaction_id:str}", responses=errors(400, 401, 403, 404))
async def interaction_content(
    ctx: Ctx,
    reader: CurrentReader,
    interaction_id: FromPath[str],
    source: Annotated[One, _q("source")] = None,
) -> ContentAnswer:
    """GetInteractionContent: every field, plus the transcript (chat-like media) or the email."""
    return await ctx.read(_content_answer, ctx, reader, interaction_id, source)


@get("/interactions/{interaction_id:str}", responses=errors(400, 401, 403, 404))
async def interaction_resource(
    ctx: Ctx,
    reader: CurrentReader,
    interaction_id: FromPath[str],
    source: Annotated[One, _q("source")] = None,
) -> ContentAnswer:
    """The `uri` of every interaction resource: answers as `GET /ucs/interactions/{id}`."""
    return await ctx.read(_content_answer, ctx, reader, interaction_id, source)


def _content_answer(
    ctx: ApiContext, reader: Reader, interaction_id: str, source: One
) -> ContentAnswer:
    item = history.get_interaction(
        store=ctx.store,
        reader=reader,
        interaction_id=interaction_id,
        source=Source.parse("source", source) if source else None,
    )
    wire = interaction_to_wire(item, base_url=ctx.base_url, zone=ctx.zone)
    messages, wire.messages = wire.messages, None
    if not item.media_type.has_transcript:
        return ContentAnswer(statusCode=0, interaction=wire)
    return ContentAnswer(statusCode=0, interaction=wire, messages=messages or [])


@get("/me", responses=errors(401), sync_to_thread=False)
def me(ctx: Ctx, user: CurrentUser) -> UserAnswer:
    """The current user (spec 1.2)."""
    return UserAnswer(statusCode=0, user=user_to_wire(user, base_url=ctx.base_url))


@get("/users/{user_id:str}", responses=errors(400, 401, 403, 404), sync_to_thread=True)
def user_resource(ctx: Ctx, user: CurrentUser, user_id: FromPath[str]) -> UserAnswer:
    """The `uri` of `/me`'s user: oneself, or (supervisors, admins) anyone."""
    found = users.read_user(store=ctx.store, user=user, user_id=user_id)
    return UserAnswer(statusCode=0, user=user_to_wire(found, base_url=ctx.base_url))


@get("/ucs/contacts/{contact_id:str}", responses=errors(400, 401, 403, 404), sync_to_thread=True)
def contact_resource(ctx: Ctx, reader: CurrentReader, contact_id: FromPath[str]) -> ContactAnswer:
    """[ext] The `uri` of a contact: answers as `GET /openucs/v1/contacts/{id}`."""
    contact, merged = contacts.read_contact_merged(
        store=ctx.store, reader=reader, contact_id=contact_id
    )
    wire = contact_to_wire(contact, base_url=ctx.base_url, merged_into=merged)
    return ContactAnswer(statusCode=0, contact=wire)


_FEATURE_FIELDS = frozenset({"id", "uri", "path"})


@get("/features", responses=errors(400, 401), sync_to_thread=False)
def features(
    ctx: Ctx,
    fields: Annotated[
        One, QueryParameter(description="* or a comma list of id, uri, path", required=False)
    ] = None,
) -> FeaturesAnswer:
    """The enabled features (spec 1.4): their `uris`, or with `fields` the resources."""
    enabled = [name for name in ALL_FEATURES if name in ctx.settings.features]
    if fields is None:
        uris = [feature_to_wire(name, base_url=ctx.base_url).uri or "" for name in enabled]
        return FeaturesAnswer(statusCode=0, uris=uris)
    wanted = _feature_fields(fields)
    found = [feature_to_wire(n, base_url=ctx.base_url, fields=wanted) for n in enabled]
    return FeaturesAnswer(statusCode=0, features=found)


@get("/features/{feature_id:str}", responses=errors(400, 401, 404), sync_to_thread=False)
def feature(ctx: Ctx, feature_id: FromPath[str]) -> FeatureAnswer:
    """One enabled feature; a disabled or unknown one is not found."""
    if feature_id not in ctx.settings.features:
        raise NotFound("feature", feature_id)
    return FeatureAnswer(statusCode=0, feature=feature_to_wire(feature_id, base_url=ctx.base_url))


def _feature_fields(raw: str) -> frozenset[str] | None:
    names = frozenset(_split([raw]))
    if "*" in names:
        return None
    unknown = names - _FEATURE_FIELDS
    if unknown or not names:
        allowed = ", ".join(sorted(_FEATURE_FIELDS))
        bad = sorted(unknown)[0] if unknown else raw
        raise InvalidInput("fields", f"unknown field {bad!r} (allowed: *, {allowed})")
    return names


@get("/diagnostics/version", responses=errors(401), sync_to_thread=False)
def version() -> VersionAnswer:
    return VersionAnswer(statusCode=0, version=__version__)


# The read routes of each feature, as the operations they answer for (api/operations.py), by
# the handler's unique name (`str(handler)`: the router copies handlers, and wraps their fn).
READ_FEATURES: dict[str, frozenset[str]] = {
    str(interaction_history): HISTORY_FEATURES,
    str(contact_history): HISTORY_FEATURES,
    str(interaction_content): CONTENT_FEATURES,
    str(interaction_resource): CONTENT_FEATURES,
    str(contact_resource): IDENTIFY_FEATURES,
}


def feature_guards(enabled: frozenset[str]) -> list[Callable[..., None]]:
    """The guards of the GWS router: the read route of a feature none of whose names is in
    `enabled` answers as a path that does not exist (spec 1.4). None when every read route's
    feature is enabled: Litestar copies the handler for each guard on every request."""
    if all(needed & enabled for needed in READ_FEATURES.values()):
        return []

    def guard(_: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        needed = READ_FEATURES.get(str(handler))
        if needed is not None and not needed & enabled:
            raise NotFoundException()

    return [guard]


def _query(ctx: ApiContext, params: HistoryParams) -> HistoryQuery:
    return build_history_query(params, settings=ctx.settings, now=datetime.now(UTC))


def _history_answer(ctx: ApiContext, query: HistoryQuery, page: Page[Interaction]) -> HistoryAnswer:
    """The page. The token is made from the query as parsed here (before the service narrows
    it for the caller), which is what the next request rebuilds and checks it against."""
    base_url, zone = ctx.base_url, ctx.zone
    return HistoryAnswer(
        statusCode=0,
        interactions=[interaction_to_wire(i, base_url=base_url, zone=zone) for i in page.items],
        nextPageToken=encode_page_token(query, page.next_cursor) if page.next_cursor else None,
    )
