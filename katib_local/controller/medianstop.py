"""Katib's ``medianstop`` early-stopping rule, as v0.19 implements it (notes, section c).

Two halves, as in Katib:

- :func:`compute_rules` is the early-stopping service. It runs whenever a batch of trials is created and its
  result is frozen into each trial of that batch. The threshold is the **mean** over Succeeded trials (not
  EarlyStopped ones) of the mean of each trial's first ``start_step`` objective values in time order; it
  exists only once at least ``min_trials_required`` trials have succeeded. Before that, trials get no rule and
  are never stopped. Despite the name there is no median.
- :class:`RuleChecker` is the metrics-collector sidecar. It counts reports of each rule's metric and evaluates
  the rule exactly once, at the ``start_step``-th report, on the best value so far (maximum when maximizing,
  minimum when minimizing) for the objective metric, on the current value for any other metric. A rule met
  then is satisfied; the trial is stopped once every rule is satisfied (medianstop emits one rule, so: when it
  is met). A rule not met at its step is never looked at again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from katib_local.controller.observation import MetricLog

DEFAULT_MIN_TRIALS_REQUIRED = 3
DEFAULT_START_STEP = 4


@dataclass(frozen=True)
class StopRule:
    """Katib's ``EarlyStoppingRule``: stop when ``<metric> <comparison> value`` holds at ``start_step``."""

    name: str
    value: float
    comparison: str  # "less" | "greater" | "equal"
    start_step: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StopRule:
        return cls(str(data["name"]), float(data["value"]), str(data["comparison"]), int(data["start_step"]))


@dataclass(frozen=True)
class MedianStopSettings:
    """Parsed ``earlyStopping.algorithmSettings``; validation of the strings is the validator's job."""

    min_trials_required: int = DEFAULT_MIN_TRIALS_REQUIRED
    start_step: int = DEFAULT_START_STEP

    @classmethod
    def from_spec(cls, early_stopping: Mapping[str, Any] | None) -> MedianStopSettings | None:
        """``None`` when the experiment has no (medianstop) early stopping."""
        if not early_stopping or early_stopping.get("algorithmName") != "medianstop":
            return None
        values = {s.get("name"): s.get("value") for s in early_stopping.get("algorithmSettings") or []}
        return cls(
            min_trials_required=int(values.get("min_trials_required") or DEFAULT_MIN_TRIALS_REQUIRED),
            start_step=int(values.get("start_step") or DEFAULT_START_STEP),
        )


def threshold(
    settings: MedianStopSettings, objective_name: str, succeeded_logs: Mapping[str, Sequence[MetricLog]]
) -> float | None:
    """Mean over Succeeded trials of the mean of their first ``start_step`` objective values.

    ``succeeded_logs`` maps each Succeeded trial to its observation log in Katib's ``ORDER BY time`` order
    (ties in insertion order). Values that do not parse as floats are skipped; a trial with no numeric value
    is left out. ``None`` while fewer than ``min_trials_required`` trials contribute.
    """
    averages: list[float] = []
    for logs in succeeded_logs.values():
        values: list[float] = []
        for row in logs:
            if row.name != objective_name:
                continue
            try:
                values.append(float(row.value))
            except ValueError:
                continue
        first = values[: settings.start_step]
        if first:
            averages.append(sum(first) / len(first))
    if len(averages) < settings.min_trials_required:
        return None
    return sum(averages) / len(averages)


def compute_rules(
    settings: MedianStopSettings,
    objective_name: str,
    objective_type: str,
    succeeded_logs: Mapping[str, Sequence[MetricLog]],
) -> list[StopRule]:
    """The rules attached to every trial of the batch being created (``[]`` before the threshold exists)."""
    value = threshold(settings, objective_name, succeeded_logs)
    if value is None:
        return []
    comparison = "less" if objective_type == "maximize" else "greater"
    return [StopRule(objective_name, value, comparison, settings.start_step)]


class RuleChecker:
    """Feeds a trial's observation rows, in arrival order, through its frozen rules."""

    def __init__(self, rules: Sequence[StopRule], objective_name: str, objective_type: str) -> None:
        self._pending = list(rules)
        self._countdown = {id(r): r.start_step for r in rules}
        self._objective = objective_name
        self._maximize = objective_type == "maximize"
        self._best: float | None = None
        self.active = bool(rules)

    def feed(self, row: MetricLog) -> bool:
        """Account for one row; ``True`` exactly when the trial must now be stopped.

        A value that is not a float is ignored here (Katib's sidecar would crash on it).
        """
        if not self.active:
            return False
        try:
            value = float(row.value)
        except ValueError:
            return False
        if row.name == self._objective:
            if self._best is None:
                self._best = value
            else:
                self._best = max(self._best, value) if self._maximize else min(self._best, value)
            value = self._best
        for rule in list(self._pending):
            if rule.name != row.name:
                continue
            self._countdown[id(rule)] -= 1
            if self._countdown[id(rule)] != 0:
                continue
            if _holds(rule, value):
                self._pending.remove(rule)
        if not self._pending:
            self.active = False
            return True
        return False


def _holds(rule: StopRule, value: float) -> bool:
    if rule.comparison == "less":
        return value < rule.value
    if rule.comparison == "greater":
        return value > rule.value
    return value == rule.value
