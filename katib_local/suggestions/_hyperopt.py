"""``random`` and ``tpe`` on hyperopt, as Katib's ``suggestion-hyperopt`` service runs them.

Search space (Katib's ``create_hyperopt_domain``; an ``int`` always has a step, 1 by default):

* uniform: ``quniform(min, max, step)`` when there is a step (every int), else ``uniform(min, max)``. Note
that
  ``quniform`` rounds to multiples of ``step`` (not ``min + k*step``) and so may return a value just outside
  ``[min, max]`` when ``min`` is not a multiple of ``step``; Katib passes such values on, and so does this.
* logUniform: ``loguniform``/``qloguniform`` over ``log(min)..log(max)``.
* normal: ``normal``/``qnormal`` with mean ``(min+max)/2`` and sigma ``(max-min)/6``; logNormal: the same in
  log space (``lognormal``/``qlognormal``). Normal samples are unbounded.
* categorical/discrete: ``choice`` over the list.

Each call builds a fresh ``hyperopt.Trials`` holding the completed trials (loss = objective, negated for
maximize) and asks the algorithm for ``count`` new points; pending trials are not passed (hyperopt's
algorithms ignore trials without a result). ``tpe`` gets ``n_startup_jobs`` = the number of trials Katib asks
for in its first request, ``min(parallelTrialCount, maxTrialCount)``.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from typing import Any

import hyperopt
import numpy as np
from hyperopt import hp

from katib_local.experiment.search_space import ParameterSpec, format_value
from katib_local.experiment.types import TrialResult
from katib_local.suggestions._base import completed
from katib_local.suggestions._history import call_seed, parse_assignments

logging.getLogger("hyperopt").setLevel(logging.WARNING)


def _expression(spec: ParameterSpec) -> Any:
    if spec.type in ("categorical", "discrete"):
        return hp.choice(spec.name, list(spec.values))
    low, high = spec.low, spec.high
    step = float(spec.int_step) if spec.type == "int" else spec.step
    if spec.distribution == "logUniform":
        if step:
            return hp.qloguniform(spec.name, math.log(low), math.log(high), step)
        return hp.loguniform(spec.name, math.log(low), math.log(high))
    if spec.distribution == "normal":
        mu, sigma = (low + high) / 2, (high - low) / 6
        return hp.qnormal(spec.name, mu, sigma, step) if step else hp.normal(spec.name, mu, sigma)
    if spec.distribution == "logNormal":
        mu = (math.log(low) + math.log(high)) / 2
        sigma = (math.log(high) - math.log(low)) / 6
        return hp.qlognormal(spec.name, mu, sigma, step) if step else hp.lognormal(spec.name, mu, sigma)
    return hp.quniform(spec.name, low, high, step) if step else hp.uniform(spec.name, low, high)


class HyperoptSuggester:
    """``random`` (``hyperopt.rand.suggest``) or ``tpe`` (``hyperopt.tpe.suggest``)."""

    def __init__(
        self,
        algorithm: str,
        specs: Sequence[ParameterSpec],
        *,
        maximize: bool,
        settings: dict[str, Any],
        n_startup_jobs: int,
    ) -> None:
        self._specs = list(specs)
        self._maximize = maximize
        self._random_state: int | None = settings.get("random_state")
        if algorithm == "tpe":
            kwargs = {k: settings[k] for k in ("gamma", "prior_weight", "n_EI_candidates") if k in settings}
            self._algo: Any = functools.partial(hyperopt.tpe.suggest, n_startup_jobs=n_startup_jobs, **kwargs)
        else:
            self._algo = hyperopt.rand.suggest
        self._domain = hyperopt.Domain(lambda _: 0.0, {s.name: _expression(s) for s in self._specs})

    def _trials(self, history: Sequence[TrialResult]) -> hyperopt.Trials:
        trials = hyperopt.Trials()
        tids: list[int] = []
        results: list[dict[str, Any]] = []
        miscs: list[dict[str, Any]] = []
        for trial in completed(history):
            values = parse_assignments(self._specs, trial)
            if values is None:
                continue
            tid = len(tids)
            vals = {
                s.name: [
                    s.values.index(values[s.name])
                    if s.type in ("categorical", "discrete")
                    else values[s.name]
                ]
                for s in self._specs
            }
            assert trial.objective is not None
            loss = -trial.objective if self._maximize else trial.objective
            tids.append(tid)
            results.append({"loss": loss, "status": hyperopt.STATUS_OK})
            miscs.append(
                {
                    "tid": tid,
                    "cmd": ("domain_attachment", "FMinIter_Domain"),
                    "workdir": None,
                    "idxs": {s.name: [tid] for s in self._specs},
                    "vals": vals,
                }
            )
        if tids:
            docs = trials.new_trial_docs(tids, [None] * len(tids), results, miscs)
            for doc in docs:
                doc["state"] = hyperopt.JOB_STATE_DONE
            trials.insert_trial_docs(docs)
            trials.refresh()
        return trials

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        if count <= 0:
            return []
        trials = self._trials(history)
        rng = np.random.default_rng(call_seed(self._random_state, len(history)))
        docs: list[dict[str, Any]] = []
        for _ in range(count):
            # One point per algorithm call (tpe.suggest returns only one after its startup jobs), each with
            # its own seed; the new point joins the trials as pending, as Katib's service inserts its own.
            new_id = len(trials.trials)
            new = self._algo([new_id], self._domain, trials, int(rng.integers(2**31 - 1)))
            trials.insert_trial_docs(new)
            trials.refresh()
            docs += new
        out: list[dict[str, str]] = []
        for doc in docs:
            vals = doc["misc"]["vals"]
            assignment: dict[str, str] = {}
            for spec in self._specs:
                raw = vals[spec.name][0]
                value = spec.values[int(raw)] if spec.type in ("categorical", "discrete") else raw
                assignment[spec.name] = format_value(spec, value)
            out.append(assignment)
        return out
