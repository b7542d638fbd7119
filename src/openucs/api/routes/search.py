"""`GET /openucs/v1/interactions`: the search language (`q`, docs/search.md) over history, under
`/openucs/v1`. The answer is the GWS list shape plus `total`, `facets` when asked, and a
`snippet` per item that a word of `q` matched."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.params import QueryParameter

from openucs.api.answers import FacetsWire, SearchAnswer, SearchHitWire, TotalWire
from openucs.api.context import Ctx, CurrentReader
from openucs.api.openapi import errors
from openucs.domain.query import encode_page_token
from openucs.errors import InvalidInput
from openucs.gws.params import SearchParams, build_search_query, search_facets
from openucs.gws.wire import interaction_to_wire
from openucs.services.search import search_interactions

_DOCS = {
    "q": "a query of the search language (docs/search.md); absent: every interaction",
    "maxSize": "page size, default 100",
    "pageToken": "nextPageToken of the previous page",
    "sort": "desc (default: newest first) or asc, by startDate then id",
    "source": "main (default), archive, or all (both tiers, merged by startDate)",
    "facets": "comma list of mediaType, state: counts per value",
}


def _p(name: str) -> Any:
    return QueryParameter(name=name, description=_DOCS[name], required=False)


One = str | None


@get("/interactions", responses=errors(400, 401), sync_to_thread=True)
def search(
    ctx: Ctx,
    reader: CurrentReader,
    request: Request[Any, Any, Any],
    q: Annotated[One, _p("q")] = None,
    max_size: Annotated[One, _p("maxSize")] = None,
    page_token: Annotated[One, _p("pageToken")] = None,
    sort: Annotated[One, _p("sort")] = None,
    source: Annotated[One, _p("source")] = None,
    facets: Annotated[One, _p("facets")] = None,
) -> SearchAnswer:
    """Interactions matching `q` that the caller may read, newest first, with their total."""
    for key in request.query_params:
        if key not in _DOCS and not key.startswith("_"):
            raise InvalidInput(key, "unknown parameter")
    params = SearchParams(q=q, maxSize=max_size, pageToken=page_token, sort=sort, source=source)
    query = build_search_query(params, settings=ctx.settings)
    wanted = search_facets([f.strip() for f in (facets or "").split(",") if f.strip()])
    found = search_interactions(
        store=ctx.store,
        reader=reader,
        query=query,
        facets=wanted,
        cap=ctx.settings.search_total_cap,
    )
    page = found.page
    hits = [
        SearchHitWire(
            **msgspec.structs.asdict(interaction_to_wire(i, base_url=ctx.base_url, zone=ctx.zone)),
            snippet=found.snippets.get(i.id),
        )
        for i in page.items
    ]
    total = found.total
    return SearchAnswer(
        statusCode=0,
        interactions=hits,
        nextPageToken=encode_page_token(query, page.next_cursor) if page.next_cursor else None,
        total=TotalWire(value=total.value, relation="eq" if total.exact else "gte"),
        facets=None if found.facets is None else FacetsWire(**found.facets),
    )
