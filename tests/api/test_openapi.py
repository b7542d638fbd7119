"""The served OpenAPI document says what the server does (errors, logins, parameters, bodies),
lists every API route, and the docs page loads nothing from outside the server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import ASGIRoute, HTTPRoute
from litestar.testing import TestClient

from openucs.api import operations
from openucs.api.notifications import NOTIFICATIONS_PATH
from openucs.api.openapi import OPERATION_BODIES
from openucs.domain.enums import MediaType

Document = dict[str, Any]
ERROR = {"$ref": "#/components/schemas/ErrorAnswer"}
API_PREFIXES = ("/api/", "/openucs/")

# What each route can answer besides success: the truth the decorators must keep.
ERRORS = {
    ("get", "/api/v2/ucs/interactions"): {400, 401, 403, 404},
    ("post", "/api/v2/ucs/interactions"): {400, 401, 403, 413},
    ("get", "/api/v2/ucs/contacts/{contact_id}/interactions"): {400, 401, 403, 404},
    ("post", "/api/v2/ucs/contacts/{contact_id}/interactions"): {400, 401, 403, 413},
    ("get", "/api/v2/ucs/interactions/{interaction_id}"): {400, 401, 403, 404},
    ("post", "/api/v2/ucs/interactions/{interaction_id}"): {400, 401, 403, 413},
    ("post", "/api/v2/contacts/ucs"): {400, 401, 403, 413},
    ("get", "/api/v2/me"): {401},
    ("get", "/api/v2/diagnostics/version"): {401},
    ("get", "/api/v2/interactions/{interaction_id}"): {400, 401, 403, 404},
    ("get", "/api/v2/users/{user_id}"): {400, 401, 403, 404},
    ("get", "/api/v2/ucs/contacts/{contact_id}"): {400, 401, 403, 404},
    ("get", "/api/v2/features"): {400, 401},
    ("get", "/api/v2/features/{feature_id}"): {400, 401, 404},
    ("get", "/openucs/v1/audit"): {400, 401, 403, 404},
    ("get", "/openucs/v1/changes"): {400, 401, 410},
    ("get", "/openucs/v1/changes/stream"): {400, 401, 410},
    ("post", "/openucs/v1/interactions"): {400, 401, 403, 409, 413},
    ("put", "/openucs/v1/interactions/{interaction_id}"): {400, 401, 403, 413},
    ("patch", "/openucs/v1/interactions/{interaction_id}"): {400, 401, 403, 404, 413},
    ("delete", "/openucs/v1/interactions/{interaction_id}"): {400, 401, 403, 404},
    ("post", "/openucs/v1/interactions/bulk"): {400, 401, 403, 413},
    ("post", "/openucs/v1/contacts"): {400, 401, 403, 409, 413},
    ("get", "/openucs/v1/contacts"): {400, 401, 403},
    ("get", "/openucs/v1/interactions"): {400, 401},
    ("get", "/openucs/v1/contacts/{contact_id}"): {400, 401, 403, 404},
    ("put", "/openucs/v1/contacts/{contact_id}"): {400, 401, 403, 409, 413},
    ("post", "/openucs/v1/contacts/{contact_id}/merge"): {400, 401, 403, 404, 409, 413},
    ("post", "/openucs/v1/contacts/{contact_id}/unmerge"): {400, 401, 403, 404, 409},
    ("get", "/openucs/v1/contacts/{contact_id}/export"): {400, 401, 403, 404},
    ("delete", "/openucs/v1/contacts/{contact_id}"): {400, 401, 403, 404, 409},
    ("post", "/openucs/v1/holds"): {400, 401, 403, 404, 413},
    ("get", "/openucs/v1/holds"): {401, 403},
    ("delete", "/openucs/v1/holds/{hold_id}"): {400, 401, 403, 404},
    ("post", "/openucs/v1/users"): {400, 401, 403, 409, 413},
    ("get", "/openucs/v1/users"): {401, 403},
    ("post", "/openucs/v1/logout"): {401, 403},
    ("post", "/openucs/v1/webhooks"): {400, 401, 403, 413},
    ("get", "/openucs/v1/webhooks"): {401, 403},
    ("get", "/openucs/v1/webhooks/{webhook_id}"): {400, 401, 403, 404},
    ("patch", "/openucs/v1/webhooks/{webhook_id}"): {400, 401, 403, 404, 413},
    ("delete", "/openucs/v1/webhooks/{webhook_id}"): {400, 401, 403, 404},
    ("get", "/openucs/v1/webhooks/{webhook_id}/deliveries"): {400, 401, 403, 404},
    ("get", "/openucs/v1/webhooks/{webhook_id}/deliveries/{delivery_id}"): {400, 401, 403, 404},
    ("post", "/openucs/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): {
        400,
        401,
        403,
        404,
    },
}


@pytest.fixture
def document(client: TestClient[Litestar]) -> Document:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _operations(document: Document) -> list[tuple[str, str, Document]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_api_route_of_the_app_is_in_the_document(app: Litestar, document: Document) -> None:
    listed = {(m, p) for m, p, _ in _operations(document)}
    served = {
        (method.lower(), route.path_format)
        for route in app.routes
        if isinstance(route, HTTPRoute) and route.path.startswith(API_PREFIXES)
        for method in route.methods - {"OPTIONS", "HEAD"}
    }
    assert served <= listed, served - listed
    assert listed <= served, listed - served
    # The one API route that is not REST, CometD, is described in prose.
    cometd = [r for r in app.routes if isinstance(r, ASGIRoute) and r.path == NOTIFICATIONS_PATH]
    assert cometd
    description = document["info"]["description"]
    assert NOTIFICATIONS_PATH in description
    assert "/meta/handshake" in description
    assert "/v2/ucs/interactions" in description


def test_each_route_documents_exactly_its_error_statuses(document: Document) -> None:
    found = {
        (method, path): {int(s) for s in operation["responses"] if s.startswith("4")}
        for method, path, operation in _operations(document)
    }
    assert found == ERRORS


def test_every_error_is_the_gws_envelope(document: Document) -> None:
    envelope = document["components"]["schemas"]["ErrorAnswer"]
    assert envelope["type"] == "object"
    assert set(envelope["properties"]) == {"statusCode", "statusMessage"}
    assert envelope["properties"]["statusCode"]["type"] == "integer"
    assert envelope["properties"]["statusMessage"]["type"] == "string"
    assert set(envelope["required"]) == {"statusCode", "statusMessage"}
    for method, path, operation in _operations(document):
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == ERROR, (method, path, status)
                assert "statusCode" in answer["description"], (method, path, status)


def test_logins_are_http_basic_or_the_session_cookie(document: Document) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["basic"]["type"] == "http"
    assert schemes["basic"]["scheme"] == "basic"
    assert schemes["session"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "JSESSIONID",
        "description": schemes["session"]["description"],
    }
    for method, path, operation in _operations(document):
        assert operation["security"] == [{"basic": []}, {"session": []}], (method, path)


def _parameters(document: Document, path: str, method: str = "get") -> dict[str, Document]:
    operation = document["paths"][path][method]
    return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(
    "path", ["/api/v2/ucs/interactions", "/api/v2/ucs/contacts/{contact_id}/interactions"]
)
def test_history_parameters_have_their_values(document: Document, path: str) -> None:
    params = _parameters(document, path)
    schemas = {name: p["schema"] for name, p in params.items()}
    assert schemas["mediaType"]["type"] == "array"
    assert "email" in schemas["mediaType"]["items"]["enum"]
    assert schemas["state"]["items"]["enum"] == ["New", "Pending", "InProcess", "Stopped"]
    assert schemas["typeId"]["items"]["enum"] == [
        "Inbound",
        "Outbound",
        "Internal",
        "Consult",
        "Unknown",
    ]
    assert schemas["sort"]["enum"] == ["asc", "desc"]
    assert schemas["source"]["enum"] == ["main", "archive"]
    assert schemas["maxSize"]["type"] == "integer"
    assert schemas["maxSize"]["minimum"] == 1
    assert schemas["fromDate"]["type"] == "string"
    # A query value is never null.
    assert all("oneOf" not in s and s.get("type") != "null" for s in schemas.values())
    # The parameter pattern OpenAPI cannot list is told in the route's description.
    assert "searchCustomAttributes.NAME=VALUE" in document["paths"][path]["get"]["description"]
    assert "searchCustomAttributes.NAME=VALUE" in document["info"]["description"]


def test_interaction_bodies_and_answers_have_the_gws_values(document: Document) -> None:
    schemas = document["components"]["schemas"]
    wire = schemas["InteractionWire"]["properties"]
    assert wire["mediaType"]["oneOf"] == [
        {"type": "string", "enum": [m.value for m in MediaType]},
        {"type": "null"},
    ]
    assert wire["state"]["oneOf"][0]["enum"] == ["New", "Pending", "InProcess", "Stopped"]
    assert "Consult" in wire["typeId"]["oneOf"][0]["enum"]
    patch = schemas["InteractionPatchWire"]["properties"]
    assert patch["state"]["oneOf"][0]["enum"] == ["New", "Pending", "InProcess", "Stopped"]


def test_the_source_of_one_interaction_has_its_values(document: Document) -> None:
    params = _parameters(document, "/api/v2/ucs/interactions/{interaction_id}")
    assert params["source"]["schema"]["enum"] == ["main", "archive"]


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/api/v2/ucs/interactions", operations.INTERACTIONS),
        ("/api/v2/ucs/contacts/{contact_id}/interactions", operations.CONTACT_INTERACTIONS),
        ("/api/v2/ucs/interactions/{interaction_id}", operations.INTERACTION),
        ("/api/v2/contacts/ucs", operations.UCS_CONTACTS),
    ],
)
def test_operation_bodies_are_one_schema_per_operation_name(
    document: Document, path: str, resource: str
) -> None:
    expected = {name for name, (where, _) in operations.OPERATIONS.items() if where == resource}
    body = document["paths"][path]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    refs = {ref["$ref"].rsplit("/", 1)[-1] for ref in schema["oneOf"]}
    assert refs == expected
    assert schema["discriminator"]["propertyName"] == "operationName"
    assert set(schema["discriminator"]["mapping"]) == expected
    components = document["components"]["schemas"]
    for name in expected:
        component = components[name]
        assert component["properties"]["operationName"] == {"type": "string", "const": name}
        assert component["required"] == ["operationName"]


def test_every_operation_has_its_body_schema(document: Document) -> None:
    assert set(OPERATION_BODIES) == set(operations.OPERATIONS)
    components = document["components"]["schemas"]
    history = components["RetrieveInteractionHistory"]["properties"]
    assert history["maxSize"] == {"type": "integer", "minimum": 1}
    assert history["sort"]["enum"] == ["asc", "desc"]
    assert history["source"]["enum"] == ["main", "archive"]
    assert "searchCustomAttributes" in history
    completed = components["SetCallCompleted"]["properties"]
    assert completed["callDuration"]["type"] == "integer"
    assert set(components["SetCallNote"]["properties"]) == {"operationName", "note"}


def test_the_bulk_body_is_ndjson(document: Document) -> None:
    body = document["paths"]["/openucs/v1/interactions/bulk"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/x-ndjson"}
    assert body["required"] is True
    assert "InteractionWire" in body["description"]


def test_every_reference_resolves(document: Document) -> None:
    text = str(document)
    for name in re.findall(r"'#/components/schemas/([^']+)'", text):
        assert name in document["components"]["schemas"], name


@pytest.mark.parametrize("page", ["/schema", "/schema/swagger"])
def test_the_docs_page_loads_everything_from_the_server(
    client: TestClient[Litestar], page: str
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "SwaggerUIBundle" in html
    assets = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["']([^"']+)["']""", html)
    assert len(assets) == 4, assets  # the icon, the style sheet and two scripts
    for url in assets:
        assert url.startswith("/schema/assets/"), url
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 500, url
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)


def test_the_document_is_served_as_yaml_too(client: TestClient[Litestar]) -> None:
    response = client.get("/schema/openapi.yaml")
    assert response.status_code == 200
    assert "ErrorAnswer:" in response.text
