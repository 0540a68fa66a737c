"""Katib parameters as Optuna distributions, and Katib's assignment strings as Optuna parameter values.

Katib hands every value over as a string (``"0.003"``, ``"16"``, ``"adam"``); Optuna wants each value in the
distribution it was drawn from, so the dashboard can plot it on the right axis:

- ``double``: :class:`~optuna.distributions.FloatDistribution` over ``[min, max]``, ``log`` for Katib's
  ``logUniform``/``logNormal`` distributions; a ``step`` is kept only on a linear scale (Optuna refuses a
  log scale with a step), and only when it divides the range (otherwise Optuna would move ``max``).
- ``int``: :class:`~optuna.distributions.IntDistribution`, ``step`` (default 1) kept on a linear scale.
- ``discrete``: a categorical over the list's numbers (ints where every entry is integral), so ``16`` and
  ``32`` stay numbers on the dashboard's axes.
- ``categorical``: a categorical over the list's strings.

Edge cases: a value outside the distribution (a grid point Katib snapped, a hand-edited trial) raises
ValueError with the parameter's name; callers show such a trial without that parameter rather than fail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)

_LOG = ("logUniform", "logNormal")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def _same_number(choice: Any, text: str) -> bool:
    try:
        return float(choice) == float(text)
    except (TypeError, ValueError):
        return False


def distribution(parameter: Mapping[str, Any]) -> BaseDistribution:
    """The Optuna distribution of one Katib ``spec.parameters`` entry (defaulted)."""
    kind = parameter.get("parameterType")
    space = parameter.get("feasibleSpace") or {}
    log = space.get("distribution") in _LOG
    if kind in ("double", "int"):
        lo, hi = float(space["min"]), float(space["max"])
        step = float(space["step"]) if space.get("step") not in (None, "") else None
        if kind == "int":
            int_step = int(step) if step and not log else 1
            return IntDistribution(int(lo), int(hi), log=log, step=int_step)
        if step is not None and not log and math.isclose(((hi - lo) / step) % 1.0, 0.0, abs_tol=1e-9):
            return FloatDistribution(lo, hi, step=step)
        return FloatDistribution(lo, hi, log=log)
    values: Sequence[str] = [str(v) for v in space.get("list") or []]
    if kind == "discrete":
        numbers = [_number(v) for v in values]
        if any(isinstance(n, float) for n in numbers):
            numbers = [float(n) for n in numbers]
        return CategoricalDistribution(numbers)
    return CategoricalDistribution(list(values))


def param_value(name: str, dist: BaseDistribution, text: str) -> Any:
    """The Optuna value of Katib's assignment ``text`` in ``dist``; ValueError when it is not in it."""
    if isinstance(dist, CategoricalDistribution):
        for choice in dist.choices:
            if choice == text or (not isinstance(choice, str) and _same_number(choice, text)):
                return choice
        raise ValueError(f"parameter {name}: {text!r} is not one of {list(dist.choices)}")
    value: int | float = int(float(text)) if isinstance(dist, IntDistribution) else float(text)
    if not dist._contains(dist.to_internal_repr(value)):
        raise ValueError(f"parameter {name}: {text} is outside {dist}")
    return value
