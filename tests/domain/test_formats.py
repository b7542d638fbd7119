from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest

from openucs.domain.formats import (
    EARLIEST,
    LATEST,
    format_gws,
    from_millis,
    parse_instant,
    parse_window_bound,
    to_millis,
)
from openucs.errors import InvalidInput, OutOfRange

PLUS3 = timezone(timedelta(hours=3))


def test_format_is_gws_resource_format_in_the_configured_zone() -> None:
    moment = datetime(2015, 10, 1, 13, 2, 7, 45_000, tzinfo=UTC)
    assert format_gws(moment, PLUS3) == "2015-10-01 16:02:07.045+0300"
    assert format_gws(moment, UTC) == "2015-10-01 13:02:07.045+0000"


def test_format_keeps_java_shape_for_old_dates() -> None:
    """Four-digit years and an `hhmm` offset even where the zone had seconds (LMT): the time
    is shown at the whole-minute offset below it, so the text reads back as the same instant."""
    st_johns = ZoneInfo("America/St_Johns")  # -02:30:52 in 1928
    moment = datetime(1928, 9, 18, 6, 17, tzinfo=UTC)
    assert format_gws(moment, st_johns) == "1928-09-18 03:46:00.000-0231"
    assert parse_instant("startDate", format_gws(moment, st_johns), st_johns) == moment
    helsinki = ZoneInfo("Europe/Helsinki")  # +01:39:49 until 1921
    assert format_gws(EARLIEST, helsinki) == "1800-01-01 01:39:00.000+0139"
    assert format_gws(datetime(80, 2, 13, tzinfo=UTC), UTC) == "0080-02-13 00:00:00.000+0000"


def test_format_follows_daylight_saving_of_a_named_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert format_gws(datetime(2024, 1, 15, 12, tzinfo=UTC), paris).endswith("+0100")
    assert format_gws(datetime(2024, 7, 15, 12, tzinfo=UTC), paris).endswith("+0200")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2015-10-01 16:02:07.000+0300", datetime(2015, 10, 1, 13, 2, 7, tzinfo=UTC)),
        ("2015-10-01T10:00:00.000Z", datetime(2015, 10, 1, 10, tzinfo=UTC)),
        ("2015-10-01T10:00:00Z", datetime(2015, 10, 1, 10, tzinfo=UTC)),
        ("2015-10-01T10:00:00:123+02:00", datetime(2015, 10, 1, 8, 0, 0, 123_000, tzinfo=UTC)),
        ("2015-10-01t10:00", datetime(2015, 10, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_instant_accepts_gws_and_iso_forms(raw: str, expected: datetime) -> None:
    assert parse_instant("startDate", raw, UTC) == expected


@pytest.mark.parametrize(
    ("raw", "offset_minutes"),
    [
        ("2015-10-01 16:02:07.5+0300", 180),
        ("2015-10-01 16:02:07,5-0530", -330),
        ("2015-10-01 16:02:07.500 +03:00", 180),
        ("2015-10-01T16:02:07.5z", 0),
        ("2015-10-01T16:02:07.500000+2359", 23 * 60 + 59),
        ("  2015-10-01 16:02:07.5Z ", 0),
    ],
)
def test_every_spelling_of_a_zoned_instant_reads_the_same(raw: str, offset_minutes: int) -> None:
    got = parse_instant("startDate", raw, PLUS3)
    assert got.utcoffset() == timedelta(minutes=offset_minutes)
    assert got.replace(tzinfo=UTC) == datetime(2015, 10, 1, 16, 2, 7, 500_000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw", ["2015-10-01 16:02:07+0060", "2015-10-01 16:02:07+2400", "2015-02-30 16:02:07Z"]
)
def test_out_of_range_zones_and_days_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="startDate: invalid date-time"):
        parse_instant("startDate", raw, UTC)


def test_parse_instant_without_zone_uses_configured_zone() -> None:
    assert parse_instant("startDate", "2015-10-01 10:00:00", PLUS3) == datetime(
        2015, 10, 1, 7, tzinfo=UTC
    )


@pytest.mark.parametrize("raw", ["yesterday", "2015-13-01T00:00:00Z", "2015-10-01T25:00Z", ""])
def test_parse_instant_rejects_with_field_name(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_instant("startDate", raw, UTC)
    assert err.value.field == "startDate"


def test_date_only_upper_bound_includes_the_whole_day() -> None:
    bound = parse_window_bound("toDate", "2015-10-05", PLUS3, upper=True)
    assert bound == datetime(2015, 10, 6, tzinfo=PLUS3)
    assert parse_window_bound("fromDate", "2015-10-05", PLUS3, upper=False) == datetime(
        2015, 10, 5, tzinfo=PLUS3
    )


def test_date_time_upper_bound_is_inclusive_of_that_instant() -> None:
    bound = parse_window_bound("toDate", "2015-10-05T10:00:00.000Z", UTC, upper=True)
    assert bound == datetime(2015, 10, 5, 10, 0, 0, 1000, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["2015/10/05", "05-10-2015", "2015-02-30"])
def test_malformed_request_dates_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="toDate"):
        parse_window_bound("toDate", raw, UTC, upper=True)


def test_millis_round_trip_is_exact() -> None:
    moment = datetime(2026, 3, 1, 23, 59, 59, 999_000, tzinfo=UTC)
    assert from_millis(to_millis(moment)) == moment
    assert to_millis(datetime(1970, 1, 1, tzinfo=UTC)) == 0


@pytest.mark.parametrize("offset_minutes", [-14 * 60, -1, 0, 1, 14 * 60])
def test_the_accepted_bounds_read_back_in_any_offset(offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    for moment in (EARLIEST, LATEST.replace(microsecond=999_000)):
        assert parse_instant("startDate", format_gws(moment, zone), UTC) == moment
        assert from_millis(to_millis(moment)) == moment


@pytest.mark.parametrize(
    "raw",
    [
        "1799-12-31T23:59:59.999Z",
        "9000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59.999-14:00",
        "1800-01-01 00:00:00.000+0001",
    ],
)
def test_instants_outside_the_range_are_refused(raw: str) -> None:
    with pytest.raises(OutOfRange, match="startDate"):
        parse_instant("startDate", raw, UTC)


def test_window_days_run_from_the_day_before_to_the_day_after_the_range() -> None:
    assert parse_window_bound("toDate", "9000-01-01", UTC, upper=True) == datetime(
        9000, 1, 2, tzinfo=UTC
    )
    assert parse_window_bound("fromDate", "1799-12-31", UTC, upper=False).year == 1799
    for raw in ("9000-01-02", "1799-12-30", "9999-12-31", "0001-01-01"):
        with pytest.raises(OutOfRange, match="toDate"):
            parse_window_bound("toDate", raw, UTC, upper=True)


def test_the_bounds_read_back_in_every_named_zone() -> None:
    """Every zone a deployment may configure: historical offsets with seconds included."""
    for name in sorted(available_timezones()):
        zone = ZoneInfo(name)
        for moment in (EARLIEST, LATEST.replace(microsecond=999_000)):
            text = format_gws(moment, zone)
            assert parse_instant("startDate", text, zone) == moment, (name, text)
