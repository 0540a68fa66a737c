"""Webhook rules on the experiment's own fields (notes section d, rules 2-7, 11-19, 36-40) and medianstop's
settings rules (section c).

Every function takes the defaulted experiment and returns its findings; none stops at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from katib_local.experiment.validation._finding import Finding
from katib_local.experiment.validation._katib_config import EARLY_STOPPINGS, SUGGESTIONS

NAME_PATTERN = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?")
"""Katib's experiment-name regex. It has no ``$``: only the first character and the length really count."""
MAX_NAME_LENGTH = 40
RESUME_POLICIES = ("Never", "LongRunning", "FromVolume")
PARAMETER_TYPES = ("double", "int", "categorical", "discrete", "unknown")
DISTRIBUTIONS = ("uniform", "logUniform", "normal", "logNormal", "unknown")


def _error(path: str, message: str) -> Finding:
    return Finding(path, message, "error")


def check_name(experiment: Mapping[str, Any]) -> list[Finding]:
    """Rule 2: ``metadata.name`` matches Katib's regex (prefix match) and has at most 40 characters."""
    name = (experiment.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        return [_error("metadata.name", "must be specified")]
    if len(name) > MAX_NAME_LENGTH or not NAME_PATTERN.match(name):
        return [
            _error(
                "metadata.name",
                "name must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                "character, and end with an alphanumeric character, and may not be longer than 40 characters",
            )
        ]
    return []


def _int_field(spec: Mapping[str, Any], key: str, findings: list[Finding]) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        findings.append(_error(f"spec.{key}", f"must be an integer, got {value!r}"))
        return None
    return value


def check_counts(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 3-7 on ``maxFailedTrialCount``, ``maxTrialCount`` and (defaulted) ``parallelTrialCount``."""
    findings: list[Finding] = []
    max_failed = _int_field(spec, "maxFailedTrialCount", findings)
    max_trials = _int_field(spec, "maxTrialCount", findings)
    parallel = _int_field(spec, "parallelTrialCount", findings)
    if max_failed is not None and max_failed < 0:
        findings.append(_error("spec.maxFailedTrialCount", "should not be less than 0"))
    if max_trials is not None and max_trials <= 0:
        findings.append(_error("spec.maxTrialCount", "must be greater than 0"))
    if parallel is not None and parallel <= 0:
        findings.append(_error("spec.parallelTrialCount", "must be greater than 0"))
    if max_failed is not None and max_trials is not None and max_failed > max_trials:
        findings.append(
            _error("spec.maxFailedTrialCount", "should be less than or equal to spec.maxTrialCount")
        )
    if parallel is not None and max_trials is not None and parallel > max_trials:
        findings.append(
            _error(
                "spec.parallelTrialCount",
                f"should be less than or equal to spec.maxTrialCount ({parallel} > {max_trials}; "
                "parallelTrialCount defaults to 3)",
            )
        )
    return findings


def check_objective(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 11-14. Katib stops at the first objective error; so does this section (others still run)."""
    objective = spec.get("objective")
    if not isinstance(objective, Mapping):
        return [_error("spec.objective", "must be specified")]
    if objective.get("type") not in ("minimize", "maximize"):
        return [_error("spec.objective.type", "must be minimize or maximize")]
    name = objective.get("objectiveMetricName")
    if not name:
        return [_error("spec.objective.objectiveMetricName", "must be specified")]
    if name in (objective.get("additionalMetricNames") or []):
        return [
            _error(
                "spec.objective.additionalMetricNames",
                "should not contain spec.objective.objectiveMetricName",
            )
        ]
    findings: list[Finding] = []
    goal = objective.get("goal")
    if goal is not None and (isinstance(goal, bool) or not isinstance(goal, (int, float))):
        findings.append(_error("spec.objective.goal", f"must be a number, got {goal!r}"))
    for index, strategy in enumerate(objective.get("metricStrategies") or []):
        value = strategy.get("value") if isinstance(strategy, Mapping) else None
        if value not in ("min", "max", "latest"):
            findings.append(
                _error(
                    f"spec.objective.metricStrategies[{index}].value", f"{value!r} is not min, max or latest"
                )
            )
    return findings


def check_algorithm(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 15-16: an algorithm name registered in katib-config."""
    algorithm = spec.get("algorithm")
    name = algorithm.get("algorithmName") if isinstance(algorithm, Mapping) else None
    if not name:
        return [_error("spec.algorithm.algorithmName", "must be specified")]
    if name not in SUGGESTIONS:
        return [
            _error(
                "spec.algorithm.algorithmName",
                f"unable to get Suggestion config data for algorithm {name}: "
                f"not one of {', '.join(sorted(SUGGESTIONS))}",
            )
        ]
    return []


def check_early_stopping(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 17-18, then medianstop settings: ``min_trials_required`` > 0, ``start_step`` >= 1, no others."""
    early = spec.get("earlyStopping")
    if early is None:
        return []
    name = early.get("algorithmName") if isinstance(early, Mapping) else None
    if not name:
        return [_error("spec.earlyStopping.algorithmName", "must be specified")]
    if name not in EARLY_STOPPINGS:
        return [
            _error(
                "spec.earlyStopping.algorithmName",
                f"unable to get EarlyStopping config data for algorithm {name}: only medianstop is "
                "registered",
            )
        ]
    findings: list[Finding] = []
    for index, setting in enumerate(early.get("algorithmSettings") or []):
        path = f"spec.earlyStopping.algorithmSettings[{index}]"
        setting_name = setting.get("name") if isinstance(setting, Mapping) else None
        value = setting.get("value") if isinstance(setting, Mapping) else None
        if setting_name not in ("min_trials_required", "start_step"):
            findings.append(
                _error(f"{path}.name", f"unknown setting {setting_name} for algorithm medianstop")
            )
            continue
        try:
            number = int(str(value))
        except ValueError:
            findings.append(
                _error(f"{path}.value", f"failed to validate {setting_name}({value}): not an integer")
            )
            continue
        if setting_name == "min_trials_required" and number <= 0:
            findings.append(_error(f"{path}.value", "min_trials_required must be greater than zero (>0)"))
        if setting_name == "start_step" and number < 1:
            findings.append(_error(f"{path}.value", "start_step must be greater or equal than one (>=1)"))
    return findings


def check_resume_policy(spec: Mapping[str, Any]) -> list[Finding]:
    """Rule 19."""
    policy = spec.get("resumePolicy")
    if policy not in ("", None, *RESUME_POLICIES):
        return [
            _error(
                "spec.resumePolicy",
                f"invalid ResumePolicyType {policy!r}: one of {', '.join(RESUME_POLICIES)}",
            )
        ]
    return []


def check_parameters(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 36-40: ``parameters`` xor ``nasConfig``; each type, distribution and feasibleSpace shape."""
    parameters, nas = spec.get("parameters"), spec.get("nasConfig")
    if not parameters and not nas:
        return [_error("spec.parameters", "spec.parameters or spec.nasConfig must be specified")]
    if parameters and nas:
        return [_error("spec.parameters", "only one of spec.parameters and spec.nasConfig can be specified")]
    if not parameters:
        return []
    if not isinstance(parameters, list):
        return [_error("spec.parameters", "must be a list")]
    findings: list[Finding] = []
    for index, parameter in enumerate(parameters):
        path = f"spec.parameters[{index}]"
        if not isinstance(parameter, Mapping):
            findings.append(_error(path, "must be a mapping"))
            continue
        ptype = parameter.get("parameterType")
        if ptype not in PARAMETER_TYPES:
            findings.append(_error(f"{path}.parameterType", f"parameterType: {ptype} is not supported"))
        space = parameter.get("feasibleSpace")
        if not isinstance(space, Mapping) or not any(space.get(k) for k in ("min", "max", "step", "list")):
            findings.append(_error(f"{path}.feasibleSpace", "feasibleSpace must be specified"))
            continue
        distribution = space.get("distribution")
        if distribution not in ("", None, *DISTRIBUTIONS):
            findings.append(
                _error(f"{path}.feasibleSpace.distribution", f"distribution: {distribution} is not supported")
            )
        if ptype in ("double", "int"):
            if space.get("list"):
                findings.append(
                    _error(
                        f"{path}.feasibleSpace.list",
                        f"feasibleSpace.list is not supported for parameterType {ptype}",
                    )
                )
            if not space.get("min") or not space.get("max"):
                missing = "min" if not space.get("min") else "max"
                findings.append(
                    _error(
                        f"{path}.feasibleSpace.{missing}",
                        f"feasibleSpace.max or feasibleSpace.min must be specified for parameterType {ptype}",
                    )
                )
        elif ptype in ("categorical", "discrete"):
            extra = [k for k in ("max", "min", "step") if space.get(k)]
            if extra:
                findings.append(
                    _error(
                        f"{path}.feasibleSpace.{extra[0]}",
                        f"feasibleSpace .max, .min and .step is not supported for parameterType {ptype}",
                    )
                )
    return findings
