"""The search page (`/`): a history search whose every filter lives in the URL, so a search can
be shared and the back button works.

The form parses into `HistoryParams` and through `gws.params.build_history_query`, exactly as
the API's parameters do: the same defaults (the last month), the same errors, the same page
size limits, and the API's opaque `pageToken` cursor for "Next page". The history is read with
`services.history.interaction_history`, so an agent sees only their own interactions.

The contact filter takes a name (prefix of first or last name), an email address or a phone
number, looked up with `services.contacts.find_contacts_page` in the viewer's read scope (an
agent finds the contacts they handled); several matches are offered to choose from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.datastructures import MultiDict

from openucs.domain.access import ReadScope
from openucs.domain.enums import InteractionType, MediaType, SortOrder, Source, State
from openucs.domain.models import Contact, Interaction
from openucs.domain.query import HistoryQuery, Page, encode_page_token
from openucs.errors import InvalidInput
from openucs.gws.params import HistoryParams, build_history_query
from openucs.services.contacts import find_contacts_page
from openucs.services.history import interaction_history
from openucs.store.base import Store
from openucs.web.context import CurrentViewer, Viewer, Web, WebContext

PAGE_SIZES = ("25", "50", "100")
CHOICES = 20
_PHONE = re.compile(r"[\d\s()+./-]+")
_LISTS = ("media", "state", "type")


@dataclass
class SearchForm:
    """The search as its URL holds it (parameter names are the form's field names)."""

    text: str = ""
    contact: str = ""
    contact_id: str = ""
    chosen_for: str = ""  # the contact text `contact_id` was chosen for
    start: str = ""
    end: str = ""
    media: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    agent: str = ""
    attr_name: str = ""
    attr_value: str = ""
    sort: str = "desc"
    size: str = PAGE_SIZES[0]
    source: str = "main"
    thread: str = ""
    page: str = ""
    n: int = 1

    @classmethod
    def from_query(cls, query: MultiDict[Any]) -> SearchForm:
        form = cls()
        for f in fields(cls):
            if f.name in _LISTS:
                setattr(form, f.name, [str(v) for v in query.getall(f.name, []) if v])
            elif f.name == "n":
                raw = str(query.get("n", "1"))
                form.n = int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1
            elif f.name in query:
                setattr(form, f.name, str(query.get(f.name) or "").strip())
        return form

    def url(self, **changes: Any) -> str:
        """This search's URL with some fields changed; empty and default fields left out."""
        form = replace(self, **changes)
        defaults = SearchForm()
        pairs: list[tuple[str, str]] = []
        for f in fields(form):
            value = getattr(form, f.name)
            if value == getattr(defaults, f.name) or value in ("", []):
                continue
            values = value if isinstance(value, list) else [value]
            pairs.extend((f.name, str(v)) for v in values)
        return "/?" + urlencode(pairs) if pairs else "/"

    @property
    def advanced(self) -> bool:
        """Whether a filter of the "More filters" part is set (it is then shown open)."""
        return bool(
            self.media
            or self.state
            or self.type
            or self.agent
            or self.attr_name
            or self.attr_value
            or self.source != "main"
            or self.thread
        )


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
class SearchResult:
    form: SearchForm
    match: ContactMatch = field(default_factory=ContactMatch)
    page: Page[Interaction] | None = None
    names: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    next_url: str | None = None
    error: str | None = None


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


def history_params(
    form: SearchForm, *, owner_id: str | None, contact_id: str | None
) -> HistoryParams:
    if form.attr_value and not form.attr_name:
        raise InvalidInput("Attribute", "give the attribute's name with its value")
    return HistoryParams(
        fromDate=form.start or None,
        toDate=form.end or None,
        mediaType=form.media,
        state=form.state,
        typeId=form.type,
        sort=form.sort,
        maxSize=form.size if form.size in PAGE_SIZES else PAGE_SIZES[0],
        source=form.source,
        searchCustomAttributes=[(form.attr_name, form.attr_value)] if form.attr_name else [],
        userId=owner_id,
        contactId=contact_id,
        threadId=form.thread or None,
        text=form.text or None,
        pageToken=form.page or None,
    )


def owner_of(store: Store, agent: str) -> str | None:
    if not agent:
        return None
    user = store.get_user_by_name(agent)
    if user is None:
        raise InvalidInput("Agent", f"there is no user named {agent!r}")
    return user.id


def run_search(web: WebContext, viewer: Viewer, form: SearchForm) -> SearchResult:
    store, result = web.store, SearchResult(form)
    try:
        result.match = match_contact(store, viewer.reader.scope, form)
        if result.match.must_choose:
            return result
        params = history_params(
            form, owner_id=owner_of(store, form.agent), contact_id=result.match.contact_id
        )
        query = build_history_query(params, settings=web.settings, now=datetime.now(UTC))
        page = interaction_history(store=store, reader=viewer.reader, query=query)
    except InvalidInput as exc:
        result.error = exc.message
        return result
    result.page = page
    wanted = [i.contact_id for i in page.items if i.contact_id]
    result.names = store.contact_names([*wanted, *filter(None, [result.match.contact_id])])
    result.next_url = _next_url(form, query, page)
    return result


def _next_url(form: SearchForm, query: HistoryQuery, page: Page[Interaction]) -> str | None:
    if page.next_cursor is None:
        return None
    return form.url(page=encode_page_token(query, page.next_cursor), n=form.n + 1)


@get("/", sync_to_thread=True)
def search_page(request: Request[Any, Any, Any], web: Web, viewer: CurrentViewer) -> Response[str]:
    form = SearchForm.from_query(request.query_params)
    result = run_search(web, viewer, form)
    agents = sorted(u.user_name for u in web.store.list_users()) if viewer.reads_everything else []
    size = int(form.size) if form.size in PAGE_SIZES else int(PAGE_SIZES[0])
    context = {
        "viewer": viewer,
        "nav": "search",
        "title": "Search history",
        "form": form,
        "result": result,
        "agents": agents,
        "first_row": (form.n - 1) * size + 1,
        "first_url": form.url(page="", n=1) if form.page else None,
        "sort_url": form.url(sort="asc" if form.sort != "asc" else "desc", page="", n=1),
        "sizes": PAGE_SIZES,
        "medias": list(MediaType),
        "states": list(State),
        "types": list(InteractionType),
        "sources": list(Source),
        "orders": list(SortOrder),
    }
    return web.templates.page("search.html", context, status=400 if result.error else 200)
