"""API fixtures: the ASGI app over a real store (every engine of the `store` fixture), four
logins (admin, supervisor, two agents) and `api`, a client that calls as one of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.changes import ChangeType
from openucs.domain.enums import Role
from openucs.domain.models import Contact, Interaction, User
from openucs.domain.webhooks import Delivery, DeliveryStatus, Webhook
from openucs.services import records
from openucs.services import users as user_service
from openucs.store import Store
from tests.factories import make_contact

PASSWORD = "correct horse battery"
BASE_URL = "http://gws.example:8080/api/v2"
ZONE = "Europe/Helsinki"  # +0200 in winter, +0300 in summer: offsets are visible


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest, so tests do not pay the production cost per login."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(user_service, "_hasher", cheap)


@pytest.fixture
def settings() -> Settings:
    return Settings(public_base_url=BASE_URL, timezone=ZONE)


@dataclass
class People:
    admin: User
    supervisor: User
    agent: User
    other_agent: User


@pytest.fixture
def people(store: Store) -> People:
    def add(name: str, role: Role, first: str, last: str) -> User:
        return user_service.add_user(
            store=store,
            user_name=name,
            roles=frozenset({role}),
            password=PASSWORD,
            first_name=first,
            last_name=last,
        )

    return People(
        admin=add("admin", Role.ADMIN, "Ada", "Admin"),
        supervisor=add("super", Role.SUPERVISOR, "Sam", "Super"),
        agent=add("agent1", Role.AGENT, "Ann", "Lee"),
        other_agent=add("agent2", Role.AGENT, "Bob", "Ray"),
    )


@pytest.fixture
def app(settings: Settings, store: Store) -> Litestar:
    return create_app(settings, store)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


class Api:
    """Calls the app with HTTP Basic and no cookie, so each call stands alone. `user` defaults
    to the admin; `user=None` calls without credentials."""

    def __init__(self, client: TestClient[Litestar], people: People) -> None:
        self.client = client
        self.people = people

    def call(self, method: str, path: str, *, user: Any = ..., **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        caller = self.people.admin if user is ... else user
        auth = (caller.user_name, PASSWORD) if caller is not None else None
        return self.client.request(method, path, auth=auth, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def api(client: TestClient[Litestar], people: People) -> Api:
    return Api(client, people)


def seed(store: Store, *items: Interaction) -> list[Interaction]:
    """Store interactions through the service (owners, threads), as the API would."""
    records.ingest(store=store, interactions=list(items))
    return list(items)


def seed_contact(store: Store, **overrides: Any) -> Contact:
    return store.save_contact(make_contact(**overrides))


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of a successful answer, checked to carry statusCode 0."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["statusCode"] == 0, body
    return body


def error(response: httpx.Response, status: int, code: int, *names: str) -> str:
    """Asserts the GWS error envelope: only statusCode and statusMessage, the message naming
    every given word. Returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"statusCode", "statusMessage"}, body
    assert body["statusCode"] == code, body
    message = body["statusMessage"]
    assert isinstance(message, str)
    assert message
    for name in names:
        assert name in message, (name, message)
    return message


def seed_webhook(store: Store) -> None:
    """HOOK (disabled: nothing is sent) with one delivery, DLV."""
    now = datetime.now(UTC)
    store.create_webhook(
        Webhook("HOOK", "https://93.184.215.14/", "whsec_0123456789abcdef", frozenset(), None,
                False, 0, now, now)
    )  # fmt: skip
    store.add_delivery(
        Delivery("DLV", "HOOK", 1, ChangeType.INTERACTION_CREATED, DeliveryStatus.DELIVERED, 1,
                 now, None, now, 204, None)
    )  # fmt: skip
