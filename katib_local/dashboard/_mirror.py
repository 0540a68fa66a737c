"""Mirror an :class:`ExperimentSnapshot` into an Optuna study, through Optuna's storage API only.

:meth:`StudyMirror.sync` is idempotent and incremental, so a loop can call it on every poll of a running
experiment: a trial is matched to its Optuna trial by the ``trial_name`` user attribute; a new Katib trial
becomes a new Optuna trial; an unfinished one gets the epochs printed since the last sync as intermediate
values, its changed user attributes, and its final state once Katib has one. Nothing is ever written twice.

Mapping (Katib -> Optuna):

- state: Succeeded -> COMPLETE, EarlyStopped -> PRUNED, Failed, MetricsUnavailable and Killed -> FAIL,
  Created -> WAITING, Running -> RUNNING. A Succeeded trial without an objective value (Optuna requires one
  for COMPLETE) is FAIL;
- value: the objective under its metric strategy (what ``katib-local results`` shows), in the study's
  direction (minimize/maximize); a PRUNED trial keeps its value, as Katib keeps an EarlyStopped one's;
- intermediate values: the objective's printed values, steps 1, 2, ... in Katib's order;
- user attributes: ``trial_name``, ``model`` (where the trial's SavedModel is), each additional metric by
  name; the study's user attributes record the objective, its strategy and the metric strategies.

Edge cases: once Optuna holds a trial as finished it is never changed (Optuna refuses it); a parameter whose
value lies outside its distribution is left out of that trial and named in its ``unmapped`` user attribute.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import optuna
from optuna.distributions import BaseDistribution
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState

from katib_local.dashboard._distributions import distribution, param_value
from katib_local.dashboard._snapshot import ExperimentSnapshot, TrialSnapshot
from katib_local.experiment.types import TrialStatus

STATES = {
    TrialStatus.SUCCEEDED: TrialState.COMPLETE,
    TrialStatus.EARLY_STOPPED: TrialState.PRUNED,
    TrialStatus.FAILED: TrialState.FAIL,
    TrialStatus.METRICS_UNAVAILABLE: TrialState.FAIL,
    TrialStatus.KILLED: TrialState.FAIL,
    TrialStatus.CREATED: TrialState.WAITING,
    TrialStatus.RUNNING: TrialState.RUNNING,
}
TRIAL_NAME = "trial_name"


def optuna_state(trial: TrialSnapshot, objective: str) -> TrialState:
    """The Optuna state of a Katib trial (COMPLETE needs an objective value, else FAIL)."""
    state = STATES[trial.status]
    if state == TrialState.COMPLETE and objective not in trial.metrics:
        return TrialState.FAIL
    return state


class StudyMirror:
    """One Experiment's study in ``storage`` (created on first use); :meth:`sync` brings it up to date."""

    def __init__(self, storage: BaseStorage, snapshot: ExperimentSnapshot) -> None:
        self.storage = storage
        self.study = optuna.create_study(
            storage=storage,
            study_name=snapshot.name,
            direction="maximize" if snapshot.view.objective_type == "maximize" else "minimize",
            load_if_exists=True,
        )
        view = snapshot.view
        with warnings.catch_warnings():  # experimental since Optuna 3.2, and the name the dashboard shows
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            self.study.set_metric_names([view.objective])
        self.study.set_user_attr("objective", view.objective)
        self.study.set_user_attr("objective_strategy", view.strategies.get(view.objective, "latest"))
        self.study.set_user_attr("metric_strategies", dict(view.strategies))
        self.distributions: dict[str, BaseDistribution] = {
            str(p["name"]): distribution(p) for p in snapshot.parameters
        }

    def sync(self, snapshot: ExperimentSnapshot) -> int:
        """Write what changed since the last sync; returns how many Optuna trials were created or updated."""
        known = {
            str(t.user_attrs[TRIAL_NAME]): t
            for t in self.study.get_trials(deepcopy=False)
            if TRIAL_NAME in t.user_attrs
        }
        changed = 0
        for trial in snapshot.trials:
            existing = known.get(trial.name)
            if existing is None:
                self.study.add_trial(self._new_trial(trial, snapshot.view.objective))
                changed += 1
            elif not existing.state.is_finished() and self._update(existing, trial, snapshot.view.objective):
                changed += 1
        return changed

    def _params(self, trial: TrialSnapshot) -> tuple[dict[str, object], list[str]]:
        params: dict[str, object] = {}
        unmapped: list[str] = []
        for name, dist in self.distributions.items():
            if name not in trial.assignments:
                continue
            try:
                params[name] = param_value(name, dist, trial.assignments[name])
            except ValueError:
                unmapped.append(f"{name}={trial.assignments[name]}")
        return params, unmapped

    def _user_attrs(self, trial: TrialSnapshot, objective: str) -> dict[str, object]:
        attrs: dict[str, object] = {TRIAL_NAME: trial.name, "katib_status": trial.status.value}
        if trial.model is not None:
            attrs["model"] = trial.model
        attrs.update({name: value for name, value in trial.metrics.items() if name != objective})
        return attrs

    def _new_trial(self, trial: TrialSnapshot, objective: str) -> FrozenTrial:
        state = optuna_state(trial, objective)
        params, unmapped = self._params(trial)
        attrs = self._user_attrs(trial, objective)
        if unmapped:
            attrs["unmapped"] = ", ".join(unmapped)
        started = None if state == TrialState.WAITING else trial.started or datetime.now(timezone.utc)
        completed = None
        if state.is_finished():
            completed = trial.completed or started
        value = trial.metrics.get(objective) if state in (TrialState.COMPLETE, TrialState.PRUNED) else None
        frozen = optuna.trial.create_trial(
            state=state,
            value=value,
            params=params,
            distributions={name: self.distributions[name] for name in params},
            user_attrs=attrs,
            intermediate_values=dict(enumerate(trial.curve, start=1)),
        )
        # create_trial stamps "now"; the dashboard's history and timeline should show Katib's own times.
        frozen.datetime_start = _naive(started)
        frozen.datetime_complete = _naive(completed)
        return frozen

    def _update(self, existing: FrozenTrial, trial: TrialSnapshot, objective: str) -> bool:
        trial_id = existing._trial_id
        wrote = False
        for step, point in enumerate(trial.curve, start=1):
            if step not in existing.intermediate_values:
                self.storage.set_trial_intermediate_value(trial_id, step, point)
                wrote = True
        for key, attr in self._user_attrs(trial, objective).items():
            if existing.user_attrs.get(key) != attr:
                self.storage.set_trial_user_attr(trial_id, key, attr)
                wrote = True
        state = optuna_state(trial, objective)
        if state not in (existing.state, TrialState.WAITING):
            value = (
                trial.metrics.get(objective) if state in (TrialState.COMPLETE, TrialState.PRUNED) else None
            )
            self.storage.set_trial_state_values(trial_id, state, None if value is None else [value])
            wrote = True
        return wrote


def _naive(moment: datetime | None) -> datetime | None:
    """Optuna stores local naive datetimes (``datetime.now()``); convert an aware UTC time to that form."""
    if moment is None:
        return None
    return moment.astimezone().replace(tzinfo=None)
