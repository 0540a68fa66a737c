"""Bad values are refused before anything reaches a cluster, with a message naming the key and the rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .conftest import Values, helm


def with_change(base: Values, path: str, value: Any) -> Values:
    """A deep copy of ``base`` with the dotted ``path`` set to ``value``."""
    values = copy.deepcopy(base)
    node = values
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return values


# (dotted key, bad value, fragments the message must contain). Each is a different kind of mistake.
SCHEMA_CASES = [
    pytest.param(
        "model.name", "rul forecaster!", ["/model/name", "does not match pattern"], id="name-not-url-safe"
    ),
    pytest.param(
        "model.storage.subPath",
        "/mnt/shared/models/x/y",
        ["/model/storage/subPath", "pattern"],
        id="absolute-subpath",
    ),
    pytest.param(
        "model.storage.type", "s3", ["/model/storage/type", "'pvc'", "'volume'"], id="unknown-storage"
    ),
    pytest.param("image.tag", "", ["/image/tag", "minLength"], id="empty-tag"),
    pytest.param("replicaCount", -1, ["/replicaCount", "minimum"], id="negative-replicas"),
    pytest.param("replicaCount", "two", ["/replicaCount", "integer"], id="replicas-wrong-type"),
    pytest.param("service.type", "Ingress", ["/service/type", "ClusterIP"], id="bad-service-type"),
    pytest.param("server.restPort", 70000, ["/server/restPort", "maximum"], id="port-out-of-range"),
    pytest.param("gpu.count", 0, ["/gpu/count", "minimum"], id="zero-gpus"),
    pytest.param("batching.maxBatchSize", 0, ["/batching/maxBatchSize", "minimum"], id="empty-batches"),
    pytest.param(
        "autoscaling.targetCPUUtilizationPercentage", 150, ["targetCPUUtilizationPercentage"], id="cpu>100%"
    ),
    pytest.param("replicas", 3, ["additional properties", "replicas"], id="typo-top-level-key"),
    pytest.param("image.digest", "latest", ["/image/digest"], id="digest-not-sha256"),
]


@pytest.mark.parametrize(("key", "value", "fragments"), SCHEMA_CASES)
def test_schema_rejects_bad_value(
    chart: Any, render_raw: Any, default_values: Values, key: str, value: Any, fragments: list[str]
) -> None:
    values = with_change(default_values, key, value)
    with pytest.raises(helm.HelmValuesError) as caught:
        render_raw(values)
    message = str(caught.value)
    assert "values don't meet the specifications of the schema" in message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), message
    # validate_schema (what `helm install` runs first) refuses the same values.
    with pytest.raises(helm.HelmValuesError):
        chart.validate_schema(values)


def test_schema_accepts_every_shipped_default(chart: Any) -> None:
    chart.validate_schema(chart.values)


# Rules across keys, which JSON Schema cannot state; the templates fail with the fix.
TEMPLATE_CASES = [
    pytest.param(
        {"model": {"storage": {"subPath": ""}}}, "model.storage.subPath is required", id="no-subpath"
    ),
    pytest.param(
        {"model": {"storage": {"subPath": "models/../../etc"}}},
        'model.storage.subPath "models/../../etc" must stay inside the volume',
        id="subpath-escapes",
    ),
    pytest.param(
        {"image": {"tag": "latest"}},
        'image.tag "latest" is refused: pin a TF Serving release',
        id="unpinned-latest-tag",
    ),
    pytest.param(
        {"model": {"storage": {"type": "volume", "volume": {}}}},
        "model.storage.volume is required",
        id="volume-without-source",
    ),
    pytest.param(
        {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}},
        "autoscaling.minReplicas (5) must not exceed autoscaling.maxReplicas (2)",
        id="hpa-min>max",
    ),
    pytest.param(
        {"podDisruptionBudget": {"enabled": True, "minAvailable": 1, "maxUnavailable": 1}},
        "set minAvailable or maxUnavailable, not both",
        id="pdb-both",
    ),
    pytest.param(
        {"batching": {"enabled": True, "maxBatchSize": 64, "allowedBatchSizes": [8, 32]}},
        "batching.allowedBatchSizes must end with batching.maxBatchSize (64)",
        id="batch-sizes",
    ),
]


def merge(base: Values, override: Values) -> Values:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@pytest.mark.parametrize(("override", "message"), TEMPLATE_CASES)
def test_template_rejects_inconsistent_values(
    render_raw: Any, default_values: Values, override: Values, message: str
) -> None:
    with pytest.raises(helm.HelmRenderError) as caught:
        render_raw(merge(default_values, override))
    assert message in str(caught.value)


def test_chart_defaults_alone_refuse_to_guess_the_model(render_raw: Any) -> None:
    """With no values the chart names the one thing the user must supply instead of serving nothing."""
    with pytest.raises(helm.HelmRenderError, match="katib-local best NAME --helm-values FILE"):
        render_raw({})
