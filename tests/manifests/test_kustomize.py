"""``kubectl kustomize manifests`` and the CPU overlay render offline, and everything they render is valid.

Built-in kinds validate strictly against the Kubernetes 1.30 to 1.33 schemas; Experiments (whose CRD has no
schema) go through katib-local's validator and their trial Jobs through the strict Job schema. The overlay
is the one the quickstart tells users to write: ``manifests`` plus ``manifests/components/cpu``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.validation import validate_experiment
from tests.manifests._support import (
    CLAIM_NAME,
    EXPERIMENT_FILES,
    K8S_VERSIONS,
    MANIFESTS,
    NAMESPACE,
    REPO_ROOT,
    SHARED_MOUNT,
    TRAINER_IMAGE,
    job_of,
    kustomize,
    load_documents,
    load_experiment,
    primary_container,
    render_job,
    strict_schema_error,
    sweep,
    write_cpu_overlay,
)

BUILT_IN = {
    ("v1", "Namespace"),
    ("v1", "PersistentVolumeClaim"),
    ("apps/v1", "Deployment"),
    ("v1", "Service"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
}
BASE_TAG = "0.1.0"
CPU_TAG = "0.1.0-cpu"


@pytest.fixture(scope="module")
def base() -> list[dict[str, Any]]:
    return kustomize(MANIFESTS)


@pytest.fixture(scope="module")
def cpu(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return kustomize(write_cpu_overlay(tmp_path_factory.mktemp("my-cluster")))


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


def images(value: Any) -> list[str]:
    """Every ``image`` string anywhere in ``value``."""
    if isinstance(value, dict):
        out = [v for k, v in value.items() if k == "image" and isinstance(v, str)]
        return out + [i for v in value.values() for i in images(v)]
    if isinstance(value, list):
        return [i for v in value for i in images(v)]
    return []


def namespace_labels(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {d["metadata"]["name"]: dict(d["metadata"].get("labels", {})) for d in by_kind(docs, "Namespace")}


def selected(docs: list[dict[str, Any]], key: str, op: str, value: str) -> list[dict[str, Any]]:
    """``kubectl -l key=value`` / ``key!=value`` selection (a missing label is ``!=`` anything)."""
    labels = [d["metadata"].get("labels", {}) for d in docs]
    if op == "=":
        return [d for d, lab in zip(docs, labels, strict=True) if lab.get(key) == value]
    return [d for d, lab in zip(docs, labels, strict=True) if lab.get(key) != value]


# ------------------------------------------------------------------------------------------ composition


def test_kustomization_composes_every_manifest_file() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8"))
    on_disk = sorted(p.name for p in MANIFESTS.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(kustomization["resources"]) == on_disk
    assert set(EXPERIMENT_FILES) <= set(on_disk)


def test_base_renders_the_expected_objects(base: list[dict[str, Any]]) -> None:
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in base)
    experiments = sorted(("Experiment", load_experiment(f)["metadata"]["name"]) for f in EXPERIMENT_FILES)
    assert kinds == sorted(
        [
            ("Namespace", NAMESPACE),
            ("PersistentVolumeClaim", CLAIM_NAME),
            ("Deployment", "tensorboard"),
            ("Service", "tensorboard"),
            ("NetworkPolicy", "tensorboard"),
            *experiments,
        ]
    )
    assert base[0]["kind"] == "Namespace", "applied first"
    assert all(d["metadata"].get("namespace") == NAMESPACE for d in base if d["kind"] != "Namespace")


def test_base_experiments_equal_the_files_users_apply_directly(base: list[dict[str, Any]]) -> None:
    """``kubectl apply -f manifests/experiment-x.yaml`` and ``apply -k manifests`` create the same thing."""
    for name in EXPERIMENT_FILES:
        source = load_experiment(name)
        assert one(base, "Experiment", source["metadata"]["name"]) == source


def test_documented_label_selections_split_infrastructure_from_experiments(
    base: list[dict[str, Any]],
) -> None:
    infrastructure = selected(base, "app.kubernetes.io/component", "!=", "experiment")
    assert {d["kind"] for d in infrastructure} == {k for _, k in BUILT_IN}
    for name in EXPERIMENT_FILES:
        search = load_experiment(name)["metadata"]["labels"]["katib-forecast/search"]
        chosen = selected(base, "katib-forecast/search", "=", search)
        assert [(d["kind"], d["metadata"]["name"]) for d in chosen] == [
            ("Experiment", load_experiment(name)["metadata"]["name"])
        ]
    text = (MANIFESTS / "kustomization.yaml").read_text(encoding="utf-8")
    assert "-l app.kubernetes.io/component!=experiment" in text
    assert "-l katib-forecast/search=smoke" in text


# ------------------------------------------------------------------------------------------- validation


def validate_rendered(docs: list[dict[str, Any]]) -> list[str]:
    """Every problem in a kustomize output: strict schemas for built-ins, Katib's rules for Experiments."""
    problems: list[str] = []
    labels = namespace_labels(docs)
    for doc in docs:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        if (doc["apiVersion"], doc["kind"]) in BUILT_IN:
            for version in K8S_VERSIONS:
                error = strict_schema_error(doc, version)
                if error:
                    problems.append(f"{where} (k8s {version}): {error}")
        elif (doc["apiVersion"], doc["kind"]) == ("kubeflow.org/v1beta1", "Experiment"):
            findings = validate_experiment(apply_defaults(doc), namespace_labels=labels)
            problems += [f"{where}: {f}" for f in findings if f.severity == "error"]
            job = render_job(doc, next(sweep(doc)))
            for version in K8S_VERSIONS:
                error = strict_schema_error(job, version)
                if error:
                    problems.append(f"{where} trial Job (k8s {version}): {error}")
        else:
            problems.append(f"{where}: unexpected kind {doc['apiVersion']} {doc['kind']}")
    return problems


def test_everything_the_base_renders_is_valid(base: list[dict[str, Any]]) -> None:
    assert validate_rendered(base) == []


def test_everything_the_cpu_overlay_renders_is_valid(cpu: list[dict[str, Any]]) -> None:
    assert validate_rendered(cpu) == []


def test_validation_of_rendered_output_has_teeth(base: list[dict[str, Any]]) -> None:
    broken = json.loads(json.dumps(base))
    one(broken, "Service", "tensorboard")["spec"]["prots"] = []
    assert any("Service/tensorboard" in p for p in validate_rendered(broken))


# ------------------------------------------------------------------------------------------------ images


def test_base_pins_the_trainer_image_for_trials_and_tensorboard(base: list[dict[str, Any]]) -> None:
    found = images(base)
    assert len(found) == len(EXPERIMENT_FILES) + 1
    assert set(found) == {f"{TRAINER_IMAGE}:{BASE_TAG}"}


def test_kustomize_images_override_reaches_trial_templates(tmp_path: Path) -> None:
    """A user's ``images:`` entry retargets the Experiments' nested trial containers too."""
    overlay = write_cpu_overlay(tmp_path / "mine")
    spec = yaml.safe_load((overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    spec["components"] = []
    spec["images"] = [
        {"name": TRAINER_IMAGE, "newName": "registry.example.com/ml/trainer", "newTag": "7.7.7"}
    ]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert set(images(kustomize(overlay))) == {"registry.example.com/ml/trainer:7.7.7"}


# ------------------------------------------------------------------------------------------- CPU overlay


def test_cpu_overlay_drops_gpus_and_swaps_the_image(
    cpu: list[dict[str, Any]], base: list[dict[str, Any]]
) -> None:
    assert "nvidia.com" not in json.dumps(cpu)
    assert set(images(cpu)) == {f"{TRAINER_IMAGE}:{CPU_TAG}"}
    for experiment in by_kind(cpu, "Experiment"):
        container = primary_container(job_of(experiment))
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
    # Nothing else changes: same objects, same Experiments apart from the GPU parts and the image.
    assert [(d["kind"], d["metadata"]["name"]) for d in cpu] == [
        (d["kind"], d["metadata"]["name"]) for d in base
    ]
    for gpu_exp, cpu_exp in zip(by_kind(base, "Experiment"), by_kind(cpu, "Experiment"), strict=True):
        expected = json.loads(json.dumps(gpu_exp))
        pod = expected["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]
        del pod["tolerations"]
        del pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
        pod["containers"][0]["image"] = f"{TRAINER_IMAGE}:{CPU_TAG}"
        assert cpu_exp == expected


# ------------------------------------------------------------------------------ namespace, claim, board


def test_namespace_enables_metrics_collector_injection() -> None:
    (namespace,) = load_documents("namespace.yaml")
    assert namespace["metadata"]["name"] == NAMESPACE
    assert namespace["metadata"]["labels"]["katib.kubeflow.org/metrics-collector-injection"] == "enabled"


def test_shared_claim_is_read_write_many() -> None:
    (claim,) = load_documents("pvc.yaml")
    assert claim["metadata"]["name"] == CLAIM_NAME
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"]["resources"]["requests"]["storage"]


def pod_spec(deployment: Mapping[str, Any]) -> dict[str, Any]:
    spec = deployment["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def test_tensorboard_reads_the_trial_logs_read_only_as_non_root() -> None:
    deployment, service, policy = load_documents("tensorboard.yaml")
    pod = pod_spec(deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    # The trainer image's own user (its Dockerfile's USER), which can read what the trials write.
    user = re.findall(r"^USER\s+(\d+):(\d+)\s*$", (REPO_ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert user and (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == tuple(
        int(i) for i in user[-1]
    )
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert f"--logdir={SHARED_MOUNT}/tensorboard" in container["command"]
    shared = next(m for m in container["volumeMounts"] if m["mountPath"] == SHARED_MOUNT)
    assert shared["readOnly"] is True
    volume = next(v for v in pod["volumes"] if v["name"] == shared["name"])
    assert volume["persistentVolumeClaim"] == {"claimName": CLAIM_NAME, "readOnly": True}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == "http", probe
    (port,) = container["ports"]
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] == port["name"] and service_port["port"] == port["containerPort"]
    assert f"--port={port['containerPort']}" in container["command"]
    # Only TensorBoard's own port is open to other pods.
    assert policy["spec"]["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert [p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]] == [port["name"]]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["selector"] == selector
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


# ------------------------------------------------------------------------------ the documented overlay


def documented_overlay() -> str:
    """The overlay ``docs/cluster-quickstart.md`` tells users to write (its heredoc, verbatim)."""
    text = (REPO_ROOT / "docs" / "cluster-quickstart.md").read_text(encoding="utf-8")
    match = re.search(r"cat > \.\./my-cluster/kustomization\.yaml <<'EOF'\n(.*?)\nEOF\n", text, re.DOTALL)
    assert match, "the quickstart's overlay heredoc"
    return match.group(1)


@pytest.mark.parametrize("gpus", [True, False])
def test_the_quickstart_overlay_renders_as_documented(tmp_path: Path, gpus: bool) -> None:
    overlay = documented_overlay()
    assert "../katib-forecast/manifests" in overlay
    overlay = overlay.replace("../katib-forecast/manifests", os.path.relpath(MANIFESTS, tmp_path))
    if not gpus:
        overlay = overlay.replace("# components:", "components:").replace("#   - ", "  - ")
    (tmp_path / "kustomization.yaml").write_text(overlay, encoding="utf-8")
    docs = kustomize(tmp_path)
    tag = BASE_TAG if gpus else CPU_TAG
    assert set(images(docs)) == {f"registry.example.com/ml/katib-forecast-trainer:{tag}"}
    assert one(docs, "PersistentVolumeClaim", CLAIM_NAME)["spec"]["storageClassName"] == "nfs-client"
    assert ("nvidia.com/gpu" in json.dumps(docs)) is gpus
    assert validate_rendered(docs) == []


def test_the_shipped_cpu_overlay_renders_what_the_documented_one_does(cpu: list[dict[str, Any]]) -> None:
    shipped = kustomize(REPO_ROOT / "overlays" / "cpu")
    assert shipped == cpu
    assert "nvidia.com/gpu" not in json.dumps(shipped)
