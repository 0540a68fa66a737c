"""Trial results as the Katib UI lists them: a leaderboard table, CSV and JSON.

CSV columns follow the UI's trials table (``hp.go: FetchHPJobInfo``): ``Status, trialName, <objective>,
<additional metrics...>, <parameters...>``. A metric cell holds the value chosen by the metric's
``metricStrategies`` entry (what ``Trial.status.observation`` holds). The Katib UI itself shows min/max by the
objective type for every metric and only for Succeeded/EarlyStopped trials; here every trial with a value
shows
it. CSV and JSON list trials in creation order; the table ranks them best first.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from katib_local.controller.observation import metric_values
from katib_local.controller.store import TrialRow
from katib_local.experiment.types import TrialResult, TrialStatus


@dataclass(frozen=True)
class ExperimentView:
    """The names a result listing needs from a (defaulted) experiment spec."""

    objective: str
    objective_type: str
    additional: tuple[str, ...]
    parameters: tuple[str, ...]
    strategies: Mapping[str, str]

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> ExperimentView:
        objective = spec.get("objective") or {}
        strategies = {s["name"]: s.get("value", "latest") for s in objective.get("metricStrategies") or []}
        return cls(
            objective=str(objective.get("objectiveMetricName", "")),
            objective_type=str(objective.get("type", "minimize")),
            additional=tuple(objective.get("additionalMetricNames") or ()),
            parameters=tuple(p["name"] for p in spec.get("parameters") or []),
            strategies=strategies,
        )

    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.objective, *self.additional)


def trial_result(trial: TrialRow, view: ExperimentView) -> TrialResult:
    """What the suggestion services and listings see of one trial."""
    values = metric_values(trial.logs, {m: view.strategies.get(m, "latest") for m in view.metrics})
    return TrialResult(
        name=trial.name,
        assignments=dict(trial.assignments),
        status=trial.status,
        objective=values.get(view.objective),
        metrics=values,
    )


def ranked(results: Sequence[TrialResult], view: ExperimentView) -> list[TrialResult]:
    """Best objective first; trials without one keep creation order at the end."""
    sign = -1.0 if view.objective_type == "maximize" else 1.0
    with_value = sorted(
        (r for r in results if r.objective is not None), key=lambda r: sign * (r.objective or 0.0)
    )
    return with_value + [r for r in results if r.objective is None]


def best(results: Sequence[TrialResult], view: ExperimentView) -> TrialResult | None:
    """The current optimal trial: best objective over trials that have one (EarlyStopped included)."""
    top = ranked(results, view)
    return top[0] if top and top[0].objective is not None else None


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def to_csv(results: Sequence[TrialResult], view: ExperimentView) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Status", "trialName", *view.metrics, *view.parameters])
    for r in results:
        writer.writerow(
            [
                r.status.value,
                r.name,
                *(repr(r.metrics[m]) if m in r.metrics else "" for m in view.metrics),
                *(r.assignments.get(p, "") for p in view.parameters),
            ]
        )
    return out.getvalue()


def to_json(results: Sequence[TrialResult]) -> str:
    return json.dumps(
        [
            {
                "name": r.name,
                "status": r.status.value,
                "parameters": dict(r.assignments),
                "metrics": dict(r.metrics),
            }
            for r in results
        ],
        indent=2,
    )


_STATUS_STYLE = {
    TrialStatus.SUCCEEDED: "green",
    TrialStatus.FAILED: "red",
    TrialStatus.EARLY_STOPPED: "magenta",
    TrialStatus.METRICS_UNAVAILABLE: "yellow",
}


def leaderboard(
    results: Sequence[TrialResult], view: ExperimentView, title: str, limit: int | None = None
) -> Table:
    """A rich table, best first (``limit`` rows at most)."""
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Status")
    table.add_column("trialName")
    for m in view.metrics:
        table.add_column(m, justify="right", style="bold" if m == view.objective else None)
    for p in view.parameters:
        table.add_column(p, justify="right")
    rows = ranked(results, view)
    for rank, r in enumerate(rows[:limit] if limit else rows, start=1):
        table.add_row(
            str(rank),
            f"[{_STATUS_STYLE.get(r.status, '')}]{r.status.value}[/]"
            if r.status in _STATUS_STYLE
            else r.status.value,
            r.name,
            *(_fmt(r.metrics.get(m)) for m in view.metrics),
            *(r.assignments.get(p, "") for p in view.parameters),
        )
    return table
