"""The GWS surface, exact: a disabled feature removes its read routes (spec 1.4), the features
are listed at `/api/v2/features`, and every `uri` an answer hands out resolves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import ALL_FEATURES, Settings
from openucs.domain.enums import MediaType
from openucs.store import Store
from tests.api.conftest import (
    BASE_URL,
    PASSWORD,
    Api,
    People,
    error,
    ok,
    seed,
    seed_contact,
    seed_webhook,
)
from tests.factories import make_interaction, make_messages

API = "/api/v2"
WINDOW = "fromDate=2024-01-01&toDate=2024-12-31"
ORIGIN = BASE_URL.removesuffix("/api/v2")


def _app(settings: Settings, store: Store, features: str) -> Litestar:
    return create_app(
        Settings(
            public_base_url=settings.public_base_url,
            timezone=settings.timezone,
            enabled_features=features,
        ),
        store,
    )


def _get(client: TestClient[Litestar], user: Any, path: str) -> Any:
    client.cookies.clear()
    return client.get(path, auth=(user.user_name, PASSWORD))


# --- features ------------------------------------------------------------------------------

READS = [
    f"{API}/ucs/interactions?{WINDOW}",
    f"{API}/ucs/contacts/C1/interactions?{WINDOW}",
    f"{API}/ucs/interactions/I1",
    f"{API}/interactions/I1",
    f"{API}/ucs/contacts/C1",
]


@pytest.fixture
def voice_only(settings: Settings, store: Store) -> Iterator[TestClient[Litestar]]:
    """A server with only `api-voice`: the call operations, no history or content."""
    with TestClient(_app(settings, store, "api-voice")) as client:
        yield client


def test_a_disabled_feature_removes_its_read_routes(
    voice_only: TestClient[Litestar], store: Store, people: People
) -> None:
    seed_contact(store, id="C1")
    seed(store, make_interaction(id="I1", contact_id="C1"))
    for path in READS:
        message = error(_get(voice_only, people.admin, path), 404, 6, "no resource at")
        # as for a path that does not exist
        assert message == f"no resource at {path.partition('?')[0]}"
    error(_get(voice_only, people.admin, f"{API}/nothing/here"), 404, 6, "no resource at")
    # what no feature gates stays
    ok(_get(voice_only, people.admin, f"{API}/me"))
    ok(_get(voice_only, people.admin, f"{API}/diagnostics/version"))
    # and without credentials the answer is still 401 first
    voice_only.cookies.clear()
    error(voice_only.get(READS[0]), 401, 20)


def test_each_feature_opens_its_own_routes(
    settings: Settings, store: Store, people: People
) -> None:
    seed_contact(store, id="C1")
    seed(store, make_interaction(id="I1", contact_id="C1"))
    with TestClient(_app(settings, store, "api-ucs-voice")) as client:
        ok(_get(client, people.admin, READS[0]))
        ok(_get(client, people.admin, READS[1]))
        error(_get(client, people.admin, READS[2]), 404, 6)  # content is api-multimedia
        ok(_get(client, people.admin, READS[4]))
    with TestClient(_app(settings, store, "api-multimedia")) as client:
        error(_get(client, people.admin, READS[0]), 404, 6)
        ok(_get(client, people.admin, READS[2]))
        ok(_get(client, people.admin, READS[3]))


def test_features_lists_the_enabled_ones(
    voice_only: TestClient[Litestar], api: Api, people: People
) -> None:
    body = ok(_get(voice_only, people.agent, f"{API}/features"))
    assert body == {"statusCode": 0, "uris": [f"{BASE_URL}/features/api-voice"]}
    full = ok(_get(voice_only, people.agent, f"{API}/features?fields=*"))
    assert full["features"] == [
        {"id": "api-voice", "uri": f"{BASE_URL}/features/api-voice", "path": "/features/api-voice"}
    ]
    ids = ok(_get(voice_only, people.agent, f"{API}/features?fields=id"))
    assert ids["features"] == [{"id": "api-voice"}]
    error(_get(voice_only, people.agent, f"{API}/features?fields=name"), 400, 2, "fields", "name")
    one = ok(_get(voice_only, people.agent, f"{API}/features/api-voice"))
    assert one["feature"]["id"] == "api-voice"
    error(_get(voice_only, people.agent, f"{API}/features/api-multimedia"), 404, 6, "feature")
    # the default: every feature
    every = ok(api.get(f"{API}/features", user=people.agent))["uris"]
    assert every == [f"{BASE_URL}/features/{name}" for name in ALL_FEATURES]
    error(api.get(f"{API}/features", user=None), 401, 20)


# --- every uri resolves --------------------------------------------------------------------


def _uris(value: Any) -> Iterator[str]:
    """Every `uri` field and every member of a `uris` list, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "uri" and isinstance(item, str):
                yield item
            elif key == "uris" and isinstance(item, list):
                yield from item
            else:
                yield from _uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _uris(item)


def _get_routes(app: Litestar) -> set[str]:
    paths: set[str] = set()
    for route in app.routes:
        methods: set[str] = getattr(route, "methods", set())
        if "GET" in methods and route.path.startswith((API, "/openucs/v1")):
            paths.add(route.path)
    return paths


def test_every_uri_an_answer_hands_out_resolves(
    app: Litestar, api: Api, store: Store, people: People
) -> None:
    seed_contact(store, id="C1")
    messages = make_messages(2)
    seed(
        store,
        make_interaction(id="CALL1", contact_id="C1", owner_id=people.agent.id),
        make_interaction(id="CHAT1", media_type=MediaType.CHAT, contact_id="C1", messages=messages),
    )
    seed_webhook(store)
    # One request per GET route of the API (a new route must be added here).
    requests = {
        f"{API}/ucs/interactions": f"{API}/ucs/interactions?{WINDOW}",
        f"{API}/ucs/contacts/{{contact_id:str}}/interactions": (
            f"{API}/ucs/contacts/C1/interactions?{WINDOW}"
        ),
        f"{API}/ucs/interactions/{{interaction_id:str}}": f"{API}/ucs/interactions/CHAT1",
        f"{API}/interactions/{{interaction_id:str}}": f"{API}/interactions/CALL1",
        f"{API}/ucs/contacts/{{contact_id:str}}": f"{API}/ucs/contacts/C1",
        f"{API}/me": f"{API}/me",
        f"{API}/users/{{user_id:str}}": f"{API}/users/{people.admin.id}",
        f"{API}/features": f"{API}/features",
        f"{API}/features/{{feature_id:str}}": f"{API}/features/api-voice",
        f"{API}/diagnostics/version": f"{API}/diagnostics/version",
        "/openucs/v1/contacts/{contact_id:str}": "/openucs/v1/contacts/C1",
        "/openucs/v1/contacts": "/openucs/v1/contacts",
        "/openucs/v1/users": "/openucs/v1/users",
        "/openucs/v1/audit": "/openucs/v1/audit",
        "/openucs/v1/changes": "/openucs/v1/changes",
        # The stream's records are the pull's (an answered stream never ends; it is read
        # from a real server in tests/api/test_changes_stream.py).
        "/openucs/v1/changes/stream": "/openucs/v1/changes",
        "/openucs/v1/interactions": "/openucs/v1/interactions?q=message",
        "/openucs/v1/contacts/{contact_id:str}/export": "/openucs/v1/contacts/C1/export",
        "/openucs/v1/holds": "/openucs/v1/holds",
        "/openucs/v1/webhooks": "/openucs/v1/webhooks",
        "/openucs/v1/webhooks/{webhook_id:str}": "/openucs/v1/webhooks/HOOK",
        "/openucs/v1/webhooks/{webhook_id:str}/deliveries": "/openucs/v1/webhooks/HOOK/deliveries",
        "/openucs/v1/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}": (
            "/openucs/v1/webhooks/HOOK/deliveries/DLV"
        ),
    }
    assert set(requests) == _get_routes(app)
    handed_out: set[str] = set()
    for path in [*requests.values(), f"{API}/features?fields=*"]:
        handed_out |= set(_uris(ok(api.get(path))))
    handed_out |= set(_uris(ok(api.get(f"{API}/me", user=people.agent))))
    kinds = {uri.removeprefix(BASE_URL).split("/")[1] for uri in handed_out}
    assert kinds == {"interactions", "ucs", "users", "features"}
    for uri in sorted(handed_out):
        assert uri.startswith(BASE_URL), uri
        ok(api.get(uri.removeprefix(ORIGIN)))


def test_the_interaction_uri_answers_as_the_content_route(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="CHAT2", media_type=MediaType.CHAT, messages=make_messages()))
    seed(store, make_interaction(id="CALL2"))
    for iid in ("CHAT2", "CALL2"):
        uri = ok(api.get(f"{API}/ucs/interactions/{iid}"))["interaction"]["uri"]
        assert uri == f"{BASE_URL}/interactions/{iid}"
        assert (
            api.get(uri.removeprefix(ORIGIN)).json()
            == api.get(f"{API}/ucs/interactions/{iid}").json()
        )
    error(api.get(f"{API}/interactions/NOPE"), 404, 6, "NOPE")
    archive = api.get(f"{API}/interactions/CALL2?source=archive")
    assert archive.json() == api.get(f"{API}/ucs/interactions/CALL2?source=archive").json()


def test_the_resource_uris_keep_the_read_rules(api: Api, store: Store, people: People) -> None:
    seed_contact(store, id="C9")
    seed(store, make_interaction(id="MINE", owner_id=people.agent.id, contact_id="C9"))
    seed(store, make_interaction(id="THEIRS", owner_id=people.other_agent.id))
    agent = people.agent
    ok(api.get(f"{API}/interactions/MINE", user=agent))
    error(api.get(f"{API}/interactions/THEIRS", user=agent), 403, 5)
    ok(api.get(f"{API}/ucs/contacts/C9", user=agent))
    error(api.get(f"{API}/ucs/contacts/C9", user=people.other_agent), 403, 5)
    me = ok(api.get(f"{API}/users/{agent.id}", user=agent))["user"]
    assert me["userName"] == "agent1" and me["uri"] == f"{BASE_URL}/users/{agent.id}"
    error(api.get(f"{API}/users/{people.other_agent.id}", user=agent), 403, 5)
    ok(api.get(f"{API}/users/{people.other_agent.id}", user=people.supervisor))
    error(api.get(f"{API}/users/{'0' * 32}", user=people.supervisor), 404, 6, "user")
    error(api.get(f"{API}/ucs/contacts/NOPE"), 404, 6, "contact")
