"""The search page's form: what its URL holds, the URL of a changed search, the active filters
as removable chips, and the `HistoryQuery` it asks for. Errors name the screen's labels (From,
To, Search...), not the API's parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import tzinfo
from typing import Any
from urllib.parse import urlencode

from litestar.datastructures import MultiDict

from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import parse_window_bound
from openucs.domain.query import HistoryQuery
from openucs.domain.search import parse_query
from openucs.errors import InvalidInput
from openucs.web.render import media_label

PAGE_SIZES = ("25", "50", "100")
_LISTS = ("media", "state", "type")
# What the screen calls the fields the API's errors name.
LABELS = {
    "q": "Search",
    "fromDate": "From",
    "toDate": "To",
    "mediaType": "Media type",
    "typeId": "Type",
    "state": "State",
    "userId": "Agent",
    "contactId": "Contact",
    "threadId": "Thread",
    "source": "Source",
    "sort": "Order",
    "maxSize": "Per page",
    "pageToken": "Page",
}
_COLUMN = re.compile(r" at column (\d+)$")


@dataclass
class SearchForm:
    """The search as its URL holds it (parameter names are the form's field names).
    `page` continues after a row (the API's page token), `before` goes back before one (a
    token of the same search in the other order); `n` is the page number shown."""

    q: str = ""
    contact: str = ""
    contact_id: str = ""
    chosen_for: str = ""  # the contact text `contact_id` was chosen for
    start: str = ""
    end: str = ""
    media: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    agent: str = ""
    source: str = "main"
    thread: str = ""
    sort: str = "desc"
    size: str = PAGE_SIZES[0]
    page: str = ""
    before: str = ""
    n: int = 1

    @classmethod
    def from_query(cls, query: MultiDict[Any]) -> SearchForm:
        form = cls()
        for f in fields(cls):
            if f.name in _LISTS:
                values = [str(v).strip() for v in query.getall(f.name, []) if v]
                setattr(form, f.name, list(dict.fromkeys(values)))
            elif f.name == "n":
                raw = str(query.get("n", "1"))
                form.n = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
            elif f.name in query:
                setattr(form, f.name, str(query.get(f.name) or "").strip())
        return form

    def url(self, **changes: Any) -> str:
        """This search's URL with some fields changed; empty and default fields left out."""
        query = self.query_string(**changes)
        return "/?" + query if query else "/"

    def query_string(self, **changes: Any) -> str:
        form = replace(self, **changes)
        defaults = SearchForm()
        pairs: list[tuple[str, str]] = []
        for f in fields(form):
            value = getattr(form, f.name)
            if value == getattr(defaults, f.name) or value in ("", []):
                continue
            values = value if isinstance(value, list) else [value]
            pairs.extend((f.name, str(v)) for v in values)
        return urlencode(pairs)

    def fresh(self, **changes: Any) -> str:
        """The URL of the first page of this search with some fields changed."""
        return self.url(page="", before="", n=1, **changes)

    @property
    def saved_query(self) -> str:
        """What a saved search keeps: the search without its position."""
        return self.query_string(page="", before="", n=1)

    @property
    def advanced(self) -> bool:
        """Whether a filter of the "More filters" part is set (it is then shown open)."""
        return bool(self.media or self.state or self.type or self.agent or self.source != "main")

    def without_contact(self) -> str:
        return self.fresh(contact="", contact_id="", chosen_for="")


@dataclass(frozen=True, slots=True)
class Chip:
    """An active filter: what the screen calls it, its value, the search without it."""

    label: str
    value: str
    remove_url: str


def chips(form: SearchForm, contact_name: str | None) -> list[Chip]:
    found: list[Chip] = []
    if form.q:
        found.append(Chip("Search", form.q, form.fresh(q="")))
    if form.contact or form.contact_id:
        found.append(Chip("Contact", contact_name or form.contact, form.without_contact()))
    for name, label in (("start", "From"), ("end", "To"), ("agent", "Agent"), ("thread", "Thread")):
        if getattr(form, name):
            found.append(Chip(label, getattr(form, name), form.fresh(**{name: ""})))
    for name, label in (("media", "Media type"), ("state", "State"), ("type", "Type")):
        values: list[str] = getattr(form, name)
        for value in values:
            rest = [v for v in values if v != value]
            found.append(Chip(label, _shown(name, value), form.fresh(**{name: rest})))
    if form.source != "main":
        found.append(Chip("Source", form.source.capitalize(), form.fresh(source="main")))
    return found


def _shown(name: str, value: str) -> str:
    if name == "media":
        try:
            return media_label(MediaType.parse("media", value))
        except InvalidInput:
            return value
    return value


def search_query(
    form: SearchForm, *, zone: tzinfo, owner_id: str | None, contact_id: str | None
) -> HistoryQuery:
    """The one query the form asks for: its filters and its `q`, all time unless dated."""
    start_from = parse_window_bound("From", form.start, zone, upper=False) if form.start else None
    start_to = parse_window_bound("To", form.end, zone, upper=True) if form.end else None
    if start_from and start_to and start_from >= start_to:
        raise InvalidInput("", "From is after To")
    query = HistoryQuery(
        start_from=start_from,
        start_to=start_to,
        media_types=tuple(MediaType.parse("Media type", m) for m in form.media),
        states=tuple(State.parse("State", s) for s in form.state),
        type_ids=tuple(InteractionType.parse("Type", t) for t in form.type),
        owner_id=owner_id,
        contact_id=contact_id,
        thread_id=form.thread or None,
        source=Source.parse("Source", form.source) if form.source else Source.MAIN,
        sort=SortOrder.parse("Order", form.sort) if form.sort else SortOrder.DESC,
        limit=int(form.size) if form.size in PAGE_SIZES else int(PAGE_SIZES[0]),
    )
    if form.q:
        query = replace(query, q=parse_query(form.q, zone=zone))
    return query


@dataclass(frozen=True, slots=True)
class ScreenError:
    """An error as the screen says it; for the search box, where in the text it is."""

    message: str
    column: int | None = None


def screen_error(exc: InvalidInput) -> ScreenError:
    label = LABELS.get(exc.field, exc.field)
    message = f"{label}: {exc.problem}" if label else exc.problem
    found = _COLUMN.search(exc.problem) if exc.field == "q" else None
    return ScreenError(message, int(found.group(1)) if found else None)
