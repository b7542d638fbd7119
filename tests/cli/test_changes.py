"""`openucs changes`: the change log as NDJSON, after a seq, on every engine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openucs.domain.query import AuditQuery, HistoryQuery
from openucs.services import records
from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_contact, make_interaction


def test_changes_prints_the_records_after_a_seq_as_ndjson(run: Run, database_url: str) -> None:
    store = open_store(database_url)
    try:
        records.ingest(store=store, interactions=[make_interaction(id=f"I{n}") for n in range(3)])
        store.save_contact(make_contact(id="K1"))
    finally:
        store.close()

    lines = run("changes", "--database", database_url).output.splitlines()
    found = [json.loads(line) for line in lines]
    assert [(c["seq"], c["type"]) for c in found] == [
        (1, "interaction.created"),
        (2, "interaction.created"),
        (3, "interaction.created"),
        (4, "contact.created"),
    ]
    assert found[0]["data"]["id"] == "I0" and found[3]["contactId"] == "K1"
    later = run("changes", "--after", "2", "--types", "contact.created", "--database", database_url)
    assert [json.loads(line)["seq"] for line in later.output.splitlines()] == [4]


def test_changes_past_the_retention_exits_2_naming_the_oldest_seq(
    run: Run, database_url: str
) -> None:
    store = open_store(database_url)
    try:
        records.ingest(store=store, interactions=[make_interaction(id="A")])
        store.prune_changes(datetime.now(UTC) + timedelta(seconds=1))
    finally:
        store.close()
    result = run("changes", "--after", "0", "--database", database_url, expect=2)
    assert "oldest kept is 2" in result.output


def test_an_import_logs_each_interaction_and_each_contact_it_creates(
    run: Run, database_url: str
) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "interactions.csv"
    run("import", "--format", "csv", str(fixture), "--database", database_url)
    found = [
        json.loads(line) for line in run("changes", "--database", database_url).output.splitlines()
    ]
    store = open_store(database_url)
    try:
        interactions = store.count_interactions()
        contact_ids = {
            i.contact_id
            for i in store.iter_history(HistoryQuery(return_attributes=None))
            if i.contact_id
        }
    finally:
        store.close()
    created = [c for c in found if c["type"] == "interaction.created"]
    assert len(created) == interactions
    assert {c["contactId"] for c in found if c["type"] == "contact.created"} == contact_ids


def test_changes_records_what_it_printed_in_the_read_audit(run: Run, database_url: str) -> None:
    """As the pull route does: one record for the interactions printed, one per contact; a
    deleted interaction's record carries only its id and is no read of it."""
    store = open_store(database_url)
    try:
        records.ingest(store=store, interactions=[make_interaction(id=f"I{n}") for n in range(3)])
        store.save_contact(make_contact(id="K1"))
        records.delete_interaction(store=store, interaction_id="I2")
    finally:
        store.close()
    assert len(run("changes", "--database", database_url).output.splitlines()) == 5
    store = open_store(database_url)
    try:
        found = store.reads(AuditQuery(limit=10)).items
    finally:
        store.close()
    assert {(r.action, r.via, r.user_id) for r in found} == {("changes.read", "cli", None)}
    assert all(r.user_name.startswith("cli:") and r.client for r in found)
    assert sorted((r.interaction_ids, r.contact_id) for r in found) == [
        ((), "K1"),
        (("I0", "I1"), None),
    ]
    run("changes", "--after", "5", "--database", database_url)  # nothing printed: no record
    store = open_store(database_url)
    try:
        assert len(store.reads(AuditQuery(limit=10)).items) == 2
    finally:
        store.close()
