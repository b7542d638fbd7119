"""The read audit: every read of interactions or contact history by a person leaves a record,
through the API, the asynchronous operations, the web UI and the command line; admins read it
with `GET /openucs/v1/audit` (keyset paged) and `openucs audit`."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.models import ReadRecord
from openucs.domain.query import AuditQuery, Cursor, encode_page_token
from openucs.services.audit import AuditTrail
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.api.test_operations import Comet, run_op
from tests.factories import make_interaction
from tests.web.conftest import Browser

WINDOW = "fromDate=2024-02-01&toDate=2024-03-31"


def _records(api: Api, query: str = "") -> list[dict[str, object]]:
    answer = ok(api.get(f"/openucs/v1/audit?maxSize=1000{query}"))
    records: list[dict[str, object]] = answer["records"]
    return records


def test_every_read_path_leaves_a_record(
    client: TestClient[Litestar], api: Api, people: People, store: Store
) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(id="ONE", contact_id=contact.id, owner_id=people.agent.id),
        make_interaction(id="TWO", contact_id=contact.id, owner_id=people.agent.id),
    )
    agent = people.agent
    ok(api.get(f"/api/v2/ucs/interactions?{WINDOW}", user=agent))
    ok(api.get(f"/api/v2/ucs/contacts/{contact.id}/interactions?{WINDOW}", user=agent))
    ok(api.get("/api/v2/ucs/interactions/ONE", user=agent))
    ok(api.get(f"/openucs/v1/contacts/{contact.id}", user=agent))
    comet = Comet(client, agent.user_name)
    run_op(
        client, comet, agent, "/ucs/interactions/TWO", {"operationName": "GetInteractionContent"}
    )
    browser = Browser(client)
    browser.login(agent.user_name)
    assert browser.get("/interactions/TWO").status_code == 200
    assert browser.get(f"/contacts/{contact.id}").status_code == 200

    mine = [r for r in _records(api) if r["userName"] == agent.user_name]
    seen = [(r["via"], r["action"], r.get("contactId"), r["interactionIds"]) for r in mine]
    assert seen == [  # newest first
        ("web", "contact.history", contact.id, ["TWO", "ONE"]),
        ("web", "contact.read", contact.id, []),
        ("web", "interaction.read", contact.id, ["TWO"]),
        ("cometd", "interaction.read", contact.id, ["TWO"]),
        ("api", "contact.read", contact.id, []),
        ("api", "interaction.read", contact.id, ["ONE"]),
        ("api", "contact.history", contact.id, ["TWO", "ONE"]),
        ("api", "interactions.list", None, ["TWO", "ONE"]),
    ]
    assert all(r["userId"] == agent.id and r["client"] == "testclient" for r in mine)
    assert all(isinstance(r["at"], str) and len(str(r["at"])) == 28 for r in mine)


def test_a_refused_read_leaves_no_record(api: Api, people: People, store: Store) -> None:
    seed(store, make_interaction(id="THEIRS", owner_id=people.other_agent.id))
    error(api.get("/api/v2/ucs/interactions/THEIRS", user=people.agent), 403, 5)
    error(api.get("/api/v2/ucs/interactions/NOPE", user=people.agent), 404, 6)
    assert [r for r in _records(api) if r["userName"] == people.agent.user_name] == []


def test_only_admins_read_the_audit(api: Api, people: People) -> None:
    error(api.get("/openucs/v1/audit", user=people.agent), 403, 5)
    error(api.get("/openucs/v1/audit", user=people.supervisor), 403, 5)
    error(api.get("/openucs/v1/audit", user=None), 401, 20)


def test_filters_and_keyset_pages(api: Api, people: People, store: Store) -> None:
    seed(store, make_interaction(id="ONE", owner_id=people.agent.id))
    for _ in range(5):
        ok(api.get("/api/v2/ucs/interactions/ONE", user=people.agent))
    ok(api.get("/api/v2/ucs/interactions/ONE", user=people.supervisor))

    by_name = _records(api, f"&userId={people.agent.user_name}")
    by_id = _records(api, f"&userId={people.agent.id}")
    assert len(by_name) == 5 and by_name == by_id
    error(api.get("/openucs/v1/audit?userId=nobody"), 404, 6, "nobody")

    seqs, token = [], None
    while True:
        suffix = f"&pageToken={token}" if token else ""
        page = ok(api.get(f"/openucs/v1/audit?userId={people.agent.id}&maxSize=2{suffix}"))
        seqs += [r["seq"] for r in page["records"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert seqs == [r["seq"] for r in by_id] and len(set(seqs)) == 5
    error(api.get("/openucs/v1/audit?pageToken=junk"), 400, 2, "pageToken")
    error(api.get(f"/openucs/v1/audit?userId={people.agent.id}&pageToken="), 400, 2, "pageToken")

    # Two days on: a date that has not begun yet in any time zone the settings may name (a
    # date of "tomorrow" in UTC is today in Helsinki from 22:00 UTC on).
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert _records(api, f"&since={later}") == []
    assert len(_records(api, f"&until={later}&userId={people.agent.id}")) == 5
    error(api.get(f"/openucs/v1/audit?since={later}&until=2020-01-01"), 400, 2, "since")


def test_records_queued_at_shutdown_are_written(
    settings: Settings, store: Store, people: People
) -> None:
    seed(store, make_interaction(id="ONE", owner_id=people.agent.id))
    with TestClient(create_app(settings, store)) as client:
        ok(Api(client, people).get("/api/v2/ucs/interactions/ONE", user=people.agent))
    page = store.reads(AuditQuery(user_id=people.agent.id))
    assert [r.interaction_ids for r in page.items] == [("ONE",)]


def test_records_past_the_retention_are_pruned(store: Store) -> None:
    now = datetime.now(UTC)
    old = ReadRecord(at=now - timedelta(days=31), user_id=None, user_name="x", action="a", via="t")
    new = ReadRecord(at=now - timedelta(days=29), user_id=None, user_name="y", action="a", via="t")
    store.append_reads([old, new])
    trail = AuditTrail(store, retention_days=30)
    assert trail.prune(now) == 1
    assert [r.user_name for r in store.reads(AuditQuery()).items] == ["y"]


def test_the_background_thread_writes_without_a_flush(store: Store) -> None:
    trail = AuditTrail(store, retention_days=30, flush_seconds=0.01)
    trail.start()
    try:
        trail.append(ReadRecord.now(user_id=None, user_name="z", action="a", via="t"))
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while not store.reads(AuditQuery()).items and datetime.now(UTC) < deadline:
            time.sleep(0.01)
        assert [r.user_name for r in store.reads(AuditQuery()).items] == ["z"]
    finally:
        trail.close()


def test_a_forged_page_token_is_a_400(api: Api) -> None:
    query = AuditQuery()
    for cursor in (Cursor(10**20, "1"), Cursor(0, "9" * 40), Cursor(0, "-1")):
        token = encode_page_token(query, cursor)
        error(api.get(f"/openucs/v1/audit?pageToken={token}"), 400, 2, "pageToken")


def test_reads_are_not_recorded_when_the_setting_is_off(
    settings: Settings, store: Store, people: People
) -> None:
    seed(store, make_interaction(id="ONE", owner_id=people.agent.id))
    with TestClient(create_app(replace(settings, audit_reads=False), store)) as client:
        api = Api(client, people)
        ok(api.get("/api/v2/ucs/interactions/ONE", user=people.agent))
        assert ok(api.get("/openucs/v1/audit"))["records"] == []
