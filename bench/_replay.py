"""Replay a Katib Experiment against the reference table: Katib's control loop, its algorithms and its
median stop, with the trainer replaced by table look-ups (no TensorFlow).

What is Katib's here and what is simulated:

- **Katib's, reused from katib_local:** the suggestion services
  (:func:`katib_local.suggestions.make_suggester` on the defaulted Experiment, so hyperopt, optuna and
  skopt run with Katib's settings and quirks), the experiment arithmetic
  (:func:`katib_local.controller.lifecycle.trials_to_create`,
  :func:`katib_local.controller.lifecycle.decide`), and the median-stop service and sidecar
  (:func:`katib_local.controller.medianstop.compute_rules`, rules frozen when a batch is created, and
  :class:`katib_local.controller.medianstop.RuleChecker`, which judges once, at ``start_step``).
- **Simulated:** time. One tick is one epoch of every running trial, whatever its size, so costs are
  counted in trial-epochs, never in seconds. A trial's reports are its table curve; a failed configuration
  (the trainer exited nonzero) fails after its printed epochs plus the one it died in. At each tick the
  controller first records finished trials, then creates trials for the free slots
  (``parallelTrialCount``), as Katib's reconcile loop does on each change.
- **Snapping:** a suggested value outside the table (skopt's log-uniform doubles, an int range) is mapped
  to the nearest table value (log scale for learning rate and units, see :data:`LOG_SCALE`). The algorithm
  is told the value it suggested, not the snapped one, as Katib's services would be.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench._tabular import SPACE, Row, Table, snap
from katib_local.controller.lifecycle import Counts, decide, trials_to_create
from katib_local.controller.medianstop import MedianStopSettings, RuleChecker, StopRule, compute_rules
from katib_local.controller.observation import MetricLog
from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.suggestions import make_suggester

OBJECTIVE = "val_rmse"
LOG_SCALE = frozenset({"learning-rate", "units"})
"""Parameters snapped in log space (their table values are roughly geometric)."""


# -- the Experiment ---------------------------------------------------------------------------------------
def discrete_parameters() -> list[dict[str, Any]]:
    """The table's space as Katib parameters that every algorithm samples exactly: each one a ``discrete``
    (numbers) or ``categorical`` (names) list, so no suggestion ever needs snapping."""
    params: list[dict[str, Any]] = []
    for name, values in SPACE.items():
        kind = "categorical" if name == "optimizer" else "discrete"
        params.append({"name": name, "parameterType": kind, "feasibleSpace": {"list": list(values)}})
    return params


def continuous_parameters() -> list[dict[str, Any]]:
    """The space as a user would write it for a model-based search: learning rate a log-uniform double,
    units and layers ints; suggestions are snapped onto the table."""
    return [
        {
            "name": "optimizer",
            "parameterType": "categorical",
            "feasibleSpace": {"list": list(SPACE["optimizer"])},
        },
        {
            "name": "learning-rate",
            "parameterType": "double",
            "feasibleSpace": {"min": "0.0001", "max": "0.01", "distribution": "logUniform"},
        },
        {"name": "units", "parameterType": "int", "feasibleSpace": {"min": "16", "max": "64"}},
        {"name": "num-layers", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "2"}},
    ]


def experiment(
    algorithm: str,
    seed: int,
    *,
    max_trials: int,
    parallel: int,
    parameters: list[dict[str, Any]] | None = None,
    medianstop: MedianStopSettings | None = None,
) -> dict[str, Any]:
    """A defaulted Katib Experiment over the table's space (``random_state`` = ``seed``)."""
    spec: dict[str, Any] = {
        "objective": {"type": "minimize", "objectiveMetricName": OBJECTIVE},
        "algorithm": {
            "algorithmName": algorithm,
            "algorithmSettings": [{"name": "random_state", "value": str(seed)}],
        },
        "parallelTrialCount": parallel,
        "maxTrialCount": max_trials,
        "parameters": parameters if parameters is not None else discrete_parameters(),
        "trialTemplate": {"primaryContainerName": "trainer", "trialParameters": [], "trialSpec": {}},
    }
    if medianstop is not None:
        spec["earlyStopping"] = {
            "algorithmName": "medianstop",
            "algorithmSettings": [
                {"name": "min_trials_required", "value": str(medianstop.min_trials_required)},
                {"name": "start_step", "value": str(medianstop.start_step)},
            ],
        }
    return apply_defaults(
        {
            "apiVersion": "kubeflow.org/v1beta1",
            "kind": "Experiment",
            "metadata": {"name": f"replay-{algorithm}"},
            "spec": spec,
        }
    )


def to_table_config(assignments: Mapping[str, str]) -> dict[str, str]:
    """The table configuration nearest to a suggested assignment (identity for exact table values)."""
    return {
        name: assignments[name]
        if assignments[name] in choices
        else snap(assignments[name], choices, name in LOG_SCALE)
        for name, choices in SPACE.items()
    }


# -- stopping rules ---------------------------------------------------------------------------------------
class Stopper(Protocol):
    """Decides, report by report, whether a trial is stopped."""

    def attach(self, trial: SimTrial, trials: Sequence[SimTrial]) -> None:
        """Called when ``trial`` is created; ``trials`` is every trial so far, ``trial`` excluded."""

    def should_stop(self, trial: SimTrial, completed: Sequence[SimTrial]) -> bool:
        """Called after each report of ``trial``; ``completed`` is the Succeeded trials as the tick began."""


class NoStopping:
    """Every trial runs its full course."""

    def attach(self, trial: SimTrial, trials: Sequence[SimTrial]) -> None:
        return None

    def should_stop(self, trial: SimTrial, completed: Sequence[SimTrial]) -> bool:
        return False


class KatibMedianStop:
    """Katib v0.19's medianstop: katib_local's service (rules at batch creation) and sidecar (one check)."""

    def __init__(self, settings: MedianStopSettings) -> None:
        self.settings = settings
        self._batch_rules: list[StopRule] = []
        self._checkers: dict[str, RuleChecker] = {}

    def new_batch(self, trials: Sequence[SimTrial]) -> None:
        """The service's ``GetEarlyStoppingRules``: from the Succeeded trials' logs, once per batch."""
        succeeded = {t.name: t.logs() for t in trials if t.status == TrialStatus.SUCCEEDED}
        self._batch_rules = compute_rules(self.settings, OBJECTIVE, "minimize", succeeded)

    def attach(self, trial: SimTrial, trials: Sequence[SimTrial]) -> None:
        trial.rules = list(self._batch_rules)
        self._checkers[trial.name] = RuleChecker(trial.rules, OBJECTIVE, "minimize")

    def should_stop(self, trial: SimTrial, completed: Sequence[SimTrial]) -> bool:
        row = MetricLog(OBJECTIVE, trial.timestamp(len(trial.reported)), repr(trial.reported[-1]))
        return self._checkers[trial.name].feed(row)


def running_average(curve: Sequence[float], step: int) -> float:
    """Mean of the first ``step`` values of ``curve`` (``step`` >= 1, ``len(curve)`` >= ``step``)."""
    return statistics.fmean(curve[:step])


def textbook_should_stop(
    reported: Sequence[float], completed_curves: Sequence[Sequence[float]], start_step: int, min_trials: int
) -> bool:
    """The median stopping rule of Golovin et al. (2017, Google Vizier), for a minimised objective.

    At step ``s = len(reported)`` (from ``start_step`` on, at every step), stop when the trial's best value
    so far is strictly worse than the median, over completed trials that reported step ``s``, of their
    running averages up to ``s``. Needs ``min_trials`` such trials (Vizier does not say how many; Optuna's
    ``MedianPruner`` uses 5 startup trials, Katib 3).
    """
    step = len(reported)
    if step < start_step:
        return False
    averages = [running_average(c, step) for c in completed_curves if len(c) >= step]
    if len(averages) < min_trials:
        return False
    return min(reported) > statistics.median(averages)


class TextbookMedianStop:
    """:func:`textbook_should_stop` at every report, against the trials completed (Succeeded) so far.

    EarlyStopped trials are not "completed" (as in Optuna's MedianPruner, which skips pruned trials).
    """

    def __init__(self, start_step: int, min_trials: int) -> None:
        self.start_step, self.min_trials = start_step, min_trials

    def attach(self, trial: SimTrial, trials: Sequence[SimTrial]) -> None:
        return None

    def should_stop(self, trial: SimTrial, completed: Sequence[SimTrial]) -> bool:
        curves = [t.row.curve for t in completed]
        return textbook_should_stop(trial.reported, curves, self.start_step, self.min_trials)


# -- the simulation ---------------------------------------------------------------------------------------
@dataclass
class SimTrial:
    """One replayed trial."""

    name: str
    assignments: dict[str, str]
    config: dict[str, str]
    row: Row
    created: int
    status: TrialStatus = TrialStatus.RUNNING
    reported: list[float] = field(default_factory=list)
    ended: int | None = None
    rules: list[StopRule] = field(default_factory=list)

    @property
    def objective(self) -> float | None:
        """Metric strategy ``min`` over what was reported; None for a failed trial (Katib's services skip
        Failed trials) or one with no report yet."""
        if self.status == TrialStatus.FAILED or not self.reported:
            return None
        return min(self.reported)

    @property
    def epochs(self) -> int:
        """Epochs this trial trained (a failed one: its printed epochs plus the one it died in)."""
        return len(self.reported) + (1 if self.status == TrialStatus.FAILED else 0)

    def timestamp(self, step: int) -> str:
        """A sortable stand-in for the report's time (the tick it arrives at); medianstop reads logs in the
        order given and never parses it."""
        return f"tick-{self.created + step:08d}"

    def logs(self) -> list[MetricLog]:
        return [MetricLog(OBJECTIVE, self.timestamp(i + 1), repr(v)) for i, v in enumerate(self.reported)]

    def result(self) -> TrialResult:
        return TrialResult(self.name, dict(self.assignments), self.status, self.objective)


@dataclass(frozen=True)
class Replay:
    """The outcome of one replayed Experiment: trials in creation order and the ticks it took."""

    trials: tuple[SimTrial, ...]
    ticks: int

    @property
    def trial_epochs(self) -> int:
        return sum(t.epochs for t in self.trials)

    def best(self, first: int | None = None) -> float | None:
        """Best objective over the first ``first`` trials created (all by default), EarlyStopped included."""
        values = [t.objective for t in self.trials[:first] if t.objective is not None]
        return min(values) if values else None

    def trials_to_reach(self, target: float, tol: float = 1e-9) -> int | None:
        """1-based creation index of the first trial whose objective is <= ``target`` (None: never)."""
        for i, t in enumerate(self.trials, start=1):
            if t.objective is not None and t.objective <= target + tol:
                return i
        return None


def replay(
    table: Table,
    exp: Mapping[str, Any],
    stopper: Stopper | None = None,
    on_suggest: Callable[[int], None] | None = None,
) -> Replay:
    """Run the Experiment ``exp`` (defaulted) against ``table`` to the end; see the module docstring."""
    spec = exp["spec"]
    suggester = make_suggester(exp)
    stop = stopper or NoStopping()
    trials: list[SimTrial] = []
    tick = 0
    draining = False
    while True:
        counts = Counts.of(t.status for t in trials)
        finished = [t.objective for t in trials if t.status.is_terminal and t.objective is not None]
        if not draining and decide(spec, counts, min(finished) if finished else None) is not None:
            draining = True
        if not draining:
            wanted = trials_to_create(spec, counts)
            if wanted > 0:
                history = [t.result() for t in trials]
                if on_suggest is not None:
                    on_suggest(len(history))
                batch = suggester.suggest(history, wanted)
                if not batch:
                    draining = True
                if isinstance(stop, KatibMedianStop):
                    stop.new_batch(trials)
                for assignment in batch:
                    config = to_table_config(assignment)
                    trial = SimTrial(f"t{len(trials) + 1:04d}", dict(assignment), config, table[config], tick)
                    stop.attach(trial, trials)
                    trials.append(trial)
        running = [t for t in trials if t.status == TrialStatus.RUNNING]
        if not running:
            if draining or not trials:
                return Replay(tuple(trials), tick)
            continue
        tick += 1
        completed = [t for t in trials if t.status == TrialStatus.SUCCEEDED]
        for trial in running:
            _advance(trial, tick, stop, completed)


def _advance(trial: SimTrial, tick: int, stop: Stopper, completed: Sequence[SimTrial]) -> None:
    """One epoch of ``trial``: report the next value, or fail, or finish; then ask the stopping rule."""
    step = len(trial.reported)
    if step >= len(trial.row.curve):  # only a failing row gets here: the epoch it dies in
        trial.status, trial.ended = TrialStatus.FAILED, tick
        return
    trial.reported.append(trial.row.curve[step])
    if stop.should_stop(trial, completed):
        trial.status, trial.ended = TrialStatus.EARLY_STOPPED, tick
    elif len(trial.reported) == len(trial.row.curve) and not trial.row.failed:
        trial.status, trial.ended = TrialStatus.SUCCEEDED, tick


def summarize(values: Sequence[float]) -> dict[str, float]:
    """Median, quartiles, min and max of ``values`` (all equal to the value when there is one)."""
    xs = sorted(values)
    if not xs:
        return {}
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return {
        "median": statistics.median(xs),
        "q1": q[0],
        "q3": q[2],
        "min": xs[0],
        "max": xs[-1],
        "n": len(xs),
    }
