"""GWS date formats in and out (spec 1.8).

Out: `yyyy-MM-dd HH:mm:ss.SSSZ` in the configured zone, e.g. `2015-10-01 16:02:07.000+0300`.
In: `yyyy-MM-dd` (a whole day in the configured zone) or an ISO-8601 date-time with or without
millis, `T` or space, `Z` or an offset; the GWS resource format itself is accepted too.

Accepted instants run from `EARLIEST` to `LATEST` (1800-01-01T00:00Z to 8999-12-31T23:59Z), and
dates (window bounds) from 1799-12-31 to 9000-01-01, the days those instants fall on in any
zone: far enough from year 1 and 9999 that every accepted moment can be shown in any zone
(offsets are under a day) and counted in epoch milliseconds. Anything outside is refused where
it is parsed, naming the field.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from openucs.errors import InvalidInput, OutOfRange

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(
    r"^(?P<d>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:[.:,](?P<frac>\d{1,6}))?\s*(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?$"
)


def format_gws(moment: datetime, zone: tzinfo) -> str:
    """`yyyy-MM-dd HH:mm:ss.SSSZ` (Java `Z` is `+hhmm`). On the hot path of every history
    answer (twice per item), so built from the C `isoformat`: `2015-10-01 16:02:07.000+03:00`
    loses the offset's colon. A historical offset with seconds (Helsinki's `+01:39:49` before
    1921) cannot be written as `+hhmm`: the time is shown at the whole minutes below it, so
    that the text still reads back as the same instant."""
    local = moment.astimezone(zone)
    text = local.isoformat(" ", "milliseconds")
    if len(text) > 29:  # `+01:39:49`: seconds in the offset
        offset = local.utcoffset() or timedelta()
        whole = timezone(timedelta(minutes=offset // timedelta(minutes=1)))
        text = moment.astimezone(whole).isoformat(" ", "milliseconds")
    return text[:26] + text[27:29]


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
LATEST = datetime(8999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
_RANGE = "1800-01-01T00:00:00Z to 8999-12-31T23:59:59.999Z"
# The days on which an accepted instant falls in some zone (offsets are under a day).
FIRST_DAY = date(1799, 12, 31)
LAST_DAY = date(9000, 1, 1)


def to_millis(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (sub-millisecond part truncated)."""
    return (moment - EPOCH) // _MS


def from_millis(millis: int) -> datetime:
    # `_MS * millis` is exact integer arithmetic, and half the cost of
    # `timedelta(milliseconds=millis)` (twice per row read).
    return EPOCH + _MS * millis


def parse_day(field: str, raw: str) -> date:
    if not _DATE_RE.match(raw):
        raise InvalidInput(field, f"malformed date {raw!r} (expected yyyy-MM-dd)")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(field, f"invalid date {raw!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(field, f"{raw} is outside the accepted dates ({FIRST_DAY} to {LAST_DAY})")
    return day


def check_instant(field: str, moment: datetime) -> datetime:
    """`moment` when it is within the accepted range; OutOfRange naming the field otherwise."""
    # The year first: comparing a moment of year 1 or 9999 may overflow in the conversion.
    if not EARLIEST.year - 1 <= moment.year <= LATEST.year + 1 or not EARLIEST <= moment <= LATEST:
        shown = moment.isoformat(timespec="milliseconds")
        raise OutOfRange(field, f"{shown} is outside the accepted range ({_RANGE})")
    return moment


def parse_instant(field: str, raw: str, zone: tzinfo) -> datetime:
    """A date-time in any accepted form; a missing zone means the configured zone."""
    text = raw.strip()
    match = _DATETIME_RE.match(text)
    if not match:
        raise InvalidInput(
            field,
            f"malformed date-time {raw!r} (expected yyyy-MM-dd HH:mm:ss.SSSZ or ISO-8601)",
        )
    tz_raw = match["tz"]
    if tz_raw is not None and tz_raw[-2:] < "60":
        # The forms with a zone that the C parser reads as we do (it takes `+0060` for an
        # hour, so minutes of 60 or more go the long way): decoding an export 38% faster.
        try:
            return check_instant(field, datetime.fromisoformat(text))
        except ValueError:
            pass  # the long way names the problem
    return check_instant(field, _instant_of(field, raw, match, zone))


def _instant_of(field: str, raw: str, match: re.Match[str], zone: tzinfo) -> datetime:
    frac = (match["frac"] or "0").ljust(6, "0")
    tz_raw = match["tz"]
    try:
        day = date.fromisoformat(match["d"])
        zone_of = zone if tz_raw is None else _parse_offset(tz_raw)
        return datetime(
            day.year,
            day.month,
            day.day,
            int(match["h"]),
            int(match["m"]),
            int(match["s"] or 0),
            int(frac),
            tzinfo=zone_of,
        )
    except ValueError as exc:
        raise InvalidInput(field, f"invalid date-time {raw!r}: {exc}") from None


@functools.lru_cache(maxsize=512)
def _parse_offset(raw: str) -> tzinfo:
    """A fixed-offset zone; cached, as an import meets the same few offsets a million times."""
    if raw in ("Z", "z"):
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"offset {raw} out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_window_bound(field: str, raw: str, zone: tzinfo, *, upper: bool) -> datetime:
    """A request `fromDate`/`toDate`: a bare date is a whole day (the upper bound exclusive at
    the next midnight, so `toDate` includes its day); a date-time is an exact instant."""
    raw = raw.strip()
    if _DATE_RE.match(raw):
        day = parse_day(field, raw)
        if upper:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=zone)
    moment = parse_instant(field, raw, zone)
    return moment + timedelta(milliseconds=1) if upper else moment
