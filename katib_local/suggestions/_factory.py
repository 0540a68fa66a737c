"""``algorithmName`` -> configured :class:`Suggester`, and the checks the mapped Katib service makes first."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from katib_local.experiment.search_space import (
    ParameterSpec,
    SearchSpaceError,
    grid_size,
    grid_values,
    parse_parameters,
)
from katib_local.suggestions._base import StatefulSuggester, Suggester, SuggestionError
from katib_local.suggestions._settings import RULES, check_settings, parsed_settings, settings_list

# The libraries (optuna, hyperopt, scikit-optimize, cmaes) are imported where an algorithm is built, so that
# validation, which needs none of them but optuna's distribution check, stays quick to start.

LOCAL_ALGORITHMS = frozenset(
    {
        "random",
        "tpe",
        "grid",
        "multivariate-tpe",
        "bayesianoptimization",
        "cmaes",
        "sobol",
        "hyperband",
        "pbt",
    }
)
"""Algorithms katib-local runs."""
STATEFUL_ALGORITHMS = frozenset({"hyperband", "pbt"})
"""Local algorithms whose suggester is a :class:`StatefulSuggester` (state kept between requests)."""
UNSUPPORTED_ALGORITHMS = frozenset({"enas", "darts"})
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
    if name == "hyperband":
        from katib_local.suggestions._hyperband import space_problem as hyperband_space

        problems += [p for p in [hyperband_space(specs), *_hyperband_rules(specs, experiment)] if p]
    if name == "pbt":
        from katib_local.suggestions._pbt import space_problem as pbt_space

        problems += [p for p in [pbt_space(specs)] if p]
    if name == "cmaes" and sum(1 for s in specs if s.is_numeric) < 2:
        problems.append(
            SuggestionError(
                "cmaes needs at least two double or int parameters (goptuna CMA-ES)", "spec.parameters"
            )
        )
    return problems


def _hyperband_rules(specs: list[ParameterSpec], experiment: Mapping[str, Any]) -> list[SuggestionError]:
    """Katib hyperband's ``ValidateAlgorithmSettings`` beyond single settings: parallelism and resource.

    Katib computes ``s_max = int(log(r_l) / log(int(eta)))`` here with ``eta`` truncated to an integer (the
    service itself then uses the float), and wants ``parallelTrialCount >= ceil(eta**s_max)``.
    """
    spec = experiment.get("spec") or {}
    settings = {
        str(e.get("name")): str(e.get("value")) for e in settings_list(experiment) if isinstance(e, Mapping)
    }
    problems: list[SuggestionError] = []
    try:
        r_l = float(settings["r_l"])
        eta = int(float(settings.get("eta", "3")))
    except (KeyError, ValueError):
        return problems  # reported by the settings rules
    eta = 3 if eta <= 0 else eta
    if r_l > 0 and eta > 1:
        s_max = int(math.log(r_l) / math.log(eta))
        needed = math.ceil(eta**s_max)
        if int(spec.get("parallelTrialCount") or 3) < needed:
            problems.append(
                SuggestionError(
                    f"parallelTrialCount must be not less than {needed}.", "spec.parallelTrialCount"
                )
            )
    resource = settings.get("resource_name")
    if resource is not None and resource not in {s.name for s in specs}:
        problems.append(
            SuggestionError(
                "value of resource_name setting must be in parameters.", "spec.algorithm.algorithmSettings"
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
    """The configured stateless suggester for a defaulted experiment (local algorithms but hyperband, pbt).

    Raises:
        SuggestionError: as :func:`make_service`, and for hyperband and pbt, which keep state between
            requests (use :func:`make_service`).
    """
    service = make_service(experiment)
    if isinstance(service, StatefulSuggester):
        raise SuggestionError(
            f"{_algorithm(experiment)} keeps state between requests: it has no stateless suggester",
            "spec.algorithm.algorithmName",
        )
    return service


def make_service(experiment: Mapping[str, Any]) -> Suggester | StatefulSuggester:
    """The configured suggestion service for a defaulted experiment: a stateful one for hyperband and pbt.

    Raises:
        SuggestionError: the algorithm is unknown or not supported locally (enas, darts), or
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
    if name == "hyperband":
        from katib_local.suggestions._hyperband import HyperbandSuggester

        raw = {str(e.get("name")): str(e.get("value")) for e in settings_list(experiment)}
        return HyperbandSuggester(specs, raw, maximize=maximize, random_state=settings.get("random_state"))
    if name == "pbt":
        from katib_local.suggestions._pbt import PbtSuggester

        metadata = experiment.get("metadata") or {}
        return PbtSuggester(str(metadata.get("name")), specs, settings, maximize=maximize)
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
