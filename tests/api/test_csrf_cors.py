"""CSRF protection (spec 1.3, off by default) and CORS settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.store import Store
from tests.api.conftest import PASSWORD, People, error

BODY = {"operationName": "RetrieveAgentHistory"}


@pytest.fixture
def csrf_client(settings: Settings, store: Store) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(replace(settings, csrf_protection=True), store)) as client:
        yield client


def test_csrf_is_off_by_default(client: TestClient[Litestar], people: People) -> None:
    response = client.post(
        "/api/v2/ucs/interactions", json=BODY, auth=(people.agent.user_name, PASSWORD)
    )
    assert response.status_code == 200, response.text
    assert "x-csrf-token" not in client.get("/api/v2/me").headers


def test_csrf_token_from_a_get_then_required_on_posts(
    csrf_client: TestClient[Litestar], people: People
) -> None:
    me = csrf_client.get("/api/v2/me", auth=(people.agent.user_name, PASSWORD))
    assert me.status_code == 200
    assert me.headers["x-csrf-header"] == "X-CSRF-TOKEN"
    token = me.headers["x-csrf-token"]
    assert "JSESSIONID" in csrf_client.cookies  # the cookie carries the session from now on

    missing = csrf_client.post("/api/v2/ucs/interactions", json=BODY)
    assert error(missing, 403, 5) == "Missing or invalid Csrf token"
    wrong = csrf_client.post(
        "/api/v2/ucs/interactions", json=BODY, headers={"X-CSRF-TOKEN": "nope"}
    )
    error(wrong, 403, 5)
    good = csrf_client.post("/api/v2/ucs/interactions", json=BODY, headers={"X-CSRF-TOKEN": token})
    assert good.status_code == 200, good.text
    again = csrf_client.get("/api/v2/me")
    assert again.headers["x-csrf-token"] == token  # the token lives as long as the session


def test_csrf_needs_the_session_cookie(csrf_client: TestClient[Litestar], people: People) -> None:
    response = csrf_client.post(
        "/api/v2/ucs/interactions",
        json=BODY,
        auth=(people.agent.user_name, PASSWORD),
        headers={"X-CSRF-TOKEN": "anything"},
    )
    error(response, 403, 5, "Csrf")


def test_cometd_is_exempt_from_csrf(csrf_client: TestClient[Litestar], people: People) -> None:
    response = csrf_client.post(
        "/api/v2/notifications",
        json=[{"channel": "/meta/handshake"}],
        auth=(people.agent.user_name, PASSWORD),
    )
    assert response.json()[0]["successful"] is True


def test_cors_off_by_default(client: TestClient[Litestar]) -> None:
    response = client.options(
        "/api/v2/me",
        headers={"Origin": "https://desk.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_configured_origin_and_exposes_the_csrf_headers(
    settings: Settings, store: Store, people: People
) -> None:
    configured = replace(settings, cors_allowed_origins="https://desk.example")
    with TestClient(create_app(configured, store)) as client:
        preflight = client.options(
            "/api/v2/ucs/interactions",
            headers={
                "Origin": "https://desk.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-CSRF-TOKEN",
            },
        )
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == "https://desk.example"
        assert preflight.headers["access-control-allow-credentials"] == "true"
        response = client.get(
            "/api/v2/me",
            headers={"Origin": "https://desk.example"},
            auth=(people.agent.user_name, PASSWORD),
        )
        exposed = response.headers["access-control-expose-headers"].lower()
        assert "x-csrf-token" in exposed and "x-csrf-header" in exposed
        other = client.get("/api/v2/me", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
