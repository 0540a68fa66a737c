"""What the dashboard shows of an Experiment, read from local state or from a cluster, as plain data.

A snapshot is taken on every sync; the mirror (:mod:`katib_local.dashboard._mirror`) turns it into Optuna
trials. Both sources give the same fields, with one difference the cluster's API imposes: a Trial object
holds only ``status.observation`` (each metric's min, max and latest), not the per-epoch values, which stay in
Katib's database behind its DB manager. So a cluster snapshot has no learning curves (``curve`` empty), and a
local one has the objective's every printed value in Katib's order.

Locally, Katib's observation log of a trial is written when the trial ends (as Katib's collector reports
then). For a Running trial with the StdOut collector the snapshot reads the lines printed so far from the
trial's ``metrics.log`` with the same parser, so its curve grows epoch by epoch; with the File and
TensorFlowEvent collectors a running trial shows no curve until it ends.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from katib_local.controller.collectors import CollectorSpec, TextParser, read_text_file
from katib_local.controller.observation import MetricLog
from katib_local.controller.runner import experiment_dir
from katib_local.controller.store import ExperimentRow, TrialRow
from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.types import TrialStatus
from katib_local.readback.best import model_from_template
from katib_local.readback.model_location import NoModelLocationError, locate_model
from katib_local.readback.results import ExperimentView
from katib_local.readback.results import trial_result as local_result


@dataclass(frozen=True)
class TrialSnapshot:
    """One trial: ``metrics`` are chosen by the metrics' strategies; ``curve`` is the objective per report."""

    name: str
    status: TrialStatus
    assignments: Mapping[str, str]
    metrics: Mapping[str, float]
    curve: tuple[float, ...] = ()
    model: str | None = None
    started: datetime | None = None
    completed: datetime | None = None


@dataclass(frozen=True)
class ExperimentSnapshot:
    """The Experiment's name, its view (objective, strategies), parameter specs and trials."""

    name: str
    view: ExperimentView
    parameters: Sequence[Mapping[str, Any]]
    trials: Sequence[TrialSnapshot]


def parse_time(text: Any) -> datetime | None:
    """An RFC3339 time (``...Z`` or with an offset) as an aware datetime; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def objective_curve(logs: Sequence[MetricLog], objective: str) -> tuple[float, ...]:
    """The objective's numeric values in Katib's order (the steps Katib's median stop counts)."""
    out: list[float] = []
    for log in logs:
        if log.name == objective:
            try:
                out.append(float(log.value))
            except ValueError:
                continue
    return tuple(out)


def _model(locate: Callable[[], object]) -> str | None:
    try:
        return str(locate())
    except NoModelLocationError:
        return None


def _local_model(spec: Mapping[str, Any], trial: TrialRow, namespace: str, root: Path) -> Path:
    """The local directory a trial's ``--model-dir`` maps to under ``root``."""
    return model_from_template(spec, trial.name, namespace, trial.assignments).local_dir(root)


def local_snapshot(exp: ExperimentRow, trials: Sequence[TrialRow], root: Path) -> ExperimentSnapshot:
    """A local experiment's snapshot; the model is the local directory the trial's ``--model-dir`` maps to."""
    spec = apply_defaults({"spec": dict(exp.spec)})["spec"]
    view = ExperimentView.of(spec)
    collector = CollectorSpec.from_experiment(spec)
    parser = TextParser(collector.metric_names, collector.formats) if collector.kind == "StdOut" else None
    out = []
    for row in trials:
        trial = row
        if row.status == TrialStatus.RUNNING and not row.logs and parser is not None:
            live = read_text_file(
                experiment_dir(root, exp.name) / "trials" / row.name / "metrics.log", parser
            )
            trial = dataclasses.replace(row, logs=live)
        result = local_result(trial, view)
        locate = functools.partial(_local_model, spec, trial, exp.namespace, root)
        out.append(
            TrialSnapshot(
                name=trial.name,
                status=trial.status,
                assignments=dict(trial.assignments),
                metrics=dict(result.metrics),
                curve=objective_curve(trial.logs, view.objective),
                model=_model(locate),
                started=parse_time(trial.started or trial.created),
                completed=parse_time(trial.completed),
            )
        )
    return ExperimentSnapshot(exp.name, view, list(spec.get("parameters") or []), out)


def _cluster_model(run_spec: Any, primary: str, trial_name: str) -> str:
    """``pvc://<claim>/<path>`` of the model named by a Trial's rendered ``spec.runSpec``."""
    if not isinstance(run_spec, Mapping):
        raise NoModelLocationError("the Trial has no runSpec")
    location = locate_model(run_spec, primary, trial_name)
    return f"pvc://{location.claim_name}/{location.sub_path}"


def cluster_snapshot(
    experiment: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]
) -> ExperimentSnapshot:
    """A cluster Experiment's snapshot from its objects; the model is ``pvc://<claim>/<path>`` from each
    Trial's rendered ``spec.runSpec`` (no curves: see the module docstring)."""
    from katib_local.cluster import experiment_view, trial_result

    spec = apply_defaults({"spec": dict(experiment.get("spec") or {})})["spec"]
    view = experiment_view(experiment)
    out = []
    for trial in trials:
        result = trial_result(trial, view)
        trial_spec = trial.get("spec") or {}
        primary = str(
            trial_spec.get("primaryContainerName")
            or (spec.get("trialTemplate") or {}).get("primaryContainerName", "")
        )
        locate = functools.partial(_cluster_model, trial_spec.get("runSpec"), primary, result.name)
        status = trial.get("status") or {}
        out.append(
            TrialSnapshot(
                name=result.name,
                status=result.status,
                assignments=dict(result.assignments),
                metrics=dict(result.metrics),
                model=_model(locate),
                started=parse_time(status.get("startTime"))
                or parse_time((trial.get("metadata") or {}).get("creationTimestamp")),
                completed=parse_time(status.get("completionTime")),
            )
        )
    name = str((experiment.get("metadata") or {}).get("name", ""))
    return ExperimentSnapshot(name, view, list(spec.get("parameters") or []), out)
