"""The cluster client over a FAKE CustomObjectsApi/CoreV1Api, and connect() over real kube config files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from katib_local.cluster import (
    AlreadyExistsError,
    ClusterError,
    ForbiddenError,
    NamespaceNotFoundError,
    NoKatibCRDError,
    NoKubeConfigError,
    NotFoundError,
    connect,
    trial_result,
    trial_status,
)
from katib_local.cluster._errors import from_api_exception
from katib_local.experiment.types import TrialStatus
from katib_local.readback.results import ExperimentView

from .fake_kube import FakeCoreV1Api, fake_client, trial_object

EXPERIMENT = {
    "apiVersion": "kubeflow.org/v1beta1",
    "kind": "Experiment",
    "metadata": {"name": "e1"},
    "spec": {},
}


def test_create_get_and_the_servers_refusals() -> None:
    client, api, _ = fake_client()
    created = client.create_experiment("kubeflow", dict(EXPERIMENT))
    assert created["metadata"]["namespace"] == "kubeflow" and created["metadata"]["uid"]
    assert client.get_experiment("kubeflow", "e1")["metadata"]["name"] == "e1"
    with pytest.raises(
        AlreadyExistsError, match=r'^cannot create experiment e1 in namespace kubeflow: .*"e1" already'
    ):
        client.create_experiment("kubeflow", dict(EXPERIMENT))
    with pytest.raises(NotFoundError, match=r'experiments.kubeflow.org "nope" not found$') as missing:
        client.get_experiment("kubeflow", "nope")
    assert missing.value.exit_code == 2
    with pytest.raises(NamespaceNotFoundError, match=r'namespaces "team-b" not found'):
        client.create_experiment("team-b", dict(EXPERIMENT))
    assert client.get_trial("kubeflow", "gone") is None
    assert [c[0] for c in api.calls] == ["create", "get", "create", "get", "create", "get"]


def test_missing_crd_is_not_a_missing_object() -> None:
    client, _, _ = fake_client(resources=set())
    for call in (
        lambda: client.create_experiment("kubeflow", dict(EXPERIMENT)),
        lambda: client.get_experiment("kubeflow", "e1"),
        lambda: client.get_trial("kubeflow", "t"),  # not swallowed as "trial gone"
        lambda: client.list_trials("kubeflow", "e1"),
    ):
        with pytest.raises(
            NoKatibCRDError, match=r"no experiments\.kubeflow\.org/v1beta1 resource"
        ) as caught:
            call()
        assert caught.value.exit_code == 4


def test_forbidden() -> None:
    client, _, _ = fake_client(forbidden={"create"})
    with pytest.raises(
        ForbiddenError, match=r'forbidden: .*User "alice" cannot create resource "experiments"'
    ):
        client.create_experiment("kubeflow", dict(EXPERIMENT))
    assert client.get_trial("kubeflow", "t") is None  # get is allowed


def test_other_statuses_keep_the_servers_message() -> None:
    from kubernetes.client import ApiException

    denied = ApiException(status=400, reason="Bad Request")
    denied.body = (
        '{"kind":"Status","message":"admission webhook \\"validator.experiment.katib.kubeflow.org\\" denied '
        'the request: spec.maxTrialCount must be greater than 0","reason":"BadRequest","code":400}'
    )
    error = from_api_exception(denied, "create experiment e1")
    assert type(error).__name__ == "RejectedError"
    assert str(error) == (
        'cannot create experiment e1: rejected: admission webhook "validator.experiment.katib.kubeflow.org" '
        "denied the request: spec.maxTrialCount must be greater than 0"
    )
    other = from_api_exception(ApiException(status=500, reason="Internal Server Error"), "get experiment e1")
    assert (
        type(other) is ClusterError
        and str(other) == "cannot get experiment e1: HTTP 500 Internal Server Error"
    )


def test_trials_are_selected_by_label_oldest_first() -> None:
    client, api, _ = fake_client()
    for experiment, name in (("e1", "e1-zzzzzzzz"), ("e2", "e2-aaaaaaaa"), ("e1", "e1-aaaaaaaa")):
        api.put("trials", trial_object(experiment, name, "kubeflow", {"x": "1"}, "Running"))
    api.put("trials", trial_object("e1", "e1-other-ns", "default", {"x": "1"}, "Running"))
    assert [t["metadata"]["name"] for t in client.list_trials("kubeflow", "e1")] == [
        "e1-zzzzzzzz",
        "e1-aaaaaaaa",
    ]


def test_namespace_labels() -> None:
    client, _, _ = fake_client({"kubeflow": {"a": "b"}, "bare": {}})
    assert client.namespace_labels("kubeflow") == {"a": "b"}
    assert client.namespace_labels("bare") == {}
    with pytest.raises(NamespaceNotFoundError):
        client.namespace_labels("missing")
    client.core = FakeCoreV1Api(forbidden=True)
    with pytest.raises(ForbiddenError, match='cannot get resource "namespaces"'):
        client.namespace_labels("kubeflow")


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ("Created", TrialStatus.CREATED),
        ("Running", TrialStatus.RUNNING),
        ("Succeeded", TrialStatus.SUCCEEDED),
        ("EarlyStopped", TrialStatus.EARLY_STOPPED),
        ("MetricsUnavailable", TrialStatus.METRICS_UNAVAILABLE),
    ],
)
def test_trial_state_is_the_last_true_condition(conditions: str, expected: TrialStatus) -> None:
    assert trial_status(trial_object("e", "t", "ns", {}, conditions)) == expected


def test_trial_result_picks_each_metrics_strategy() -> None:
    view = ExperimentView(
        "loss", "minimize", ("acc", "note"), ("lr",), {"loss": "min", "acc": "latest", "note": "max"}
    )
    metrics = {
        "loss": ("0.5", "0.9", "0.6"),
        "acc": ("0.1", "0.8", "0.7"),
        "note": ("unavailable", "unavailable", "n/a"),
    }
    trial = trial_object("e", "t", "ns", {"lr": "0.01"}, "Succeeded", metrics)
    result = trial_result(trial, view)
    assert result.objective == 0.5
    assert dict(result.metrics) == {"loss": 0.5, "acc": 0.7}  # "note" has no number: left out
    assert dict(result.assignments) == {"lr": "0.01"} and result.status == TrialStatus.SUCCEEDED


def kubeconfig(path: Path, namespace: str | None) -> Path:
    context = {"cluster": "c1", "user": "u1", **({"namespace": namespace} if namespace else {})}
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c1", "cluster": {"server": "https://k8s.example.invalid:6443"}}],
                "users": [{"name": "u1", "user": {"token": "not-a-real-token"}}],
                "contexts": [
                    {"name": "ctx", "context": context},
                    {"name": "other", "context": {"cluster": "c1", "user": "u1", "namespace": "team-b"}},
                ],
                "current-context": "ctx",
            }
        )
    )
    return path


def test_connect_reads_the_current_context_and_its_namespace(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(tmp_path / "config", "katib-forecast")))
    client = connect()
    assert client.namespace == "katib-forecast"
    assert client.server == "https://k8s.example.invalid:6443"
    assert connect(context="other").namespace == "team-b"
    assert connect(kubeconfig=str(kubeconfig(tmp_path / "plain", None))).namespace == "default"


def test_connect_without_any_config(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(
        NoKubeConfigError, match=r"^no kube config: .*missing is missing .*not a pod"
    ) as caught:
        connect()
    assert caught.value.exit_code == 4
