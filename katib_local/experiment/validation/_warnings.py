"""Things Katib accepts but a user should know, and what katib-local cannot check or run.

Each is a ``warning`` finding: validation still passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.experiment.validation._finding import Finding
from katib_local.suggestions import LOCAL_ALGORITHMS, UNSUPPORTED_ALGORITHMS

CONFIGMAP_UNRESOLVED = "trial template from a ConfigMap cannot be resolved locally"
"""Prefix of the warning for ``trialTemplate.configMap`` (the rest says what is not checked)."""


def _warning(path: str, message: str) -> Finding:
    return Finding(path, message, "warning")


def _off_grid(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) > 1e-9


def _quniform_warnings(parameters: list[Mapping[str, Any]]) -> list[Finding]:
    """hyperopt's ``quniform`` rounds to multiples of ``step``, not to ``min + k*step``."""
    findings: list[Finding] = []
    for index, parameter in enumerate(parameters):
        space = parameter.get("feasibleSpace") or {}
        ptype = parameter.get("parameterType")
        if ptype not in ("int", "double") or space.get("distribution") not in (None, "", "uniform"):
            continue
        try:
            step = float(space.get("step") or (1 if ptype == "int" else 0))
            low, high = float(space["min"]), float(space["max"])
        except (KeyError, TypeError, ValueError):
            continue
        if step > 0 and (_off_grid(low, step) or _off_grid(high, step)):
            findings.append(
                _warning(
                    f"spec.parameters[{index}].feasibleSpace.step",
                    f"random/tpe (hyperopt quniform) round to multiples of step {space.get('step')}, "
                    f"not to min + k*step: values can fall outside [{space['min']}, {space['max']}]; "
                    "make min and max multiples of step",
                )
            )
    return findings


def katib_behaviour_warnings(spec: Mapping[str, Any]) -> list[Finding]:
    """Every warning for a defaulted spec."""
    findings: list[Finding] = []
    algorithm = (spec.get("algorithm") or {}).get("algorithmName")
    parameters = [p for p in spec.get("parameters") or [] if isinstance(p, Mapping)]
    if algorithm in UNSUPPORTED_ALGORITHMS:
        findings.append(
            _warning(
                "spec.algorithm.algorithmName",
                f"{algorithm} runs on Katib only: katib-local validates this experiment but cannot run it "
                f"(local algorithms: {', '.join(sorted(LOCAL_ALGORITHMS))})",
            )
        )
    if algorithm == "hyperband":
        findings.append(
            _warning(
                "spec.algorithm.algorithmName",
                "hyperband on Katib v0.19 stops after its first rung: each later rung is smaller than the "
                "request, and the controller rejects such a reply and retries for ever "
                "(kubeflow/katib#1168); katib-local runs every rung",
            )
        )
    if algorithm == "pbt" and spec.get("resumePolicy") != "FromVolume":
        findings.append(
            _warning(
                "spec.resumePolicy",
                "pbt needs resumePolicy FromVolume on Katib v0.19: only then is the Suggestion's volume "
                "created, which the pod webhook mounts at suggestion_trial_dir in every trial (otherwise the "
                "trial pods wait for a claim that never exists)",
            )
        )
    if algorithm == "bayesianoptimization":
        for index, parameter in enumerate(parameters):
            space = parameter.get("feasibleSpace") or {}
            if parameter.get("parameterType") == "double" and space.get("distribution") != "logUniform":
                findings.append(
                    _warning(
                        f"spec.parameters[{index}].feasibleSpace.distribution",
                        "bayesianoptimization samples every double log-uniformly (skopt Real "
                        "'log-uniform'), "
                        f"not {space.get('distribution')}",
                    )
                )
            if parameter.get("parameterType") == "int" and space.get("step"):
                findings.append(
                    _warning(
                        f"spec.parameters[{index}].feasibleSpace.step",
                        "bayesianoptimization ignores step for int parameters (skopt Integer(min, max))",
                    )
                )
    if algorithm in ("random", "tpe"):
        findings += _quniform_warnings(parameters)
    if algorithm in ("cmaes", "sobol"):
        for index, parameter in enumerate(parameters):
            distribution = (parameter.get("feasibleSpace") or {}).get("distribution")
            if distribution not in (None, "", "uniform"):
                findings.append(
                    _warning(
                        f"spec.parameters[{index}].feasibleSpace.distribution",
                        f"{algorithm} (goptuna in Katib) ignores distribution {distribution}: sampled "
                        "uniformly",
                    )
                )
    if algorithm == "grid" and spec.get("maxTrialCount") is None:
        findings.append(
            _warning(
                "spec.maxTrialCount",
                "grid without maxTrialCount never ends: Katib does not stop on grid exhaustion and "
                "then re-suggests "
                "visited points; set maxTrialCount <= the number of combinations",
            )
        )
    collector = ((spec.get("metricsCollectorSpec") or {}).get("collector") or {}).get("kind")
    if spec.get("earlyStopping") is not None:
        if collector == "TensorFlowEvent":
            findings.append(
                _warning(
                    "spec.earlyStopping",
                    "the TensorFlowEvent collector does not early-stop in Katib v0.19 (its sidecar "
                    "does not accept "
                    "the stop rules); use StdOut or File",
                )
            )
        elif collector in ("PrometheusMetric", "Push", "Custom"):
            findings.append(
                _warning(
                    "spec.earlyStopping",
                    f"early-stopping rules are not enforced with the {collector} collector",
                )
            )
        if not (spec.get("trialTemplate") or {}).get("retain"):
            findings.append(
                _warning(
                    "spec.trialTemplate.retain",
                    "with retain: false an early-stopped trial's Job is deleted before its "
                    "observation is read "
                    "(Katib issue #1377); set retain: true",
                )
            )
    template = spec.get("trialTemplate") or {}
    if (
        isinstance(template, Mapping)
        and template.get("configMap") is not None
        and template.get("trialSpec") is None
    ):
        findings.append(
            _warning(
                "spec.trialTemplate.configMap",
                f"{CONFIGMAP_UNRESOLVED}: trialParameters usage, metadata and Job schema are not checked, "
                "and katib-local cannot run it",
            )
        )
    return findings
