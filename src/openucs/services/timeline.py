"""A contact's timeline: every interaction of the contact, main and archive together, newest
first, a page at a time.

Each tier is read with its own keyset cursor (two indexed queries per page, on
`ix_interactions_contact`), the two pages are merged by (startDate, id), and each tier's cursor
moves only past the rows that made it into the merged page. A tier whose rows are all shown is
finished (its cursor is None and it is not read again).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from openucs.domain.enums import SortOrder, Source
from openucs.domain.formats import to_millis
from openucs.domain.models import Interaction
from openucs.domain.query import Cursor, HistoryQuery
from openucs.errors import NotFound
from openucs.services.access import Reader, require_contact_access
from openucs.store.base import Store

TIERS = (Source.MAIN, Source.ARCHIVE)


@dataclass(slots=True)
class Timeline:
    items: list[Interaction] = field(default_factory=list)
    # The tiers still to read and where each resumes (None: from the newest row).
    resume: dict[Source, Cursor | None] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return bool(self.resume)


def tier_query(contact_id: str, source: Source, limit: int) -> HistoryQuery:
    """The history query of one tier of a contact's timeline (no window, newest first)."""
    return HistoryQuery(contact_id=contact_id, source=source, sort=SortOrder.DESC, limit=limit)


def contact_timeline(
    *,
    store: Store,
    reader: Reader,
    contact_id: str,
    limit: int,
    resume: dict[Source, Cursor | None] | None = None,
) -> Timeline:
    """One page of the timeline. `resume` is the previous page's `Timeline.resume` (None: the
    first page, both tiers from their newest row)."""
    if store.get_contact(contact_id) is None:
        raise NotFound("contact", contact_id)
    contact_id = store.merged_into(contact_id) or contact_id  # a merged contact's is its target's
    scope = reader.scope
    require_contact_access(store, scope, contact_id)
    tiers = dict.fromkeys(TIERS) if resume is None else resume
    pages = {
        source: store.history(
            replace(tier_query(contact_id, source, limit), after=after, scope=scope)
        )
        for source, after in tiers.items()
    }
    merged = sorted(
        (item for page in pages.values() for item in page.items),
        key=lambda i: (i.start_date, i.id),
        reverse=True,
    )[:limit]
    timeline = Timeline(items=merged)
    reader.record(
        "contact.history", contact_id=contact_id, interaction_ids=tuple(i.id for i in merged)
    )
    for source, page in pages.items():
        shown = [i for i in merged if i.source is source]
        if len(shown) == len(page.items):
            if page.next_cursor is not None:
                timeline.resume[source] = page.next_cursor
        else:
            last = shown[-1] if shown else None
            timeline.resume[source] = (
                Cursor(to_millis(last.start_date), last.id) if last else tiers[source]
            )
    return timeline
