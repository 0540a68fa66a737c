"""Katib's ``hyperband`` service (``pkg/suggestion/v1beta1/hyperband/service.py`` at v0.19.0), step for step.

The service keeps its state in ten algorithm settings that it returns with every reply and that Katib stores
in the Suggestion's status and lays over the Experiment's settings on the next request: ``eta, s_max, r_l,
b_l, r, n, current_s, current_i, resource_name, evaluating_trials``. Here that state is the ``settings``
entry of the stored state, a dict of the same strings. Katib's arithmetic is kept exactly, floats and
truncations included:

- Defaults (``HyperBandParam.convert``): ``eta`` 3 (also when <= 0); ``s_max = int(log(r_l) / log(eta))``;
  ``b_l = (s_max + 1) * r_l``; ``current_s = s_max``; ``current_i = 0``;
  ``n = ceil((s_max + 1) * eta**current_s / (current_s + 1))``; ``r = r_l * eta**-current_s``.
- Every request first overwrites ``n`` with the number of trials requested (Katib's comment: "a hack to
  get current request number"). So the first rung of a bracket has as many trials as the controller asks
  for (the free slots), not Hyperband's ``n``, and the child rung sizes derive from that request too.
- First rung of a bracket (``evaluating_trials == 0``): ``n`` random samples (uniform over each parameter's
  range whatever its ``distribution`` and ``step``; ints rounded; discrete values parsed as ints and
  snapped to the nearest; categoricals uniform), the resource parameter set to ``int(r)``.
- A child rung: ``n_i = ceil(n * eta**-current_i)``, keep the best ``ceil(n_i / eta)`` of the last
  ``evaluating_trials`` trials (by start time; here creation order, which is the start order), then
  ``current_i += 1`` and each kept trial's assignments are copied with the resource set to
  ``int(r * eta**current_i)``. These are new trials that train from scratch with more resource: nothing is
  continued.
- ``evaluating_trials`` becomes the reply's size while ``current_i < current_s``; after a bracket's last rung
  it is 0, ``current_s`` decreases and ``n``/``r`` are recomputed for the next bracket. Once
  ``current_s < 0`` the service answers nothing.
- Quirk: ``r`` round-trips through ``int(float(...))``, so a fractional ``r`` (``r_l = 20, eta = 3``: 2.22)
  is truncated from the second request on, and the last rung gets ``int(2 * 9) = 18``, not ``r_l``.

Where Katib stalls, katib-local decides (``docs/katib-local.md``):

- A child rung whose trials are not all finished: Katib's service raises ("There are some trials which are
  not completed yet") and the controller retries until they are; here the reply is empty and the runner
  waits for the running trials, which is the same.
- A child rung with a trial that finished but did not succeed (Failed, EarlyStopped): Katib's service
  raises on every retry, so the experiment never creates another trial. Here that is a
  :class:`SuggestionError` (the experiment fails, saying why), not a silent hang.
- A reply smaller than the request (every child rung of a bracket whose first rung had more than one
  trial): Katib's controller rejects it ("The response contains unexpected trials", kubeflow/katib#1168)
  and retries for ever, so on a cluster hyperband stops after its first rung. katib-local accepts the
  smaller reply, so the brackets run as the service computes them, and says once that Katib would stall.

Random draws come from one NumPy generator per experiment, kept in the state, seeded by a ``random_state``
setting when given (Katib's service ignores unknown setting names and draws from NumPy's global generator).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from katib_local.experiment.search_space import ParameterSpec
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.suggestions._base import Proposal, ProposedTrial, SuggestionError

STATE_NAMES = (
    "eta",
    "s_max",
    "r_l",
    "b_l",
    "r",
    "n",
    "current_s",
    "current_i",
    "resource_name",
    "evaluating_trials",
)
"""The settings the service returns with each reply (``HyperBandParam.generate``), in Katib's order."""

STALL_NOTE = (
    "hyperband answered {got} trial(s) to a request for {asked}: Katib v0.19's controller rejects such a "
    "reply ('The response contains unexpected trials', kubeflow/katib#1168) and retries for ever, so on a "
    "cluster this experiment stops after its first rung; katib-local runs the smaller rung"
)


class _Param:
    """Katib's ``HyperBandParam``: the state as numbers, parsed and defaulted as ``convert`` does."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.eta: float = 3
        self.s_max = -1
        self.r_l: float = -1
        self.b_l: float = -1
        self.r: float = -1
        self.n = -1
        self.current_s = -2
        self.current_i = -1
        self.resource_name = ""
        self.evaluating_trials = 0
        floats = {"eta", "r_l", "b_l"}
        ints = {"n", "r", "current_s", "current_i", "s_max", "evaluating_trials"}
        for name, value in settings.items():
            if name in floats:
                setattr(self, name, float(value))
            elif name in ints:
                setattr(self, name, int(float(value)))
            elif name == "resource_name":
                self.resource_name = value
        if self.current_s == -1:
            return  # the outer loop has finished
        if self.eta <= 0:
            self.eta = 3
        if self.s_max < 0:
            self.s_max = int(math.log(self.r_l) / math.log(self.eta))
        if self.b_l < 0:
            self.b_l = (self.s_max + 1) * self.r_l
        if self.current_s < 0:
            self.current_s = self.s_max
        if self.current_i < 0:
            self.current_i = 0
        if self.n < 0:
            self.n = self._bracket_size()
        if self.r < 0:
            self.r = self.r_l * self.eta ** (-self.current_s)

    def _bracket_size(self) -> int:
        share = float(self.eta**self.current_s) / float(self.current_s + 1)
        return math.ceil(float(self.s_max + 1) * share)

    def settings(self) -> dict[str, str]:
        """The reply's algorithm settings, spelled as Python's ``str`` spells them (as Katib's service)."""
        return {name: str(getattr(self, name)) for name in STATE_NAMES}

    def next_bracket(self) -> None:
        """``_new_hbParameters``."""
        self.current_s -= 1
        self.current_i = 0
        if self.current_s >= 0:
            self.n = self._bracket_size()
            self.r = self.r_l * self.eta ** (-self.current_s)

    def next_rung(self) -> None:
        """``_update_hbParameters``."""
        self.current_i += 1
        if self.current_i > self.current_s:
            self.next_bracket()


def _sample(specs: Sequence[ParameterSpec], rng: np.random.Generator) -> dict[str, str]:
    """One draw as ``parsing_util`` makes it from a uniform vector over the parameters' bounds."""
    values: dict[str, str] = {}
    for spec in specs:
        if spec.type == "double":
            values[spec.name] = str(float(rng.uniform(spec.low, spec.high)))
        elif spec.type == "int":
            values[spec.name] = str(int(round(float(rng.uniform(int(spec.low), int(spec.high))), 0)))
        elif spec.type == "discrete":
            numbers = [int(v) for v in spec.values]
            point = rng.uniform(min(numbers), max(numbers))
            values[spec.name] = str(numbers[int(np.argmin(np.absolute(np.subtract(numbers, point))))])
        else:
            one_hot = rng.uniform(0.0, 1.0, size=len(spec.values))
            values[spec.name] = spec.values[int(np.argmax(one_hot))]
    return values


def space_problem(specs: Sequence[ParameterSpec]) -> SuggestionError | None:
    """A search space Katib's service cannot sample: it raises on every request, so no trial is ever made."""
    for index, spec in enumerate(specs):
        if spec.type == "discrete":
            try:
                [int(v) for v in spec.values]
            except ValueError:
                return SuggestionError(
                    "hyperband parses discrete values as integers (parsing_util: int(x)); a non-integer "
                    "value makes every request fail, so the experiment would never create a trial",
                    f"spec.parameters[{index}].feasibleSpace.list",
                )
    return None


class HyperbandSuggester:
    """Katib's hyperband for one experiment: ``propose`` is ``GetSuggestions`` with the stored settings."""

    def __init__(
        self,
        specs: Sequence[ParameterSpec],
        settings: Mapping[str, str],
        *,
        maximize: bool,
        random_state: int | None,
    ) -> None:
        self.specs = list(specs)
        self.settings = dict(settings)
        self.maximize = maximize
        self.random_state = random_state

    def propose(
        self, history: Sequence[TrialResult], count: int, state: Mapping[str, Any] | None
    ) -> Proposal:
        stored = dict((state or {}).get("settings") or {})
        # Katib lays the Suggestion status's settings over the Experiment's before each request.
        param = _Param({**self.settings, **stored})
        if param.current_s < 0:
            return Proposal([])
        param.n = count
        rng = np.random.default_rng(self.random_state)
        if state and "rng" in state:
            rng.bit_generator.state = state["rng"]
        if param.evaluating_trials == 0:
            trials = self._first_rung(param, rng)
        else:
            kept = self._child_rung(param, history)
            if kept is None:
                return Proposal([])  # Katib retries until the rung's trials are done
            trials = kept
        if param.current_i < param.current_s:
            param.evaluating_trials = len(trials)
        else:
            param.evaluating_trials = 0
            param.next_bracket()
        notes = (STALL_NOTE.format(got=len(trials), asked=count),) if 0 < len(trials) < count else ()
        return Proposal(trials, {"settings": param.settings(), "rng": rng.bit_generator.state}, notes)

    def _first_rung(self, param: _Param, rng: np.random.Generator) -> list[ProposedTrial]:
        trials = []
        for _ in range(param.n):
            values = _sample(self.specs, rng)
            if param.resource_name in values:
                values[param.resource_name] = str(int(param.r))
            trials.append(ProposedTrial(values))
        return trials

    def _child_rung(self, param: _Param, history: Sequence[TrialResult]) -> list[ProposedTrial] | None:
        n_i = math.ceil(param.n * param.eta ** (-param.current_i))
        top = math.ceil(n_i / param.eta)
        param.next_rung()
        resource = int(param.r * param.eta**param.current_i)
        # Katib's controller leaves out MetricsUnavailable trials (and early-stopped ones without an
        # observation) from what it sends; the rung is the last evaluating_trials of the rest.
        sent = [
            t
            for t in history
            if t.status != TrialStatus.METRICS_UNAVAILABLE
            and not (t.status == TrialStatus.EARLY_STOPPED and t.objective is None)
        ]
        rung = sent[-param.evaluating_trials :]
        if any(not t.status.is_terminal for t in rung):
            return None
        bad = [t for t in rung if t.status != TrialStatus.SUCCEEDED]
        if bad:
            raise SuggestionError(
                f"hyperband: trial {bad[0].name} of the rung ended {bad[0].status.value}, and Katib's "
                "service ranks a rung only when all its trials Succeeded: it raises on every request, so the "
                "experiment would never create another trial"
            )
        sign = -1.0 if self.maximize else 1.0
        best = sorted(rung, key=lambda t: sign * float(t.objective if t.objective is not None else math.nan))
        return [
            ProposedTrial(
                {
                    name: (str(resource) if name == param.resource_name else value)
                    for name, value in t.assignments.items()
                }
            )
            for t in best[:top]
        ]
