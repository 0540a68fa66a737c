"""``grid`` and ``multivariate-tpe`` on optuna, as Katib's ``suggestion-optuna`` service runs them.

Each call rebuilds an in-memory study (direction from the objective): every trial of the history that fits the
search space is added, Succeeded/EarlyStopped trials with an objective as COMPLETE with that value, every
other trial as RUNNING. That mirrors Katib's service, which tells optuna only about completed trials: a Failed
or MetricsUnavailable trial stays RUNNING in its study forever (so grid never re-suggests its point and TPE's
constant liar treats it as pending). Then ``count`` trials are asked.

Search space: ``int`` -> ``IntDistribution(min, max, step)`` (step 1 by default), ``double`` ->
``FloatDistribution(min, max, step)``, ``log=True`` for logUniform; ``categorical``/``discrete`` ->
``CategoricalDistribution(list)``. normal/logNormal are rejected before this point (Katib v0.19 silently drops
them and trial creation then fails).

Grid: ``GridSampler`` over Katib's combinations (:func:`katib_local.experiment.search_space.grid_values`),
seeded by ``random_state`` (optuna's default 0 when absent). Unvisited combinations are drawn at random, as
optuna 3.3 in Katib does: the rebuilt study is padded with placeholder trials so optuna 5's sampler never
takes its "grid id = trial number" shortcut, which would ignore the history. When every combination is
visited or pending the sampler re-suggests (Katib: same; set ``maxTrialCount`` <= grid size).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

from katib_local.experiment.search_space import ParameterSpec, format_value, grid_values
from katib_local.experiment.types import TrialResult
from katib_local.suggestions._base import LEARNABLE
from katib_local.suggestions._history import call_seed, parse_assignments

optuna.logging.set_verbosity(optuna.logging.ERROR)


def optuna_distribution(spec: ParameterSpec) -> BaseDistribution:
    """The optuna distribution Katib's optuna service builds for ``spec`` (uniform/logUniform only).

    Raises:
        ValueError: optuna refuses the combination (e.g. ``log`` with ``step``).
    """
    if spec.type in ("categorical", "discrete"):
        return CategoricalDistribution(list(spec.values))
    log = spec.distribution == "logUniform"
    if spec.type == "int":
        return IntDistribution(int(spec.low), int(spec.high), log=log, step=spec.int_step)
    return FloatDistribution(spec.low, spec.high, log=log, step=spec.step)


class _OptunaSuggester:
    def __init__(self, specs: Sequence[ParameterSpec], *, maximize: bool) -> None:
        self._specs = list(specs)
        self._direction: Literal["minimize", "maximize"] = "maximize" if maximize else "minimize"

    def _sampler(self, history: Sequence[TrialResult]) -> optuna.samplers.BaseSampler:
        raise NotImplementedError

    def _distributions(self) -> dict[str, BaseDistribution]:
        raise NotImplementedError

    def _system_attrs(self, values: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _pad(self, study: optuna.Study) -> None:
        """Hook to add placeholder trials before asking."""

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        if count <= 0:
            return []
        distributions = self._distributions()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study = optuna.create_study(sampler=self._sampler(history), direction=self._direction)
            for trial in history:
                values = parse_assignments(self._specs, trial)
                if values is None:
                    continue
                done = trial.status in LEARNABLE and trial.objective is not None
                try:
                    frozen = create_trial(
                        state=TrialState.COMPLETE if done else TrialState.RUNNING,
                        value=trial.objective if done else None,
                        params=values,
                        distributions=distributions,
                        system_attrs=self._system_attrs(values),
                    )
                except ValueError:  # a value outside the distribution: not from this search space
                    continue
                study.add_trial(frozen)
            self._pad(study)
            asked = [study.ask(fixed_distributions=distributions) for _ in range(count)]
        return [{s.name: format_value(s, t.params[s.name]) for s in self._specs} for t in asked]


class GridSuggester(_OptunaSuggester):
    """``grid``: optuna ``GridSampler`` over Katib's combinations."""

    def __init__(self, specs: Sequence[ParameterSpec], *, maximize: bool, random_state: int | None) -> None:
        super().__init__(specs, maximize=maximize)
        self._grid = {s.name: grid_values(s) for s in self._specs}
        self._seed = random_state
        self._names = sorted(self._grid)
        self._search_space = {n: list(self._grid[n]) for n in self._names}
        # GridSampler shuffles its combinations with the seed; a grid id indexes that order. ``_all_grids`` is
        # private (stable since optuna 2.x) but the only way to give rebuilt trials the ids the sampler uses.
        probe = optuna.samplers.GridSampler(self._grid, seed=self._seed)
        self._ids = {tuple(grid): i for i, grid in enumerate(probe._all_grids)}
        self._size = len(probe._all_grids)

    def _sampler(self, history: Sequence[TrialResult]) -> optuna.samplers.BaseSampler:
        return optuna.samplers.GridSampler(self._grid, seed=self._seed)

    def _distributions(self) -> dict[str, BaseDistribution]:
        return {name: CategoricalDistribution(values) for name, values in self._grid.items()}

    def _system_attrs(self, values: dict[str, Any]) -> dict[str, Any]:
        grid_id = self._ids.get(tuple(values[n] for n in self._names))
        if grid_id is None:
            return {}
        return {"search_space": self._search_space, "grid_id": grid_id}

    def _pad(self, study: optuna.Study) -> None:
        for _ in range(self.size - len(study.trials)):
            study.add_trial(create_trial(state=TrialState.FAIL))

    @property
    def size(self) -> int:
        """The number of combinations."""
        return self._size


class MultivariateTPESuggester(_OptunaSuggester):
    """``multivariate-tpe``: ``TPESampler(multivariate=True, constant_liar=True)``."""

    def __init__(self, specs: Sequence[ParameterSpec], *, maximize: bool, settings: dict[str, Any]) -> None:
        super().__init__(specs, maximize=maximize)
        self._random_state: int | None = settings.get("random_state")
        self._kwargs = {k: settings[k] for k in ("n_startup_trials", "n_ei_candidates") if k in settings}
        self._dists = {s.name: optuna_distribution(s) for s in self._specs}

    def _sampler(self, history: Sequence[TrialResult]) -> optuna.samplers.BaseSampler:
        return optuna.samplers.TPESampler(
            multivariate=True,
            constant_liar=True,
            seed=call_seed(self._random_state, len(history)),
            **self._kwargs,
        )

    def _distributions(self) -> dict[str, BaseDistribution]:
        return self._dists
