"""Katib's StdOut collector, reduced to what the tests check: its default filter and its timestamp rule."""

from __future__ import annotations

import re
from datetime import datetime

# pkg/metricscollector/v1beta1/common/const.go, DefaultFilter (Katib v0.19), verbatim.
KATIB_DEFAULT_FILTER = re.compile(r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_line(line: str) -> tuple[datetime, dict[str, float]]:
    """What Katib records from one line: the first token as RFC 3339 time, every ``name=value`` match."""
    stamp, _, _ = line.partition(" ")
    assert RFC3339.match(stamp), f"first token is not RFC 3339: {line!r}"
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    values = {m.group(1).strip(): float(m.group(2)) for m in KATIB_DEFAULT_FILTER.finditer(line)}
    return when, values
