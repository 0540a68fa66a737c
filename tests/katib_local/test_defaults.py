"""Katib's mutating-webhook defaults."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from katib_local.experiment.defaults import (
    JOB_FAILURE_CONDITION,
    JOB_SUCCESS_CONDITION,
    KUBEFLOW_JOB_SUCCESS_CONDITION,
    apply_defaults,
)


def minimal(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "objective": {
            "type": "maximize",
            "objectiveMetricName": "accuracy",
            "additionalMetricNames": ["loss"],
        },
        "parameters": [
            {"name": "lr", "parameterType": "double", "feasibleSpace": {"min": "0.1", "max": "1"}}
        ],
        "trialTemplate": {"trialSpec": {"apiVersion": "batch/v1", "kind": "Job"}},
    }
    base.update(spec)
    return {"apiVersion": "kubeflow.org/v1beta1", "kind": "Experiment", "spec": base}


def test_top_level_defaults_and_no_max_trial_count() -> None:
    spec = apply_defaults(minimal())["spec"]
    assert spec["parallelTrialCount"] == 3
    assert spec["resumePolicy"] == "Never"
    assert "maxTrialCount" not in spec
    assert spec["parameters"][0]["feasibleSpace"]["distribution"] == "uniform"
    assert spec["metricsCollectorSpec"] == {"collector": {"kind": "StdOut"}}


def test_additional_metrics_get_the_objective_strategy_not_latest() -> None:
    strategies = apply_defaults(minimal())["spec"]["objective"]["metricStrategies"]
    assert strategies == [{"name": "accuracy", "value": "max"}, {"name": "loss", "value": "max"}]


def test_listed_strategies_are_kept() -> None:
    objective = {
        "type": "minimize",
        "objectiveMetricName": "loss",
        "additionalMetricNames": ["accuracy", "f1"],
        "metricStrategies": [{"name": "accuracy", "value": "latest"}],
    }
    strategies = apply_defaults(minimal(objective=objective))["spec"]["objective"]["metricStrategies"]
    assert strategies == [
        {"name": "accuracy", "value": "latest"},
        {"name": "loss", "value": "min"},
        {"name": "f1", "value": "min"},
    ]


def test_unknown_objective_type_gives_latest() -> None:
    objective = {"type": "", "objectiveMetricName": "loss"}
    assert apply_defaults(minimal(objective=objective))["spec"]["objective"]["metricStrategies"] == [
        {"name": "loss", "value": "latest"}
    ]


@pytest.mark.parametrize(
    ("kind", "success", "labels"),
    [
        ("Job", JOB_SUCCESS_CONDITION, None),
        ("TFJob", KUBEFLOW_JOB_SUCCESS_CONDITION, {"training.kubeflow.org/job-role": "master"}),
        ("TrainJob", JOB_SUCCESS_CONDITION, {"jobset.sigs.k8s.io/replicatedjob-name": "node"}),
    ],
)
def test_trial_template_conditions_by_kind(kind: str, success: str, labels: dict[str, str] | None) -> None:
    template = apply_defaults(minimal(trialTemplate={"trialSpec": {"apiVersion": "x/v1", "kind": kind}}))[
        "spec"
    ]["trialTemplate"]
    assert template["successCondition"] == success
    assert template["failureCondition"] == JOB_FAILURE_CONDITION
    assert template.get("primaryPodLabels") == labels


def test_unknown_kind_and_configmap_templates_get_no_conditions() -> None:
    for template in (
        {"trialSpec": {"apiVersion": "x/v1", "kind": "Workflow"}},
        {"configMap": {"configMapName": "t"}},
    ):
        defaulted = apply_defaults(minimal(trialTemplate=template))["spec"]["trialTemplate"]
        assert "successCondition" not in defaulted and "failureCondition" not in defaulted


def test_explicit_values_kept() -> None:
    template = {
        "trialSpec": {"apiVersion": "x/v1", "kind": "PyTorchJob"},
        "successCondition": "s",
        "primaryPodLabels": {"a": "b"},
    }
    defaulted = apply_defaults(
        minimal(trialTemplate=template, parallelTrialCount=1, resumePolicy="LongRunning")
    )
    assert defaulted["spec"]["trialTemplate"]["successCondition"] == "s"
    assert defaulted["spec"]["trialTemplate"]["primaryPodLabels"] == {"a": "b"}
    assert (defaulted["spec"]["parallelTrialCount"], defaulted["spec"]["resumePolicy"]) == (1, "LongRunning")


@pytest.mark.parametrize(
    ("collector", "expected_source"),
    [
        (
            {"kind": "File"},
            {"fileSystemPath": {"kind": "File", "path": "/var/log/katib/metrics.log", "format": "TEXT"}},
        ),
        (
            {"kind": "TensorFlowEvent"},
            {"fileSystemPath": {"kind": "Directory", "path": "/var/log/katib/tfevent/"}},
        ),
        ({"kind": "PrometheusMetric"}, {"httpGet": {"path": "/metrics", "port": 8080}}),
    ],
)
def test_collector_source_defaults(collector: dict[str, str], expected_source: dict[str, Any]) -> None:
    spec = apply_defaults(minimal(metricsCollectorSpec={"collector": collector}))["spec"]
    assert spec["metricsCollectorSpec"]["source"] == expected_source


def test_file_collector_keeps_given_path_and_format() -> None:
    mcs = {"collector": {"kind": "File"}, "source": {"fileSystemPath": {"path": "/m.json", "format": "JSON"}}}
    source = apply_defaults(minimal(metricsCollectorSpec=mcs))["spec"]["metricsCollectorSpec"]["source"]
    assert source == {"fileSystemPath": {"path": "/m.json", "format": "JSON", "kind": "File"}}


def test_input_untouched_and_idempotent() -> None:
    experiment = minimal()
    snapshot = copy.deepcopy(experiment)
    once = apply_defaults(experiment)
    assert experiment == snapshot
    assert apply_defaults(once) == once


def test_broken_sections_left_for_validation() -> None:
    experiment = {"spec": {"objective": "fast", "trialTemplate": 3, "parameters": ["x"]}}
    spec = apply_defaults(experiment)["spec"]
    assert (spec["objective"], spec["trialTemplate"], spec["parameters"]) == ("fast", 3, ["x"])
    assert apply_defaults({"metadata": {}}) == {"metadata": {}}
