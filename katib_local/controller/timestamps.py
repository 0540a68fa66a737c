"""Timestamps as Katib's metrics collector and database handle them.

Katib parses the first token of a metric line with Go's RFC3339 layouts and, when that fails, records the zero
time ``0001-01-01T00:00:00Z``. Its database stores ``DATETIME(6)`` and returns observation logs ``ORDER BY
time``.
Here every time is normalised to one fixed-width UTC string with microseconds, so that sorting the strings
sorts the instants, and SQLite's ``ORDER BY time`` behaves like Katib's.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

ZERO_TIME = "0001-01-01T00:00:00.000000Z"
"""What Katib records for a line whose first token is not an RFC3339 timestamp."""

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def parse_rfc3339(token: str) -> str | None:
    """Normalise an RFC3339 (or RFC3339Nano) timestamp to ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` UTC.

    Fractional seconds of any length are accepted, as Go accepts them; digits beyond microseconds are
    truncated. Returns ``None`` for anything else (a date without zone, a bare epoch number, garbage).
    """
    match = _RFC3339.fullmatch(token)
    if match is None:
        return None
    year, month, day, hour, minute, second, frac, zone = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError:
        return None
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        try:
            moment = moment - sign * offset
        except OverflowError:
            return None
    return format_time(moment)


def format_time(moment: datetime) -> str:
    """Format a naive-UTC or aware datetime in the normalised form."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond:06d}Z"


def from_epoch(seconds: float) -> str:
    """Normalise epoch seconds (TensorBoard's ``wall_time``, a JSON ``timestamp`` number)."""
    return format_time(datetime.fromtimestamp(seconds, tz=timezone.utc))


def now() -> str:
    """The current time, normalised."""
    return format_time(datetime.now(tz=timezone.utc))
