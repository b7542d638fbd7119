"""`openucs archive --older-than AGE [--dry-run]`: counts, moves, prints a summary; on every
engine, with the archive in the same database and in a second SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from openucs.domain.enums import Source, State
from openucs.domain.models import Interaction
from openucs.domain.query import HistoryQuery
from openucs.services import records
from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_interaction


def seed(database_url: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def ended(days_ago: int, **overrides: Any) -> Interaction:
        start = now - timedelta(days=days_ago)
        fields = {"start_date": start, "end_date": start + timedelta(minutes=3)}
        return make_interaction(**(fields | overrides))

    store = open_store(database_url)
    try:
        records.ingest(
            store=store,
            interactions=[
                ended(200, id="old1"),
                ended(199, id="old2", parent_id="old1"),
                ended(198, id="open", state=State.IN_PROCESS, end_date=None),
                ended(10, id="recent"),
            ],
        )
    finally:
        store.close()


def tier(database_url: str, source: Source, archive_url: str = "") -> list[str]:
    store = open_store(database_url, archive_url)
    try:
        query = HistoryQuery(source=source, limit=100)
        return sorted(i.id for i in store.history(query).items)
    finally:
        store.close()


def test_a_dry_run_counts_then_a_run_moves_and_sums_up(run: Run, database_url: str) -> None:
    seed(database_url)
    dry = run("archive", "--older-than", "180d", "--dry-run", "--database", database_url)
    assert "Would archive 1 threads (2 interactions)" in dry.output
    assert tier(database_url, Source.ARCHIVE) == []

    batches = ("--batch-threads", "1")
    done = run("archive", "--older-than", "180d", *batches, "--database", database_url)
    assert "Archived 1 threads (2 interactions) ended before" in done.output
    assert tier(database_url, Source.ARCHIVE) == ["old1", "old2"]
    assert tier(database_url, Source.MAIN) == ["open", "recent"]
    hours = run("archive", "--older-than", "12h", "--database", database_url)
    assert "Archived 1 threads (1 interactions)" in hours.output  # "recent" ended 10 days ago


def test_the_archive_can_be_a_second_database(
    run: Run, database_url: str, new_sqlite: Callable[[str], str]
) -> None:
    seed(database_url)
    archive_url = new_sqlite("archive")
    args = ("--older-than", "180d", "--database", database_url, "--archive-database", archive_url)
    assert "Archived 1 threads (2 interactions)" in run("archive", *args).output
    assert tier(archive_url, Source.ARCHIVE) == ["old1", "old2"]
    assert tier(database_url, Source.ARCHIVE) == []
    assert tier(database_url, Source.ARCHIVE, archive_url) == ["old1", "old2"]
    assert tier(database_url, Source.MAIN) == ["open", "recent"]


def test_an_age_it_cannot_read_exits_2_naming_the_option(run: Run, database_url: str) -> None:
    result = run("archive", "--older-than", "6 months", "--database", database_url, expect=2)
    assert "--older-than" in result.output and "180d" in result.output


def test_import_refuses_the_archive_tier_when_it_is_a_second_database(
    run: Run,
    database_url: str,
    new_sqlite: Callable[[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = tmp_path / "one.ndjson"
    lines.write_text("")
    monkeypatch.setenv("OPENUCS_ARCHIVE_DATABASE_URL", new_sqlite("archive"))
    args = ("import", str(lines), "--source", "archive", "--database", database_url)
    assert "openucs archive" in run(*args, expect=2).output
    assert "Imported" in run(*args[:3], "main", "--database", database_url).output
