"""Field types, checked before anything else.

Katib's webhook decodes the Experiment into its Go structs first; a field of the wrong JSON type (a number
where Go has a ``string``, a list where it has a struct) fails that decoding and nothing else is checked. The
common case is an unquoted number: ``min: 0.01`` or ``value: 1`` must be written ``"0.01"`` and ``"1"``.

:func:`check_shape` reports every such field; when there is one, :func:`validate_experiment` reports only
these, as Katib would report only the decoding error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from katib_local.experiment.validation._finding import Finding

STR, INT, NUMBER, BOOL, MAP, LIST = "a string", "an integer", "a number", "a boolean", "a mapping", "a list"

_SETTINGS = {"": LIST, "[]": MAP, "[].name": STR, "[].value": STR}
_ALGORITHM = {"": MAP, ".algorithmName": STR, **{f".algorithmSettings{k}": v for k, v in _SETTINGS.items()}}
SHAPE: dict[str, str] = {
    "metadata": MAP,
    "metadata.name": STR,
    "metadata.namespace": STR,
    "spec": MAP,
    "spec.parallelTrialCount": INT,
    "spec.maxTrialCount": INT,
    "spec.maxFailedTrialCount": INT,
    "spec.resumePolicy": STR,
    "spec.objective": MAP,
    "spec.objective.type": STR,
    "spec.objective.goal": NUMBER,
    "spec.objective.objectiveMetricName": STR,
    "spec.objective.additionalMetricNames": LIST,
    "spec.objective.additionalMetricNames[]": STR,
    "spec.objective.metricStrategies": LIST,
    "spec.objective.metricStrategies[]": MAP,
    "spec.objective.metricStrategies[].name": STR,
    "spec.objective.metricStrategies[].value": STR,
    **{f"spec.algorithm{k}": v for k, v in _ALGORITHM.items()},
    **{f"spec.earlyStopping{k}": v for k, v in _ALGORITHM.items()},
    "spec.parameters": LIST,
    "spec.parameters[]": MAP,
    "spec.parameters[].name": STR,
    "spec.parameters[].parameterType": STR,
    "spec.parameters[].feasibleSpace": MAP,
    "spec.parameters[].feasibleSpace.min": STR,
    "spec.parameters[].feasibleSpace.max": STR,
    "spec.parameters[].feasibleSpace.step": STR,
    "spec.parameters[].feasibleSpace.distribution": STR,
    "spec.parameters[].feasibleSpace.list": LIST,
    "spec.parameters[].feasibleSpace.list[]": STR,
    "spec.nasConfig": MAP,
    "spec.trialTemplate": MAP,
    "spec.trialTemplate.primaryContainerName": STR,
    "spec.trialTemplate.primaryPodLabels": MAP,
    "spec.trialTemplate.successCondition": STR,
    "spec.trialTemplate.failureCondition": STR,
    "spec.trialTemplate.retain": BOOL,
    "spec.trialTemplate.trialParameters": LIST,
    "spec.trialTemplate.trialParameters[]": MAP,
    "spec.trialTemplate.trialParameters[].name": STR,
    "spec.trialTemplate.trialParameters[].description": STR,
    "spec.trialTemplate.trialParameters[].reference": STR,
    "spec.trialTemplate.trialSpec": MAP,
    "spec.trialTemplate.trialSpec.apiVersion": STR,
    "spec.trialTemplate.trialSpec.kind": STR,
    "spec.trialTemplate.trialSpec.metadata": MAP,
    "spec.trialTemplate.configMap": MAP,
    "spec.trialTemplate.configMap.configMapName": STR,
    "spec.trialTemplate.configMap.configMapNamespace": STR,
    "spec.trialTemplate.configMap.templatePath": STR,
    "spec.metricsCollectorSpec": MAP,
    "spec.metricsCollectorSpec.collector": MAP,
    "spec.metricsCollectorSpec.collector.kind": STR,
    "spec.metricsCollectorSpec.collector.customCollector": MAP,
    "spec.metricsCollectorSpec.source": MAP,
    "spec.metricsCollectorSpec.source.fileSystemPath": MAP,
    "spec.metricsCollectorSpec.source.fileSystemPath.path": STR,
    "spec.metricsCollectorSpec.source.fileSystemPath.kind": STR,
    "spec.metricsCollectorSpec.source.fileSystemPath.format": STR,
    "spec.metricsCollectorSpec.source.filter": MAP,
    "spec.metricsCollectorSpec.source.filter.metricsFormat": LIST,
    "spec.metricsCollectorSpec.source.filter.metricsFormat[]": STR,
    "spec.metricsCollectorSpec.source.httpGet": MAP,
    "spec.metricsCollectorSpec.source.httpGet.path": STR,
}
"""Expected JSON type per field path (``[]`` = every list element). Null is always allowed (field omitted)."""


def _is(value: Any, kind: str) -> bool:
    if kind == STR:
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == MAP:
        return isinstance(value, Mapping)
    return isinstance(value, list)


def _walk(node: Any, pattern: str, path: str) -> Iterator[tuple[str, str, Any]]:
    """``(pattern, concrete path, value)`` for each child of ``node`` whose pattern is in :data:`SHAPE`."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub_pattern = f"{pattern}.{key}" if pattern else str(key)
            if sub_pattern in SHAPE:
                yield sub_pattern, f"{path}.{key}" if path else str(key), value
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if f"{pattern}[]" in SHAPE:
                yield f"{pattern}[]", f"{path}[{index}]", value


def check_shape(experiment: Mapping[str, Any]) -> list[Finding]:
    """Every field whose JSON type differs from Katib's Go type, in document order."""
    findings: list[Finding] = []
    stack: list[tuple[str, str, Any]] = [("", "", experiment)]
    while stack:
        pattern, path, node = stack.pop(0)
        for sub_pattern, sub_path, value in _walk(node, pattern, path):
            if value is None:
                continue
            kind = SHAPE[sub_pattern]
            if not _is(value, kind):
                hint = " (quote it: Katib's field is a string)" if kind == STR and _is(value, NUMBER) else ""
                findings.append(Finding(sub_path, f"must be {kind}, got {value!r}{hint}", "error"))
            elif kind in (MAP, LIST):
                stack.append((sub_pattern, sub_path, value))
    return findings
