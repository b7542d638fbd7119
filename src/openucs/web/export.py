"""Export the current search: `GET /search/export.csv` and `GET /search/export.ndjson` take the
search page's URL query and stream every match (no row cap), read in chunks by
`services.search.export_interactions`, so memory stays constant whatever the count. For
supervisors and admins; audited as any read (`interactions.export`).

NDJSON: one interaction a line in the GWS resource shape (`gws.wire.interaction_to_wire`, full:
content, all custom attributes). CSV (UTF-8 with a byte order mark, so that spreadsheets read
it as UTF-8): the columns of `CSV_COLUMNS`, dates as GWS writes them in the configured zone, the
duration in seconds, the custom attributes as one JSON object. A cell that a spreadsheet would
take for a formula (starting with = + - @, a tab or a carriage return) gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, tzinfo
from itertools import chain
from typing import Any

from litestar import Request, get
from litestar.response import Stream

from openucs.domain.formats import format_gws
from openucs.domain.models import Interaction
from openucs.errors import InvalidInput
from openucs.gws.wire import encode_line, interaction_to_wire
from openucs.services.access import require_reader_of_everything
from openucs.services.search import export_interactions
from openucs.web.context import CurrentViewer, Viewer, Web, WebContext
from openucs.web.interaction import duration_seconds
from openucs.web.render import SECURITY_HEADERS
from openucs.web.search import form_query
from openucs.web.search_form import SearchForm, screen_error

CSV_COLUMNS = (
    "id",
    "startDate",
    "endDate",
    "mediaType",
    "typeId",
    "state",
    "contactId",
    "ownerUserName",
    "subject",
    "durationSeconds",
    "threadId",
    "parentId",
    "comment",
    "customAttributes",
)
CHUNK_BYTES = 64 * 1024  # what one write to the socket carries
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Encode = Callable[[Iterable[Interaction]], Iterator[bytes]]


@get("/search/export.csv", sync_to_thread=True)
def export_csv(request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer) -> Stream:
    zone = web.settings.zone
    return _export(request, web, viewer, lambda items: csv_lines(items, zone), "csv")


@get("/search/export.ndjson", sync_to_thread=True)
def export_ndjson(request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer) -> Stream:
    base, zone = web.settings.api_base_url, web.settings.zone
    return _export(request, web, viewer, lambda items: ndjson_lines(items, base, zone), "ndjson")


def _export(
    request: Request[Any, Any, Any], web: WebContext, viewer: Viewer, encode: Encode, kind: str
) -> Stream:
    require_reader_of_everything(viewer.user, "exporting a search")
    items = _matches(web, viewer, SearchForm.from_query(request.query_params))
    # The first row is read before the answer starts: a refusal or a failing store is still an
    # error page, and the read is in the audit.
    first = next(items, None)
    rows = chain([first], items) if first is not None else iter(())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson"
    headers = {
        **SECURITY_HEADERS,
        "Content-Disposition": f'attachment; filename="interactions-{stamp}.{kind}"',
    }
    return Stream(chunked(encode(rows)), media_type=media, headers=headers)


def _matches(web: WebContext, viewer: Viewer, form: SearchForm) -> Iterator[Interaction]:
    try:
        query, match = form_query(web, viewer, form)
    except InvalidInput as exc:
        raise InvalidInput("", screen_error(exc).message) from None
    if match.must_choose:
        raise InvalidInput("Contact", "choose one contact before exporting")
    return iter(export_interactions(store=web.store, reader=viewer.reader, query=query))


def chunked(pieces: Iterable[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Pieces gathered into writes of about `size` bytes (each write is a thread hop)."""
    buffer: list[bytes] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)


def ndjson_lines(items: Iterable[Interaction], base_url: str, zone: tzinfo) -> Iterator[bytes]:
    for item in items:
        yield encode_line(interaction_to_wire(item, base_url=base_url, zone=zone, full=True))


def csv_lines(items: Iterable[Interaction], zone: tzinfo) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff".encode() + out.getvalue().encode()
    for item in items:
        out.seek(0)
        out.truncate()
        writer.writerow([_cell(v) for v in csv_row(item, zone)])
        yield out.getvalue().encode()


def csv_row(item: Interaction, zone: tzinfo) -> list[str]:
    duration = duration_seconds(item)
    attributes = item.custom_attributes
    return [
        item.id,
        format_gws(item.start_date, zone),
        format_gws(item.end_date, zone) if item.end_date else "",
        item.media_type.value,
        item.type_id.value,
        item.state.value,
        item.contact_id or "",
        item.owner.user_name or "" if item.owner else "",
        item.subject or "",
        "" if duration is None else str(round(duration)),
        item.thread_id or "",
        item.parent_id or "",
        item.comment or "",
        json.dumps(attributes, ensure_ascii=False, sort_keys=True) if attributes else "",
    ]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
