"""Extension write routes for interactions (admin only), under `/openucs/v1`. Bodies have the
shape the read API returns (`InteractionWire`); answers carry the full interaction, including
every custom attribute, the content and `externalId`."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, patch, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter, RawBody

from openucs.api.answers import CountAnswer, InteractionAnswer, StatusAnswer
from openucs.api.auth import admin_only
from openucs.api.context import Ctx
from openucs.api.openapi import errors, ndjson_body
from openucs.domain.enums import Source
from openucs.domain.models import Interaction
from openucs.errors import InvalidInput
from openucs.gws.ndjson import InteractionLines
from openucs.gws.wire import (
    InteractionPatchWire,
    InteractionWire,
    interaction_from_wire,
    interaction_to_wire,
    patch_from_wire,
)
from openucs.importers import ImportOptions, parser_of
from openucs.services import bulk, importers, records

CREATED = ResponseSpec(InteractionAnswer, description="Created", generate_examples=False)
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl"})

FORMAT_TYPES = frozenset({*NDJSON_TYPES, "application/json", "text/csv"})
FormatParam = Annotated[
    str | None,
    QueryParameter(
        name="format",
        description="ndjson (default), connect-ctr, genesys-cloud or csv (docs/importers.md)",
    ),
]
SourceParam = Annotated[
    str | None, QueryParameter(name="source", description="main (default) or archive")
]


def _source(raw: str | None) -> Source:
    return Source.parse("source", raw) if raw else Source.MAIN


def _answer(ctx: Ctx, item: Interaction) -> InteractionAnswer:
    wire = interaction_to_wire(item, base_url=ctx.base_url, zone=ctx.zone, full=True)
    return InteractionAnswer(statusCode=0, interaction=wire)


@post(
    "/interactions",
    guards=[admin_only],
    status_code=201,
    responses=errors(400, 401, 403, 409, 413),
    sync_to_thread=True,
)
def create_interaction(
    ctx: Ctx, data: JSONBody[InteractionWire], source: SourceParam = None
) -> InteractionAnswer:
    """Create one interaction (its id is generated when absent); 409 when the id exists."""
    item = interaction_from_wire(data, zone=ctx.zone, source=_source(source))
    return _answer(ctx, records.create_interaction(store=ctx.store, interaction=item))


@put(
    "/interactions/{interaction_id:str}",
    guards=[admin_only],
    responses={201: CREATED, **errors(400, 401, 403, 413)},
    sync_to_thread=True,
)
def put_interaction(
    ctx: Ctx,
    interaction_id: FromPath[str],
    data: JSONBody[InteractionWire],
    source: SourceParam = None,
) -> Response[InteractionAnswer]:
    """Create (201) or replace (200) one interaction."""
    item = interaction_from_wire(
        data, zone=ctx.zone, interaction_id=interaction_id, source=_source(source)
    )
    saved, created = records.put_interaction(store=ctx.store, interaction=item)
    return Response(_answer(ctx, saved), status_code=201 if created else 200)


@patch(
    "/interactions/{interaction_id:str}",
    guards=[admin_only],
    responses=errors(400, 401, 403, 404, 413),
    sync_to_thread=True,
)
def update_interaction(
    ctx: Ctx, interaction_id: FromPath[str], data: JSONBody[InteractionPatchWire]
) -> InteractionAnswer:
    """Change state, endDate, comment, subject, customAttributes, userData, contactId or
    callDuration; an explicit null clears a field."""
    change = patch_from_wire(data, zone=ctx.zone)
    item = records.update_interaction(store=ctx.store, interaction_id=interaction_id, patch=change)
    return _answer(ctx, item)


@delete(
    "/interactions/{interaction_id:str}",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404),
    sync_to_thread=True,
)
def delete_interaction(ctx: Ctx, interaction_id: FromPath[str]) -> StatusAnswer:
    records.delete_interaction(store=ctx.store, interaction_id=interaction_id)
    return StatusAnswer(statusCode=0)


@post(
    "/interactions/bulk",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 413),
    operation_class=ndjson_body(),
    sync_to_thread=True,
)
def bulk_interactions(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    body: RawBody,
    source: SourceParam = None,
    format_: FormatParam = None,
) -> CountAnswer:
    """NDJSON (`application/x-ndjson`), one interaction per line, written all or nothing and
    idempotent by id; an error names its line. With `format`, another platform's records
    (JSON, NDJSON or `text/csv`), identified to contacts, idempotent by the source's ids."""
    kind = request.content_type[0]
    if format_ and format_.strip().lower() != "ndjson":
        if kind not in FORMAT_TYPES:
            raise InvalidInput("Content-Type", f"{kind or 'none'} is not JSON, NDJSON or CSV")
        parse = parser_of(format_)
        count = importers.import_upload(
            store=ctx.store,
            records=parse(body, ImportOptions(ctx.zone, _source(source))),
            max_records=ctx.settings.max_bulk_lines,
        )
        return CountAnswer(statusCode=0, count=count)
    if kind not in NDJSON_TYPES:
        raise InvalidInput("Content-Type", f"{kind or 'none'} is not application/x-ndjson")
    count = bulk.ingest_upload(
        store=ctx.store,
        lines=body.splitlines(),
        decode=InteractionLines(ctx.zone, _source(source)),
        max_lines=ctx.settings.max_bulk_lines,
    )
    return CountAnswer(statusCode=0, count=count)
