"""Imports prepared in a child process and written here (services.pipeline), on every engine:
the same result as the one-process import, errors named by line, a crash reported."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from openucs.demo import DemoBatches, DemoData, DemoPlan
from openucs.domain.enums import MediaType, SortOrder
from openucs.domain.models import OwnerInfo
from openucs.domain.query import HistoryQuery
from openucs.errors import InvalidInput, StoreError
from openucs.gws.ndjson import InteractionLineEncoder, InteractionLines
from openucs.services import bulk, records
from openucs.services.pipeline import NumberedBatch, ingest_in_two_processes
from openucs.store import Store, open_store
from tests.factories import make_interaction

PLAN = DemoPlan(interactions=3000, seed=5, now=datetime(2026, 11, 25, tzinfo=UTC))
CALL = {"mediaType": "call", "state": "Stopped"}


def exported(store: Store) -> list[dict[str, object]]:
    """Every interaction in its full wire form, oldest first (parsed: PostgreSQL's JSONB
    orders keys its own way)."""
    out = io.BytesIO()
    query = HistoryQuery(sort=SortOrder.ASC, return_attributes=None)
    encode = InteractionLineEncoder("http://x", UTC)
    bulk.export_interactions(store=store, query=query, encode=encode, write=out.write)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def seeded_in_one_process(path: Path) -> list[dict[str, object]]:
    store = open_store(f"sqlite:///{path}")
    try:
        store.upgrade()
        data = DemoData(PLAN)
        bulk.save_contact_batches(store=store, batches=bulk.batched(data.contacts(), 1000))
        bulk.ingest_batches(store=store, batches=bulk.batched(data.interactions(), 250))
        return exported(store)
    finally:
        store.close()


def write_lines(path: Path, rows: list[dict[str, object]]) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def call(n: int, **fields: object) -> dict[str, object]:
    return dict(CALL, id=f"CALL{n:012d}", startDate=f"2026-01-05T10:{n:02d}:00Z", **fields)


def test_two_processes_write_what_one_process_writes(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    bulk.save_contact_batches(store=store, batches=[list(DemoData(PLAN).contacts())])
    progress: list[int] = []

    stats = ingest_in_two_processes(
        store=store,
        database_url=database_url,
        source=DemoBatches(PLAN, 250),  # email replies name parents of the batch before
        progress=progress.append,
    )

    assert (stats.records, stats.batches) == (3000, 12)
    assert progress == list(range(250, 3001, 250))
    expected = seeded_in_one_process(tmp_path / "one.db")
    assert exported(store) == expected
    assert sum("parentId" in item for item in expected) > 100


def test_owners_named_by_user_name_keep_one_id_across_batches(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    rows = [call(n, ownerInformation={"userName": "newagent"}) for n in range(5)]
    rows.append(call(5, ownerInformation={"id": "", "userName": "newagent"}, parentId=None))
    source = bulk.NdjsonFileBatches(
        write_lines(tmp_path / "in.ndjson", rows), InteractionLines(UTC), batch_size=1
    )

    ingest_in_two_processes(store=store, database_url=database_url, source=source)

    user = store.get_user_by_name("newagent")
    assert user is not None and not user.can_login
    stored = store.get_interactions([str(r["id"]) for r in rows])
    assert {i.owner_id for i in stored.values()} == {user.id}
    assert len(stored) == len(rows)


def test_a_reply_finds_its_parent_in_the_batch_before(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    """Whether that batch is committed yet depends on timing; the check against unwritten
    batches is pinned down by the `check_batch` test at the end."""
    rows = [
        dict(call(1), mediaType="email", threadId="T-1"),
        dict(call(2), mediaType="email", parentId="CALL000000000001"),
    ]
    source = bulk.NdjsonFileBatches(
        write_lines(tmp_path / "in.ndjson", rows), InteractionLines(UTC), batch_size=1
    )

    ingest_in_two_processes(store=store, database_url=database_url, source=source, depth=2)

    reply = store.get_interaction("CALL000000000002", with_content=False)
    assert reply is not None
    assert reply.thread_id == "T-1"


def test_a_bad_line_stops_the_import_after_the_batches_before_it(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    rows = [call(n) for n in range(5)] + [call(5, contactId="NOPE")] + [call(6)]
    source = bulk.NdjsonFileBatches(
        write_lines(tmp_path / "in.ndjson", rows), InteractionLines(UTC), batch_size=2
    )

    with pytest.raises(InvalidInput) as caught:
        ingest_in_two_processes(store=store, database_url=database_url, source=source)

    assert str(caught.value) == "line 6: contactId: unknown contact 'NOPE'"
    assert store.count_interactions() == 4  # batches 1 and 2; batch 3 (lines 5-6) is not


def test_a_malformed_line_is_named(store: Store, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text(json.dumps(call(1)) + "\n\n{oops\n")
    source = bulk.NdjsonFileBatches(str(path), InteractionLines(UTC))

    with pytest.raises(InvalidInput, match=r"^line 3: body: malformed JSON"):
        ingest_in_two_processes(store=store, database_url=database_url, source=source)
    assert store.count_interactions() == 0


class Exploding:
    """A source that fails after one batch, as a bug would."""

    def __call__(self) -> Iterator[NumberedBatch]:
        yield [], None
        raise RuntimeError("the source broke")


def test_a_crash_in_the_child_is_reported_not_hung(store: Store, database_url: str) -> None:
    with pytest.raises(StoreError, match=r"(?s)preparing process failed.*the source broke"):
        ingest_in_two_processes(
            store=store,
            database_url=database_url,
            source=Exploding(),
        )


def test_checks_see_the_parents_and_owners_of_batches_not_yet_written(store: Store) -> None:
    """What the child passes to `check_batch` for batches it sent and the writer has not
    acknowledged: nothing of them is in the store yet."""
    parent = make_interaction(media_type=MediaType.EMAIL, thread_id="T-9")
    reply = make_interaction(media_type=MediaType.EMAIL, parent_id=parent.id)
    named = make_interaction(owner=OwnerInfo("", "fresh"), owner_id=None)
    owners: dict[str, OwnerInfo] = {}
    records.check_batch(store, [named], owners=owners)
    again = make_interaction(owner=OwnerInfo("", "fresh"), owner_id=None)
    by_id = make_interaction(owner=None, owner_id=named.owner_id)

    earlier = {parent.id: records.ThreadParent.of(parent)}
    records.check_batch(store, [reply, again, by_id], earlier=earlier, owners=owners)

    assert reply.thread_id == "T-9"
    assert again.owner_id == named.owner_id == owners["fresh"].id
    assert store.get_interactions([parent.id]) == {} and store.get_user(named.owner_id) is None
    with pytest.raises(InvalidInput, match=r"parentId: interaction .* not found"):
        records.check_batch(store, [make_interaction(parent_id=parent.id)])
