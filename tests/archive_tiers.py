"""Stores with an archive tier for the archive tests: the same database, or a second one (a
SQLite file beside a SQLite file; a PostgreSQL schema beside another schema), and a history
to archive: threads ended before the cutoff, one still open, one ended after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openucs.domain.enums import MediaType, State
from openucs.domain.models import Contact, Interaction
from openucs.services import records
from openucs.store import Store, open_store
from tests.conftest import _fresh_postgres
from tests.factories import make_contact, make_interaction, make_messages, make_owner

LAYOUTS = ["same database", "second database"]
OLD = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
CUTOFF = datetime(2024, 6, 1, tzinfo=UTC)


def archive_url_beside(database_url: str, tmp_path: Path) -> AbstractContextManager[str]:
    """A fresh second database of the same engine."""
    if database_url.startswith("sqlite"):
        return nullcontext(f"sqlite:///{tmp_path / 'archive.db'}")
    return _fresh_postgres()


@contextmanager
def tiered_store(layout: str, database_url: str, tmp_path: Path) -> Iterator[Store]:
    """An upgraded store whose archive tier is in `layout`."""
    with (
        nullcontext("")
        if layout == "same database"
        else archive_url_beside(database_url, tmp_path) as archive_url
    ):
        store = open_store(database_url, archive_url)
        try:
            store.upgrade()
            yield store
        finally:
            store.close()


@dataclass
class History:
    contact: Contact
    archivable: list[Interaction]  # threads A (two interactions) and D (alone)
    kept: list[Interaction]  # B (one still open), C (one ended after the cutoff), E (recent)


def ended(start: datetime, **overrides: Any) -> Interaction:
    fields: dict[str, Any] = {
        "start_date": start,
        "end_date": start + timedelta(minutes=5),
        "state": State.STOPPED,
    }
    return make_interaction(**(fields | overrides))


def seed_history(store: Store) -> History:
    contact = store.save_contact(make_contact())
    owner = make_owner(user_name="history.owner")
    mine: dict[str, Any] = {"contact_id": contact.id, "owner": owner, "owner_id": owner.id}
    a1 = ended(OLD, id="A1", **mine)
    a2 = ended(OLD + timedelta(hours=1), id="A2", parent_id="A1", comment="refund", **mine)
    b1 = ended(OLD + timedelta(hours=2), id="B1", **mine)
    b2 = ended(
        OLD + timedelta(hours=3), id="B2", parent_id="B1", state=State.IN_PROCESS, end_date=None
    )
    c1 = ended(OLD + timedelta(hours=4), id="C1", **mine)
    c2 = ended(
        CUTOFF - timedelta(minutes=1), id="C2", parent_id="C1", end_date=CUTOFF + timedelta(hours=1)
    )
    d = ended(
        OLD + timedelta(hours=5),
        id="D",
        media_type=MediaType.CHAT,
        subject="marmalade shipment",
        custom_attributes={"CaseNumber": "77", "Team": "north"},
        messages=make_messages(3),
        **mine,
    )
    e = ended(CUTOFF + timedelta(days=3), id="E", **mine)
    records.ingest(store=store, interactions=[a1, a2, b1, b2, c1, c2, d, e])
    return History(contact, [a1, a2, d], [b1, b2, c1, c2, e])
