"""Golden answers: a few representative GWS answers over a fixed dataset, compared byte for byte
with the answers recorded in tests/api/golden/ENGINE/ (status, Content-Type and body). Each
engine has its own record: PostgreSQL's JSONB orders the keys of custom attributes and
userData by length, SQLite keeps them as written.

They were recorded before the read path was tuned (issue 10), so any change to the read path
that changes a byte of an answer fails here. To record them again after a deliberate change of
the wire: `OPENUCS_RECORD_GOLDEN=1 .venv/bin/pytest tests/api/test_golden_answers.py`, and
review the diff of tests/api/golden/."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.enums import InteractionType, MediaType, Role, State
from openucs.domain.models import User
from openucs.services.users import hash_password
from openucs.store import Store
from tests.api.conftest import PASSWORD, seed, seed_contact
from tests.factories import make_email, make_interaction, make_messages

GOLDEN = Path(__file__).parent / "golden"
RECORD = os.environ.get("OPENUCS_RECORD_GOLDEN") == "1"

SUPERVISOR = "golden-super"
AGENT = "golden-agent"
AGENT_ID = "a" * 32
OTHER_ID = "b" * 32
CONTACT = "CTGOLDEN00000001"
CALL, CHAT, EMAIL = "IXGOLDENCALL0001", "IXGOLDENCHAT0001", "IXGOLDENMAIL0001"
LONE, OTHERS = "IXGOLDENLONE0001", "IXGOLDENOTHR0001"
T0 = datetime(2024, 3, 1, 9, 0, 0, 123_000, tzinfo=UTC)

CONTACT_HISTORY = f"/api/v2/ucs/contacts/{CONTACT}/interactions"
WINDOW = {"fromDate": "2024-03-01", "toDate": "2024-03-01"}

# name -> (caller user name or None, path, query parameters)
REQUESTS: dict[str, tuple[str | None, str, dict[str, str]]] = {
    "contact_history_attributes": (
        SUPERVISOR,
        CONTACT_HISTORY,
        {**WINDOW, "customAttributes": "SearchId,Ümlaut,Missing", "maxSize": "2", "sort": "asc"},
    ),
    "contact_history_plain": (SUPERVISOR, CONTACT_HISTORY, WINDOW),
    "window_history_asc": (
        SUPERVISOR,
        "/api/v2/ucs/interactions",
        {**WINDOW, "sort": "asc", "customAttributes": "SearchId"},
    ),
    "agent_own_history": (AGENT, "/api/v2/ucs/interactions", WINDOW),
    "get_chat_with_transcript": (SUPERVISOR, f"/api/v2/ucs/interactions/{CHAT}", {}),
    "get_email": (SUPERVISOR, f"/api/v2/interactions/{EMAIL}", {}),
    "get_call": (AGENT, f"/api/v2/ucs/interactions/{CALL}", {}),
    "error_not_found": (SUPERVISOR, "/api/v2/ucs/interactions/IXNOSUCHTHING001", {}),
    "error_unknown_parameter": (SUPERVISOR, CONTACT_HISTORY, {"fromDat": "2024-03-01"}),
    "error_forbidden": (AGENT, f"/api/v2/ucs/interactions/{OTHERS}", {}),
    "error_unauthenticated": (None, CONTACT_HISTORY, WINDOW),
}


def _user(user_id: str, name: str, role: Role, first: str, last: str) -> User:
    return User(
        id=user_id,
        user_name=name,
        first_name=first,
        last_name=last,
        roles=frozenset({role}),
        password_hash=hash_password(PASSWORD),
    )


def _dataset(store: Store) -> None:
    store.save_user(_user("c" * 32, SUPERVISOR, Role.SUPERVISOR, "Sam", "Super"))
    agent = store.save_user(_user(AGENT_ID, AGENT, Role.AGENT, "Ann", "Lee"))
    other = store.save_user(_user(OTHER_ID, "golden-other", Role.AGENT, "Bob", "Räy"))
    seed_contact(store, id=CONTACT)
    seed(
        store,
        make_interaction(
            id=CALL,
            media_type=MediaType.CALL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=T0,
            end_date=T0 + timedelta(seconds=87, milliseconds=877),
            subject="Billing question",
            contact_id=CONTACT,
            comment='called back, "soon" </script>',
            custom_attributes={"SearchId": "123456", "Hidden": "x", "Ümlaut": "ä\u2028b\\c"},
            phone_number="+15550100",
            call_duration=87,
            user_data={"lang": "en", "n": 2, "nested": {"a": [1, None, True]}},
            external_id="T-SERVER-CALL-1",
            owner=agent.owner_info(),
            owner_id=agent.id,
        ),
        make_interaction(
            id=CHAT,
            media_type=MediaType.CHAT,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=T0 + timedelta(hours=1),
            end_date=T0 + timedelta(hours=1, minutes=5),
            subject="Where is my order? ünïcode",
            contact_id=CONTACT,
            custom_attributes={"SearchId": "654321"},
            parent_id=CALL,
            messages=make_messages(3, start=T0 + timedelta(hours=1)),
            owner=agent.owner_info(),
            owner_id=agent.id,
        ),
        make_interaction(
            id=EMAIL,
            media_type=MediaType.EMAIL,
            type_id=InteractionType.OUTBOUND,
            state=State.PENDING,
            start_date=T0 + timedelta(hours=2),
            subject="Order 42",
            contact_id=CONTACT,
            email=make_email(),
            owner=other.owner_info(),
            owner_id=other.id,
        ),
        make_interaction(
            id=LONE,
            media_type=MediaType.WORKITEM,
            type_id=InteractionType.OUTBOUND,
            state=State.NEW,
            # 23:59:59.999 in Helsinki: the last moment of the window's day.
            start_date=datetime(2024, 3, 1, 21, 59, 59, 999_000, tzinfo=UTC),
            owner=agent.owner_info(),
            owner_id=agent.id,
        ),
        make_interaction(
            id=OTHERS,
            media_type=MediaType.CALL,
            start_date=T0 + timedelta(days=1),
            owner=other.owner_info(),
            owner_id=other.id,
        ),
    )


@pytest.fixture
def answers(client: TestClient[Litestar], store: Store) -> dict[str, httpx.Response]:
    _dataset(store)
    found = {}
    for name, (caller, path, params) in REQUESTS.items():
        client.cookies.clear()
        auth: Any = (caller, PASSWORD) if caller else None
        found[name] = client.get(path, params=params, auth=auth)
    return found


def _as_recorded(response: httpx.Response) -> bytes:
    head = f"{response.status_code} {response.headers.get('content-type')}\n"
    return head.encode() + response.content


def test_answers_are_byte_for_byte_the_recorded_ones(
    answers: dict[str, httpx.Response], database_url: str
) -> None:
    engine = "postgres" if database_url.startswith("postgresql") else "sqlite"
    recorded = GOLDEN / engine
    if RECORD:
        recorded.mkdir(parents=True, exist_ok=True)
        for name, response in answers.items():
            (recorded / f"{name}.txt").write_bytes(_as_recorded(response))
    differing = [
        name
        for name, response in answers.items()
        if _as_recorded(response) != (recorded / f"{name}.txt").read_bytes()
    ]
    assert not differing, f"answers differ from {recorded}: {differing}"


def test_the_dataset_covers_what_the_golden_answers_are_for(
    answers: dict[str, httpx.Response],
) -> None:
    """The recorded answers must show what they stand for, or they would prove little."""
    attrs = answers["contact_history_attributes"].json()
    assert attrs["nextPageToken"]
    assert attrs["interactions"][0]["customAttributes"] == {
        "SearchId": "123456",
        "Ümlaut": "ä\u2028b\\c",
    }
    assert answers["get_chat_with_transcript"].json()["messages"]
    assert answers["get_email"].json()["interaction"]["email"]["attachments"]
    assert [answers[n].status_code for n in REQUESTS if n.startswith("error_")] == [
        404,
        400,
        403,
        401,
    ]
