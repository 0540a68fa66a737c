"""``algorithmName`` -> configured :class:`Suggester`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.suggestions._base import Suggester, SuggestionError

LOCAL_ALGORITHMS = frozenset(
    {"random", "tpe", "grid", "multivariate-tpe", "bayesianoptimization", "cmaes", "sobol"}
)
UNSUPPORTED_ALGORITHMS = frozenset({"hyperband", "pbt", "enas", "darts"})


def validate_algorithm_settings(experiment: Mapping[str, Any]) -> list[SuggestionError]:
    """Every problem the algorithm's Katib service would report for ``experiment`` (defaulted dict)."""
    raise NotImplementedError


def make_suggester(experiment: Mapping[str, Any]) -> Suggester:
    """The configured suggester for a defaulted experiment.

    Raises:
        SuggestionError: unknown/unsupported algorithm or invalid settings (the first problem found).
    """
    raise NotImplementedError
