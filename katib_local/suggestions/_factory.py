"""``algorithmName`` -> configured :class:`Suggester`, and the checks the mapped Katib service makes first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.experiment.search_space import (
    ParameterSpec,
    SearchSpaceError,
    grid_size,
    grid_values,
    parse_parameters,
)
from katib_local.suggestions._base import Suggester, SuggestionError
from katib_local.suggestions._settings import RULES, check_settings, parsed_settings, settings_list

# The libraries (optuna, hyperopt, scikit-optimize, cmaes) are imported where an algorithm is built, so that
# validation, which needs none of them but optuna's distribution check, stays quick to start.

LOCAL_ALGORITHMS = frozenset(
    {"random", "tpe", "grid", "multivariate-tpe", "bayesianoptimization", "cmaes", "sobol"}
)
"""Algorithms katib-local runs."""
UNSUPPORTED_ALGORITHMS = frozenset({"hyperband", "pbt", "enas", "darts"})
"""Algorithms Katib v0.19 ships that katib-local validates (webhook, settings) but does not run."""
OPTUNA_ALGORITHMS = frozenset({"grid", "multivariate-tpe"})


def _algorithm(experiment: Mapping[str, Any]) -> str:
    algorithm = (experiment.get("spec") or {}).get("algorithm") or {}
    return str(algorithm.get("algorithmName") or "") if isinstance(algorithm, Mapping) else ""


def _space_problems(
    name: str, specs: list[ParameterSpec], experiment: Mapping[str, Any]
) -> list[SuggestionError]:
    """Search-space problems that make the mapped service (or trial creation right after it) fail."""
    problems: list[SuggestionError] = []
    for index, spec in enumerate(specs):
        path = f"spec.parameters[{index}].feasibleSpace"
        log_scale = spec.distribution in ("logUniform", "logNormal")
        if name in ("random", "tpe") and spec.is_numeric and log_scale and spec.low <= 0:
            problems.append(
                SuggestionError(
                    f"{spec.distribution} needs min > 0 (hyperopt samples log(min)..log(max))", f"{path}.min"
                )
            )
        if name in OPTUNA_ALGORITHMS and spec.distribution in ("normal", "logNormal"):
            problems.append(
                SuggestionError(
                    f"distribution {spec.distribution} is not supported by {name} (optuna): Katib v0.19 "
                    "drops the parameter and trial creation fails with 'unable to find non-meta parameter'",
                    f"{path}.distribution",
                )
            )
        elif name == "multivariate-tpe" and spec.is_numeric:
            if spec.distribution == "logUniform" and spec.low <= 0:
                problems.append(SuggestionError("logUniform needs min > 0 (optuna log=True)", f"{path}.min"))
            else:
                from katib_local.suggestions._optuna import optuna_distribution

                try:
                    optuna_distribution(spec)
                except ValueError as exc:
                    problems.append(SuggestionError(f"optuna rejects this parameter: {exc}", path))
        if name == "bayesianoptimization" and spec.type == "double" and spec.low <= 0:
            problems.append(
                SuggestionError(
                    "bayesianoptimization samples doubles log-uniformly (skopt Real 'log-uniform'): "
                    "min must be > 0",
                    f"{path}.min",
                )
            )
        if name == "grid" and spec.type == "double" and spec.step is None:
            problems.append(
                SuggestionError(
                    f"Param {spec.name} step is nil; "
                    "For discrete search space, all parameters must include step",
                    f"{path}.step",
                )
            )
    if name == "grid" and not problems:
        size = grid_size(specs)
        max_trials = (experiment.get("spec") or {}).get("maxTrialCount")
        if isinstance(max_trials, int) and max_trials > size:
            problems.append(
                SuggestionError(
                    f"Max Trial Count: {max_trials} > all possible search combinations: {size}",
                    "spec.maxTrialCount",
                )
            )
    if name == "cmaes" and sum(1 for s in specs if s.is_numeric) < 2:
        problems.append(
            SuggestionError(
                "cmaes needs at least two double or int parameters (goptuna CMA-ES)", "spec.parameters"
            )
        )
    return problems


def validate_algorithm_settings(experiment: Mapping[str, Any]) -> list[SuggestionError]:
    """Every problem the algorithm's Katib service would report for ``experiment`` (a defaulted dict).

    Covers the ``algorithmSettings`` rules of random, tpe, grid, multivariate-tpe, bayesianoptimization,
    cmaes, sobol, hyperband and pbt, and the search-space checks of the local algorithms. An algorithm name
    outside :data:`LOCAL_ALGORITHMS` and the settings table gives no problem here (the webhook rule reports
    unknown names); enas/darts settings are not checked. A search space that cannot be parsed gives that one
    problem.
    """
    name = _algorithm(experiment)
    problems: list[SuggestionError] = []
    if name in RULES:
        problems += [
            SuggestionError(message, path)
            for path, message in check_settings(name, settings_list(experiment))
        ]
    if name in LOCAL_ALGORITHMS:
        try:
            specs = parse_parameters(experiment)
        except SearchSpaceError as exc:
            return [*problems, SuggestionError(exc.message, exc.path)]
        problems += _space_problems(name, specs, experiment)
    return problems


def make_suggester(experiment: Mapping[str, Any]) -> Suggester:
    """The configured suggester for a defaulted experiment.

    Raises:
        SuggestionError: the algorithm is unknown or not supported locally (hyperband, pbt, enas, darts), or
            :func:`validate_algorithm_settings` finds a problem (the first is raised).
    """
    name = _algorithm(experiment)
    if name in UNSUPPORTED_ALGORITHMS:
        raise SuggestionError(
            f"{name} is not supported by katib-local: it runs on Katib only "
            f"(local algorithms: {', '.join(sorted(LOCAL_ALGORITHMS))})",
            "spec.algorithm.algorithmName",
        )
    if name not in LOCAL_ALGORITHMS:
        raise SuggestionError(f"unknown algorithm name {name!r}", "spec.algorithm.algorithmName")
    problems = validate_algorithm_settings(experiment)
    if problems:
        first = problems[0]
        raise SuggestionError(f"{first.path}: {first.message}", first.path)
    spec = experiment.get("spec") or {}
    specs = parse_parameters(experiment)
    settings = parsed_settings(name, settings_list(experiment))
    maximize = (spec.get("objective") or {}).get("type") == "maximize"
    return _build(name, specs, settings, maximize, spec)


def _build(
    name: str, specs: list[ParameterSpec], settings: dict[str, Any], maximize: bool, spec: Mapping[str, Any]
) -> Suggester:
    from katib_local.suggestions._goptuna import CmaEsSuggester, SobolSuggester
    from katib_local.suggestions._hyperopt import HyperoptSuggester
    from katib_local.suggestions._optuna import GridSuggester, MultivariateTPESuggester
    from katib_local.suggestions._skopt import SkoptSuggester

    if name in ("random", "tpe"):
        parallel = int(spec.get("parallelTrialCount") or 3)
        max_trials = spec.get("maxTrialCount")
        startup = min(parallel, max_trials) if isinstance(max_trials, int) else parallel
        return HyperoptSuggester(name, specs, maximize=maximize, settings=settings, n_startup_jobs=startup)
    if name == "grid":
        for s in specs:
            grid_values(s)
        return GridSuggester(specs, maximize=maximize, random_state=settings.get("random_state"))
    if name == "multivariate-tpe":
        return MultivariateTPESuggester(specs, maximize=maximize, settings=settings)
    if name == "bayesianoptimization":
        return SkoptSuggester(specs, maximize=maximize, settings=settings)
    if name == "cmaes":
        return CmaEsSuggester(specs, maximize=maximize, settings=settings)
    return SobolSuggester(specs)
