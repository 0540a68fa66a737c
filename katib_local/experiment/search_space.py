"""Typed parameter specs parsed from ``spec.parameters``, and the value helpers every algorithm shares.

Katib passes feasible-space bounds as strings and assignments back as strings. This module owns both
directions: :func:`parse_parameters` reads the strings once (so each algorithm works with numbers), and
:func:`format_value` writes a sampled value as the string Katib's services would hand to the trial:
``str(int(v))`` for ``int`` (``"3"``), Python's shortest round-trip ``repr`` of a float for ``double``
(``"0.027732951196994753"``), and the list element itself for ``categorical``/``discrete``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np

ParameterType = Literal["double", "int", "categorical", "discrete"]
Distribution = Literal["uniform", "logUniform", "normal", "logNormal"]
NUMERIC_TYPES = ("double", "int")
LIST_TYPES = ("categorical", "discrete")


class SearchSpaceError(ValueError):
    """``spec.parameters`` cannot be turned into a search space. ``path`` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class ParameterSpec:
    """One ``spec.parameters[]`` entry with numbers parsed.

    ``min``/``max``/``step`` are set only for ``double``/``int`` (``step`` ``None`` when not given; Katib's
    internal search space would default an int step to 1, see :attr:`int_step`). ``values`` is the
    ``feasibleSpace.list`` for ``categorical``/``discrete``, empty otherwise. ``distribution`` is the
    defaulted one (``uniform`` when absent).
    """

    name: str
    type: ParameterType
    min: float | None = None
    max: float | None = None
    step: float | None = None
    values: tuple[str, ...] = ()
    distribution: Distribution = "uniform"

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def int_step(self) -> int:
        """The step of an ``int`` parameter as Katib uses it: the given step, else 1."""
        return int(self.step) if self.step is not None else 1

    @property
    def low(self) -> float:
        assert self.min is not None
        return self.min

    @property
    def high(self) -> float:
        assert self.max is not None
        return self.max


def _number(raw: Any, path: str, integer: bool) -> float:
    try:
        value = float(str(raw))
    except ValueError:
        raise SearchSpaceError(path, f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise SearchSpaceError(path, f"{raw!r} is not a finite number")
    if integer and not value.is_integer():
        raise SearchSpaceError(path, f"{raw!r} is not an integer")
    return value


def parse_parameter(raw: Mapping[str, Any], path: str) -> ParameterSpec:
    """One ``spec.parameters[i]`` (``path`` is its YAML path, e.g. ``spec.parameters[2]``).

    Raises:
        SearchSpaceError: an unsupported type, a missing/non-numeric bound, ``min > max``, a step ``<= 0``, a
            double/int with ``list`` or a list type without a non-empty ``list``.
    """
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise SearchSpaceError(f"{path}.name", "must be a non-empty string")
    ptype = raw.get("parameterType")
    space = raw.get("feasibleSpace") or {}
    if not isinstance(space, Mapping):
        raise SearchSpaceError(f"{path}.feasibleSpace", "must be a mapping")
    fpath = f"{path}.feasibleSpace"
    raw_distribution = space.get("distribution") or "uniform"
    if raw_distribution not in ("uniform", "logUniform", "normal", "logNormal"):
        raise SearchSpaceError(f"{fpath}.distribution", f"distribution: {raw_distribution} is not supported")
    distribution = cast(Distribution, raw_distribution)
    if ptype in NUMERIC_TYPES:
        integer = ptype == "int"
        for key in ("min", "max"):
            if space.get(key) in (None, ""):
                raise SearchSpaceError(f"{fpath}.{key}", f"feasibleSpace.{key} must be specified for {ptype}")
        low = _number(space["min"], f"{fpath}.min", integer)
        high = _number(space["max"], f"{fpath}.max", integer)
        if low > high:
            raise SearchSpaceError(f"{fpath}.max", f"max {space['max']} is less than min {space['min']}")
        step = None
        if space.get("step") not in (None, ""):
            step = _number(space["step"], f"{fpath}.step", integer)
            if step <= 0:
                raise SearchSpaceError(f"{fpath}.step", f"step {space['step']} must be greater than 0")
        return ParameterSpec(name, ptype, low, high, step, (), distribution)
    if ptype in LIST_TYPES:
        values = space.get("list")
        if not isinstance(values, list) or not values:
            raise SearchSpaceError(f"{fpath}.list", f"a non-empty list is required for {ptype}")
        return ParameterSpec(name, ptype, values=tuple(str(v) for v in values), distribution=distribution)
    raise SearchSpaceError(f"{path}.parameterType", f"parameterType: {ptype} is not supported")


def parse_parameters(experiment: Mapping[str, Any]) -> list[ParameterSpec]:
    """Every ``spec.parameters`` entry of ``experiment`` (a full Experiment dict), in order.

    Raises:
        SearchSpaceError: the first invalid parameter, or duplicate names, or no parameters at all.
    """
    raw = (experiment.get("spec") or {}).get("parameters")
    if not isinstance(raw, list) or not raw:
        raise SearchSpaceError("spec.parameters", "at least one parameter is required")
    specs: list[ParameterSpec] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = f"spec.parameters[{index}]"
        if not isinstance(item, Mapping):
            raise SearchSpaceError(path, "must be a mapping")
        spec = parse_parameter(item, path)
        if spec.name in seen:
            raise SearchSpaceError(f"{path}.name", f"parameter name {spec.name} is duplicated")
        seen.add(spec.name)
        specs.append(spec)
    return specs


def format_value(spec: ParameterSpec, value: Any) -> str:
    """``value`` as the string Katib passes to the trial (see the module docstring)."""
    if spec.type == "int":
        return str(round(float(value)))
    if spec.type == "double":
        return repr(float(value))
    return str(value)


def grid_values(spec: ParameterSpec) -> list[Any]:
    """The values Katib's grid visits for one parameter (``convert_to_combinations``).

    * ``int``: ``range(min, max + 1, step)``, step defaulting to 1.
    * ``double``: ``numpy.arange(min, max + step, step)`` with the last value dropped if it exceeds ``max``
      (so float artefacts such as ``0.045000000000000005`` are kept, as in Katib). A double without step is a
      :class:`SearchSpaceError` with Katib's message.
    * ``categorical``/``discrete``: the list, in order.
    """
    if spec.type == "int":
        return list(range(int(spec.low), int(spec.high) + 1, spec.int_step))
    if spec.type == "double":
        if spec.step is None:
            raise SearchSpaceError(
                "feasibleSpace.step",
                f"Param {spec.name} step is nil; For discrete search space, all parameters must include step",
            )
        values = [float(v) for v in np.arange(spec.low, spec.high + spec.step, spec.step)]
        if values and values[-1] > spec.high:
            values.pop()
        return values
    return list(spec.values)


def grid_size(specs: Sequence[ParameterSpec]) -> int:
    """The number of grid combinations (product of :func:`grid_values` lengths)."""
    return math.prod(len(grid_values(s)) for s in specs)
