"""Katib's ``pbt`` service (``pkg/suggestion/v1beta1/pbt/service.py`` at v0.19.0), step for step.

Katib's service keeps a job queue in memory (lost if its pod restarts); here the queue is the stored state,
so a resumed run continues it. What it does:

- Trials are named ``<experiment>-<uuid4>`` by the service and labelled
  ``pbt.suggestion.katib.kubeflow.org/generation`` (and ``.../parent`` from generation 1 on).
- Each trial has a directory ``<experiment>/<trial>`` on the Suggestion's volume. When a job is queued, a
  first-generation trial gets an empty one and a child gets a copy of its parent's (``copytree``); Katib's
  pod webhook mounts that directory at the ``suggestion_trial_dir`` path in the trial's primary container.
  Here the runner makes the copy (see ``docs/katib-local.md``), from the :class:`ProposedTrial` fields.
- The first ``n_population`` jobs are random samples (generation 0). Sampling: ints and doubles uniformly
  from ``arange(min, max + step/2, step)`` (so a double needs a ``step``), lists uniformly.
- Every finished trial (Succeeded or EarlyStopped) joins the current pool with its objective, negated for
  minimize (the service maximises). Failed and Killed trials are queued again with the same assignments,
  generation and parent, under a new name; MetricsUnavailable trials are never sent to the service.
- When more jobs are requested than are queued: while the current pool holds at most ``n_population``
  trials, more are made, from the base search space while no generation has been spawned (so generation 0
  grows beyond ``n_population``), else from the previous generation's pool. Once the pool holds more than
  ``n_population``, a new generation of ``n_population`` jobs is spawned from it and the pool starts again.
- Spawning from a pool: bounds are the ``truncation_threshold`` and ``1 - truncation_threshold`` quantiles
  of the pool's values. Trials below the lower bound may *exploit*: ``int(count * threshold)`` of them,
  shuffled, each take the hyperparameters of a random trial at or above the upper bound. Quirk: the child's
  parent, whose directory it copies, is the weaker trial itself, so it continues the weaker trial's
  checkpoint with the stronger trial's hyperparameters. The rest (``count - exploiting``, shuffled, from the
  trials at or above the lower bound) *explore*: their own hyperparameters, each perturbed (x0.8 or x1.2 for
  numbers, clipped to the range; a list's neighbour, wrapping) or, with ``resample_probability`` set, each
  resampled with that probability. The child's generation is its parent's plus one.
- Quirks kept: a clipped int is a float (``max(float(min), ...)``), so it is passed as ``"5.0"`` and the
  next perturbation of it fails (``int("5.0")``); here that failure is a :class:`SuggestionError`.

Random draws come from one NumPy generator per experiment, kept in the state, seeded by a ``random_state``
setting when given (Katib's service ignores unknown names and uses NumPy's global generator).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from katib_local.experiment.search_space import ParameterSpec
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.suggestions._base import Proposal, ProposedTrial, SuggestionError

GENERATION_LABEL = "pbt.suggestion.katib.kubeflow.org/generation"
PARENT_LABEL = "pbt.suggestion.katib.kubeflow.org/parent"


def space_problem(specs: Sequence[ParameterSpec]) -> SuggestionError | None:
    """A search space Katib's pbt service cannot sample (it fails on every request)."""
    for index, spec in enumerate(specs):
        if spec.type == "double" and spec.step is None:
            return SuggestionError(
                "pbt samples doubles from arange(min, max + step/2, step): a double parameter needs a step "
                "(without one Katib's service fails on every request)",
                f"spec.parameters[{index}].feasibleSpace.step",
            )
    return None


class _Sampler:
    """Katib's ``HyperParameterSampler`` for one parameter."""

    def __init__(self, spec: ParameterSpec) -> None:
        self.spec = spec
        self.choices: list[Any]
        if spec.type in ("int", "double"):
            step = float(spec.step if spec.step is not None else 1)
            grid = np.arange(spec.low, spec.high + step / 2, step)
            self.choices = list(grid.astype(int) if spec.type == "int" else grid)
        else:
            self.choices = list(spec.values)

    def sample(self, rng: np.random.Generator) -> str:
        return str(self.choices[int(rng.integers(len(self.choices)))])

    def perturb(self, value: str, rng: np.random.Generator) -> str:
        factor = float(rng.choice([0.8, 1.2]))
        if self.spec.is_numeric:
            low, high = float(self.spec.low), float(self.spec.high)
            try:
                scaled = int(int(value) * factor) if self.spec.type == "int" else float(value) * factor
            except ValueError:
                raise SuggestionError(
                    f"pbt cannot perturb {self.spec.name}={value!r}: Katib's service parses it with "
                    f"{self.spec.type}() and fails (a clipped int is passed on as a float)"
                ) from None
            # Katib's order of arguments: an int at a bound comes back as the float bound.
            return str(max(low, min(high, scaled)))
        index = self.choices.index(value) + int(rng.choice([-1, 1]))
        return str(self.choices[0] if index >= len(self.choices) else self.choices[index])


def _job(uid: str, params: Mapping[str, str], generation: int, parent: str | None) -> dict[str, Any]:
    return {"uid": uid, "params": dict(params), "generation": generation, "parent": parent, "value": None}


class PbtSuggester:
    """Katib's pbt for one experiment; ``propose`` is ``GetSuggestions`` on the stored queue."""

    def __init__(
        self,
        experiment_name: str,
        specs: Sequence[ParameterSpec],
        settings: Mapping[str, Any],
        *,
        maximize: bool,
    ) -> None:
        self.name = experiment_name
        self.samplers = [_Sampler(s) for s in specs]
        self.population = int(settings["n_population"])
        self.threshold = float(settings["truncation_threshold"])
        resample = settings.get("resample_probability")
        self.resample = None if resample is None else float(resample)
        self.scale = 1.0 if maximize else -1.0
        self.random_state = settings.get("random_state")

    # the queue -------------------------------------------------------------------------------------------
    def _new_state(self, rng: np.random.Generator) -> dict[str, Any]:
        state: dict[str, Any] = {"pending": [], "running": {}, "completed": {}, "previous": [], "current": []}
        self._seed(state, self.population, rng)
        return state

    def _append(
        self,
        state: dict[str, Any],
        params: Mapping[str, str],
        generation: int,
        parent: str | None,
        rng: np.random.Generator,
    ) -> None:
        uid = f"{self.name}-{uuid.UUID(bytes=rng.bytes(16), version=4)}"
        state["pending"].append(_job(uid, params, generation, parent))

    def _seed(self, state: dict[str, Any], count: int, rng: np.random.Generator) -> None:
        for _ in range(count):
            self._append(state, {s.spec.name: s.sample(rng) for s in self.samplers}, 0, None, rng)

    def _update(self, state: dict[str, Any], trial: TrialResult, rng: np.random.Generator) -> None:
        """``PbtJobQueue.update`` for one trial the controller sends."""
        if not trial.status.is_terminal or trial.name in state["completed"]:
            return
        job = state["running"].pop(trial.name, None)
        if job is None:
            return  # not one of this queue's (Katib's service would raise a KeyError)
        job["value"] = None if trial.objective is None else self.scale * trial.objective
        state["completed"][job["uid"]] = job
        if trial.status in (TrialStatus.FAILED, TrialStatus.KILLED):
            self._append(state, trial.assignments, job["generation"], job["parent"], rng)
            return
        state["current"].append(job["uid"])

    def _segment(
        self, state: dict[str, Any], pool: str, count: int, rng: np.random.Generator
    ) -> tuple[list[str], list[str], list[str]]:
        jobs = [state["completed"][uid] for uid in state[pool]]
        low, high = np.quantile([j["value"] for j in jobs], (self.threshold, 1 - self.threshold))
        exploit = [j["uid"] for j in jobs if j["value"] < low]
        explore = [j["uid"] for j in jobs if j["value"] >= low]
        upper = [j["uid"] for j in jobs if j["value"] >= low and j["value"] >= high]
        rng.shuffle(exploit)
        rng.shuffle(explore)
        exploit = exploit[: int(count * self.threshold)]
        explore = explore[: count - len(exploit)]
        return exploit, explore, upper

    def _generate(self, state: dict[str, Any], count: int, rng: np.random.Generator) -> None:
        if len(state["current"]) <= self.population:
            if not state["previous"]:
                self._seed(state, count, rng)
                return
            exploit, explore, upper = self._segment(state, "previous", count, rng)
        else:
            exploit, explore, upper = self._segment(state, "current", self.population, rng)
            state["previous"], state["current"] = state["current"], []
        donors = [str(u) for u in rng.choice(upper, len(exploit))] if exploit else []
        for uid, donor in zip(exploit, donors, strict=True):
            job = state["completed"][uid]
            self._append(state, state["completed"][donor]["params"], job["generation"] + 1, uid, rng)
        for uid in explore:
            job = state["completed"][uid]
            params = {}
            for sampler in self.samplers:
                name = sampler.spec.name
                if self.resample is None:
                    params[name] = sampler.perturb(job["params"][name], rng)
                elif rng.random() < self.resample:
                    params[name] = sampler.sample(rng)
                else:
                    params[name] = job["params"][name]
            self._append(state, params, job["generation"] + 1, uid, rng)

    # the service -----------------------------------------------------------------------------------------
    def propose(
        self, history: Sequence[TrialResult], count: int, state: Mapping[str, Any] | None
    ) -> Proposal:
        rng = np.random.default_rng(self.random_state)
        if state:
            rng.bit_generator.state = state["rng"]
            queue: dict[str, Any] = {k: v for k, v in state.items() if k != "rng"}
        else:
            queue = self._new_state(rng)
        for trial in history:
            # What Katib's controller sends: no MetricsUnavailable trial, no early-stopped one without an
            # observation.
            if trial.status == TrialStatus.METRICS_UNAVAILABLE or (
                trial.status == TrialStatus.EARLY_STOPPED and trial.objective is None
            ):
                continue
            self._update(queue, trial, rng)
        if len(queue["pending"]) < count:
            self._generate(queue, count, rng)
        if len(queue["pending"]) < count:
            raise SuggestionError(
                f"pbt: {len(queue['pending'])} job(s) queued for a request of {count} "
                "(Katib's service raises 'Pending queue is empty!')"
            )
        trials = []
        for _ in range(count):
            job = queue["pending"].pop(0)
            queue["running"][job["uid"]] = job
            labels = {GENERATION_LABEL: str(job["generation"])}
            if job["parent"] is not None:
                labels[PARENT_LABEL] = job["parent"]
            trials.append(
                ProposedTrial(
                    dict(job["params"]),
                    name=job["uid"],
                    labels=labels,
                    checkpoint_from=job["parent"],
                    new_checkpoint_dir=job["parent"] is None,
                )
            )
        return Proposal(trials, {**queue, "rng": rng.bit_generator.state})
