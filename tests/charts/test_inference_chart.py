"""The inference chart lints, renders every CI scenario, validates against Kubernetes' schemas, and points
TF Serving at the model directory its values name."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import (
    CHART_DIR,
    CI_VALUES,
    NAMESPACE,
    RELEASE,
    Manifest,
    RenderFn,
    Values,
    helm,
    load_values,
    only,
)

kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate (dev extra)")

KUBERNETES_VERSIONS = ["1.30.0", "1.31.0", "1.32.0", "1.33.0"]
# Custom resources kubernetes-validate has no schema for; their shape is checked by a dedicated test.
CUSTOM_KINDS = {"ServiceMonitor"}


def ci_id(path: Path) -> str:
    return path.name.removesuffix("-values.yaml")


def server_container(objects: list[Manifest]) -> dict[str, Any]:
    pod = only(objects, "Deployment")["spec"]["template"]["spec"]
    containers = [c for c in pod["containers"] if c["name"] == "tensorflow-serving"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def flag(container: dict[str, Any], name: str) -> str | None:
    """Value of ``--name=value`` in the container args, ``None`` when absent."""
    prefix = f"--{name}="
    values = [a.removeprefix(prefix) for a in container["args"] if a.startswith(prefix)]
    assert len(values) <= 1, f"--{name} given {len(values)} times"
    return values[0] if values else None


def test_every_scenario_is_covered() -> None:
    names = {ci_id(p) for p in CI_VALUES}
    assert {"default", "gpu", "hpa-pdb", "batching-monitoring", "external-volume", "katib-best"} <= names


@pytest.mark.parametrize("values_file", CI_VALUES, ids=ci_id)
def test_lint_strict_has_no_warnings(values_file: Path) -> None:
    report = helm.lint(CHART_DIR, load_values(values_file), strict=True, namespace=NAMESPACE)
    assert report["errors"] == []
    # Severity 1 is informational (e.g. "icon is recommended"); 2 is a warning, 3 an error.
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("values_file", CI_VALUES, ids=ci_id)
def test_rendered_objects_validate_strictly(values_file: Path, render: RenderFn) -> None:
    objects = render(load_values(values_file))
    assert {"Deployment", "Service", "Pod"} <= {o["kind"] for o in objects}
    for obj in objects:
        assert obj["metadata"]["namespace"] == NAMESPACE, obj["metadata"]["name"]
        if obj["kind"] in CUSTOM_KINDS:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(
                    f"{obj['kind']}/{obj['metadata']['name']} invalid for Kubernetes {version}: {error}"
                )


@pytest.mark.parametrize("values_file", CI_VALUES, ids=ci_id)
def test_server_reads_the_model_directory_from_values(values_file: Path, render: RenderFn) -> None:
    values = load_values(values_file)
    objects = render(values)
    merged_model = {"name": "rul-forecaster", "mountRoot": "/models", **values.get("model", {})}
    storage = {"type": "pvc", "claimName": "hpo-shared", **merged_model["storage"]}
    container = server_container(objects)
    base_path = f"{merged_model['mountRoot']}/{merged_model['name']}"

    assert container["command"] == ["/usr/bin/tensorflow_model_server"]
    assert flag(container, "model_name") == merged_model["name"]
    assert flag(container, "model_base_path") == base_path
    assert flag(container, "rest_api_port") == "8501"
    assert flag(container, "port") == "8500"

    mounts = [m for m in container["volumeMounts"] if m["mountPath"] == base_path]
    assert len(mounts) == 1
    mount = mounts[0]
    assert mount["readOnly"] is True
    assert mount.get("subPath") == storage.get("subPath")

    volume = next(
        v for v in only(objects, "Deployment")["spec"]["template"]["spec"]["volumes"] if v["name"] == "model"
    )
    if storage["type"] == "pvc":
        assert volume["persistentVolumeClaim"] == {"claimName": storage["claimName"], "readOnly": True}
    else:
        assert {k: v for k, v in volume.items() if k != "name"} == storage["volume"]

    # The probes and the test pod ask for the same model name that the server serves.
    assert container["readinessProbe"]["httpGet"]["path"] == f"/v1/models/{merged_model['name']}/metadata"
    assert container["startupProbe"]["httpGet"]["path"] == f"/v1/models/{merged_model['name']}/metadata"
    assert container["livenessProbe"]["httpGet"]["path"] == f"/v1/models/{merged_model['name']}"
    script = only(objects, "Pod")["spec"]["containers"][0]["command"][-1]
    assert f"/v1/models/{merged_model['name']}" in script


def test_katib_best_values_point_at_the_trial_and_record_it(render: RenderFn) -> None:
    """The small file `katib-local best --helm-values` writes is enough on its own."""
    values = load_values(CHART_DIR / "ci" / "katib-best-values.yaml")
    objects = render(values)
    container = server_container(objects)
    mount = next(m for m in container["volumeMounts"] if m["name"] == "model")
    assert mount["subPath"] == "models/rul-random/rul-random-bx2lq5tw"
    assert mount["mountPath"] == "/models/rul-random"
    annotations = only(objects, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["katib-forecast/experiment"] == "rul-random"
    assert annotations["katib-forecast/trial"] == "rul-random-bx2lq5tw"


def test_default_security_context_is_locked_down(render: RenderFn, default_values: Values) -> None:
    objects = render(default_values)
    pod = only(objects, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert pod["automountServiceAccountToken"] is False
    context = server_container(objects)["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    # The read-only root filesystem needs a writable /tmp.
    tmp = next(v for v in pod["volumes"] if v["name"] == "tmp")
    assert "emptyDir" in tmp
    assert any(m["mountPath"] == "/tmp" for m in server_container(objects)["volumeMounts"])


def test_cpu_default_has_no_gpu_and_gpu_scenario_requests_one(
    render: RenderFn, default_values: Values
) -> None:
    cpu = server_container(render(default_values))
    assert cpu["image"] == "tensorflow/serving:2.19.1"
    assert "nvidia.com/gpu" not in cpu["resources"]["limits"]

    gpu_objects = render(load_values(CHART_DIR / "ci" / "gpu-values.yaml"))
    gpu = server_container(gpu_objects)
    assert gpu["image"] == "tensorflow/serving:2.19.1-gpu"
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert gpu["resources"]["limits"]["memory"] == "8Gi"
    assert only(gpu_objects, "Deployment")["spec"]["template"]["spec"]["runtimeClassName"] == "nvidia"


def test_batching_and_monitoring_flags_match_the_configmap(render: RenderFn, default_values: Values) -> None:
    default = render(default_values)
    plain = server_container(default)
    assert flag(plain, "enable_batching") is None
    assert flag(plain, "monitoring_config_file") == "/etc/tfserving/monitoring.config"

    objects = render(load_values(CHART_DIR / "ci" / "batching-monitoring-values.yaml"))
    container = server_container(objects)
    assert flag(container, "enable_batching") == "true"
    assert flag(container, "batching_parameters_file") == "/etc/tfserving/batching.config"
    config_mount = next(m for m in container["volumeMounts"] if m["name"] == "config")
    assert config_mount["mountPath"] == "/etc/tfserving"
    data = only(objects, "ConfigMap")["data"]
    assert "max_batch_size { value: 64 }" in data["batching.config"]
    assert "batch_timeout_micros { value: 2000 }" in data["batching.config"]
    assert data["batching.config"].count("allowed_batch_sizes:") == 4
    assert 'path: "/monitoring/prometheus/metrics"' in data["monitoring.config"]

    monitor = only(objects, "ServiceMonitor")
    service = only(objects, "Service")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/monitoring/prometheus/metrics"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["spec"]["selector"].items()


def test_hpa_owns_the_replica_count_and_pdb_selects_the_pods(render: RenderFn) -> None:
    objects = render(load_values(CHART_DIR / "ci" / "hpa-pdb-values.yaml"))
    deployment = only(objects, "Deployment")
    assert "replicas" not in deployment["spec"]
    hpa = only(objects, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu", "memory"]
    pdb = only(objects, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1
    assert "maxUnavailable" not in pdb["spec"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    (spread,) = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert spread["labelSelector"]["matchLabels"].items() <= pod_labels.items()
    container = server_container(objects)
    assert flag(container, "tensorflow_intra_op_parallelism") == "2"


def test_optional_objects_are_off_by_default(render: RenderFn, default_values: Values) -> None:
    kinds = {o["kind"] for o in render(default_values)}
    assert kinds.isdisjoint({"HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor"})
    assert only(render(default_values), "Deployment")["spec"]["replicas"] == 1


def test_helm_test_pod_checks_availability_and_the_serving_signature(
    render: RenderFn, default_values: Values
) -> None:
    pod = only(render(default_values), "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    script = pod["spec"]["containers"][0]["command"][-1]
    url = f"http://{RELEASE}-inference.{NAMESPACE}.svc:8501/v1/models/rul-forecaster"
    assert url in script
    assert '"state": *"AVAILABLE"' in script
    assert '"serving_default"' in script


def test_digest_pins_the_image_and_drops_the_checkov_skip(render: RenderFn, default_values: Values) -> None:
    values = copy.deepcopy(default_values)
    digest = "sha256:" + "0" * 64
    values["image"] = {"digest": digest}
    objects = render(values)
    assert server_container(objects)["image"] == f"tensorflow/serving:2.19.1@{digest}"
    assert "checkov.io/skip1" not in only(objects, "Deployment")["metadata"].get("annotations", {})
    skip = only(render(default_values), "Deployment")["metadata"]["annotations"]["checkov.io/skip1"]
    assert skip.startswith("CKV_K8S_43=")


def test_notes_show_a_predict_call_for_the_model(render_raw: Any, default_values: Values) -> None:
    notes = next(text for name, text in render_raw(default_values).items() if name.endswith("NOTES.txt"))
    assert "curl -s -X POST http://localhost:8501/v1/models/rul-forecaster:predict" in notes
    assert "models/rul-bayesian/rul-bayesian-7d4x9kq2" in notes


# Values that are Kubernetes API objects passed through verbatim: documented as a whole by their own comment.
PASS_THROUGH_VALUES = {"podSecurityContext", "securityContext", "resources"}


def test_every_values_key_has_a_comment() -> None:
    """Each key of values.yaml has a comment on the line above it, as in prometheus-community's charts."""
    undocumented = []
    parents: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    previous = ""
    for number, line in enumerate((CHART_DIR / "values.yaml").read_text().splitlines(), start=1):
        match = re.match(r"^(\s*)([A-Za-z][A-Za-z0-9]*):", line)
        if match:
            indent, key = len(match.group(1)), match.group(2)
            parents = [(i, k) for i, k in parents if i < indent]
            inside_object = any(k in PASS_THROUGH_VALUES for _, k in parents)
            if not inside_object and not previous.lstrip().startswith("#"):
                undocumented.append(f"line {number}: {key}")
            parents.append((indent, key))
        if line.strip():
            previous = line
    assert undocumented == []


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (Kubernetes' strict decoding does)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
        if duplicates:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate keys {duplicates}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


@pytest.mark.parametrize("values_file", CI_VALUES, ids=ci_id)
def test_rendered_yaml_has_no_duplicate_keys(values_file: Path, render_raw: Any) -> None:
    for name, text in render_raw(load_values(values_file)).items():
        if not name.endswith("NOTES.txt"):
            list(yaml.load_all(text, Loader=_DuplicateKeyLoader))  # a SafeLoader subclass


def test_test_pod_is_no_service_endpoint_but_passes_the_network_policy(render: RenderFn) -> None:
    objects = render(load_values(CHART_DIR / "ci" / "external-volume-values.yaml"))
    test_labels = only(objects, "Pod")["metadata"]["labels"]
    selector = only(objects, "Service")["spec"]["selector"]
    assert not selector.items() <= test_labels.items(), "the Service would route requests to the test pod"
    policies = {p["metadata"]["name"]: p["spec"] for p in objects if p["kind"] == "NetworkPolicy"}
    assert set(policies) == {f"{RELEASE}-inference", f"{RELEASE}-inference-test"}
    server_policy, test_policy = policies[f"{RELEASE}-inference"], policies[f"{RELEASE}-inference-test"]
    (rule,) = server_policy["ingress"]
    pod_peers = [p["podSelector"]["matchLabels"] for p in rule["from"] if "podSelector" in p]
    assert any(peer.items() <= test_labels.items() for peer in pod_peers)
    server_labels = only(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert server_policy["podSelector"]["matchLabels"].items() <= server_labels.items()
    # The test pod's own policy selects only it and admits nothing.
    assert test_policy["podSelector"]["matchLabels"].items() <= test_labels.items()
    assert not test_policy["podSelector"]["matchLabels"].items() <= server_labels.items()
    assert test_policy["policyTypes"] == ["Ingress"]
    assert "ingress" not in test_policy


def test_gpu_scenario_replaces_pods_instead_of_surging(render: RenderFn, default_values: Values) -> None:
    assert "strategy" not in only(render(default_values), "Deployment")["spec"]
    gpu = only(render(load_values(CHART_DIR / "ci" / "gpu-values.yaml")), "Deployment")
    assert gpu["spec"]["strategy"] == {"type": "Recreate"}
