"""Local-day spans of constant UTC offset (the dashboard's day buckets)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openucs.domain.formats import to_millis
from openucs.domain.stats import DAY_MS, OffsetSpan, day_of, offset_ms_at, offset_spans

HELSINKI = ZoneInfo("Europe/Helsinki")
HOUR = 3_600_000


def test_utc_is_one_span() -> None:
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)
    assert offset_spans(UTC, start, end) == (OffsetSpan(to_millis(start), 0),)


def test_a_window_without_a_change_is_one_span_with_the_zone_offset() -> None:
    start = datetime(2024, 6, 1, tzinfo=HELSINKI)
    end = datetime(2024, 7, 1, tzinfo=HELSINKI)
    assert offset_spans(HELSINKI, start, end) == (OffsetSpan(to_millis(start), 3 * HOUR),)


def test_spring_and_autumn_changes_are_found_to_the_millisecond() -> None:
    start = datetime(2024, 3, 1, tzinfo=HELSINKI)
    end = datetime(2024, 11, 30, tzinfo=HELSINKI)
    spring = to_millis(datetime(2024, 3, 31, 1, 0, tzinfo=UTC))
    autumn = to_millis(datetime(2024, 10, 27, 1, 0, tzinfo=UTC))
    assert offset_spans(HELSINKI, start, end) == (
        OffsetSpan(to_millis(start), 2 * HOUR),
        OffsetSpan(spring, 3 * HOUR),
        OffsetSpan(autumn, 2 * HOUR),
    )


def test_a_half_hour_zone_and_every_instant_maps_to_its_local_day() -> None:
    zone = ZoneInfo("Australia/Adelaide")  # +10:30 / +09:30
    start = datetime(2024, 3, 30, tzinfo=zone)
    end = datetime(2024, 4, 10, tzinfo=zone)
    spans = offset_spans(zone, start, end)
    assert len(spans) == 2
    probe = start
    while probe < end:
        millis = to_millis(probe)
        span = [s for s in spans if s.from_ms <= millis][-1]
        assert day_of((millis + span.offset_ms) // DAY_MS) == probe.astimezone(zone).date()
        probe += timedelta(minutes=17)


def test_day_numbers_and_offsets() -> None:
    assert day_of(0) == date(1970, 1, 1)
    assert day_of(19_783) == date(2024, 3, 1)
    assert offset_ms_at(HELSINKI, to_millis(datetime(2024, 1, 1, tzinfo=UTC))) == 2 * HOUR
