"""``algorithmSettings`` rules of each Katib suggestion service, and their parsed values.

Katib validates settings in the suggestion service (``ValidateAlgorithmSettings``) when the Suggestion starts;
a failure fails the Experiment ("Suggestion has failed"). Katib stops at the first problem;
:func:`check_settings` reports every one, each with the YAML path of the offending entry
(``spec.algorithm.algorithmSettings[<i>].value``, or ``.name`` for an unknown name).

Values stay strings in the YAML. A value that does not parse is reported as Katib does: ``failed to validate
<name>(<value>): <reason>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Problem = tuple[str, str]
"""(YAML path, message)."""


@dataclass(frozen=True)
class Rule:
    """One known setting: how to parse it, which values are allowed and what Katib says otherwise."""

    parse: Callable[[str], Any]
    check: Callable[[Any], bool]
    message: str


def _choice(*allowed: str) -> Rule:
    return Rule(
        str, lambda v: v in allowed, "{name} {value} is not supported; use one of " + ", ".join(allowed)
    )


_RANDOM_STATE = Rule(int, lambda v: v >= 0, "random_state should be great or equal than zero")
_NON_NEGATIVE_INT = Rule(int, lambda v: v >= 0, "{name} should be great or equal than zero")


def _finite_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError(f"{raw} is not finite")
    return value


RULES: Mapping[str, Mapping[str, Rule]] = {
    "random": {"random_state": _RANDOM_STATE},
    "tpe": {
        "gamma": Rule(_finite_float, lambda v: 0 < v < 1, "gamma should be in the range of (0, 1)"),
        "prior_weight": Rule(_finite_float, lambda v: v > 0, "prior_weight should be great than zero"),
        "n_EI_candidates": Rule(int, lambda v: v > 0, "n_EI_candidates should be great than zero"),
        "random_state": _RANDOM_STATE,
    },
    "grid": {"random_state": _RANDOM_STATE},
    "multivariate-tpe": {
        "n_startup_trials": _NON_NEGATIVE_INT,
        "n_ei_candidates": _NON_NEGATIVE_INT,
        "random_state": _RANDOM_STATE,
    },
    "bayesianoptimization": {
        "base_estimator": _choice("GP", "RF", "ET", "GBRT"),
        "n_initial_points": _NON_NEGATIVE_INT,
        "acq_func": _choice("gp_hedge", "LCB", "EI", "PI", "EIps", "PIps"),
        "acq_optimizer": _choice("auto", "sampling", "lbfgs"),
        "random_state": _RANDOM_STATE,
    },
    # goptuna: unknown names are silently ignored (IGNORED_UNKNOWN below).
    "cmaes": {
        "random_state": _RANDOM_STATE,
        "sigma": Rule(_finite_float, lambda v: v > 0, "sigma should be greater than zero"),
        "restart_strategy": _choice("none", "ipop", "bipop"),
    },
    "sobol": {},
    "hyperband": {
        "r_l": Rule(_finite_float, lambda v: v > 0, "r_l must be a positive float number"),
        "eta": Rule(
            _finite_float,
            lambda v: v <= 0 or v >= 2,
            "eta must be at least 2 (or <= 0 for the default 3): Katib truncates it to an integer and "
            "divides by log(eta)",
        ),
        "resource_name": Rule(str, lambda v: bool(v), "resource_name must be specified"),
        "random_state": _RANDOM_STATE,
    },
    "pbt": {
        "suggestion_trial_dir": Rule(str, lambda v: bool(v), "suggestion_trial_dir must be specified"),
        "n_population": Rule(int, lambda v: v >= 5, "n_population should be greater than or equal to 5"),
        "truncation_threshold": Rule(
            _finite_float, lambda v: 0 <= v <= 1, "truncation_threshold should be in the range of [0, 1]"
        ),
        "resample_probability": Rule(
            _finite_float, lambda v: 0 <= v <= 1, "resample_probability should be in the range of [0, 1]"
        ),
        "random_state": _RANDOM_STATE,
    },
}
"""Known settings per algorithm name, as the mapped Katib v0.19 service checks them."""

REQUIRED: Mapping[str, Sequence[str]] = {
    "hyperband": ("r_l", "resource_name"),
    "pbt": ("suggestion_trial_dir", "n_population", "truncation_threshold"),
}
IGNORED_UNKNOWN = frozenset({"cmaes", "sobol", "hyperband", "pbt"})
"""Algorithms whose Katib service ignores setting names it does not know (goptuna, hyperband, pbt).

``random_state`` is known to hyperband and pbt here only: katib-local seeds their draws with it, and Katib,
which ignores the name, draws from NumPy's global generator."""


def settings_list(experiment: Mapping[str, Any]) -> list[Any]:
    algorithm = (experiment.get("spec") or {}).get("algorithm") or {}
    raw = algorithm.get("algorithmSettings") if isinstance(algorithm, Mapping) else None
    return list(raw) if isinstance(raw, list) else []


def check_settings(algorithm: str, settings: Sequence[Any]) -> list[Problem]:
    """Every settings problem for ``algorithm`` (must be a key of :data:`RULES`)."""
    rules = RULES[algorithm]
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(settings):
        path = f"spec.algorithm.algorithmSettings[{index}]"
        if not isinstance(entry, Mapping):
            problems.append((path, "must be a mapping with name and value"))
            continue
        name, value = entry.get("name"), entry.get("value")
        seen.add(str(name))
        rule = rules.get(str(name))
        if rule is None:
            if algorithm not in IGNORED_UNKNOWN:
                problems.append((f"{path}.name", f"unknown setting {name} for algorithm {algorithm}"))
            continue
        try:
            parsed = rule.parse(str(value) if value is not None else "")
        except ValueError as exc:
            problems.append((f"{path}.value", f"failed to validate {name}({value}): {exc}"))
            continue
        if not rule.check(parsed):
            problems.append((f"{path}.value", rule.message.format(name=name, value=value)))
    for name in REQUIRED.get(algorithm, ()):
        if name not in seen:
            problems.append(
                ("spec.algorithm.algorithmSettings", f"{name} must be set for algorithm {algorithm}")
            )
    return problems


def parsed_settings(algorithm: str, settings: Sequence[Any]) -> dict[str, Any]:
    """Known settings of ``algorithm`` parsed to their types; call after :func:`check_settings` found nothing.

    When a name is given twice, the last one wins (Katib builds a dict the same way).
    """
    rules = RULES[algorithm]
    values: dict[str, Any] = {}
    for entry in settings:
        rule = rules.get(str(entry.get("name")))
        if rule is not None:
            values[str(entry["name"])] = rule.parse(str(entry.get("value")))
    return values
