"""The served OpenAPI document (`/schema/openapi.json`) and the docs page (`/schema`).

Litestar writes the document from the routes. What it cannot see is added here, in one place:
the GWS error envelope per status (`errors()`, used in the route decorators), the two ways to
log in, one request-body schema per `operationName` of the asynchronous operations and the
NDJSON bulk body (`operation_body()`, `ndjson_body()`, also used in the decorators), the
enumerations of the GWS parameters (which the routes take as raw strings and parse
case-insensitively), and the CometD endpoint, in prose. The docs page is Swagger UI, loaded
from the package (`static/swagger-ui/`), so it works without internet.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import msgspec
from litestar import Router
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import (
    Components,
    Discriminator,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.static_files import create_static_files_router

from openucs.api import operations
from openucs.api.errors import ErrorAnswer
from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.gws import operations as ops_wire

DOCS_PATH = "/schema"
ASSETS_PATH = "/schema/assets"
ASSETS = Path(__file__).parent / "static" / "swagger-ui"
_FAVICON = f"{ASSETS_PATH}/favicon-32x32.png"

# Every API route answers to either; the routers apply this (app.py).
SECURITY: list[SecurityRequirement] = [{"basic": []}, {"session": []}]
_SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    "basic": SecurityScheme(
        type="http",
        scheme="basic",
        description="User name and password. A call without a valid session cookie starts a "
        "new session: its answer sets `JSESSIONID`.",
    ),
    "session": SecurityScheme(
        type="apiKey",
        name="JSESSIONID",
        security_scheme_in="cookie",
        description="The session cookie a Basic login hands out; ended by "
        "`POST /openucs/v1/logout`. With CSRF protection on, writes need it and the "
        "`X-CSRF-TOKEN` header.",
    ),
}

_ERRORS = {
    400: "Bad input. statusCode 1: a required parameter is missing; 2: a value is invalid; "
    "10: a value is out of range. `statusMessage` names the field.",
    401: "No credentials, or wrong ones (statusCode 20).",
    403: "Not allowed to the caller's role or access rule, or, with CSRF protection on, a "
    "write without the session's `X-CSRF-TOKEN` (statusCode 5).",
    404: "No such interaction, contact or user (statusCode 6).",
    409: "The id or user name is taken, or (erasure) a legal hold covers the contact "
    "(statusCode 18).",
    410: "Records after the given seq are past the retention (statusCode 6); the header "
    "`OpenUCS-Oldest-Seq` and the message give the oldest seq kept.",
    413: "The body is larger than the configured limit (statusCode 10).",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The `responses=` of a route: the GWS envelope for each error status it can answer."""
    return {
        status: ResponseSpec(ErrorAnswer, description=_ERRORS[status], generate_examples=False)
        for status in statuses
    }


SEARCH_NOTE = (
    "Also `searchCustomAttributes.NAME=VALUE` for any custom attribute NAME, repeatable (a "
    "parameter pattern OpenAPI cannot list): only interactions whose attribute NAME equals "
    "VALUE. Other unknown parameters are refused with 400, except names starting with `_`."
)


# --- request bodies Litestar cannot derive from the handlers -------------------------------

# operationName -> the wire shape of its body (gws/operations.py).
OPERATION_BODIES: dict[str, type[msgspec.Struct]] = {
    "RetrieveInteractionHistory": ops_wire.HistoryOpWire,
    "RetrieveAgentHistory": ops_wire.HistoryOpWire,
    "RetrieveContactHistory": ops_wire.HistoryOpWire,
    "FindPhoneCall": ops_wire.FindPhoneCallWire,
    "GetInteractionContent": ops_wire.ContentOpWire,
    "SetCallContact": ops_wire.SetCallContactWire,
    "SetCallNote": ops_wire.SetCallNoteWire,
    "SetCallCompleted": ops_wire.SetCallCompletedWire,
    "IdentifyUCSContact": ops_wire.IdentifyOpWire,
}

_SCHEMAS = "#/components/schemas/"


def operation_body(resource: str) -> type[Operation]:
    """The `operation_class=` of an operation route: its body is one of the operations the
    resource accepts, told apart by `operationName`."""
    names = sorted(n for n, (where, _) in operations.OPERATIONS.items() if where == resource)
    schema = Schema(
        one_of=[Reference(_SCHEMAS + n) for n in names],
        discriminator=Discriminator("operationName", {n: _SCHEMAS + n for n in names}),
    )
    return _with_body(
        RequestBody(
            content={"application/json": OpenAPIMediaType(schema=schema)},
            description='`{"operationName": ..., the parameters at the top level}`; unknown '
            "fields are ignored. Accepted here: " + ", ".join(names) + ".",
            required=True,
        )
    )


def ndjson_body() -> type[Operation]:
    """The `operation_class=` of the bulk upload: NDJSON, which Litestar cannot describe."""
    return _with_body(
        RequestBody(
            content={
                "application/x-ndjson": OpenAPIMediaType(
                    schema=Schema(type=OpenAPIType.STRING, description="NDJSON text")
                )
            },
            description="One interaction per line, each an `InteractionWire` object as "
            "`POST /openucs/v1/interactions` takes it (`application/ndjson` and "
            "`application/jsonl` are accepted too). All or nothing; an error names its line.",
            required=True,
        )
    )


def _with_body(body: RequestBody) -> type[Operation]:
    @dataclass
    class WithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithBody


# --- the document ---------------------------------------------------------------------------

_DESCRIPTION = """\
The GWS 8.5 Interaction History API (`/api/v2`) and the OpenUCS extension (`/openucs/v1`).

**Logging in.** HTTP Basic, or the `JSESSIONID` cookie that a Basic login hands out.

**Errors.** Every error is `{"statusCode": N, "statusMessage": "..."}` (schema `ErrorAnswer`),
with no other attribute; `statusMessage` names the field at fault.

**History parameters.** Besides the listed ones, `GET` history routes take
`searchCustomAttributes.NAME=VALUE` for any custom attribute `NAME` (repeatable): only
interactions whose attribute `NAME` equals `VALUE`. Other unknown parameters are refused, except
names starting with `_` (cache busters). List parameters take repeated values or a comma list.

**Notifications (CometD).** `/api/v2/notifications` (and any sub-path a client appends) is a
Bayeux (CometD) long-polling endpoint, not a REST route, so it is not listed below. Clients
POST Bayeux messages there: `/meta/handshake`, then `/meta/subscribe` to `/v2/ucs/interactions`,
then `/meta/connect` in a loop. It takes the same credentials as the API (Basic or the
`JSESSIONID` cookie); without them the answer is a Bayeux error (`403::Handshake denied`), not
an HTTP 401. The asynchronous operations (`POST` with an `operationName`) answer
`{"statusCode": 0, "referenceId": N}` at once; their result comes on `/v2/ucs/interactions` as
a message with the same `referenceId`: `GetInteractionsHistoryMessage`,
`GetInteractionContentMessage`, `createInteractionResponse` (FindPhoneCall),
`UcsOperationResponse` (the Set* operations) or `{"contactId": ...}` (IdentifyUCSContact); a
failure carries `errorMessage`.
"""

# GWS parameters the routes take as raw text (parsed case-insensitively): their values.
_ENUMS: dict[str, list[str]] = {
    "mediaType": [m.value for m in MediaType],
    "state": [s.value for s in State],
    "typeId": [t.value for t in InteractionType],
    "sort": [s.value for s in SortOrder],
    "source": [s.value for s in Source],
}


# Wire shapes whose GWS fields are taken and given as raw text: their values.
_ENUM_SHAPES = ("InteractionWire", "InteractionPatchWire")


@dataclass
class _Document(OpenAPI):
    def to_schema(self) -> dict[str, Any]:
        return complete(super().to_schema())


class _Config(OpenAPIConfig):
    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        return _Document(**{f.name: getattr(base, f.name) for f in fields(base)})


def openapi_config(version: str) -> OpenAPIConfig:
    return _Config(
        title="OpenUCS",
        version=version,
        description=_DESCRIPTION,
        path=DOCS_PATH,
        use_handler_docstrings=True,
        components=Components(security_schemes=_SECURITY_SCHEMES),
        render_plugins=[
            SwaggerRenderPlugin(
                path=["/", "/swagger"],
                js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{_FAVICON}'>",
            ),
            YamlRenderPlugin(),
        ],
    )


def docs_assets() -> Router:
    """Swagger UI's files, from the package."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS], include_in_schema=False, name="docs-assets"
    )


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """What the routes cannot say: the operation body schemas, and the GWS parameters and
    fields as their values (a query parameter is never null)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_operation_schemas())
    for shape in _ENUM_SHAPES:
        properties = schemas.get(shape, {}).get("properties", {})
        for field in properties.keys() & _ENUMS.keys():
            properties[field] = _with_values(properties[field], _ENUMS[field])
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "query":
                    parameter["schema"] = _query_schema(parameter["name"], parameter["schema"])
    return document


def _with_values(schema: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """A string schema (or a string-or-null one) narrowed to `values`."""
    if "oneOf" in schema:
        return {**schema, "oneOf": [_with_values(kind, values) for kind in schema["oneOf"]]}
    return {**schema, "enum": values} if schema.get("type") == "string" else schema


def _query_schema(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    described = {"description": schema["description"]} if "description" in schema else {}
    kinds = [s for s in schema.get("oneOf", [schema]) if s.get("type") != "null"]
    plain = kinds[0] if len(kinds) == 1 else schema
    if name == "maxSize":
        return {**plain, "type": "integer", "minimum": 1, **described}
    if name in _ENUMS:
        values = {"type": "string", "enum": _ENUMS[name]}
        if plain.get("type") == "array":
            return {"type": "array", "items": values, **described}
        return {**values, **described}
    return {**plain, **described}


def _operation_schemas() -> dict[str, Any]:
    """One schema per operationName, from the msgspec wire shapes."""
    shapes = sorted(set(OPERATION_BODIES.values()), key=lambda s: s.__name__)
    _, components = msgspec.json.schema_components(shapes, ref_template=_SCHEMAS + "{name}")
    found: dict[str, Any] = {}
    for name, shape in OPERATION_BODIES.items():
        schema = dict(components[shape.__name__])
        properties = {
            field: _op_field(field, value) for field, value in schema["properties"].items()
        }
        properties["operationName"] = {"type": "string", "const": name}
        found[name] = {**schema, "title": name, "properties": properties}
        found[name]["required"] = ["operationName"]
    return found


def _op_field(field: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The GWS fields of an operation body as their values (the wire shapes accept more)."""
    if field == "maxSize":
        return {"type": "integer", "minimum": 1}
    if field == "callDuration":
        return {"type": "integer", "minimum": 0, "description": "seconds"}
    if field in _ENUMS:
        one = {"type": "string", "enum": _ENUMS[field]}
        listed = any(kind.get("type") == "array" for kind in schema.get("anyOf", ()))
        return {"anyOf": [one, {"type": "array", "items": one}]} if listed else one
    return schema
