"""The `agent_access` policy on every read path (GET routes, the asynchronous operations and
their CometD results, content, the web UI), and the write rule of the thread-wide voice
operations: an agent changes nothing another agent owns.

The data: contact HANDLED has the agent's MINE and the other agent's THEIRS; contact FOREIGN
has only the other agent's ELSEWHERE."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.api.test_operations import Comet, accepted, call, run_op
from tests.factories import make_interaction
from tests.web.conftest import Browser

WINDOW = "fromDate=2024-02-01&toDate=2024-03-31"
OP_WINDOW = {"fromDate": "2024-02-01", "toDate": "2024-03-31"}


@dataclass
class World:
    handled: str
    foreign: str


@pytest.fixture
def world(store: Store, people: People) -> World:
    handled = seed_contact(store, first_name="Hana")
    foreign = seed_contact(store, first_name="Fred")
    seed(
        store,
        make_interaction(id="MINE", contact_id=handled.id, owner_id=people.agent.id),
        make_interaction(id="THEIRS", contact_id=handled.id, owner_id=people.other_agent.id),
        make_interaction(id="ELSEWHERE", contact_id=foreign.id, owner_id=people.other_agent.id),
    )
    return World(handled.id, foreign.id)


@pytest.fixture(params=["own", "handled", "all"])
def policy(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def policy_client(settings: Settings, store: Store, policy: str) -> Iterator[TestClient[Litestar]]:
    app = create_app(replace(settings, agent_access=policy), store)
    with TestClient(app) as client:
        yield client


# What the agent reads under each policy.
WINDOW_LIST = {"own": ["MINE"], "handled": ["MINE"], "all": ["ELSEWHERE", "MINE", "THEIRS"]}
HANDLED_HISTORY = {"own": ["MINE"], "handled": ["MINE", "THEIRS"], "all": ["MINE", "THEIRS"]}
FOREIGN_HISTORY: dict[str, list[str] | None] = {"own": None, "handled": None, "all": ["ELSEWHERE"]}
READS_THEIRS = {"own": False, "handled": True, "all": True}
READS_ELSEWHERE = {"own": False, "handled": False, "all": True}


def test_get_routes_follow_the_policy(
    policy_client: TestClient[Litestar], people: People, world: World, policy: str
) -> None:
    api = Api(policy_client, people)
    agent = people.agent

    listed = ok(api.get(f"/api/v2/ucs/interactions?{WINDOW}", user=agent))
    assert sorted(i["id"] for i in listed["interactions"]) == WINDOW_LIST[policy]

    path = f"/api/v2/ucs/contacts/{world.handled}/interactions?{WINDOW}"
    history = ok(api.get(path, user=agent))
    assert sorted(i["id"] for i in history["interactions"]) == HANDLED_HISTORY[policy]

    path = f"/api/v2/ucs/contacts/{world.foreign}/interactions?{WINDOW}"
    expected = FOREIGN_HISTORY[policy]
    if expected is None:
        error(api.get(path, user=agent), 403, 5)
        error(api.get(f"/openucs/v1/contacts/{world.foreign}", user=agent), 403, 5)
    else:
        foreign = ok(api.get(path, user=agent))
        assert [i["id"] for i in foreign["interactions"]] == expected
        ok(api.get(f"/openucs/v1/contacts/{world.foreign}", user=agent))

    for item, readable in (("THEIRS", READS_THEIRS), ("ELSEWHERE", READS_ELSEWHERE)):
        answer = api.get(f"/api/v2/ucs/interactions/{item}", user=agent)
        if readable[policy]:
            assert ok(answer)["interaction"]["id"] == item
        else:
            error(answer, 403, 5)


def test_an_agent_lists_another_agents_history_only_under_all(
    policy_client: TestClient[Litestar], people: People, world: World, policy: str
) -> None:
    api = Api(policy_client, people)
    path = f"/api/v2/ucs/interactions?{WINDOW}&userId={people.other_agent.id}"
    answer = api.get(path, user=people.agent)
    if policy == "all":
        assert sorted(i["id"] for i in ok(answer)["interactions"]) == ["ELSEWHERE", "THEIRS"]
    else:
        error(answer, 403, 5)


def test_supervisors_read_everything_whatever_the_policy(
    policy_client: TestClient[Litestar], people: People, world: World
) -> None:
    api = Api(policy_client, people)
    listed = ok(api.get(f"/api/v2/ucs/interactions?{WINDOW}", user=people.supervisor))
    assert sorted(i["id"] for i in listed["interactions"]) == ["ELSEWHERE", "MINE", "THEIRS"]
    ok(api.get("/api/v2/ucs/interactions/ELSEWHERE", user=people.supervisor))


def test_operations_and_their_cometd_results_follow_the_policy(
    policy_client: TestClient[Litestar], people: People, world: World, policy: str
) -> None:
    client, agent = policy_client, people.agent
    comet = Comet(client, agent.user_name)

    body = {"operationName": "RetrieveContactHistory", **OP_WINDOW}
    path = f"/ucs/contacts/{world.handled}/interactions"
    message = run_op(client, comet, agent, path, body)
    assert sorted(i["id"] for i in message["interactions"]) == HANDLED_HISTORY[policy]

    path = f"/ucs/contacts/{world.foreign}/interactions"
    message = run_op(client, comet, agent, path, body)
    if FOREIGN_HISTORY[policy] is None:
        assert "interactions" not in message and "errorMessage" in message
    else:
        assert [i["id"] for i in message["interactions"]] == FOREIGN_HISTORY[policy]

    listed = run_op(
        client,
        comet,
        agent,
        "/ucs/interactions",
        {"operationName": "RetrieveInteractionHistory", **OP_WINDOW},
    )
    assert sorted(i["id"] for i in listed["interactions"]) == WINDOW_LIST[policy]

    content = {"operationName": "GetInteractionContent"}
    for item, readable in (("THEIRS", READS_THEIRS), ("ELSEWHERE", READS_ELSEWHERE)):
        message = run_op(client, comet, agent, f"/ucs/interactions/{item}", content)
        if readable[policy]:
            assert message["interaction"]["id"] == item
        else:
            assert "interaction" not in message and "errorMessage" in message


def test_web_pages_follow_the_policy(
    policy_client: TestClient[Litestar], people: People, world: World, policy: str
) -> None:
    browser = Browser(policy_client)
    assert browser.login(people.agent.user_name).status_code in (200, 303)

    page = browser.get(f"/contacts/{world.handled}")
    assert page.status_code == 200
    assert ("/interactions/THEIRS" in page.text) is (policy != "own")
    assert "/interactions/MINE" in page.text

    assert browser.get(f"/contacts/{world.foreign}").status_code == (
        200 if policy == "all" else 403
    )
    for item, readable in (("THEIRS", READS_THEIRS), ("ELSEWHERE", READS_ELSEWHERE)):
        assert browser.get(f"/interactions/{item}").status_code == (
            200 if readable[policy] else 403
        )


# --- writes: nothing another agent owns -------------------------------------------------------


def test_set_call_contact_changes_only_the_callers_part_of_a_thread(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    target = seed_contact(store)
    seed(
        store,
        make_interaction(id="B-CALL", owner_id=people.other_agent.id),
        make_interaction(id="A-CALL", parent_id="B-CALL", owner_id=people.agent.id),
        make_interaction(id="NOBODY", parent_id="B-CALL", owner_id=None),
    )
    comet = Comet(client, people.agent.user_name)
    body = {"operationName": "SetCallContact", "contactPath": f"/contacts/{target.id}"}
    message = run_op(client, comet, people.agent, "/ucs/interactions/A-CALL", body)
    assert message["success"] is True
    assert message["unchangedInteractionIds"] == ["B-CALL"]
    found = store.get_interactions(["B-CALL", "A-CALL", "NOBODY"])
    assert {k: v.contact_id for k, v in found.items()} == {
        "B-CALL": None,
        "A-CALL": target.id,
        "NOBODY": target.id,
    }

    # A supervisor changes the whole thread, and the answer is GWS's own.
    comet = Comet(client, people.supervisor.user_name)
    message = run_op(client, comet, people.supervisor, "/ucs/interactions/A-CALL", body)
    assert set(message) == {"referenceId", "messageType", "success"}
    assert store.get_interactions(["B-CALL"])["B-CALL"].contact_id == target.id


def test_find_phone_call_refuses_a_parent_the_agent_may_not_read(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(store, make_interaction(id="B-CALL", owner_id=people.other_agent.id))
    comet = Comet(client, people.agent.user_name)
    body = {
        "operationName": "FindPhoneCall",
        "callId": "0001",
        "status": "InProcess",
        "phoneNumber": "5551234",
        "type": "Inbound",
        "parentId": "B-CALL",
    }
    message = run_op(client, comet, people.agent, "/ucs/interactions", body)
    assert message["messageType"] == "createInteractionResponse"
    assert "interactionId" not in message and "errorMessage" in message
    assert store.count_interactions() == 1

    # Without the parent the call is created, in a thread of its own.
    made = run_op(client, comet, people.agent, "/ucs/interactions", {**body, "parentId": ""})
    item = store.get_interaction(made["interactionId"], with_content=False)
    assert item is not None and item.thread_id == item.id


def test_set_call_note_of_another_agents_call_is_refused(
    client: TestClient[Litestar], people: People, store: Store
) -> None:
    seed(store, make_interaction(id="B-CALL", owner_id=people.other_agent.id, comment="kept"))
    comet = Comet(client, people.agent.user_name)
    for body in (
        {"operationName": "SetCallNote", "note": "mine now"},
        {"operationName": "SetCallCompleted", "callDuration": 5},
    ):
        reference = accepted(call(client, people.agent, "/ucs/interactions/B-CALL", body))
        message: dict[str, Any] = comet.wait_for(reference)
        assert message["success"] is False, message
    item = store.get_interaction("B-CALL", with_content=False)
    assert item is not None and item.comment == "kept"
