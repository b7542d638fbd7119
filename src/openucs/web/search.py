"""The search page (`/`): one search box that takes the query language (`q`, docs/search.md)
with the structured filters beside it, every one of them in the URL, so a search can be shared,
saved and the back button works.

The form becomes one `HistoryQuery` (`web.search_form`) read with
`services.search.search_interactions`, so the reader's access rules apply (an agent finds only
their own interactions) and the read is audited. Without dates a search covers all time.

Paging is keyset paging, never an offset: "Next" carries the API's page token after the last
row; "Previous" carries a token of the same search in the other order after the first row, and
that page is read backwards and shown turned round.

The contact filter takes a name (prefix of first or last name), an email address or a phone
number, looked up with `services.contacts.find_contacts_page` in the viewer's read scope (an
agent finds the contacts they handled); several matches are offered to choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from litestar import Request, Response, get

from openucs.domain.access import ReadScope
from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.formats import to_millis
from openucs.domain.models import Contact, Interaction
from openucs.domain.query import Cursor, HistoryQuery, encode_page_token
from openucs.errors import InvalidInput
from openucs.gws.params import page_cursor
from openucs.services.access import owner_filter_for
from openucs.services.contacts import find_contacts_page
from openucs.services.saved_searches import saved_searches
from openucs.services.search import SearchResult, search_interactions
from openucs.store.base import Store
from openucs.web.context import CurrentViewer, Viewer, Web, WebContext
from openucs.web.interaction import duration_seconds
from openucs.web.search_form import (
    PAGE_SIZES,
    ScreenError,
    SearchForm,
    chips,
    screen_error,
    search_query,
)

CHOICES = 20
FACETS = ("mediaType", "state")
_PHONE = re.compile(r"[\d\s()+./-]+")


@dataclass
class ContactMatch:
    contact_id: str | None = None
    candidates: list[Contact] = field(default_factory=list)
    more: bool = False
    missing: bool = False

    @property
    def must_choose(self) -> bool:
        return bool(self.candidates) or self.missing


@dataclass
class SearchPage:
    """What the page shows: the answer, its position and the links around it."""

    form: SearchForm
    match: ContactMatch = field(default_factory=ContactMatch)
    found: SearchResult | None = None
    items: list[Interaction] = field(default_factory=list)
    n: int = 1
    names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    next_url: str | None = None
    previous_url: str | None = None
    error: ScreenError | None = None


def contact_kind(text: str) -> str:
    """Which contact key a search text is: `email`, `phone` or `name`."""
    if "@" in text:
        return "email"
    if _PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 3:
        return "phone"
    return "name"


def match_contact(store: Store, scope: ReadScope, form: SearchForm) -> ContactMatch:
    """The contact to filter on: the one chosen for the current text, the only contact the
    text finds, or the candidates to choose from."""
    if form.contact_id and form.contact == form.chosen_for:
        return ContactMatch(contact_id=form.contact_id)
    if not form.contact:
        return ContactMatch()
    criteria = {contact_kind(form.contact): form.contact}
    found, after = find_contacts_page(store=store, scope=scope, limit=CHOICES, **criteria)
    if len(found) == 1:
        return ContactMatch(contact_id=found[0].id)
    return ContactMatch(candidates=found, more=after is not None, missing=not found)


def owner_of(store: Store, agent: str) -> str | None:
    if not agent:
        return None
    user = store.get_user_by_name(agent)
    if user is None:
        raise InvalidInput("Agent", f"there is no user named {agent!r}")
    return user.id


def form_query(
    web: WebContext, viewer: Viewer, form: SearchForm
) -> tuple[HistoryQuery, ContactMatch]:
    """The form's query and its contact; InvalidInput in the screen's words."""
    match = match_contact(web.store, viewer.reader.scope, form)
    if match.must_choose:
        return HistoryQuery(), match
    # The scope limits an agent to their own rows anyway; asking for another's is refused.
    owner_id = owner_filter_for(viewer.reader.scope, owner_of(web.store, form.agent))
    query = search_query(
        form, zone=web.settings.zone, owner_id=owner_id, contact_id=match.contact_id
    )
    return query, match


def run_search(web: WebContext, viewer: Viewer, form: SearchForm) -> SearchPage:
    shown = SearchPage(form, n=form.n)
    try:
        query, shown.match = form_query(web, viewer, form)
        if shown.match.must_choose:
            return shown
        if form.before:
            _read_backwards(web, viewer, query, shown)
        else:
            _read_forwards(web, viewer, query, shown)
    except InvalidInput as exc:
        shown.error = screen_error(exc)
        return shown
    wanted = [i.contact_id for i in shown.items if i.contact_id]
    shown.names = web.store.contact_names([*wanted, *filter(None, [shown.match.contact_id])])
    return shown


def _search(web: WebContext, viewer: Viewer, query: HistoryQuery) -> SearchResult:
    return search_interactions(store=web.store, reader=viewer.reader, query=query, facets=FACETS)


def _read_forwards(web: WebContext, viewer: Viewer, query: HistoryQuery, shown: SearchPage) -> None:
    form = shown.form
    after = page_cursor(query, form.page) if form.page else None
    found = _search(web, viewer, replace(query, after=after))
    shown.found, shown.items = found, found.page.items
    if after is None:
        shown.n = 1
    elif shown.items:
        shown.previous_url = _previous_url(form, query, shown.items[0], shown.n)
    cursor = found.page.next_cursor
    if cursor is not None:
        shown.next_url = form.url(page=encode_page_token(query, cursor), before="", n=shown.n + 1)


def _read_backwards(
    web: WebContext, viewer: Viewer, query: HistoryQuery, shown: SearchPage
) -> None:
    """The page before a row: the search in the other order after it, turned round."""
    form = shown.form
    back = _reversed(query)
    found = _search(web, viewer, replace(back, after=page_cursor(back, form.before)))
    shown.found, shown.items = found, found.page.items[::-1]
    if found.page.next_cursor is None:
        shown.n = 1  # nothing before it: this is the first page
    elif shown.items:
        shown.previous_url = _previous_url(form, query, shown.items[0], shown.n)
    if shown.items:
        token = encode_page_token(query, _cursor_of(shown.items[-1]))
        shown.next_url = form.url(page=token, before="", n=shown.n + 1)


def _previous_url(form: SearchForm, query: HistoryQuery, first: Interaction, n: int) -> str:
    token = encode_page_token(_reversed(query), _cursor_of(first))
    return form.url(before=token, page="", n=max(n - 1, 1))


def _reversed(query: HistoryQuery) -> HistoryQuery:
    other = SortOrder.ASC if query.sort is SortOrder.DESC else SortOrder.DESC
    return replace(query, sort=other, after=None)


def _cursor_of(item: Interaction) -> Cursor:
    return Cursor(to_millis(item.start_date), item.id)


def _contact_name(shown: SearchPage) -> str | None:
    first, last = shown.names.get(shown.match.contact_id or "", (None, None))
    return " ".join(p for p in (first, last) if p) or None


@get("/", sync_to_thread=True)
def search_page(request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer) -> Response[str]:
    form = SearchForm.from_query(request.query_params)
    shown = run_search(web, viewer, form)
    agents = sorted(u.user_name for u in web.store.list_users()) if viewer.reads_everything else []
    size = int(form.size) if form.size in PAGE_SIZES else int(PAGE_SIZES[0])
    context = {
        "viewer": viewer,
        "nav": "search",
        "title": "Search history",
        "form": form,
        "shown": shown,
        "chips": chips(form, _contact_name(shown)),
        "agents": agents,
        "first_row": (shown.n - 1) * size + 1,
        "first_url": form.fresh() if shown.n > 1 else None,
        "sort_url": form.fresh(sort="asc" if form.sort != "asc" else "desc"),
        "saved": saved_searches(store=web.store, user=viewer.user),
        "duration": duration_seconds,
        "sizes": PAGE_SIZES,
        "medias": list(MediaType),
        "states": list(State),
        "types": list(InteractionType),
        "sources": list(Source),
    }
    return web.templates.page("search.html", context, status=400 if shown.error else 200)
