"""Each webhook, settings and warning rule, broken one at a time on a valid base experiment."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from katib_local.experiment.loader import find_experiments, load_yaml_documents, namespace_labels
from katib_local.experiment.validation import Finding, validate_experiment

DATA = Path(__file__).parent / "data" / "spec"
DELETE = object()


def base_documents() -> list[dict[str, Any]]:
    return load_yaml_documents(DATA / "base-experiment.yaml")


def base() -> dict[str, Any]:
    return find_experiments(base_documents())[0]


def mutate(experiment: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``experiment`` with each dotted path (``a.b[2].c``) set, or deleted with ``DELETE``."""
    result = copy.deepcopy(experiment)
    for path, value in changes.items():
        keys: list[str | int] = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
        node: Any = result
        for key in keys[:-1]:
            node = node[key]
        if value is DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = copy.deepcopy(value)
    return result


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def warnings_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "warning"]


def test_base_experiment_is_valid() -> None:
    docs = base_documents()
    assert validate_experiment(find_experiments(docs)[0], namespace_labels=namespace_labels(docs)) == []


JOB = "spec.trialTemplate.trialSpec"
CONTAINER = f"{JOB}.spec.template.spec.containers[0]"
MEDIAN = {"algorithmName": "medianstop", "algorithmSettings": [{"name": "start_step", "value": "2"}]}
TEMPLATE_PARAMS = "spec.trialTemplate.trialParameters"

WEBHOOK_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (rule id, mutation, expected path, message fragment)
    ("2-case", {"metadata.name": "Base"}, "metadata.name", "lower case alphanumeric"),
    ("2-length", {"metadata.name": "a" * 41}, "metadata.name", "longer than 40"),
    ("2-missing", {"metadata.name": DELETE}, "metadata.name", "must be specified"),
    ("3", {"spec.maxFailedTrialCount": -1}, "spec.maxFailedTrialCount", "should not be less than 0"),
    ("4", {"spec.maxTrialCount": 0}, "spec.maxTrialCount", "must be greater than 0"),
    ("5", {"spec.parallelTrialCount": 0}, "spec.parallelTrialCount", "must be greater than 0"),
    (
        "6",
        {"spec.maxFailedTrialCount": 5},
        "spec.maxFailedTrialCount",
        "less than or equal to spec.maxTrialCount",
    ),
    (
        "7",
        {"spec.parallelTrialCount": 5},
        "spec.parallelTrialCount",
        "less than or equal to spec.maxTrialCount",
    ),
    (
        "7-default-3",
        {"spec.parallelTrialCount": DELETE, "spec.maxTrialCount": 2, "spec.maxFailedTrialCount": 1},
        "spec.parallelTrialCount",
        "parallelTrialCount defaults to 3",
    ),
    ("11", {"spec.objective": DELETE}, "spec.objective", "must be specified"),
    ("12", {"spec.objective.type": "lower"}, "spec.objective.type", "must be minimize or maximize"),
    (
        "13",
        {"spec.objective.objectiveMetricName": ""},
        "spec.objective.objectiveMetricName",
        "must be specified",
    ),
    (
        "14",
        {"spec.objective.additionalMetricNames": ["loss", "val_rmse"]},
        "spec.objective.additionalMetricNames",
        "should not contain",
    ),
    (
        "strategy",
        {"spec.objective.metricStrategies": [{"name": "val_rmse", "value": "mean"}]},
        "spec.objective.metricStrategies[0].value",
        "not min, max or latest",
    ),
    ("goal", {"spec.objective.goal": "low"}, "spec.objective.goal", "must be a number"),
    ("15", {"spec.algorithm.algorithmName": ""}, "spec.algorithm.algorithmName", "must be specified"),
    (
        "16",
        {"spec.algorithm.algorithmName": "anneal"},
        "spec.algorithm.algorithmName",
        "unable to get Suggestion",
    ),
    (
        "17",
        {"spec.earlyStopping": {"algorithmName": ""}},
        "spec.earlyStopping.algorithmName",
        "must be specified",
    ),
    (
        "18",
        {"spec.earlyStopping": {"algorithmName": "hyperband"}},
        "spec.earlyStopping.algorithmName",
        "EarlyStopping",
    ),
    ("19", {"spec.resumePolicy": "Sometimes"}, "spec.resumePolicy", "invalid ResumePolicyType"),
    ("20", {"spec.trialTemplate": DELETE}, "spec.trialTemplate", "must be specified"),
    (
        "21",
        {"spec.trialTemplate.primaryContainerName": ""},
        "spec.trialTemplate.primaryContainerName",
        "must be specified",
    ),
    (
        "22",
        {f"{JOB}.apiVersion": "example.com/v1", f"{JOB}.kind": "Workflow"},
        "spec.trialTemplate",
        "successCondition and failureCondition must be specified",
    ),
    (
        "22-configmap-not-defaulted",
        {
            JOB: DELETE,
            "spec.trialTemplate.configMap": {
                "configMapName": "a",
                "configMapNamespace": "b",
                "templatePath": "c",
            },
        },
        "spec.trialTemplate",
        "successCondition and failureCondition must be specified",
    ),
    ("23", {TEMPLATE_PARAMS: DELETE}, TEMPLATE_PARAMS, "must be specified"),
    ("24-neither", {JOB: DELETE}, "spec.trialTemplate", "trialSpec or spec.trialTemplate.configMap must be"),
    (
        "24-both",
        {
            "spec.trialTemplate.configMap": {
                "configMapName": "a",
                "configMapNamespace": "b",
                "templatePath": "c",
            }
        },
        "spec.trialTemplate",
        "only one of",
    ),
    (
        "25",
        {JOB: DELETE, "spec.trialTemplate.configMap": {"configMapName": "a", "configMapNamespace": "b"}},
        "spec.trialTemplate.configMap",
        "templatePath must be specified",
    ),
    ("27-reference", {f"{TEMPLATE_PARAMS}[0].reference": ""}, f"{TEMPLATE_PARAMS}[0]", "name and reference"),
    ("27-brace", {f"{TEMPLATE_PARAMS}[0].name": "lr}"}, f"{TEMPLATE_PARAMS}[0]", "must not contain"),
    (
        "28-name",
        {f"{TEMPLATE_PARAMS}[1].name": "learningRate"},
        f"{TEMPLATE_PARAMS}[1].name",
        "can't be duplicated",
    ),
    (
        "28-reference",
        {f"{TEMPLATE_PARAMS}[1].reference": "lr"},
        f"{TEMPLATE_PARAMS}[1].reference",
        "duplicated",
    ),
    ("29", {f"{TEMPLATE_PARAMS}[0].reference": "rate"}, f"{TEMPLATE_PARAMS}[0].reference", "does not exist"),
    (
        "29-meta",
        {f"{TEMPLATE_PARAMS}[3].reference": "${trialSpec.Uid}"},
        f"{TEMPLATE_PARAMS}[3].reference",
        "does not exist",
    ),
    (
        "30",
        {f"{CONTAINER}.command[3]": "--lr=0.1"},
        f"{TEMPLATE_PARAMS}[0].name",
        "learningRate in spec.trialParameters not found in spec.trialTemplate",
    ),
    (
        "31",
        {f"{CONTAINER}.command[6]": "--run-name=${trialParameters.trialName}${trialParameters.runName}"},
        JOB,
        "['runName'] in spec.trialTemplate not found in spec.trialParameters",
    ),
    ("33", {f"{JOB}.metadata": {"name": "fixed"}}, f"{JOB}.metadata", "must be omitted"),
    ("34", {f"{JOB}.kind": DELETE}, JOB, "APIVersion and Kind"),
    ("35-field", {f"{CONTAINER}.imagePullPolice": "Always"}, CONTAINER, "'imagePullPolice' was unexpected"),
    ("35-type", {f"{JOB}.spec.backoffLimit": "none"}, f"{JOB}.spec.backoffLimit", "unable to convert to Job"),
    ("36-none", {"spec.parameters": DELETE}, "spec.parameters", "spec.parameters or spec.nasConfig"),
    ("36-both", {"spec.nasConfig": {"graphConfig": {"numLayers": 1}}}, "spec.parameters", "only one of"),
    (
        "37-type",
        {"spec.parameters[0].parameterType": "float"},
        "spec.parameters[0].parameterType",
        "not supported",
    ),
    (
        "37-distribution",
        {"spec.parameters[0].feasibleSpace.distribution": "gaussian"},
        "spec.parameters[0].feasibleSpace.distribution",
        "distribution: gaussian is not supported",
    ),
    ("38", {"spec.parameters[0].feasibleSpace": {}}, "spec.parameters[0].feasibleSpace", "must be specified"),
    (
        "39-list",
        {"spec.parameters[0].feasibleSpace.list": ["0.1"]},
        "spec.parameters[0].feasibleSpace.list",
        "list is not supported",
    ),
    (
        "39-max",
        {"spec.parameters[1].feasibleSpace.max": DELETE},
        "spec.parameters[1].feasibleSpace.max",
        "feasibleSpace.max or feasibleSpace.min must be specified",
    ),
    (
        "40",
        {"spec.parameters[2].feasibleSpace.min": "1"},
        "spec.parameters[2].feasibleSpace.min",
        ".max, .min and .step is not supported",
    ),
    (
        "41",
        {"spec.metricsCollectorSpec": {"collector": {"kind": "PrometheusMetric"}}},
        "spec.metricsCollectorSpec.collector.kind",
        "GetMetricsCollectorConfigData failed",
    ),
    (
        "42-path",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "File"},
                "source": {"fileSystemPath": {"path": "metrics.log", "kind": "File"}},
            }
        },
        "spec.metricsCollectorSpec.source.fileSystemPath",
        "file path where metrics file exists is required",
    ),
    (
        "42-format",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "File"},
                "source": {"fileSystemPath": {"path": "/m.log", "kind": "File", "format": "XML"}},
            }
        },
        "spec.metricsCollectorSpec.source.fileSystemPath.format",
        "format of metrics file is required",
    ),
    (
        "42-json-filter",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "File"},
                "source": {
                    "fileSystemPath": {"path": "/m.json", "kind": "File", "format": "JSON"},
                    "filter": {"metricsFormat": ["(\\w+)=(\\d+)"]},
                },
            }
        },
        "spec.metricsCollectorSpec.source.filter",
        "filter must be nil when format of metrics file is json",
    ),
    (
        "43-kind",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "TensorFlowEvent"},
                "source": {"fileSystemPath": {"path": "/logs", "kind": "File"}},
            }
        },
        "spec.metricsCollectorSpec.source.fileSystemPath",
        "directory path where tensorflow event files exist",
    ),
    (
        "43-format",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "TensorFlowEvent"},
                "source": {"fileSystemPath": {"path": "/logs", "kind": "Directory", "format": "TEXT"}},
            }
        },
        "spec.metricsCollectorSpec.source.fileSystemPath.format",
        "must be empty",
    ),
    (
        "44-port",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "PrometheusMetric"},
                "source": {"httpGet": {"port": -1, "path": "/metrics"}},
            }
        },
        "spec.metricsCollectorSpec.source.httpGet.port",
        "positive integer",
    ),
    (
        "44-path",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "PrometheusMetric"},
                "source": {"httpGet": {"port": 8080, "path": "metrics"}},
            }
        },
        "spec.metricsCollectorSpec.source.httpGet.path",
        "path is invalid",
    ),
    (
        "45",
        {"spec.metricsCollectorSpec": {"collector": {"kind": "Custom"}}},
        "spec.metricsCollectorSpec.collector.customCollector",
        "Custom is required",
    ),
    (
        "45-source",
        {
            "spec.metricsCollectorSpec": {
                "collector": {"kind": "Custom", "customCollector": {"name": "c", "image": "c"}},
                "source": {"fileSystemPath": {"path": "relative", "kind": "File"}},
            }
        },
        "spec.metricsCollectorSpec.source",
        "source is invalid",
    ),
    (
        "46",
        {"spec.metricsCollectorSpec": {"collector": {"kind": "None"}}},
        "spec.metricsCollectorSpec.collector.kind",
        "invalid metrics collector kind: None",
    ),
    (
        "47-compile",
        {"spec.metricsCollectorSpec": {"source": {"filter": {"metricsFormat": ["(\\w+=(\\d+"]}}}},
        "spec.metricsCollectorSpec.source.filter.metricsFormat[0]",
        "invalid filter",
    ),
    (
        "47-groups",
        {"spec.metricsCollectorSpec": {"source": {"filter": {"metricsFormat": ["((\\w+)=(\\d+))"]}}}},
        "spec.metricsCollectorSpec.source.filter.metricsFormat[0]",
        "two top subexpressions",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"), [c[1:] for c in WEBHOOK_CASES], ids=[c[0] for c in WEBHOOK_CASES]
)
def test_webhook_rule(mutation: dict[str, Any], path: str, fragment: str) -> None:
    found = errors(validate_experiment(mutate(base(), mutation)))
    assert any(f.path == path and fragment in f.message for f in found), found


def test_primary_container_must_name_a_container_of_the_pod() -> None:
    """Katib's Experiment webhook lets it through; its pod webhook then fails every trial's pod."""
    experiment = base()
    names = [
        c["name"]
        for c in experiment["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"]
    ]
    found = errors(
        validate_experiment(mutate(experiment, {"spec.trialTemplate.primaryContainerName": "missing"}))
    )
    [finding] = [f for f in found if f.path == "spec.trialTemplate.primaryContainerName"]
    assert "'missing' names no container of the trial's pod" in finding.message
    assert f"(containers: {', '.join(names)})" in finding.message
    assert "Unable to find primary container missing" in finding.message


SHAPE_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("count", {"spec.maxTrialCount": "ten"}, "spec.maxTrialCount", "must be an integer, got 'ten'"),
    (
        "unquoted-min",
        {"spec.parameters[0].feasibleSpace.min": 0.001},
        "spec.parameters[0].feasibleSpace.min",
        "quote it",
    ),
    (
        "unquoted-setting",
        {"spec.algorithm.algorithmSettings[0].value": 1},
        "spec.algorithm.algorithmSettings[0].value",
        "quote it",
    ),
    (
        "list-item",
        {"spec.parameters[2].feasibleSpace.list": ["adam", 1]},
        "spec.parameters[2].feasibleSpace.list[1]",
        "string",
    ),
    ("section", {"spec.objective": ["val_rmse"]}, "spec.objective", "must be a mapping"),
    ("retain", {"spec.trialTemplate.retain": "yes"}, "spec.trialTemplate.retain", "must be a boolean"),
    ("kind", {f"{JOB}.kind": ["Job"]}, f"{JOB}.kind", "must be a string"),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"), [c[1:] for c in SHAPE_CASES], ids=[c[0] for c in SHAPE_CASES]
)
def test_wrong_json_type_is_reported_alone_like_katibs_decoding(
    mutation: dict[str, Any], path: str, fragment: str
) -> None:
    broken = mutate(base(), {**mutation, "spec.maxFailedTrialCount": 9})  # a rule error that must not show
    found = validate_experiment(broken)
    assert [f.path for f in found] == [path] and fragment in found[0].message, found


def test_shape_errors_are_all_reported() -> None:
    broken = mutate(base(), {"spec.maxTrialCount": "4", "spec.parameters[1].feasibleSpace.max": 64})
    assert [f.path for f in validate_experiment(broken)] == [
        "spec.maxTrialCount",
        "spec.parameters[1].feasibleSpace.max",
    ]


def test_namespace_label_checked_only_for_namespaces_in_the_file_set() -> None:
    experiment = base()
    lacking = validate_experiment(experiment, namespace_labels={"hpo": {"team": "ml"}})
    assert [(f.path, f.severity) for f in lacking] == [("metadata.namespace", "error")]
    assert "lacks label" in lacking[0].message
    assert validate_experiment(experiment, namespace_labels={"other": {}}) == []
    assert validate_experiment(experiment, namespace_labels=None) == []
    default_ns = mutate(experiment, {"metadata.namespace": DELETE})
    assert (
        errors(validate_experiment(default_ns, namespace_labels={"default": {}}))[0].path
        == "metadata.namespace"
    )


def test_name_regex_has_no_end_anchor_like_katib() -> None:
    assert validate_experiment(mutate(base(), {"metadata.name": "a_b"})) == []


MEDIAN_CASES: list[tuple[str, list[dict[str, str]], str, str]] = [
    ("min-trials", [{"name": "min_trials_required", "value": "0"}], "[0].value", "greater than zero (>0)"),
    ("start-step", [{"name": "start_step", "value": "0"}], "[0].value", "greater or equal than one (>=1)"),
    ("not-int", [{"name": "start_step", "value": "two"}], "[0].value", "failed to validate start_step(two)"),
    ("unknown", [{"name": "min_trials", "value": "3"}], "[0].name", "unknown setting min_trials"),
]


@pytest.mark.parametrize(
    ("settings", "suffix", "fragment"), [c[1:] for c in MEDIAN_CASES], ids=[c[0] for c in MEDIAN_CASES]
)
def test_medianstop_setting_rule(settings: list[dict[str, str]], suffix: str, fragment: str) -> None:
    early = {"algorithmName": "medianstop", "algorithmSettings": settings}
    experiment = mutate(base(), {"spec.earlyStopping": early, "spec.trialTemplate.retain": True})
    found = errors(validate_experiment(experiment))
    assert [(f.path, fragment in f.message) for f in found] == [
        (f"spec.earlyStopping.algorithmSettings{suffix}", True)
    ]


def algorithm(name: str, *settings: tuple[str, str]) -> dict[str, Any]:
    return {"algorithmName": name, "algorithmSettings": [{"name": k, "value": v} for k, v in settings]}


SETTINGS = "spec.algorithm.algorithmSettings"
GRID_STEP = {"spec.parameters[0].feasibleSpace.step": "0.011"}
SETTINGS_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "random-unknown",
        {"spec.algorithm": algorithm("random", ("gamma", "0.5"))},
        f"{SETTINGS}[0].name",
        "unknown",
    ),
    (
        "random-state",
        {"spec.algorithm": algorithm("random", ("random_state", "-1"))},
        f"{SETTINGS}[0].value",
        "great or equal",
    ),
    (
        "random-parse",
        {"spec.algorithm": algorithm("random", ("random_state", "x"))},
        f"{SETTINGS}[0].value",
        "failed to validate",
    ),
    ("tpe-gamma", {"spec.algorithm": algorithm("tpe", ("gamma", "1.5"))}, f"{SETTINGS}[0].value", "(0, 1)"),
    (
        "tpe-prior",
        {"spec.algorithm": algorithm("tpe", ("prior_weight", "0"))},
        f"{SETTINGS}[0].value",
        "prior_weight",
    ),
    (
        "tpe-ei",
        {"spec.algorithm": algorithm("tpe", ("n_EI_candidates", "0"))},
        f"{SETTINGS}[0].value",
        "n_EI_candidates",
    ),
    (
        "tpe-log-min",
        {
            "spec.algorithm": algorithm("tpe"),
            "spec.parameters[0].feasibleSpace": {"min": "0", "max": "1", "distribution": "logUniform"},
        },
        "spec.parameters[0].feasibleSpace.min",
        "needs min > 0",
    ),
    (
        "grid-unknown",
        {"spec.algorithm": algorithm("grid", ("seed", "1")), **GRID_STEP},
        f"{SETTINGS}[0].name",
        "unknown setting seed",
    ),
    (
        "grid-step",
        {"spec.algorithm": algorithm("grid")},
        "spec.parameters[0].feasibleSpace.step",
        "step is nil",
    ),
    (
        "grid-size",
        {
            "spec.algorithm": algorithm("grid"),
            **GRID_STEP,
            "spec.maxTrialCount": 200,
            "spec.maxFailedTrialCount": 0,
        },
        "spec.maxTrialCount",
        "Max Trial Count: 200 > all possible search combinations: 160",
    ),
    (
        "grid-normal",
        {
            "spec.algorithm": algorithm("grid"),
            **GRID_STEP,
            "spec.parameters[1].feasibleSpace.distribution": "normal",
        },
        "spec.parameters[1].feasibleSpace.distribution",
        "unable to find non-meta parameter",
    ),
    (
        "mtpe-startup",
        {"spec.algorithm": algorithm("multivariate-tpe", ("n_startup_trials", "-1"))},
        f"{SETTINGS}[0].value",
        "great or equal",
    ),
    (
        "mtpe-unknown",
        {"spec.algorithm": algorithm("multivariate-tpe", ("gamma", "0.1"))},
        f"{SETTINGS}[0].name",
        "unknown setting",
    ),
    (
        "mtpe-lognormal",
        {
            "spec.algorithm": algorithm("multivariate-tpe"),
            "spec.parameters[0].feasibleSpace.distribution": "logNormal",
        },
        "spec.parameters[0].feasibleSpace.distribution",
        "not supported by multivariate-tpe",
    ),
    (
        "mtpe-log-step",
        {
            "spec.algorithm": algorithm("multivariate-tpe"),
            "spec.parameters[1].feasibleSpace.distribution": "logUniform",
        },
        "spec.parameters[1].feasibleSpace",
        "optuna rejects",
    ),
    (
        "bo-estimator",
        {"spec.algorithm": algorithm("bayesianoptimization", ("base_estimator", "XGB"))},
        f"{SETTINGS}[0].value",
        "XGB is not supported",
    ),
    (
        "bo-initial",
        {"spec.algorithm": algorithm("bayesianoptimization", ("n_initial_points", "-2"))},
        f"{SETTINGS}[0].value",
        "great or equal",
    ),
    (
        "bo-acq-func",
        {"spec.algorithm": algorithm("bayesianoptimization", ("acq_func", "UCB"))},
        f"{SETTINGS}[0].value",
        "UCB",
    ),
    (
        "bo-acq-opt",
        {"spec.algorithm": algorithm("bayesianoptimization", ("acq_optimizer", "adam"))},
        f"{SETTINGS}[0].value",
        "adam",
    ),
    (
        "bo-unknown",
        {"spec.algorithm": algorithm("bayesianoptimization", ("xi", "0.1"))},
        f"{SETTINGS}[0].name",
        "unknown",
    ),
    (
        "bo-min",
        {"spec.algorithm": algorithm("bayesianoptimization"), "spec.parameters[0].feasibleSpace.min": "0"},
        "spec.parameters[0].feasibleSpace.min",
        "log-uniformly",
    ),
    (
        "cmaes-restart",
        {"spec.algorithm": algorithm("cmaes", ("restart_strategy", "lipop"))},
        f"{SETTINGS}[0].value",
        "lipop",
    ),
    ("cmaes-sigma", {"spec.algorithm": algorithm("cmaes", ("sigma", "0"))}, f"{SETTINGS}[0].value", "sigma"),
    (
        "cmaes-dims",
        {
            "spec.algorithm": algorithm("cmaes"),
            "spec.parameters[1]": {
                "name": "units",
                "parameterType": "discrete",
                "feasibleSpace": {"list": ["8"]},
            },
        },
        "spec.parameters",
        "at least two double or int",
    ),
    (
        "hyperband-required",
        {"spec.algorithm": algorithm("hyperband", ("resource_name", "units"))},
        SETTINGS,
        "r_l must be set",
    ),
    (
        "hyperband-eta",
        {"spec.algorithm": algorithm("hyperband", ("r_l", "9"), ("resource_name", "units"), ("eta", "1"))},
        f"{SETTINGS}[2].value",
        "eta",
    ),
    (
        "pbt-population",
        {
            "spec.algorithm": algorithm(
                "pbt",
                ("suggestion_trial_dir", "/ckpt"),
                ("n_population", "3"),
                ("truncation_threshold", "0.2"),
            )
        },
        f"{SETTINGS}[1].value",
        "n_population",
    ),
    (
        "pbt-threshold",
        {
            "spec.algorithm": algorithm(
                "pbt", ("suggestion_trial_dir", "/ckpt"), ("n_population", "5"), ("truncation_threshold", "2")
            )
        },
        f"{SETTINGS}[2].value",
        "[0, 1]",
    ),
    (
        "space-min-max",
        {"spec.parameters[0].feasibleSpace.min": "1"},
        "spec.parameters[0].feasibleSpace.max",
        "less than min",
    ),
    (
        "space-number",
        {"spec.parameters[1].feasibleSpace.min": "eight"},
        "spec.parameters[1].feasibleSpace.min",
        "not a number",
    ),
    ("space-duplicate", {"spec.parameters[1].name": "lr"}, "spec.parameters[1].name", "duplicated"),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"), [c[1:] for c in SETTINGS_CASES], ids=[c[0] for c in SETTINGS_CASES]
)
def test_suggestion_service_rule(mutation: dict[str, Any], path: str, fragment: str) -> None:
    found = errors(validate_experiment(mutate(base(), mutation)))
    assert any(f.path == path and fragment in f.message for f in found), found


def test_goptuna_ignores_unknown_settings() -> None:
    experiment = mutate(base(), {"spec.algorithm": algorithm("cmaes", ("population", "8"))})
    assert errors(validate_experiment(experiment)) == []


WARNING_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "hyperopt-quniform",
        {"spec.parameters[1].feasibleSpace.min": "4"},
        "spec.parameters[1].feasibleSpace.step",
        "values can fall outside [4, 64]",
    ),
    (
        "bo-log-uniform",
        {"spec.algorithm": algorithm("bayesianoptimization")},
        "spec.parameters[0].feasibleSpace.distribution",
        "log-uniformly",
    ),
    (
        "bo-int-step",
        {"spec.algorithm": algorithm("bayesianoptimization")},
        "spec.parameters[1].feasibleSpace.step",
        "ignores step",
    ),
    (
        "tfevent-early-stop",
        {
            "spec.metricsCollectorSpec": {"collector": {"kind": "TensorFlowEvent"}},
            "spec.earlyStopping": MEDIAN,
            "spec.trialTemplate.retain": True,
        },
        "spec.earlyStopping",
        "does not early-stop",
    ),
    ("early-stop-retain", {"spec.earlyStopping": MEDIAN}, "spec.trialTemplate.retain", "#1377"),
    (
        "grid-unbounded",
        {
            "spec.algorithm": algorithm("grid"),
            **GRID_STEP,
            "spec.maxTrialCount": DELETE,
            "spec.maxFailedTrialCount": DELETE,
        },
        "spec.maxTrialCount",
        "never ends",
    ),
    (
        "configmap",
        {
            JOB: DELETE,
            "spec.trialTemplate.configMap": {
                "configMapName": "a",
                "configMapNamespace": "b",
                "templatePath": "c",
            },
            "spec.trialTemplate.successCondition": 'status.conditions.#(type=="Complete")#',
            "spec.trialTemplate.failureCondition": 'status.conditions.#(type=="Failed")#',
        },
        "spec.trialTemplate.configMap",
        "cannot be resolved locally",
    ),
    (
        "goptuna-distribution",
        {"spec.algorithm": algorithm("sobol"), "spec.parameters[0].feasibleSpace.distribution": "logUniform"},
        "spec.parameters[0].feasibleSpace.distribution",
        "ignores distribution",
    ),
    (
        "hyperband-stalls-on-katib",
        {"spec.algorithm": algorithm("hyperband", ("r_l", "1"), ("resource_name", "units"))},
        "spec.algorithm.algorithmName",
        "stops after its first rung",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"), [c[1:] for c in WARNING_CASES], ids=[c[0] for c in WARNING_CASES]
)
def test_warning(mutation: dict[str, Any], path: str, fragment: str) -> None:
    findings = validate_experiment(mutate(base(), mutation))
    assert errors(findings) == []
    assert any(f.path == path and fragment in f.message for f in warnings_of(findings)), findings


def test_all_findings_at_once_errors_before_warnings() -> None:
    broken = mutate(
        base(),
        {
            "metadata.name": "Broken",
            "spec.maxTrialCount": 0,
            "spec.algorithm": algorithm("bayesianoptimization", ("acq_func", "UCB")),
            "spec.parameters[2].feasibleSpace.step": "1",
        },
    )
    findings = validate_experiment(broken)
    assert [f.path for f in errors(findings)] == [
        "metadata.name",
        "spec.maxTrialCount",
        "spec.maxFailedTrialCount",
        "spec.parallelTrialCount",
        "spec.parameters[2].feasibleSpace.step",
    ]
    assert findings[-len(warnings_of(findings)) :] == warnings_of(findings)


def test_settings_rules_skipped_while_parameters_break_webhook_rules() -> None:
    experiment = mutate(base(), {"spec.parameters[0].feasibleSpace.max": DELETE})
    assert [f.path for f in errors(validate_experiment(experiment))] == [
        "spec.parameters[0].feasibleSpace.max"
    ]


def test_raw_and_defaulted_experiments_validate_alike() -> None:
    from katib_local.experiment.defaults import apply_defaults

    broken = mutate(
        base(), {"spec.parallelTrialCount": DELETE, "spec.maxTrialCount": 2, "spec.maxFailedTrialCount": 1}
    )
    assert validate_experiment(broken) == validate_experiment(apply_defaults(broken))


UPSTREAM_INVALID = {
    # Katib v0.19's own examples that its webhook rejects (checked against the rule in validator.go).
    "hp-tuning/simple-pbt.yaml": ("spec.maxFailedTrialCount", "less than or equal to spec.maxTrialCount"),
    "tekton/pipeline-run.yaml": (
        "spec.trialTemplate.trialParameters[0].name",
        "not found in spec.trialTemplate",
    ),
}


def test_katib_examples(katib_dir: Path) -> None:
    """Every example passes but two Katib ships broken; cluster-only/unsupported ones get named warnings."""
    examples = sorted((katib_dir / "examples").rglob("*.yaml"))
    assert len(examples) >= 30
    warned: dict[str, set[str]] = {}
    for file in examples:
        name = file.relative_to(katib_dir / "examples").as_posix()
        docs = load_yaml_documents(file)
        for experiment in find_experiments(docs):
            findings = validate_experiment(experiment, namespace_labels=namespace_labels(docs))
            found = [(f.path, f.message) for f in errors(findings)]
            if name in UPSTREAM_INVALID:
                path, fragment = UPSTREAM_INVALID[name]
                assert [(p, fragment in m) for p, m in found] == [(path, True)], name
            else:
                assert found == [], name
            warned[name] = {f.path for f in warnings_of(findings)}
    assert warned["trial-template/trial-configmap-source.yaml"] == {"spec.trialTemplate.configMap"}
    for nas in ("nas/darts-cpu.yaml", "nas/enas-gpu.yaml", "hp-tuning/hyperband.yaml"):
        assert warned[nas] == {"spec.algorithm.algorithmName"}
    assert warned["hp-tuning/random.yaml"] == set()
