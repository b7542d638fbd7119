"""`openucs audit`: the read audit as NDJSON."""

from __future__ import annotations

import json

from openucs.domain.models import ReadRecord
from openucs.store import Store
from tests.cli.conftest import Run


def test_the_command_prints_ndjson(run: Run, database_url: str, store: Store) -> None:
    store.append_reads(
        [
            ReadRecord.now(user_id=None, user_name="cli:ops", action="export", via="cli"),
            ReadRecord.now(user_id=None, user_name="web", action="a", via="web", client="1.2.3.4"),
        ]
    )
    lines = run("audit", "--database", database_url).stdout.splitlines()
    found = [json.loads(line) for line in lines]
    assert [(r["userName"], r["via"]) for r in found] == [("web", "web"), ("cli:ops", "cli")]
    assert found[0]["client"] == "1.2.3.4" and "client" not in found[1]
    assert run("audit", "--since", "2999-01-01", "--database", database_url).stdout == ""


def test_an_export_leaves_a_record(run: Run, database_url: str, store: Store) -> None:
    run("export", "--database", database_url, "--contact-id", "C1")
    run("export", "--contacts", "--database", database_url)
    found = [
        json.loads(line) for line in run("audit", "--database", database_url).stdout.splitlines()
    ]
    assert [(r["action"], r["via"], r.get("contactId")) for r in found] == [
        ("contacts.export", "cli", None),
        ("interactions.export", "cli", "C1"),
    ]
    assert all(r["userName"].startswith("cli:") and r["client"] for r in found)
