"""Katib's mutating-webhook defaults (``Experiment.SetDefault`` in v0.19), applied to a plain dict.

Kubernetes runs mutating webhooks before validating ones, so validation always sees a defaulted experiment;
:func:`apply_defaults` reproduces exactly what Katib fills in and nothing more:

* ``spec.parallelTrialCount`` 3 when absent (``maxTrialCount`` has no default: unlimited).
* ``spec.resumePolicy`` ``Never`` when absent or empty.
* ``spec.objective.metricStrategies``: the objective metric gets ``min`` (minimize), ``max`` (maximize) or
  ``latest`` (any other type) unless listed; every additional metric not listed gets **the same
  objective-derived strategy**, not ``latest`` (Katib's comment says latest; its code does this).
* ``spec.trialTemplate``: only for an inline ``trialSpec``. ``Job`` and ``TrainJob`` get the
  ``Complete``/``Failed`` success/failure conditions; ``TFJob``/``PyTorchJob``/``XGBoostJob``/``MPIJob`` get
  ``Succeeded``/``Failed`` and, when ``primaryPodLabels`` is empty,
  ``training.kubeflow.org/job-role: master`` (TrainJob: ``jobset.sigs.k8s.io/replicatedjob-name: node``).
  A ConfigMap template gets nothing (Katib cannot see its kind at defaulting time either).
* ``spec.metricsCollectorSpec.collector.kind`` ``StdOut`` when absent. ``File`` gets ``source.fileSystemPath``
  ``{kind: File, path: /var/log/katib/metrics.log, format: TEXT}`` field by field; ``TensorFlowEvent`` gets
  ``{kind: Directory, path: /var/log/katib/tfevent/}``; ``PrometheusMetric`` gets ``httpGet`` path
  ``/metrics``, port 8080.
* ``feasibleSpace.distribution`` ``uniform`` for every parameter where it is absent or empty.

Early-stopping settings are **not** defaulted here: Katib's webhook leaves them alone and the medianstop
service applies ``min_trials_required=3``, ``start_step=4`` itself (see :data:`MEDIANSTOP_DEFAULTS`).

Sections that are not mappings (a broken spec) are left as they are, for validation to report.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

DEFAULT_PARALLEL_TRIAL_COUNT = 3
DEFAULT_RESUME_POLICY = "Never"
DEFAULT_DISTRIBUTION = "uniform"

JOB_SUCCESS_CONDITION = 'status.conditions.#(type=="Complete")#|#(status=="True")#'
JOB_FAILURE_CONDITION = 'status.conditions.#(type=="Failed")#|#(status=="True")#'
KUBEFLOW_JOB_SUCCESS_CONDITION = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#'
KUBEFLOW_JOB_FAILURE_CONDITION = JOB_FAILURE_CONDITION
KUBEFLOW_JOB_KINDS = frozenset({"TFJob", "PyTorchJob", "XGBoostJob", "MPIJob"})
KUBEFLOW_JOB_PRIMARY_POD_LABELS = {"training.kubeflow.org/job-role": "master"}
TRAINJOB_PRIMARY_POD_LABELS = {"jobset.sigs.k8s.io/replicatedjob-name": "node"}

DEFAULT_METRICS_FILE = "/var/log/katib/metrics.log"
DEFAULT_TFEVENT_DIR = "/var/log/katib/tfevent/"
DEFAULT_PROMETHEUS_PATH = "/metrics"
DEFAULT_PROMETHEUS_PORT = 8080

MEDIANSTOP_DEFAULTS: Mapping[str, str] = {"min_trials_required": "3", "start_step": "4"}
"""What Katib's medianstop service uses for a setting the experiment does not give."""


def apply_defaults(experiment: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``experiment`` with Katib v0.19's mutating-webhook defaults filled in.

    Idempotent: ``apply_defaults(apply_defaults(e)) == apply_defaults(e)``. ``experiment`` is not modified.
    """
    exp: dict[str, Any] = copy.deepcopy(dict(experiment))
    spec = exp.get("spec")
    if not isinstance(spec, dict):
        return exp
    if spec.get("parallelTrialCount") is None:
        spec["parallelTrialCount"] = DEFAULT_PARALLEL_TRIAL_COUNT
    if not spec.get("resumePolicy"):
        spec["resumePolicy"] = DEFAULT_RESUME_POLICY
    _default_objective(spec.get("objective"))
    _default_trial_template(spec.get("trialTemplate"))
    spec["metricsCollectorSpec"] = _default_collector(spec.get("metricsCollectorSpec"))
    for parameter in spec.get("parameters") or []:
        if isinstance(parameter, dict):
            space = parameter.get("feasibleSpace")
            if space is None:
                space = parameter["feasibleSpace"] = {}
            if isinstance(space, dict) and not space.get("distribution"):
                space["distribution"] = DEFAULT_DISTRIBUTION
    return exp


def _strategy_for(objective_type: Any) -> str:
    return {"minimize": "min", "maximize": "max"}.get(objective_type, "latest")


def _default_objective(objective: Any) -> None:
    if not isinstance(objective, dict):
        return
    strategies = objective.get("metricStrategies")
    if not isinstance(strategies, list):
        strategies = objective["metricStrategies"] = []
    name = objective.get("objectiveMetricName")
    named = [s.get("name") for s in strategies if isinstance(s, dict)]
    others = {n for n in named if n != name}  # Katib's metricsWithDefault, taken before anything is added
    value = _strategy_for(objective.get("type"))
    if name not in named:
        strategies.append({"name": name, "value": value})
    for metric in objective.get("additionalMetricNames") or []:
        if metric not in others:
            strategies.append({"name": metric, "value": value})


def _default_trial_template(template: Any) -> None:
    if not isinstance(template, dict):
        return
    trial_spec = template.get("trialSpec")
    if not isinstance(trial_spec, dict):
        return
    kind = trial_spec.get("kind")
    if not isinstance(kind, str):
        return
    if kind in ("Job", "TrainJob"):
        success, failure = JOB_SUCCESS_CONDITION, JOB_FAILURE_CONDITION
    elif kind in KUBEFLOW_JOB_KINDS:
        success, failure = KUBEFLOW_JOB_SUCCESS_CONDITION, KUBEFLOW_JOB_FAILURE_CONDITION
    else:
        return
    if not template.get("successCondition"):
        template["successCondition"] = success
    if not template.get("failureCondition"):
        template["failureCondition"] = failure
    if kind != "Job" and not template.get("primaryPodLabels"):
        labels = TRAINJOB_PRIMARY_POD_LABELS if kind == "TrainJob" else KUBEFLOW_JOB_PRIMARY_POD_LABELS
        template["primaryPodLabels"] = dict(labels)


def _default_collector(spec: Any) -> Any:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        return spec
    if spec.get("collector") is None:
        spec["collector"] = {"kind": "StdOut"}
    collector = spec["collector"]
    kind = collector.get("kind") if isinstance(collector, dict) else None
    if kind not in ("PrometheusMetric", "File", "TensorFlowEvent"):
        return spec
    if spec.get("source") is None:
        spec["source"] = {}
    source = spec["source"]
    if not isinstance(source, dict):
        return spec
    if kind == "PrometheusMetric":
        http_get = source.get("httpGet")
        if http_get is None:
            http_get = source["httpGet"] = {}
        if isinstance(http_get, dict):
            if not http_get.get("path"):
                http_get["path"] = DEFAULT_PROMETHEUS_PATH
            if http_get.get("port") in (None, 0, "0", ""):
                http_get["port"] = DEFAULT_PROMETHEUS_PORT
        return spec
    fs_path = source.get("fileSystemPath")
    if fs_path is None:
        fs_path = source["fileSystemPath"] = {}
    if not isinstance(fs_path, dict):
        return spec
    if kind == "File":
        if not fs_path.get("kind"):
            fs_path["kind"] = "File"
        if not fs_path.get("path"):
            fs_path["path"] = DEFAULT_METRICS_FILE
        if not fs_path.get("format"):
            fs_path["format"] = "TEXT"
    else:
        if not fs_path.get("kind"):
            fs_path["kind"] = "Directory"
        if not fs_path.get("path"):
            fs_path["path"] = DEFAULT_TFEVENT_DIR
    return spec
