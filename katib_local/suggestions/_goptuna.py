"""``cmaes`` and ``sobol``: local stand-ins for Katib's goptuna service.

Katib runs these on goptuna (Go). Locally they run on the libraries optuna's own ``CmaEsSampler`` and
``QMCSampler`` use (``cmaes`` and ``scipy.stats.qmc``), driven directly: those optuna samplers keep their
sequential state (the CMA optimizer, the Sobol index) in trial/study system attributes, which a history of
:class:`~katib_local.experiment.types.TrialResult` cannot restore, whereas here that state is derived from
the history on every call. As in goptuna, ``distribution`` is ignored (linear scale) and
``categorical``/``discrete`` parameters are sampled uniformly at random (goptuna's independent sampler).

Numeric values: a double with ``step`` and every int are rounded to ``min + k*step`` (int step 1 by default)
and kept within ``[min, max]``.

**cmaes.** ``cmaes.CMA`` over the double/int parameters in their own units: mean at the centre, ``sigma``
(setting) or ``min(max - min)/6``, population ``4 + floor(3 ln n)``, seed ``random_state``. Completed
**Succeeded** trials (goptuna treats EarlyStopped as pruned) are replayed in history order, one generation per
``popsize`` trials; after each, ``restart_strategy`` ``ipop`` (or ``bipop``, approximated by ipop) restarts
with twice the population when the optimizer has converged. Then ``count`` points are asked with a seed
derived from the history length. Katib requires at least two double/int parameters.

**sobol.** Unscrambled ``scipy.stats.qmc.Sobol`` over all parameters; trial ``n`` of the experiment (``n`` =
history length, so resumes continue the sequence) gets point ``n``. No settings.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import cmaes
import numpy as np
from scipy.stats import qmc

from katib_local.experiment.search_space import ParameterSpec, format_value
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.suggestions._history import call_seed, parse_assignments


def _snap(spec: ParameterSpec, value: float) -> float:
    """``value`` rounded to ``spec``'s step grid (ints always) and clipped to ``[min, max]``."""
    step = float(spec.int_step) if spec.type == "int" else spec.step
    if step:
        value = spec.low + round((value - spec.low) / step) * step
        if value > spec.high + 1e-12:
            value -= step
    return min(max(value, spec.low), spec.high)


def _from_unit(spec: ParameterSpec, u: float) -> Any:
    """Map ``u`` in ``[0, 1)`` onto ``spec``'s feasible space (linearly)."""
    if spec.type in ("categorical", "discrete"):
        return spec.values[min(int(u * len(spec.values)), len(spec.values) - 1)]
    if spec.type == "int":
        span = spec.high - spec.low + 1
        return _snap(spec, spec.low + math.floor(u * span))
    return _snap(spec, spec.low + u * (spec.high - spec.low))


class SobolSuggester:
    """``sobol``: point ``n`` of the unscrambled Sobol sequence for the ``n``-th trial."""

    def __init__(self, specs: Sequence[ParameterSpec]) -> None:
        self._specs = list(specs)

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        if count <= 0:
            return []
        engine = qmc.Sobol(d=len(self._specs), scramble=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # balance warnings for non-powers of two
            if history:
                engine.fast_forward(len(history))
            points = engine.random(count)
        return [
            {s.name: format_value(s, _from_unit(s, float(p[i]))) for i, s in enumerate(self._specs)}
            for p in points
        ]


class CmaEsSuggester:
    """``cmaes``: ``cmaes.CMA`` replayed from the history on every call."""

    def __init__(self, specs: Sequence[ParameterSpec], *, maximize: bool, settings: dict[str, Any]) -> None:
        self._specs = list(specs)
        self._numeric = [s for s in self._specs if s.is_numeric]
        self._maximize = maximize
        self._random_state: int | None = settings.get("random_state")
        self._restart = settings.get("restart_strategy", "none")
        self._bounds = np.array([[s.low, s.high] for s in self._numeric], dtype=float)
        ranges = self._bounds[:, 1] - self._bounds[:, 0]
        self._sigma = float(settings.get("sigma", max(float(ranges.min()) / 6, 1e-12)))

    def _new(self, mean: np.ndarray, popsize: int | None, seed: int) -> cmaes.CMA:
        return cmaes.CMA(
            mean=mean, sigma=self._sigma, bounds=self._bounds, seed=seed, population_size=popsize
        )

    def _replay(self, history: Sequence[TrialResult], rng: np.random.Generator) -> cmaes.CMA:
        seed = self._random_state if self._random_state is not None else int(rng.integers(2**31 - 1))
        optimizer = self._new(self._bounds.mean(axis=1), None, seed)
        batch: list[tuple[np.ndarray, float]] = []
        for trial in history:
            if trial.status != TrialStatus.SUCCEEDED or trial.objective is None:
                continue
            values = parse_assignments(self._specs, trial)
            if values is None:
                continue
            x = np.array([values[s.name] for s in self._numeric], dtype=float)
            batch.append(
                (
                    np.clip(x, self._bounds[:, 0], self._bounds[:, 1]),
                    -trial.objective if self._maximize else trial.objective,
                )
            )
            if len(batch) == optimizer.population_size:
                optimizer.tell(batch)
                batch = []
                if self._restart in ("ipop", "bipop") and optimizer.should_stop():
                    mean = self._bounds[:, 0] + rng.random(len(self._numeric)) * (
                        self._bounds[:, 1] - self._bounds[:, 0]
                    )
                    optimizer = self._new(mean, optimizer.population_size * 2, int(rng.integers(2**31 - 1)))
        return optimizer

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        if count <= 0:
            return []
        rng = np.random.default_rng(self._random_state)
        optimizer = self._replay(history, rng)
        seed = call_seed(self._random_state, len(history))
        if seed is None:
            seed = int(rng.integers(2**31 - 1))
        optimizer.reseed_rng(seed)
        ask_rng = np.random.default_rng(seed)
        out: list[dict[str, str]] = []
        for _ in range(count):
            x = optimizer.ask()
            assignment: dict[str, str] = {}
            numeric = iter(x)
            for spec in self._specs:
                if spec.is_numeric:
                    assignment[spec.name] = format_value(spec, _snap(spec, float(next(numeric))))
                else:
                    assignment[spec.name] = spec.values[int(ask_rng.integers(len(spec.values)))]
            out.append(assignment)
        return out
