"""``submit --wait``: poll an Experiment and its Trials until it ends, showing progress as ``run`` does.

Each poll reads the Experiment, then its Trials, and feeds katib-local's own
:class:`~katib_local.readback.display.Display`: a line when a Trial first appears and when it reaches a
terminal state, and the live panel (counts, best so far) on a terminal. The loop ends when the Experiment's
last condition is Succeeded or Failed; Katib lets Trials still running then run on, and so does this (they
are not waited for).

``interval`` is the pause between polls in seconds; 0 polls again at once (tests drive a fake cluster that
advances one step per read). A deleted Experiment ends the loop with
:class:`~katib_local.cluster.NotFoundError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from katib_local.cluster._client import KatibClient
from katib_local.cluster._objects import experiment_view, is_finished, last_condition, trial_result
from katib_local.controller.lifecycle import Counts
from katib_local.experiment.types import TrialStatus
from katib_local.readback.display import Display, Progress
from katib_local.readback.results import best


def _progress(name: str, experiment: Mapping[str, Any], trials: list[dict[str, Any]]) -> Progress:
    view = experiment_view(experiment)
    results = [trial_result(t, view) for t in trials]
    top = best([r for r in results if r.status.is_terminal], view)
    max_trials = (experiment.get("spec") or {}).get("maxTrialCount")
    return Progress(
        experiment=name,
        objective=view.objective,
        counts=Counts.of(r.status for r in results),
        max_trials=None if max_trials is None else int(max_trials),
        best=None if top is None or top.objective is None else (top.name, top.objective),
        latest={
            r.name: f"{r.objective:.6g}"
            for r in results
            if r.status == TrialStatus.RUNNING and r.objective is not None
        },
    )


def watch(
    client: KatibClient, namespace: str, name: str, display: Display, interval: float = 10.0
) -> dict[str, Any]:
    """Poll until the Experiment ends; returns its last state. Raises ``ClusterError`` on a failed read."""
    seen: dict[str, TrialStatus] = {}
    while True:
        experiment = client.get_experiment(namespace, name)
        trials = client.list_trials(namespace, name)
        view = experiment_view(experiment)
        for trial in trials:
            result = trial_result(trial, view)
            before = seen.get(result.name)
            if before is None:
                display.trial_started(result.name, dict(result.assignments))
            if result.status.is_terminal and (before is None or not before.is_terminal):
                message = last_condition(trial).get("message", "")
                display.trial_finished(result.name, result.status, result.objective, message)
            seen[result.name] = result.status
        display.refresh(_progress(name, experiment, trials))
        if is_finished(experiment):
            return experiment
        if interval > 0:
            time.sleep(interval)
