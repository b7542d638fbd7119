"""Redaction at ingest on every write path, on both engines: a card number given through any of
them is a marker in the stored row and cannot be found by search (docs/privacy-redaction.md).

The paths: HTTP create, put, patch (subject, comment, attributes, user data), bulk NDJSON, each
importer format, the UCS voice operations that carry text (FindPhoneCall, SetCallNote,
SetCallCompleted), the web comment editor's service, and the two-process import pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from openucs.domain.access import AgentAccess
from openucs.domain.enums import State
from openucs.domain.models import Interaction, ReadRecord
from openucs.domain.query import HistoryQuery
from openucs.domain.redaction import CARD_MARKER, Redaction
from openucs.gws.ndjson import InteractionLines
from openucs.services import comments, pipeline
from openucs.services.access import Reader
from openucs.services.bulk import NdjsonFileBatches
from openucs.store import Store, open_store
from tests.api.conftest import Api, People, ok, seed
from tests.api.test_importers import CSV, FIXTURES, JSON, NDJSON, upload
from tests.api.test_operations import Comet, run_op
from tests.api.test_writes import chat_body, ndjson
from tests.factories import make_interaction

CARD = "4111111111111111"  # Luhn-valid
NOT_A_CARD = "4111111111111112"  # one digit off: fails the Luhn check, stays
POLICY = Redaction.parse(
    kinds="card,iban,ssn", patterns=[], attributes="Account,AccountNumber,note"
)
ROOT = "/openucs/v1"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url, redaction=POLICY)
    try:
        yield opened
    finally:
        opened.close()


def found(api: Api, digits: str) -> list[str]:
    answer = ok(api.get(f"{ROOT}/interactions?q={quote(digits)}"))
    return [item["id"] for item in answer["interactions"]]


def texts(item: Interaction) -> str:
    """Everything of `item` that redaction covers, as one string."""
    parts = [item.subject, item.comment, *item.custom_attributes.values()]
    parts += [str(v) for v in (item.user_data or {}).values()]
    parts += [m.text for m in item.messages or ()]
    if item.email:
        parts += [item.email.subject, item.email.body, item.email.body_as_plain_text]
    return " ".join(p for p in parts if p)


def stored(store: Store, interaction_id: str) -> str:
    item = store.get_interaction(interaction_id, with_content=True)
    assert item is not None
    return texts(item)


def assert_redacted(api: Api, store: Store, *ids: str) -> None:
    everything = " ".join(stored(store, i) for i in ids)
    assert CARD not in everything
    assert CARD_MARKER in everything
    assert found(api, CARD) == []


def with_card(text: str) -> str:
    return f"{text} card {CARD} thanks"


def test_search_finds_digits_that_are_not_a_card(api: Api, store: Store) -> None:
    """The control: what the other tests do not find, search would find unredacted."""
    body = chat_body(id="CONTROL", subject=f"ref {NOT_A_CARD}")
    ok(api.post(f"{ROOT}/interactions", json=body), 201)
    assert NOT_A_CARD in stored(store, "CONTROL")
    assert found(api, NOT_A_CARD) == ["CONTROL"]


def test_create(api: Api, store: Store, people: People) -> None:
    body = chat_body(
        id="CREATED",
        subject=with_card("subject"),
        customAttributes={"Account": CARD, "Team": "blue"},
        userData={"note": with_card("n")},
    )
    body["messages"][0]["text"] = with_card("transcript")
    answer = ok(api.post(f"{ROOT}/interactions", json=body), 201)
    assert CARD not in str(answer)
    assert_redacted(api, store, "CREATED")
    assert stored(store, "CREATED").count(CARD_MARKER) == 4


def test_put(api: Api, store: Store, people: People) -> None:
    body = chat_body(id="PUT", comment=with_card("comment"))
    response = api.put(f"{ROOT}/interactions/PUT", json=body)
    assert response.status_code in (200, 201), response.text
    assert_redacted(api, store, "PUT")


@pytest.mark.parametrize(
    "change",
    [
        {"subject": with_card("s")},
        {"comment": with_card("c")},
        {"customAttributes": {"Account": CARD}},
        {"userData": {"note": with_card("u")}},
    ],
    ids=["subject", "comment", "attributes", "userData"],
)
def test_patch(api: Api, store: Store, people: People, change: dict[str, Any]) -> None:
    seed(store, make_interaction(id="PATCHED", owner_id=people.agent.id))
    ok(api.patch(f"{ROOT}/interactions/PATCHED", json=change))
    assert_redacted(api, store, "PATCHED")


def test_bulk_ndjson(api: Api, store: Store, people: People) -> None:
    lines = ndjson(chat_body(id="BULK1", subject=with_card("b")), chat_body(id="BULK2"))
    headers = {"Content-Type": "application/x-ndjson"}
    ok(api.post(f"{ROOT}/interactions/bulk", content=lines, headers=headers))
    assert_redacted(api, store, "BULK1")


@pytest.mark.parametrize(
    ("format_", "name", "headers", "given"),
    [
        ("csv", "interactions.csv", CSV, "Paid by card"),
        ("connect-ctr", "connect-ctr.ndjson", NDJSON, "AC-1001"),
        ("connect-ctr", "connect-ctr.json", JSON, "AC-1001"),
        ("genesys-cloud", "genesys-cloud.ndjson", NDJSON, "A-0001"),
        ("genesys-cloud", "genesys-cloud.json", JSON, "A-0001"),
    ],
)
def test_importers(
    api: Api, store: Store, people: People, format_: str, name: str, headers: Any, given: str
) -> None:
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert given in body
    ok(upload(api, format_, body.replace(given, CARD).encode(), headers))
    ids = [item.id for item in store.iter_history(_everything())]
    assert ids
    assert_redacted(api, store, *ids)


def _everything() -> HistoryQuery:
    return HistoryQuery(start_from=None, start_to=None)


def test_voice_operations(client: TestClient[Litestar], people: People, store: Store) -> None:
    comet = Comet(client, "agent1")
    find = {
        "operationName": "FindPhoneCall",
        "callId": "CALL-1",
        "status": "InProcess",
        "phoneNumber": "5551234",
        "type": "Inbound",
        "subject": with_card("call"),
        "userData": {"note": CARD},
    }
    created = run_op(client, comet, people.agent, "/ucs/interactions", find)
    call_id = created["interactionId"]
    path = f"/ucs/interactions/{call_id}"
    note = {"operationName": "SetCallNote", "note": with_card("note")}
    assert run_op(client, comet, people.agent, path, note)["success"] is True
    done = {"operationName": "SetCallCompleted", "userData": {"Account": CARD}}
    assert run_op(client, comet, people.agent, path, done)["success"] is True
    item = store.get_interaction(call_id, with_content=False)
    assert item is not None and item.state is State.STOPPED
    assert CARD not in texts(item)
    assert texts(item).count(CARD_MARKER) == 4  # subject, comment, two user data keys


def test_web_comment_editor(api: Api, store: Store, people: People) -> None:
    seed(store, make_interaction(id="EDITED", owner_id=people.agent.id))
    reader = Reader(people.agent, AgentAccess.HANDLED, _NoAudit())
    comments.edit_comment(
        store=store, reader=reader, interaction_id="EDITED", comment=with_card("web")
    )
    assert_redacted(api, store, "EDITED")


class _NoAudit:
    def append(self, record: ReadRecord) -> None:
        pass


def test_two_process_import(api: Api, store: Store, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "history.ndjson"
    path.write_bytes(ndjson(chat_body(id="PIPED", comment=with_card("p"))))
    source = NdjsonFileBatches(str(path), InteractionLines(UTC))
    stats = pipeline.ingest_in_two_processes(store=store, database_url=database_url, source=source)
    assert stats.records == 1
    assert_redacted(api, store, "PIPED")
