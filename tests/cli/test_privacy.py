"""`openucs holds`, `openucs erase contact` and `openucs prune`, on every engine."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from openucs.domain.enums import MediaType, Source
from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_interaction, make_user
from tests.store.privacy_data import new_token, person, store_person, table_hits


def test_holds_add_list_remove_and_erase(run: Run, database_url: str) -> None:
    token = new_token()
    who = person(token)
    store = open_store(database_url)
    try:
        store_person(store, who)
        store.save_user(make_user(user_name="lawyer"))
    finally:
        store.close()
    db = ("--database", database_url)
    hold_id = run(
        "holds", "add", "--contact", who.contact.id, "--reason", "case 9", "--by", "lawyer", *db
    ).output.strip()
    [listed] = json.loads(run("holds", "list", "--json", *db).output)
    assert listed["id"] == hold_id and listed["reason"] == "case 9"
    assert f"contact {who.contact.id}" in run("holds", "list", *db).output

    refused = run("erase", "contact", who.contact.id, *db, expect=2)
    assert "legal hold" in refused.output
    run("holds", "remove", hold_id, *db)
    run("holds", "remove", hold_id, *db, expect=2)

    printed = run("erase", "contact", who.contact.id, *db).output
    assert f"Erased contact {who.contact.id}" in printed
    assert "interactions:          1 archive, 2 main" in printed
    assert "saved searches deleted: 0" in printed
    assert table_hits(database_url, token) == []
    assert "not found" in run("erase", "contact", who.contact.id, *db, expect=2).output.lower()


def test_prune_dry_run_then_for_real(
    run: Run, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = make_interaction(media_type=MediaType.CHAT)
    archived = make_interaction(media_type=MediaType.CHAT, source=Source.ARCHIVE)
    call = make_interaction(media_type=MediaType.CALL)
    recent = make_interaction(
        media_type=MediaType.CHAT, start_date=old.start_date + timedelta(days=3000)
    )
    store = open_store(database_url)
    try:
        store.save_interactions([old, archived, call, recent])
    finally:
        store.close()
    db = ("--database", database_url)
    run("prune", *db, expect=2)  # no retention set
    monkeypatch.setenv("OPENUCS_RETENTION_DAYS", "chat=1000")
    dry = json.loads(run("prune", "--dry-run", "--json", *db).output)
    assert dry == {
        "removed": {"chat": {"main": 1, "archive": 1}},
        "total": 2,
        "held": 0,
        "dryRun": True,
    }
    assert "Removed 2 interactions" in run("prune", *db).output
    store = open_store(database_url)
    try:
        assert set(store.get_interactions([old.id, archived.id, call.id, recent.id])) == {
            call.id,
            recent.id,
        }
    finally:
        store.close()
