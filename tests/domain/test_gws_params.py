from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from openucs.config import Settings
from openucs.domain.enums import MediaType, SortOrder, Source
from openucs.domain.query import Cursor, HistoryQuery, encode_page_token
from openucs.errors import InvalidInput, OutOfRange
from openucs.gws.params import HistoryParams, build_history_query

NOW = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
SETTINGS = Settings()


def build(**params: Any) -> HistoryQuery:
    return build_history_query(HistoryParams(**params), settings=SETTINGS, now=NOW)


def test_defaults_are_last_month_desc_100_main() -> None:
    query = build()
    assert query.start_from == datetime(2026, 2, 28, tzinfo=SETTINGS.zone)  # 31 Mar - 1 month
    assert query.start_to == datetime(2026, 4, 1, tzinfo=SETTINGS.zone)  # today included
    assert query.sort is SortOrder.DESC
    assert query.limit == 100
    assert query.source is Source.MAIN
    assert query.return_attributes == ()


def test_either_bound_alone_leaves_the_other_open() -> None:
    assert build(fromDate="2026-01-01").start_to is None
    assert build(toDate="2026-01-01").start_from is None


def test_media_type_is_case_insensitive_and_canonical() -> None:
    assert build(mediaType=["Chat", "EMAIL"]).media_types == (MediaType.CHAT, MediaType.EMAIL)


@pytest.mark.parametrize(
    ("params", "field", "kind"),
    [
        ({"mediaType": ["fax"]}, "mediaType", InvalidInput),
        ({"fromDate": "2026-13-01"}, "fromDate", InvalidInput),
        ({"fromDate": "2026-03-05", "toDate": "2026-03-01"}, "fromDate", InvalidInput),
        ({"maxSize": "0"}, "maxSize", OutOfRange),
        ({"maxSize": "1001"}, "maxSize", OutOfRange),
        ({"maxSize": "ten"}, "maxSize", InvalidInput),
        ({"sort": "up"}, "sort", InvalidInput),
        ({"source": "cold"}, "source", InvalidInput),
        ({"pageToken": "garbage!"}, "pageToken", InvalidInput),
    ],
)
def test_bad_parameters_name_the_field(
    params: dict[str, Any], field: str, kind: type[InvalidInput]
) -> None:
    with pytest.raises(kind) as err:
        build(**params)
    assert err.value.field == field


def test_same_day_window_is_valid_and_covers_the_day() -> None:
    query = build(fromDate="2026-03-05", toDate="2026-03-05")
    assert query.start_to is not None and query.start_from is not None
    assert (query.start_to - query.start_from).days == 1


def test_page_token_round_trips_and_is_bound_to_the_query() -> None:
    query = build(mediaType=["chat"])
    token = encode_page_token(query, Cursor(123, "abc"))
    assert build(mediaType=["chat"], pageToken=token).after == Cursor(123, "abc")
    with pytest.raises(InvalidInput, match="different query"):
        build(mediaType=["email"], pageToken=token)


def test_page_token_does_not_depend_on_page_size() -> None:
    query = build(maxSize="10")
    token = encode_page_token(query, Cursor(5, "x"))
    assert build(maxSize="20", pageToken=token).after == Cursor(5, "x")


def test_history_query_refuses_an_empty_window() -> None:
    with pytest.raises(InvalidInput):
        HistoryQuery(start_from=NOW, start_to=NOW)
    assert replace(HistoryQuery(), limit=5).limit == 5


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (datetime(2024, 3, 31, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC)),  # leap year
        (datetime(2026, 1, 15, tzinfo=UTC), datetime(2025, 12, 15, tzinfo=UTC)),  # year back
        (datetime(2026, 5, 31, tzinfo=UTC), datetime(2026, 4, 30, tzinfo=UTC)),
    ],
)
def test_default_window_starts_a_calendar_month_back(today: datetime, start: datetime) -> None:
    query = build_history_query(HistoryParams(), settings=SETTINGS, now=today)
    assert query.start_from == start
