"""What every request passes before its handler runs (the app's `before_request` hook), so that
no route can forget it: no NUL character in the path, a query parameter, a form field or a
JSON body (PostgreSQL cannot store one, SQLite would), and no JSON body nested deeper than
`gws.limits.MAX_JSON_DEPTH`. Each refusal is a 400 naming the field. The hook also answers
`OPTIONS` with every method of the path (Litestar's own answer lists one handler's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import SerializationException
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT

from openucs.errors import InvalidInput
from openucs.gws import limits

AnyRequest = Request[Any, Any, Any]

_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_NOT_JSON = _FORMS | {"application/x-ndjson", "application/ndjson", "application/jsonl"}


async def check_request(request: AnyRequest) -> Response[None] | None:
    """None to go on to the handler, the OPTIONS answer, or InvalidInput."""
    if request.method == "OPTIONS":
        return _options(request)
    if limits.NUL in request.scope["path"]:
        raise InvalidInput("path", "contains a NUL character (\\u0000)")
    for name, value in request.query_params.multi_items():
        limits.check_text(name, name)
        limits.check_text(name, value)
    if request.method in {"POST", "PUT", "PATCH"}:
        await _check_body(request)
    return None


async def _check_body(request: AnyRequest) -> None:
    media = request.content_type[0]
    if media in _FORMS:
        form = await request.form()
        for name, value in form.multi_items():
            limits.check_text(name, name)
            if isinstance(value, str):
                limits.check_text(name, value)
    elif media not in _NOT_JSON and _decodes_json(request, media):
        if _plainly_within_limits(await request.body()):
            return
        try:
            body = await request.json()
        except SerializationException:
            return  # not JSON: the handler's decoding says so, as for any malformed body
        except RecursionError:
            raise limits.too_deep("body") from None
        limits.check_json("", body)


def _plainly_within_limits(raw: bytes) -> bool:
    """Whether the JSON text cannot break a limit, seen without decoding it (the handler
    decodes it; a second decoding and a walk cost a write as much again): JSON text holds a
    NUL only as the escape `\\u0000`, and nests no deeper than its count of `[` and `{`."""
    return b"\\u0000" not in raw and raw.count(b"[") + raw.count(b"{") <= limits.MAX_JSON_DEPTH


def _decodes_json(request: AnyRequest, media: str) -> bool:
    """A JSON body, or one the handler will decode as JSON whatever its Content-Type."""
    if media == "application/json" or media.endswith("+json"):
        return True
    return "data" in request.route_handler.parsed_fn_signature.parameters


def _options(request: AnyRequest) -> Response[None]:
    template = request.scope.get("path_template")
    methods = {"OPTIONS"}
    for route in request.app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == template:
            methods |= route.methods
    return Response(
        None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(sorted(methods))}
    )
