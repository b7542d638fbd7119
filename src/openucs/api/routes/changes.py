"""The change feed under `/openucs/v1`: `GET /changes` (pull, a page after a seq) and
`GET /changes/stream` (Server-Sent Events, `id:` = seq). Everyone signed in may read; an
agent gets the records of what they may read (docs/changes.md). Both leave read-audit
records of what they hand out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from litestar import get
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from openucs.api.context import Ctx, CurrentReader
from openucs.api.openapi import errors
from openucs.errors import InvalidInput
from openucs.gws.changes import ChangesAnswer, change_to_wire, encode_change
from openucs.services import changes

Text = str | None
STREAM_PAGE = 500

_AFTER = QueryParameter(description="the seq after which to read (`next` of the last page)")
_TYPES = QueryParameter(description="change types, comma-separated (default: all)")


def _seq(field: str, raw: str | None) -> int:
    value = (raw or "0").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise InvalidInput(field, f"{raw!r} is not a seq (0 or more)")
    return int(value)


@get("/changes", responses=errors(400, 401, 410), sync_to_thread=True)
def read_changes(
    ctx: Ctx,
    reader: CurrentReader,
    after: Annotated[Text, _AFTER] = None,
    limit: Annotated[Text, QueryParameter(description="1-1000, default 100")] = None,
    types: Annotated[Text, _TYPES] = None,
) -> ChangesAnswer:
    """Change records after a seq, oldest first; 410 (header `OpenUCS-Oldest-Seq`) when records
    after it are past the retention."""
    page = changes.read_changes_as(
        reader,
        store=ctx.store,
        after=_seq("after", after),
        limit=_seq("limit", limit or "100"),
        types=changes.parse_types(types),
    )
    wires = [change_to_wire(r, base_url=ctx.base_url, zone=ctx.zone) for r in page.changes]
    return ChangesAnswer(
        statusCode=0, changes=wires, next=page.next, endOfStream=page.end_of_stream
    )


@get(
    "/changes/stream",
    responses={
        200: ResponseSpec(str, description="text/event-stream", generate_examples=False),
        **errors(400, 401, 410),
    },
)
async def stream_changes(
    ctx: Ctx,
    reader: CurrentReader,
    after: Annotated[Text, _AFTER] = None,
    types: Annotated[Text, _TYPES] = None,
    last_event_id: Annotated[Text, HeaderParameter(name="Last-Event-ID")] = None,
) -> ServerSentEvent:
    """Server-Sent Events: each record as `id: <seq>`, `event: <type>`, `data: <record>`;
    a comment line as heartbeat. A reconnect resumes after `Last-Event-ID` (else `after`)."""
    start = _seq("Last-Event-ID", last_event_id) if last_event_id else _seq("after", after)
    chosen = changes.parse_types(types)

    def page(after_seq: int) -> changes.ChangePage:
        return changes.read_changes_as(
            reader,
            store=ctx.store,
            after=after_seq,
            limit=STREAM_PAGE,
            types=chosen,
            action=changes.PUSHED,
        )

    first = await anyio.to_thread.run_sync(page, start)  # a 410 or 400 before the stream

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        current = first
        poll = ctx.settings.changes_poll_ms / 1000
        heartbeat = ctx.settings.changes_heartbeat_ms / 1000
        quiet = 0.0
        while True:
            for record in current.changes:
                data = encode_change(record, base_url=ctx.base_url, zone=ctx.zone)
                yield ServerSentEventMessage(data=data, id=record.seq, event=record.type.value)
            if current.changes:
                quiet = 0.0
            if current.end_of_stream:
                await anyio.sleep(poll)
                quiet += poll
                if quiet >= heartbeat:
                    quiet = 0.0
                    yield ServerSentEventMessage(data=None, comment="heartbeat")
            current = await anyio.to_thread.run_sync(page, current.next)

    return ServerSentEvent(events(), headers={"Cache-Control": "no-cache"})
