"""The change log as the CometD channel `/openucs/changes` reads it (`events.changefeed`): an
audience is a reader's scope (every supervisor and admin share one, each agent has their
own), records are read by the change service in that scope and carried as the pull route
shows them, and what reaches a client is recorded in the read audit (`via` cometd)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import msgspec

from openucs.config import Settings
from openucs.domain.access import ReadScope
from openucs.domain.changes import ChangeRecord
from openucs.events.changefeed import FeedItem, FeedPage
from openucs.gws.changes import change_to_wire
from openucs.services import changes
from openucs.services.access import AuditSink, Reader
from openucs.store.base import Store


class StoreFeedSource:
    def __init__(self, settings: Settings, store: Store, audit: AuditSink) -> None:
        self._settings = settings
        self._store = store
        self._audit = audit
        self._readers: dict[str, Reader] = {}

    def last_seq(self) -> int:
        return self._store.change_bounds()[1]

    def audience(self, user_id: str) -> Hashable | None:
        user = self._store.get_user(user_id)
        if user is None or not user.enabled:
            return None
        reader = Reader(user, self._settings.agent_reads, self._audit, via="cometd")
        self._readers[user_id] = reader
        return reader.scope

    def start_after(self, after: int | None) -> int:
        return changes.start_position(self._store, after)

    def read(self, audience: Hashable, after: int, limit: int) -> FeedPage:
        if not isinstance(audience, ReadScope):  # pragma: no cover - only ours come back
            raise TypeError(f"not an audience of this source: {audience!r}")
        page = changes.read_changes(store=self._store, scope=audience, after=after, limit=limit)
        return FeedPage([self._item(r) for r in page.changes], page.next)

    def delivered(self, user_id: str, items: Sequence[FeedItem]) -> None:
        reader = self._readers.get(user_id)
        if reader is not None:
            records = [i.record for i in items if isinstance(i.record, ChangeRecord)]
            changes.record_reads(reader, records, changes.PUSHED)

    def _item(self, record: ChangeRecord) -> FeedItem:
        settings = self._settings
        wire = change_to_wire(record, base_url=settings.api_base_url, zone=settings.zone)
        return FeedItem(record.seq, msgspec.to_builtins(wire), record)
