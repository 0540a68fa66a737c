"""Katib's experiment arithmetic: trial counts, how many trials to create, and when the experiment ends.

From ``experiment_controller.go`` (``ReconcileTrials``) and ``status_util.go``
(``UpdateExperimentStatusCondition``):

- ``active = pending + running`` (a Created trial not yet started is pending);
- ``completed = succeeded + failed + killed + earlyStopped``: MetricsUnavailable is **not** in it, so a
  MetricsUnavailable trial frees its slot and is replaced, and an experiment with such trials creates more
  than
  ``maxTrialCount`` trials in total, as Katib does;
- new trials = ``min(parallel, maxTrialCount - completed) - active`` (no ``maxTrialCount``: ``parallel -
  active``);
- the experiment ends on the first of: goal reached (best objective over trials with an observation,
  EarlyStopped included) → Succeeded; ``failed + metricsUnavailable >= maxFailedTrialCount`` (when set and
  > 0)
  → Failed; ``succeeded + failed + killed + earlyStopped + metricsUnavailable >= maxTrialCount`` → Succeeded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from katib_local.experiment.types import TrialStatus

GOAL_REACHED = "ExperimentGoalReached"
MAX_TRIALS_REACHED = "ExperimentMaxTrialsReached"
EXPERIMENT_FAILED = "ExperimentFailed"
SUGGESTION_FAILED = "ExperimentSuggestionFailed"
SUGGESTION_END = "ExperimentSuggestionEndReached"


@dataclass(frozen=True)
class Counts:
    """Trials per state."""

    pending: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    killed: int = 0
    early_stopped: int = 0
    metrics_unavailable: int = 0

    @classmethod
    def of(cls, statuses: Iterable[TrialStatus]) -> Counts:
        c = Counter(statuses)
        return cls(
            pending=c[TrialStatus.CREATED],
            running=c[TrialStatus.RUNNING],
            succeeded=c[TrialStatus.SUCCEEDED],
            failed=c[TrialStatus.FAILED],
            killed=c[TrialStatus.KILLED],
            early_stopped=c[TrialStatus.EARLY_STOPPED],
            metrics_unavailable=c[TrialStatus.METRICS_UNAVAILABLE],
        )

    @property
    def active(self) -> int:
        return self.pending + self.running

    @property
    def completed(self) -> int:
        """Katib's ``completedCount`` in ReconcileTrials (MetricsUnavailable excluded)."""
        return self.succeeded + self.failed + self.killed + self.early_stopped

    @property
    def terminal(self) -> int:
        """Every finished trial, the count the max-trials check uses."""
        return self.completed + self.metrics_unavailable


@dataclass(frozen=True)
class Decision:
    """A terminal experiment condition: ``ctype`` is Succeeded or Failed."""

    ctype: str
    reason: str
    message: str


def goal_reached(objective: Mapping[str, Any], best: float | None) -> bool:
    goal = objective.get("goal")
    if goal is None or best is None:
        return False
    return best >= float(goal) if objective.get("type") == "maximize" else best <= float(goal)


def decide(spec: Mapping[str, Any], counts: Counts, best: float | None) -> Decision | None:
    """The experiment's terminal condition now, in Katib's order, or ``None`` while it keeps running."""
    objective = spec.get("objective") or {}
    if goal_reached(objective, best):
        return Decision(
            "Succeeded", GOAL_REACHED, "Experiment has succeeded because Objective goal has reached"
        )
    max_failed = spec.get("maxFailedTrialCount")
    if max_failed is not None and max_failed > 0 and counts.failed + counts.metrics_unavailable >= max_failed:
        return Decision(
            "Failed", EXPERIMENT_FAILED, "Experiment has failed because max failed count has reached"
        )
    max_trials = spec.get("maxTrialCount")
    if max_trials is not None and counts.terminal >= max_trials:
        return Decision(
            "Succeeded", MAX_TRIALS_REACHED, "Experiment has succeeded because max trial count has reached"
        )
    return None


def trials_to_create(spec: Mapping[str, Any], counts: Counts) -> int:
    """How many new trials Katib requests now (never negative)."""
    parallel = int(spec.get("parallelTrialCount") or 3)
    max_trials = spec.get("maxTrialCount")
    budget = parallel if max_trials is None else min(parallel, int(max_trials) - counts.completed)
    return max(0, budget - counts.active)


def best_value(objective: Mapping[str, Any], values: Iterable[float]) -> float | None:
    """The best objective value among ``values`` (``None`` when empty)."""
    vals = list(values)
    if not vals:
        return None
    return max(vals) if objective.get("type") == "maximize" else min(vals)
