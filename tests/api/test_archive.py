"""The archive tier over HTTP after an archive run, in the same database and in a second one,
on both engines: GWS `source=archive` answers the moved threads (history, contact history,
content); the search's `source=all` pages through both tiers with its page tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openucs.services.archive import archive_threads
from openucs.store import Store
from tests.api.conftest import Api, ok
from tests.archive_tiers import CUTOFF, LAYOUTS, History, seed_history, tiered_store

HISTORY = "/api/v2/ucs/interactions"
SEARCH = "/openucs/v1/interactions"
YEAR = {"fromDate": "2024-01-01", "toDate": "2024-12-31"}


@pytest.fixture(params=LAYOUTS)
def store(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Store]:
    with tiered_store(request.param, database_url, tmp_path) as opened:
        yield opened


@pytest.fixture
def archived(store: Store) -> History:
    history = seed_history(store)
    archive_threads(store=store, before=CUTOFF)
    return history


def ids(body: dict[str, Any]) -> list[str]:
    return sorted(i["id"] for i in body["interactions"])


def test_gws_source_archive_answers_the_moved_threads(api: Api, archived: History) -> None:
    moved = sorted(i.id for i in archived.archivable)
    kept = sorted(i.id for i in archived.kept)
    assert ids(ok(api.get(HISTORY, params={**YEAR, "source": "archive"}))) == moved
    assert ids(ok(api.get(HISTORY, params={**YEAR, "source": "main"}))) == kept
    assert ids(ok(api.get(HISTORY, params=YEAR))) == kept
    contact = f"/api/v2/ucs/contacts/{archived.contact.id}/interactions"
    assert ids(ok(api.get(contact, params={**YEAR, "source": "archive"}))) == ["A1", "A2", "D"]

    content = ok(api.get(f"{HISTORY}/D", params={"source": "archive"}))
    assert content["interaction"]["subject"] == "marmalade shipment"
    assert len(content["messages"]) == 3
    assert api.get(f"{HISTORY}/D", params={"source": "main"}).status_code == 404
    assert ok(api.get(f"{HISTORY}/B1", params={"source": "main"}))["interaction"]["id"] == "B1"


def test_the_search_reads_one_tier_or_both(api: Api, archived: History) -> None:
    def search(**params: str) -> dict[str, Any]:
        return ok(api.get(SEARCH, params=params))

    assert ids(search(q="marmalade", source="archive")) == ["D"]
    assert ids(search(q="marmalade")) == []
    assert ids(search(q="marmalade", source="all")) == ["D"]

    everything = sorted(archived.archivable + archived.kept, key=lambda i: (i.start_date, i.id))
    seen: list[str] = []
    params = {"source": "all", "maxSize": "3", "sort": "asc", "facets": "state"}
    while True:
        body = search(**params)
        seen += [i["id"] for i in body["interactions"]]
        assert body["total"] == {"value": 8, "relation": "eq"}
        assert sum(body["facets"]["state"].values()) == 8
        token = body.get("nextPageToken")
        if not token:
            break
        params["pageToken"] = token
    assert seen == [i.id for i in everything]
    main_token = search(maxSize="1").get("nextPageToken")
    refused = api.get(SEARCH, params={"source": "all", "maxSize": "1", "pageToken": main_token})
    assert refused.status_code == 400  # a token of one tier is not a token of both


def test_an_unknown_source_names_the_three(api: Api) -> None:
    answer = api.get(SEARCH, params={"source": "attic"})
    assert answer.status_code == 400
    assert "source" in answer.text and "all" in answer.text
