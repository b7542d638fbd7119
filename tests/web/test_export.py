"""Exporting the current search as CSV and NDJSON: streamed, every match (not one page), the
same search as the page, for supervisors and admins only, audited. Every engine of the `store`
fixture."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import msgspec

from openucs.config import Settings
from openucs.domain.query import AuditQuery
from openucs.gws.wire import interaction_to_wire
from openucs.store import Store
from openucs.web.export import CSV_COLUMNS, chunked
from tests.web.conftest import ZONE, SignIn
from tests.web.data import CALLS, Seeded
from tests.web.test_search import interaction_ids


def rows_of(answer: httpx.Response) -> list[dict[str, str]]:
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_every_match_in_its_columns(as_user: SignIn) -> None:
    browser = as_user("super")
    answer = browser.get("/search/export.csv?media=call&size=25&page=ignored-position")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert "content-length" not in answer.headers  # streamed
    rows = rows_of(answer)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == CALLS + 1  # all pages: Alice's calls and Carol's
    call = next(r for r in rows if r["id"] == "CALL0007")
    assert call["mediaType"] == "call"
    assert call["state"] == "Stopped"
    assert call["ownerUserName"] == "agent1"
    assert call["contactId"] == "CTALICE"
    assert call["durationSeconds"] == "240"
    assert call["subject"] == "Call note 07"
    assert json.loads(call["customAttributes"]) == {"Queue": "silver", "Score": "7"}


def test_ndjson_lines_are_the_gws_resource_with_content(as_user: SignIn, store: Store) -> None:
    answer = as_user("super").get("/search/export.ndjson?media=chat&sort=asc")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.content.splitlines()]
    assert [line["id"] for line in lines] == ["CHAT0001", "OPEN0002"]
    chat = store.get_interaction("CHAT0001", with_content=True)
    assert chat is not None
    base = Settings(timezone=ZONE).api_base_url
    expected = interaction_to_wire(chat, base_url=base, zone=ZoneInfo(ZONE), full=True)
    assert lines[0] == json.loads(msgspec.json.encode(expected))
    assert lines[0]["messages"][1]["text"] == "Hello, I need help with my order"


def test_the_export_is_the_search_of_the_page(as_user: SignIn) -> None:
    browser = as_user("super")
    search = "q=parcel OR callback&media=email&media=call"
    page = browser.get(f"/?{search}&size=100")
    exported = browser.get(f"/search/export.ndjson?{search}")
    ids = [json.loads(line)["id"] for line in exported.content.splitlines()]
    assert ids == interaction_ids(page.text)
    assert set(ids) == {"MAIL0001", "MAIL0002", "CAROL001"}


def test_an_agent_gets_no_export(as_user: SignIn) -> None:
    browser = as_user("agent1")
    assert "/search/export.csv" not in browser.get("/").text
    assert browser.get("/search/export.csv").status_code == 403
    assert browser.get("/search/export.ndjson?media=call").status_code == 403


def test_a_supervisor_sees_the_export_buttons(as_user: SignIn) -> None:
    page = as_user("super").get("/?media=chat")
    assert 'href="/search/export.csv?media=chat"' in page.text
    assert 'href="/search/export.ndjson?media=chat"' in page.text


def test_a_bad_search_is_refused_in_the_screens_words(as_user: SignIn) -> None:
    browser = as_user("super")
    answer = browser.get("/search/export.csv?start=2024-03-02&end=2024-03-01")
    assert answer.status_code == 400
    assert "From is after To" in answer.text
    syntax = browser.get("/search/export.csv?q=a)")
    assert syntax.status_code == 400
    assert "Search: unexpected" in syntax.text


def test_the_export_is_audited(as_user: SignIn, store: Store, seeded: Seeded) -> None:
    since = datetime.now(UTC)
    assert as_user("super").get("/search/export.csv?media=workitem").status_code == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = store.reads(AuditQuery(user_id=seeded.supervisor.id, since=since)).items
        exports = [r for r in found if r.action == "interactions.export"]
        if exports:
            break
        time.sleep(0.1)
    assert exports, "no audit record of the export"
    assert exports[0].via == "web"


def test_rows_are_written_in_chunks_of_a_bounded_size() -> None:
    pieces = [b"x" * 1000] * 200
    chunks = list(chunked(iter(pieces), size=64 * 1024))
    assert b"".join(chunks) == b"".join(pieces)
    assert len(chunks) == 4
    assert all(len(c) < 64 * 1024 + 1000 for c in chunks)


def test_a_cell_that_looks_like_a_formula_is_quoted(as_user: SignIn, store: Store) -> None:
    call = store.get_interaction("CALL0001", with_content=False)
    assert call is not None
    store.save_interactions([replace(call, subject='=HYPERLINK("http://x")')])
    rows = rows_of(as_user("super").get("/search/export.csv?media=call"))
    row = next(r for r in rows if r["id"] == "CALL0001")
    assert row["subject"] == '\'=HYPERLINK("http://x")'
