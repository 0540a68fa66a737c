"""``bayesianoptimization`` on scikit-optimize, as Katib's ``suggestion-skopt`` service runs it.

Search space (Katib's skopt service, quirks kept): ``double`` -> ``Real(min, max, "log-uniform")`` **whatever
the distribution says** (so ``min`` must be > 0), ``int`` -> ``Integer(min, max)`` ignoring ``step``,
``categorical``/``discrete`` -> ``Categorical(list)``.

Each call builds a fresh ``skopt.Optimizer`` (``base_estimator``, ``n_initial_points``, ``acq_func``,
``acq_optimizer`` from the settings; ``random_state`` derived per call from the setting and the history
length), tells it every completed trial (objective negated for maximize: skopt minimises) and asks ``count``
points at once (skopt's constant-liar batch, ``cl_min``) so that one request never returns the same point
twice.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from skopt import Optimizer
from skopt.space import Categorical, Dimension, Integer, Real

from katib_local.experiment.search_space import ParameterSpec, format_value
from katib_local.experiment.types import TrialResult
from katib_local.suggestions._base import completed
from katib_local.suggestions._history import call_seed, parse_assignments

DEFAULTS: dict[str, Any] = {
    "base_estimator": "GP",
    "n_initial_points": 10,
    "acq_func": "gp_hedge",
    "acq_optimizer": "auto",
    "random_state": None,
}


def skopt_dimension(spec: ParameterSpec) -> Dimension:
    """The skopt dimension Katib builds for ``spec``."""
    if spec.type == "double":
        return Real(spec.low, spec.high, "log-uniform", name=spec.name)
    if spec.type == "int":
        return Integer(int(spec.low), int(spec.high), name=spec.name)
    return Categorical(list(spec.values), name=spec.name)


class SkoptSuggester:
    """``bayesianoptimization``: ``skopt.Optimizer``."""

    def __init__(self, specs: Sequence[ParameterSpec], *, maximize: bool, settings: dict[str, Any]) -> None:
        self._specs = list(specs)
        self._maximize = maximize
        self._settings = {**DEFAULTS, **settings}
        self._dimensions = [skopt_dimension(s) for s in self._specs]

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        if count <= 0:
            return []
        optimizer = Optimizer(
            self._dimensions,
            base_estimator=self._settings["base_estimator"],
            n_initial_points=self._settings["n_initial_points"],
            acq_func=self._settings["acq_func"],
            acq_optimizer=self._settings["acq_optimizer"],
            random_state=call_seed(self._settings["random_state"], len(history)),
        )
        xs: list[list[Any]] = []
        ys: list[float] = []
        for trial in completed(history):
            values = parse_assignments(self._specs, trial)
            if values is None:
                continue
            point = [values[s.name] for s in self._specs]
            if not all(point[i] in dim for i, dim in enumerate(self._dimensions)):
                continue
            assert trial.objective is not None
            xs.append(point)
            ys.append(-trial.objective if self._maximize else trial.objective)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if xs:
                optimizer.tell(xs, ys)
            points = optimizer.ask(n_points=count) if count > 1 else [optimizer.ask()]
        return [{s.name: format_value(s, p[i]) for i, s in enumerate(self._specs)} for p in points]
