"""`openucs webhooks`, on every engine: endpoints created, listed and deleted, deliveries
listed with their attempts and redelivered, by the operator; bad input and unknown ids exit 2
with one line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from openucs.domain.changes import ChangeType
from openucs.domain.formats import to_millis
from openucs.domain.webhooks import Delivery, DeliveryStatus
from openucs.services import records
from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_interaction

PUBLIC = "https://93.184.215.14/hook"


def _seed_attempts(database_url: str, webhook_id: str) -> None:
    """Two changes; the first delivered at its second attempt, as a dispatcher records it."""
    store = open_store(database_url)
    try:
        for n in range(2):
            records.create_interaction(store=store, interaction=make_interaction(id=f"I{n}"))
        now = datetime.now(UTC)
        ms = to_millis(now)
        assert store.claim_webhooks("cli-test", now_ms=ms, lease_ms=60_000, limit=1)
        made = Delivery("D1", webhook_id, 1, ChangeType.INTERACTION_CREATED,
                        DeliveryStatus.PENDING, 0, now, now, None, None, None)  # fmt: skip
        assert store.start_delivery(made, "cli-test")
        failed = replace(made, attempts=1, last_attempt_at=now, last_error="refused")
        later = now + timedelta(seconds=10)
        delivered = replace(
            failed,
            attempts=2,
            status=DeliveryStatus.DELIVERED,
            last_attempt_at=later,
            last_status_code=204,
            last_error=None,
            next_attempt_at=None,
        )
        until = ms + 60_000
        for done, took in ((failed, 4), (delivered, 9)):
            counted = store.finish_attempt(
                done, "cli-test", endpoint_due_ms=0, lease_until_ms=until, duration_ms=took
            )
            assert counted == 0
        store.release_webhook(webhook_id, "cli-test")
    finally:
        store.close()


def test_webhooks_are_created_listed_and_deleted(run: Run, database_url: str) -> None:
    db = ("--database", database_url)
    made = json.loads(
        run("webhooks", "create", PUBLIC, "--types", "interaction.created", "--q",
            "mediaType:email", "--json", *db).output
    )  # fmt: skip
    assert made["url"] == PUBLIC and made["secret"].startswith("whsec_")
    assert made["types"] == ["interaction.created"] and made["q"] == "mediaType:email"
    [listed] = json.loads(run("webhooks", "list", "--json", *db).output)
    assert listed["id"] == made["id"] and "secret" not in listed
    text = run("webhooks", "list", *db).output
    assert made["id"] in text and "whsec_" not in text and "q=mediaType:email" in text

    printed = run("webhooks", "create", PUBLIC, "--disabled", "--secret", "s" * 16, *db).output
    assert "disabled" in printed and "secret: " + "s" * 16 in printed
    assert len(json.loads(run("webhooks", "list", "--json", *db).output)) == 2

    assert f"Deleted webhook {made['id']}" in run("webhooks", "delete", made["id"], *db).output
    assert "not found" in run("webhooks", "delete", made["id"], *db, expect=2).output.lower()
    assert len(json.loads(run("webhooks", "list", "--json", *db).output)) == 1


def test_bad_input_exits_2_naming_the_field(run: Run, database_url: str) -> None:
    db = ("--database", database_url)
    assert "Error: url: " in run("webhooks", "create", "ftp://x.example/", *db, expect=2).output
    refused = run("webhooks", "create", "http://127.0.0.1:9/", *db, expect=2).output
    assert "webhook_allow_private_targets" in refused
    assert "Error: q: " in run("webhooks", "create", PUBLIC, "--q", "(", *db, expect=2).output
    bad_type = run("webhooks", "create", PUBLIC, "--types", "x", *db, expect=2).output
    assert "Error: types: " in bad_type
    assert json.loads(run("webhooks", "list", "--json", *db).output) == []


def test_deliveries_are_listed_with_their_attempts_and_redelivered(
    run: Run, database_url: str
) -> None:
    db = ("--database", database_url)
    made = json.loads(run("webhooks", "create", PUBLIC, "--json", *db).output)  # no server runs
    _seed_attempts(database_url, made["id"])

    [listed] = json.loads(run("webhooks", "deliveries", made["id"], "--json", *db).output)
    assert (listed["id"], listed["status"], listed["attempts"]) == ("D1", "delivered", 2)
    first, second = listed["attemptHistory"]
    assert (first["number"], first["error"], first["durationMs"]) == (1, "refused", 4)
    assert "statusCode" not in first
    assert (second["number"], second["statusCode"], second["durationMs"]) == (2, 204, 9)
    text = run("webhooks", "deliveries", made["id"], *db).output
    assert "D1  seq 1  interaction.created  delivered  2 attempts  last: 204" in text
    assert "#1 at " in text and ": refused (4 ms)" in text

    again = json.loads(run("webhooks", "redeliver", made["id"], "D1", "--json", *db).output)
    assert again["seq"] == 1 and again["status"] == "pending" and again["id"] != "D1"
    listed_now = json.loads(run("webhooks", "deliveries", made["id"], "--json", *db).output)
    assert listed_now[0]["id"] == again["id"]
    assert listed_now[0]["attemptHistory"] == []
    assert "not found" in run("webhooks", "redeliver", made["id"], "NOPE", *db, expect=2).output
    assert "not found" in run("webhooks", "deliveries", "NOPE", *db, expect=2).output
    run("webhooks", "deliveries", made["id"], "--limit", "0", *db, expect=2)
