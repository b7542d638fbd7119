"""Every route of the application, as each role calls it: anonymous, agent, supervisor, admin.

The list of routes comes from the application itself, so a new route without a rule here fails
`test_every_route_has_a_rule`. API routes are called with HTTP Basic, web pages with the
session a sign-in through the form opens. The agent is always asked for what another agent
owns (contact FOREIGN, interaction THEIRS), so "200 for an agent" would be a hole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.models import User
from openucs.store import Store
from tests.api.conftest import PASSWORD, People, seed, seed_contact, seed_webhook
from tests.factories import make_interaction
from tests.web.conftest import Browser

ROLES = ("anonymous", "agent", "supervisor", "admin")
WINDOW = "fromDate=2024-02-01&toDate=2024-03-31"
SKIPPED_METHODS = {"OPTIONS", "HEAD"}

Check = Callable[[httpx.Response], bool]


@dataclass(frozen=True)
class Rule:
    """How to call a route and what each role gets: a status, or a check of the answer."""

    path: str
    expect: dict[str, int | Check]
    body: Any = None
    web: bool = False  # a page: signed in through the form, CSRF in the form data
    form: dict[str, str] = field(default_factory=dict)


def _api(anonymous: int, agent: int, supervisor: int, admin: int) -> dict[str, int | Check]:
    return {"anonymous": anonymous, "agent": agent, "supervisor": supervisor, "admin": admin}


READ = _api(401, 200, 200, 200)
READ_OTHERS = _api(401, 403, 200, 200)
PUBLIC = _api(200, 200, 200, 200)  # what only supervisors and admins read
ADMIN = _api(401, 403, 403, 200)
OP = {"operationName": "RetrieveInteractionHistory"}
NEW_INTERACTION = {"id": "NEW1", "mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}
NEW_CONTACT: dict[str, Any] = {}
NDJSON = b'{"id":"BULK1","mediaType":"chat","startDate":"2024-03-01T10:00:00Z"}\n'


def _page(anonymous: int, agent: int, supervisor: int, admin: int) -> dict[str, int | Check]:
    return _api(anonymous, agent, supervisor, admin)


def _cometd_handshake(allowed: bool) -> Check:
    def check(response: httpx.Response) -> bool:
        [reply] = response.json()
        return response.status_code == 200 and reply["successful"] is allowed

    return check


RULES: dict[tuple[str, str], Rule] = {
    # GWS reads and operations
    ("GET", "/api/v2/ucs/interactions"): Rule(f"/api/v2/ucs/interactions?{WINDOW}", READ),
    ("POST", "/api/v2/ucs/interactions"): Rule("/api/v2/ucs/interactions", READ, OP),
    ("GET", "/api/v2/ucs/contacts/{contact_id:str}/interactions"): Rule(
        f"/api/v2/ucs/contacts/FOREIGN/interactions?{WINDOW}", READ_OTHERS
    ),
    ("POST", "/api/v2/ucs/contacts/{contact_id:str}/interactions"): Rule(
        "/api/v2/ucs/contacts/FOREIGN/interactions",
        READ,  # accepted; the refusal comes as the CometD result (test_agent_access)
        {"operationName": "RetrieveContactHistory"},
    ),
    ("GET", "/api/v2/ucs/interactions/{interaction_id:str}"): Rule(
        "/api/v2/ucs/interactions/THEIRS", READ_OTHERS
    ),
    ("POST", "/api/v2/ucs/interactions/{interaction_id:str}"): Rule(
        "/api/v2/ucs/interactions/THEIRS", READ, {"operationName": "GetInteractionContent"}
    ),
    ("GET", "/api/v2/interactions/{interaction_id:str}"): Rule(
        "/api/v2/interactions/THEIRS", READ_OTHERS
    ),
    ("GET", "/api/v2/ucs/contacts/{contact_id:str}"): Rule(
        "/api/v2/ucs/contacts/FOREIGN", READ_OTHERS
    ),
    ("GET", "/api/v2/users/{user_id:str}"): Rule("/api/v2/users/{other_agent}", READ_OTHERS),
    ("GET", "/api/v2/features"): Rule("/api/v2/features", READ),
    ("GET", "/api/v2/features/{feature_id:str}"): Rule("/api/v2/features/api-voice", READ),
    ("GET", "/api/v2/me"): Rule("/api/v2/me", READ),
    ("GET", "/api/v2/diagnostics/version"): Rule("/api/v2/diagnostics/version", READ),
    ("POST", "/api/v2/contacts/ucs"): Rule(
        "/api/v2/contacts/ucs",
        READ,
        {"operationName": "IdentifyUCSContact", "lastName": "Nobody"},
    ),
    ("POST", "/api/v2/notifications"): Rule(
        "/api/v2/notifications",
        {
            "anonymous": _cometd_handshake(False),
            "agent": _cometd_handshake(True),
            "supervisor": _cometd_handshake(True),
            "admin": _cometd_handshake(True),
        },
        [{"channel": "/meta/handshake", "version": "1.0"}],
    ),
    # extension writes: admins only
    ("POST", "/openucs/v1/interactions"): Rule(
        "/openucs/v1/interactions", _api(401, 403, 403, 201), NEW_INTERACTION
    ),
    ("PUT", "/openucs/v1/interactions/{interaction_id:str}"): Rule(
        "/openucs/v1/interactions/PUT1",
        _api(401, 403, 403, 201),
        {**NEW_INTERACTION, "id": "PUT1"},
    ),
    ("PATCH", "/openucs/v1/interactions/{interaction_id:str}"): Rule(
        "/openucs/v1/interactions/THEIRS", ADMIN, {"subject": "patched"}
    ),
    ("DELETE", "/openucs/v1/interactions/{interaction_id:str}"): Rule(
        "/openucs/v1/interactions/DOOMED", ADMIN
    ),
    ("POST", "/openucs/v1/interactions/bulk"): Rule("/openucs/v1/interactions/bulk", ADMIN, NDJSON),
    ("POST", "/openucs/v1/contacts"): Rule(
        "/openucs/v1/contacts", _api(401, 403, 403, 201), NEW_CONTACT
    ),
    # Agents find only the contacts they may read (test_contact_search).
    ("GET", "/openucs/v1/contacts"): Rule("/openucs/v1/contacts", READ),
    ("GET", "/openucs/v1/interactions"): Rule("/openucs/v1/interactions?q=refund", READ),
    ("GET", "/openucs/v1/contacts/{contact_id:str}"): Rule(
        "/openucs/v1/contacts/FOREIGN", READ_OTHERS
    ),
    ("GET", "/openucs/v1/contacts/{contact_id:str}/export"): Rule(
        "/openucs/v1/contacts/FOREIGN/export", ADMIN
    ),
    ("PUT", "/openucs/v1/contacts/{contact_id:str}"): Rule(
        "/openucs/v1/contacts/FOREIGN", ADMIN, NEW_CONTACT
    ),
    # contact merges: admins only (tests/api/test_contact_merge.py)
    ("POST", "/openucs/v1/contacts/{contact_id:str}/merge"): Rule(
        "/openucs/v1/contacts/HANDLED/merge", ADMIN, {"from": "FOREIGN"}
    ),
    ("POST", "/openucs/v1/contacts/{contact_id:str}/unmerge"): Rule(
        "/openucs/v1/contacts/MERGED/unmerge", ADMIN
    ),
    ("POST", "/openucs/v1/users"): Rule(
        "/openucs/v1/users",
        _api(401, 403, 403, 201),
        {"userName": "newbie", "password": "a-long-password"},
    ),
    ("GET", "/openucs/v1/users"): Rule("/openucs/v1/users", ADMIN),
    ("POST", "/openucs/v1/logout"): Rule("/openucs/v1/logout", READ),
    ("GET", "/openucs/v1/audit"): Rule("/openucs/v1/audit", ADMIN),
    ("GET", "/openucs/v1/changes"): Rule("/openucs/v1/changes", READ),
    # An answered stream never ends: the roles are checked on a refused seq (the 200 of each
    # role: tests/api/test_changes_stream.py, against a real server).
    ("GET", "/openucs/v1/changes/stream"): Rule(
        "/openucs/v1/changes/stream?after=x", _api(401, 400, 400, 400)
    ),
    # webhooks: admins only (tests/api/test_webhooks.py); HOOK and its delivery DLV: `world`
    ("POST", "/openucs/v1/webhooks"): Rule(
        "/openucs/v1/webhooks",
        _api(401, 403, 403, 201),
        {"url": "https://93.184.215.14/hook", "enabled": False},
    ),
    ("GET", "/openucs/v1/webhooks"): Rule("/openucs/v1/webhooks", ADMIN),
    ("GET", "/openucs/v1/webhooks/{webhook_id:str}"): Rule("/openucs/v1/webhooks/HOOK", ADMIN),
    ("PATCH", "/openucs/v1/webhooks/{webhook_id:str}"): Rule(
        "/openucs/v1/webhooks/HOOK", ADMIN, {"enabled": False}
    ),
    ("DELETE", "/openucs/v1/webhooks/{webhook_id:str}"): Rule("/openucs/v1/webhooks/HOOK", ADMIN),
    ("GET", "/openucs/v1/webhooks/{webhook_id:str}/deliveries"): Rule(
        "/openucs/v1/webhooks/HOOK/deliveries", ADMIN
    ),
    ("GET", "/openucs/v1/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}"): Rule(
        "/openucs/v1/webhooks/HOOK/deliveries/DLV", ADMIN
    ),
    ("POST", "/openucs/v1/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver"): Rule(
        "/openucs/v1/webhooks/HOOK/deliveries/DLV/redeliver", _api(401, 403, 403, 202)
    ),
    # privacy (docs/privacy.md): admins place and remove holds and erase; supervisors read
    ("POST", "/openucs/v1/holds"): Rule(
        "/openucs/v1/holds", _api(401, 403, 403, 201), {"contactId": "FOREIGN", "reason": "case"}
    ),
    ("GET", "/openucs/v1/holds"): Rule("/openucs/v1/holds", READ_OTHERS),
    ("DELETE", "/openucs/v1/holds/{hold_id:str}"): Rule(
        "/openucs/v1/holds/NO-SUCH-HOLD",
        _api(401, 403, 403, 404),  # admin: past the guard
    ),
    ("DELETE", "/openucs/v1/contacts/{contact_id:str}"): Rule(
        "/openucs/v1/contacts/FOREIGN?erase=true", ADMIN
    ),
    # the web UI: anonymous visitors are sent to the sign-in form
    ("GET", "/"): Rule("/", _page(303, 200, 200, 200), web=True),
    ("GET", "/contacts/{contact_id:str}"): Rule(
        "/contacts/FOREIGN", _page(303, 403, 200, 200), web=True
    ),
    ("GET", "/interactions/{interaction_id:str}"): Rule(
        "/interactions/THEIRS", _page(303, 403, 200, 200), web=True
    ),
    ("POST", "/interactions/{interaction_id:str}/comment"): Rule(
        "/interactions/THEIRS/comment",
        _page(303, 403, 403, 303),  # admins and the owner edit; 303 back to the page
        web=True,
        form={"comment": "noted"},
    ),
    ("GET", "/dashboard"): Rule("/dashboard", _page(303, 403, 200, 200), web=True),
    # exporting a search: supervisors and admins (tests/web/test_export.py)
    ("GET", "/search/export.csv"): Rule("/search/export.csv", _page(303, 403, 200, 200), web=True),
    ("GET", "/search/export.ndjson"): Rule(
        "/search/export.ndjson", _page(303, 403, 200, 200), web=True
    ),
    # saved searches: each user their own; 303 back to the search page
    ("POST", "/searches"): Rule(
        "/searches", _page(303, 303, 303, 303), web=True, form={"name": "Mine", "query": "q=a"}
    ),
    ("POST", "/searches/{search_id:str}/delete"): Rule(
        "/searches/NOT-MINE/delete", _page(303, 404, 404, 404), web=True
    ),
    ("GET", "/login"): Rule("/login", _page(200, 303, 303, 303), web=True),  # signed in: to /
    ("POST", "/login"): Rule(
        "/login",
        _page(403, 403, 403, 403),  # without the form's double-submit token
        web=True,
        form={"user_name": "admin", "password": PASSWORD},
    ),
    ("POST", "/logout"): Rule("/logout", _page(303, 303, 303, 303), web=True),
    ("GET", "/static/{file_path:path}"): Rule(
        "/static/style.css", _page(200, 200, 200, 200), web=True
    ),
    # The API description and its docs page are public (no data; test_openapi checks them).
    ("GET", "/schema"): Rule("/schema", PUBLIC),
    ("GET", "/schema/swagger"): Rule("/schema/swagger", PUBLIC),
    ("GET", "/schema/openapi.json"): Rule("/schema/openapi.json", PUBLIC),
    ("GET", "/schema/openapi.yaml"): Rule("/schema/openapi.yaml", PUBLIC),
    ("GET", "/schema/openapi.yml"): Rule("/schema/openapi.yml", PUBLIC),
    ("GET", "/schema/{path:str}"): Rule("/schema/redoc", _api(404, 404, 404, 404)),
    ("GET", "/schema/oauth2-redirect.html"): Rule("/schema/oauth2-redirect.html", PUBLIC),
    ("GET", "/schema/assets/{file_path:path}"): Rule("/schema/assets/swagger-ui-bundle.js", PUBLIC),
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    """(method, path) of every route the application serves (the CometD mount as POST)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        methods = set(getattr(route, "methods", ()) or ()) - SKIPPED_METHODS
        for method in methods or {"POST"}:
            found.add((method, route.path))
    return found


def test_every_route_has_a_rule(app: Litestar) -> None:
    routes = app_routes(app)
    assert sorted(routes - set(RULES)) == [], "routes without a rule"
    assert sorted(set(RULES) - routes) == [], "rules of routes that no longer exist"


@pytest.fixture
def world(store: Store, people: People) -> None:
    seed_contact(store, id="FOREIGN", first_name="Fred")
    seed_contact(store, id="HANDLED", first_name="Hana")
    seed_contact(store, id="MERGED", first_name="Mo")
    store.merge_contacts("MERGED", "HANDLED", merged_by=None)
    seed(
        store,
        make_interaction(id="MINE", contact_id="HANDLED", owner_id=people.agent.id),
        make_interaction(id="THEIRS", contact_id="FOREIGN", owner_id=people.other_agent.id),
        make_interaction(id="DOOMED", owner_id=people.other_agent.id),
    )
    seed_webhook(store)


def _caller(people: People, role: str) -> User | None:
    return {
        "anonymous": None,
        "agent": people.agent,
        "supervisor": people.supervisor,
        "admin": people.admin,
    }[role]


def _call_api(
    client: TestClient[Litestar], rule: Rule, method: str, user: User | None, people: People
) -> Any:
    client.cookies.clear()
    auth = (user.user_name, PASSWORD) if user is not None else None
    kwargs: dict[str, Any] = {}
    if isinstance(rule.body, bytes):
        kwargs["content"] = rule.body
        kwargs["headers"] = {"Content-Type": "application/x-ndjson"}
    elif rule.body is not None:
        kwargs["json"] = rule.body
    path = rule.path.format(other_agent=people.other_agent.id)
    return client.request(method, path, auth=auth, **kwargs)


def _call_page(
    client: TestClient[Litestar], rule: Rule, method: str, user: User | None, _: People
) -> Any:
    client.cookies.clear()
    browser = Browser(client)
    form = dict(rule.form)
    if user is not None:
        assert browser.login(user.user_name).status_code == 303
        if method == "POST" and rule.path != "/login":
            form["csrf"] = browser.csrf()
    if method == "GET":
        return browser.get(rule.path)
    return browser.post(rule.path, data=form)


@pytest.mark.parametrize("key", sorted(RULES), ids=lambda k: f"{k[0]} {k[1]}")
def test_route_by_role(
    client: TestClient[Litestar], people: People, world: None, key: tuple[str, str]
) -> None:
    """Each role in turn, admin last (its writes succeed)."""
    method = key[0]
    rule = RULES[key]
    call = _call_page if rule.web else _call_api
    wrong = []
    for role in ROLES:
        response = call(client, rule, method, _caller(people, role), people)
        expected = rule.expect[role]
        good = response.status_code == expected if isinstance(expected, int) else expected(response)
        if not good:
            wrong.append((role, response.status_code, response.text[:200]))
    assert wrong == []
