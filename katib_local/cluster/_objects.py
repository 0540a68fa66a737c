"""Read Katib's Experiment and Trial objects (JSON from the API server) into katib-local's types.

So that ``results``/``status``/``best`` print a cluster experiment with the same functions as a local one
(:mod:`katib_local.readback.results`):

- a Trial's state is its last condition whose ``status`` is ``"True"`` (Katib appends ``Succeeded`` and flips
  ``Running`` to ``"False"``), else its last condition, else ``Created``; a type katib-local does not know is
  read as ``Running`` (still in progress, as far as a listing can tell);
- its assignments are ``spec.parameterAssignments``; its metrics are ``status.observation.metrics`` at each
  metric's strategy (:func:`katib_local.readback.best.observed_metrics`), numbers only (``unavailable`` left
  out);
- an Experiment's state is its last condition (what ``kubectl get experiment`` prints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.readback.best import observed_metrics
from katib_local.readback.results import ExperimentView

TERMINAL_CONDITIONS = ("Succeeded", "Failed")


def experiment_view(experiment: Mapping[str, Any]) -> ExperimentView:
    """Objective, metrics and parameter names of an Experiment object (defaulted as Katib's webhook does)."""
    return ExperimentView.of(apply_defaults({"spec": dict(experiment.get("spec") or {})})["spec"])


def last_condition(obj: Mapping[str, Any]) -> dict[str, str]:
    """The object's last ``status.conditions`` entry, ``{}`` when it has none."""
    conditions = (obj.get("status") or {}).get("conditions") or []
    return dict(conditions[-1]) if conditions else {}


def is_finished(experiment: Mapping[str, Any]) -> bool:
    """Whether the Experiment's last condition is Succeeded or Failed (status True)."""
    last = last_condition(experiment)
    return last.get("type") in TERMINAL_CONDITIONS and str(last.get("status", "True")) == "True"


def trial_status(trial: Mapping[str, Any]) -> TrialStatus:
    """The Trial's state, read as the module docstring says."""
    conditions = (trial.get("status") or {}).get("conditions") or []
    true = [c for c in conditions if str(c.get("status", "True")) == "True"]
    chosen = (true or conditions or [{"type": "Created"}])[-1]
    try:
        return TrialStatus(str(chosen.get("type")))
    except ValueError:
        return TrialStatus.RUNNING


def trial_result(trial: Mapping[str, Any], view: ExperimentView) -> TrialResult:
    """One Trial object as a :class:`TrialResult`."""
    assignments = {
        str(a.get("name")): str(a.get("value"))
        for a in (trial.get("spec") or {}).get("parameterAssignments") or []
    }
    observed = observed_metrics((trial.get("status") or {}).get("observation") or {}, view)
    metrics = {k: v for k, v in observed.items() if isinstance(v, float)}
    return TrialResult(
        name=str((trial.get("metadata") or {}).get("name", "")),
        assignments=assignments,
        status=trial_status(trial),
        objective=metrics.get(view.objective),
        metrics=metrics,
    )
