"""Reading a trial history back into numbers, and per-call seeds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from katib_local.experiment.search_space import ParameterSpec
from katib_local.experiment.types import TrialResult


def parse_value(spec: ParameterSpec, raw: str) -> Any:
    """The assignment string ``raw`` as ``spec``'s Python value (int, float or the list string).

    Raises:
        ValueError: ``raw`` is not a number (int/double) or not in the list (categorical/discrete).
    """
    if spec.type == "int":
        value = float(raw)
        if not value.is_integer():
            raise ValueError(f"{raw!r} is not an integer")
        return int(value)
    if spec.type == "double":
        return float(raw)
    if raw not in spec.values:
        raise ValueError(f"{raw!r} is not in the list")
    return raw


def parse_assignments(specs: Sequence[ParameterSpec], trial: TrialResult) -> dict[str, Any] | None:
    """All parameter values of ``trial``, or ``None`` when one is missing or unreadable.

    A trial that does not fit the search space (the experiment was edited, or a hand-made entry) cannot be
    told to any library, so callers skip it.
    """
    values: dict[str, Any] = {}
    for spec in specs:
        raw = trial.assignments.get(spec.name)
        if raw is None:
            return None
        try:
            values[spec.name] = parse_value(spec, raw)
        except ValueError:
            return None
    return values


def call_seed(random_state: int | None, history_length: int) -> int | None:
    """The seed for one ``suggest`` call: derived from ``random_state`` and the history length.

    ``None`` when ``random_state`` is ``None`` (fresh entropy, as Katib without ``random_state``). A different
    seed per history length keeps successive calls from repeating the same random draws, while the same
    history always gives the same seed.
    """
    if random_state is None:
        return None
    return int(np.random.SeedSequence([random_state, history_length]).generate_state(1)[0] & 0x7FFFFFFF)
