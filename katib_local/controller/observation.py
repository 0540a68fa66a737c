"""Observation logs and the per-trial metric values Katib derives from them.

A trial's observation log is a list of rows ``(metric name, time, value)``, exactly what Katib's collector
writes to its database. Values are strings, as in Katib: a collector may record a value that is not a number
(an empty match of the default regex, or ``unavailable`` when the objective was never seen).

From the rows Katib computes, per metric, ``min``, ``max`` and ``latest`` (``trial_controller_util.go``):

- ``min``/``max`` over the values that parse as floats;
- ``latest`` is the value with the greatest time; among equal times, the later row wins;
- a metric with no row at all is ``unavailable`` in all three.

The value the experiment uses (best trial, goal, suggestions) is the one named by the metric's strategy, with
``min``/``max`` falling back to ``latest`` when no value parsed (``getObjectiveMetricValue``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class MetricLog:
    """One observation-log row. ``time`` is normalised (see :mod:`katib_local.controller.timestamps`)."""

    name: str
    time: str
    value: str


@dataclass(frozen=True)
class MetricSummary:
    """Katib's ``Metric{name, min, max, latest}``; each field is a string, possibly ``unavailable``."""

    name: str
    min: str
    max: str
    latest: str

    def pick(self, strategy: str) -> str:
        """The value a strategy (``min``, ``max`` or ``latest``) selects, falling back to ``latest``."""
        chosen = {"min": self.min, "max": self.max}.get(strategy, self.latest)
        return self.latest if chosen == UNAVAILABLE else chosen


def _as_float(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def summarize(name: str, logs: Iterable[MetricLog]) -> MetricSummary:
    """Min, max and latest of one metric over ``logs`` (rows of other metrics are ignored).

    NaN values take part in ``latest`` only: Go's ``strconv.ParseFloat`` accepts ``NaN`` but Katib's
    comparisons never select it as min or max, so it is treated as unparsable here.
    """
    lowest: float | None = None
    highest: float | None = None
    latest: MetricLog | None = None
    for row in logs:
        if row.name != name:
            continue
        if latest is None or row.time >= latest.time:
            latest = row
        number = _as_float(row.value)
        if number is None:
            continue
        lowest = number if lowest is None or number < lowest else lowest
        highest = number if highest is None or number > highest else highest
    if latest is None:
        return MetricSummary(name, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE)
    return MetricSummary(
        name,
        UNAVAILABLE if lowest is None else repr(lowest),
        UNAVAILABLE if highest is None else repr(highest),
        latest.value,
    )


def metric_values(logs: Sequence[MetricLog], strategies: Mapping[str, str]) -> dict[str, float]:
    """Each metric's strategy-selected value as a float; metrics with no numeric value are left out."""
    values: dict[str, float] = {}
    for name, strategy in strategies.items():
        number = _as_float(summarize(name, logs).pick(strategy))
        if number is not None:
            values[name] = number
    return values


def has_metric(logs: Iterable[MetricLog], name: str) -> bool:
    """Whether any row reports ``name`` with a value other than ``unavailable``."""
    return any(row.name == name and row.value != UNAVAILABLE for row in logs)
