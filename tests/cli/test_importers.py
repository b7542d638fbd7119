"""`openucs import --format`: each format end to end through the command line on both engines,
twice (the same history after the second run), contacts found or created from the records'
identities, and a bad record stopping the import with a non-zero exit that names it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openucs.domain.access import EVERYTHING
from openucs.domain.enums import MediaType
from openucs.domain.models import Contact, ContactPoint, Interaction
from openucs.domain.query import HistoryQuery
from openucs.store import Store, open_store
from tests.cli.conftest import Run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
CASES = [
    ("connect-ctr", "connect-ctr.ndjson", 11),
    ("connect-ctr", "connect-ctr.json", 11),
    ("genesys-cloud", "genesys-cloud.json", 11),
    ("csv", "interactions.csv", 12),
]


@pytest.fixture
def opened(database_url: str) -> Iterator[Store]:
    store = open_store(database_url)
    try:
        yield store
    finally:
        store.close()


def import_file(run: Run, url: str, format_: str, path: Path, expect: int = 0) -> str:
    result = run("import", "--format", format_, str(path), "--database", url, expect=expect)
    return result.output


def history(store: Store) -> list[Interaction]:
    return sorted(store.iter_history(HistoryQuery(return_attributes=None)), key=lambda i: i.id)


def snapshot(store: Store) -> tuple[list[Any], list[Any]]:
    items = [
        (
            i.id,
            i.media_type,
            i.start_date,
            i.end_date,
            i.contact_id,
            i.owner_id,
            i.thread_id,
            i.custom_attributes,
            i.external_id,
        )
        for i in history(store)
    ]
    contacts = [
        (c.id, c.first_name, c.last_name, [p.value for p in c.emails], [p.value for p in c.phones])
        for c in store.find_contacts(scope=EVERYTHING, limit=1000)
    ]
    return items, contacts


@pytest.mark.parametrize(("format_", "name", "count"), CASES)
def test_import_twice_leaves_the_same_history(
    run: Run, database_url: str, opened: Store, format_: str, name: str, count: int
) -> None:
    output = import_file(run, database_url, format_, FIXTURES / name)
    assert f"Imported {count} interactions" in output
    first = snapshot(opened)
    assert len(first[0]) == count
    import_file(run, database_url, format_, FIXTURES / name)
    assert snapshot(opened) == first


def test_connect_records_find_and_create_contacts(
    run: Run, database_url: str, opened: Store
) -> None:
    known = opened.save_contact(
        Contact(id="KnownCaller0001", last_name="Known", phones=[ContactPoint("+442079460001")])
    )
    import_file(run, database_url, "connect-ctr", FIXTURES / "connect-ctr.ndjson")
    items = {i.external_id: i for i in history(opened)}
    prefix = "6a0f3c1e-2b4d-4e5f-8a9b-0c1d2e3f4a"
    # the same number written differently is the known contact, on both calls
    assert items[prefix + "01"].contact_id == known.id
    assert items[prefix + "10"].contact_id == known.id
    # a transfer: both legs on one new contact, one thread
    first, second = items[prefix + "04"], items[prefix + "05"]
    assert first.contact_id == second.contact_id and first.contact_id is not None
    assert second.thread_id == first.id == first.thread_id
    created = opened.get_contact(first.contact_id)
    assert created is not None and [p.value for p in created.phones] == ["+44 20 7946 0004"]
    assert items[prefix + "11"].contact_id is None  # an anonymous caller
    assert items[prefix + "02"].custom_attributes == {"Disposition": "resolved"}
    owner = items[prefix + "03"].owner
    assert owner is not None and owner.user_name == "mmüller"
    assert opened.get_user_by_name("李娜") is not None
    email = items[prefix + "08"]
    assert email.media_type is MediaType.EMAIL
    found = opened.find_contacts(scope=EVERYTHING, email="RENÉE.dupont@example.fr")
    assert [c.id for c in found] == [email.contact_id]


def test_csv_identifies_contacts_across_rows(run: Run, database_url: str, opened: Store) -> None:
    import_file(run, database_url, "csv", FIXTURES / "interactions.csv")
    items = {i.external_id: i for i in history(opened)}
    # one number in three spellings, one contact
    phones = {items[k].contact_id for k in ("UCS-000101", "UCS-000105", "UCS-000111")}
    assert len(phones) == 1 and None not in phones
    contact = opened.get_contact(phones.pop() or "")
    assert contact is not None and (contact.first_name, contact.last_name) == ("Ann", "Lee")
    emails = {items[k].contact_id for k in ("UCS-000102", "UCS-000104")}
    assert len(emails) == 1
    assert items["UCS-000106"].contact_id is None


def test_a_bad_record_stops_the_import_naming_it(
    run: Run, database_url: str, opened: Store, tmp_path: Path
) -> None:
    records = (FIXTURES / "connect-ctr.ndjson").read_text().splitlines()
    broken = json.loads(records[2])
    broken["Channel"] = "PIGEON"
    records[2] = json.dumps(broken)
    path = tmp_path / "broken.ndjson"
    path.write_text("\n".join(records))
    output = import_file(run, database_url, "connect-ctr", path, expect=2)
    assert "line 3: Channel: unknown value 'PIGEON'" in output
    assert "Traceback" not in output
    assert history(opened) == []  # the batch of the bad record is not written


def test_batches_before_a_bad_record_stay_written(
    run: Run, database_url: str, opened: Store, tmp_path: Path
) -> None:
    rows = (FIXTURES / "interactions.csv").read_text().splitlines()
    path = tmp_path / "late-error.csv"
    path.write_text("\n".join([*rows[:6], "call,,,,,,,,"]) + "\n")
    result = run(
        "import",
        "--format",
        "csv",
        "--batch-size",
        "2",
        str(path),
        "--database",
        database_url,
        expect=2,
    )
    assert "line 7" in result.output
    assert len(history(opened)) == 4


def test_format_refuses_contacts_flag(run: Run, database_url: str) -> None:
    result = run(
        "import",
        "--format",
        "csv",
        "--contacts",
        str(FIXTURES / "interactions.csv"),
        "--database",
        database_url,
        expect=2,
    )
    assert "--contacts" in result.output
