"""`GET /openucs/v1/interactions`: the search language over HTTP — the answer's shape (GWS list
plus total, facets, snippets), paging, errors with their column, access rules, the audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from litestar.testing import TestClient

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.domain.enums import MediaType
from openucs.domain.models import ChatMessage
from openucs.store import Store
from tests.api.conftest import Api, People, error, ok, seed, seed_contact
from tests.factories import at, make_email, make_interaction

SEARCH = "/openucs/v1/interactions"


def _chat(text: str) -> list[ChatMessage]:
    return [ChatMessage(index=0, type="Text", timestamp=at(0), participant_id="p", text=text)]


@pytest.fixture
def history(store: Store, people: People) -> None:
    mine = seed_contact(store)
    theirs = seed_contact(store)
    seed(
        store,
        make_interaction(
            id="A1",
            media_type=MediaType.CHAT,
            start_date=at(1),
            messages=_chat("The customer mentioned a chargeback <twice>"),
            owner_id=people.agent.id,
            contact_id=mine.id,
            custom_attributes={"CaseNumber": "1500"},
        ),
        make_interaction(
            id="A2",
            media_type=MediaType.EMAIL,
            start_date=at(2),
            email=make_email(body_as_plain_text="Bitte Rückerstattung, chargeback droht"),
            owner_id=people.other_agent.id,
            contact_id=theirs.id,
            custom_attributes={"CaseNumber": "900"},
        ),
        make_interaction(
            id="A3",
            start_date=at(3),
            subject="no words of interest",
            owner_id=people.other_agent.id,
            contact_id=mine.id,
        ),
    )


def _search(api: Api, q: str, extra: str = "", **kwargs: Any) -> dict[str, Any]:
    return ok(api.get(f"{SEARCH}?q={quote(q)}{extra}", **kwargs))


def test_the_answer_is_the_gws_list_with_total_snippets_and_facets(api: Api, history: None) -> None:
    answer = _search(api, "chargeback", "&facets=mediaType,state")
    assert [i["id"] for i in answer["interactions"]] == ["A2", "A1"]
    assert answer["total"] == {"value": 2, "relation": "eq"}
    assert answer["facets"] == {
        "mediaType": {"chat": 1, "email": 1},
        "state": {"Stopped": 2},
    }
    first, second = answer["interactions"]
    assert first["snippet"] == "Bitte Rückerstattung, <mark>chargeback</mark> droht"
    assert second["snippet"] == ("The customer mentioned a <mark>chargeback</mark> &lt;twice&gt;")
    assert first["mediaType"] == "email"
    assert first["uri"].endswith("/interactions/A2")
    assert "nextPageToken" not in answer


def test_words_are_found_without_case_or_diacritics(api: Api, history: None) -> None:
    assert [i["id"] for i in _search(api, "RUCKERSTATTUNG")["interactions"]] == ["A2"]


def test_pages_carry_a_token_and_the_total_counts_every_match(api: Api, history: None) -> None:
    first = _search(api, "chargeback OR interest", "&maxSize=2")
    assert [i["id"] for i in first["interactions"]] == ["A3", "A2"]
    assert first["total"] == {"value": 3, "relation": "eq"}
    following = ok(
        api.get(
            f"{SEARCH}?q={quote('chargeback OR interest')}&maxSize=2"
            f"&pageToken={first['nextPageToken']}"
        )
    )
    assert [i["id"] for i in following["interactions"]] == ["A1"]
    assert following["total"] == {"value": 3, "relation": "eq"}
    assert following["interactions"][0]["snippet"].count("<mark>chargeback</mark>") == 1


def test_attribute_ranges_and_fields_combine(api: Api, history: None) -> None:
    answer = _search(api, "attr.CaseNumber:[1000 TO 2000] mediaType:chat")
    assert [i["id"] for i in answer["interactions"]] == ["A1"]
    assert "snippet" not in answer["interactions"][0]


def test_no_q_lists_everything_newest_first(api: Api, history: None) -> None:
    answer = ok(api.get(SEARCH))
    assert [i["id"] for i in answer["interactions"]] == ["A3", "A2", "A1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=a%20AND%20(b%20OR%20c))", "q: unexpected ')' at column 15"),
        ("q=colour:red", "q: unknown field 'colour'"),
        ("q=startDate:2026-13-01", "q: startDate"),
        ("facets=owner", "facets: unknown facet 'owner'"),
        ("maxSize=0", "maxSize"),
        ("sort=up", "sort"),
        ("fromDate=2026-01-01", "fromDate: unknown parameter"),
        ("pageToken=xyz", "pageToken"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    api: Api, history: None, query: str, message: str
) -> None:
    response = api.get(f"{SEARCH}?{query}")
    assert message in error(response, 400, response.json().get("statusCode"))


def test_a_token_of_another_query_is_refused(api: Api, history: None) -> None:
    token = _search(api, "chargeback OR interest", "&maxSize=1")["nextPageToken"]
    response = api.get(f"{SEARCH}?q=chargeback&maxSize=1&pageToken={token}")
    assert "pageToken: was issued for a different query" in response.json()["statusMessage"]
    assert response.status_code == 400


def test_an_agent_finds_only_what_they_may_read(api: Api, people: People, history: None) -> None:
    # handled (the default): their own A1, and A3 of a contact they handled; not A2
    answer = _search(api, "chargeback OR interest", user=people.agent)
    assert [i["id"] for i in answer["interactions"]] == ["A3", "A1"]
    assert answer["total"] == {"value": 2, "relation": "eq"}
    assert _search(api, "droht", user=people.agent)["interactions"] == []


def test_a_search_is_recorded_in_the_read_audit(api: Api, people: People, history: None) -> None:
    _search(api, "chargeback", user=people.supervisor)
    records = ok(api.get("/openucs/v1/audit?maxSize=10"))["records"]
    mine = [r for r in records if r["userName"] == people.supervisor.user_name]
    assert [(r["action"], r["interactionIds"]) for r in mine] == [
        ("interactions.search", ["A2", "A1"])
    ]


def test_the_total_stops_at_the_cap(settings: Settings, store: Store, people: People) -> None:
    seed(
        store,
        *(
            make_interaction(start_date=at(0) + timedelta(seconds=n), subject="capybara")
            for n in range(30)
        ),
    )
    capped = replace(settings, search_total_cap=25)
    with TestClient(create_app(capped, store)) as client:
        answer = _search(Api(client, people), "capybara", "&maxSize=10&facets=state")
    assert answer["total"] == {"value": 25, "relation": "gte"}
    assert answer["facets"] == {"state": {"Stopped": 25}}
