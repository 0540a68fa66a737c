"""``katib-local submit FILE [--wait]`` against a FAKE CustomObjectsApi/CoreV1Api (no API server here)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from .fake_kube import (
    INJECTION,
    FakeCoreV1Api,
    FakeCustomObjectsApi,
    cli,
    condition,
    fake_client,
    trial_object,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "local-grid.yaml"
NAME, NS = "forecast-local-grid", "katib-forecast"


def one_line(err: str) -> str:
    (line,) = err.splitlines()
    return line


def example_file(tmp_path: Path, **metadata: Any) -> Path:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["metadata"].update(metadata)
    doc["metadata"] = {k: v for k, v in doc["metadata"].items() if v is not None}
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_submit_creates_the_experiment_as_written(tmp_path: Path, capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    assert cli("submit", str(EXAMPLE), client=client) == 0
    assert capsys.readouterr().out == f"experiment.kubeflow.org/{NAME} created in namespace {NS}\n"
    stored = api.objects[("experiments", NS, NAME)]
    sent = yaml.safe_load(EXAMPLE.read_text())
    assert stored["spec"] == sent["spec"]  # as written: Katib's webhook does the defaulting
    assert [c[0] for c in api.calls] == ["create"]


def test_namespace_comes_from_n_then_the_file_then_the_context(tmp_path: Path, capsys) -> None:
    spaces = {NS: dict(INJECTION), "team-b": dict(INJECTION), "ctx-ns": dict(INJECTION)}
    client, api, _ = fake_client(spaces, default_namespace="ctx-ns")
    no_namespace = example_file(tmp_path, namespace=None)
    assert cli("submit", str(no_namespace), client=client) == 0
    assert cli("submit", str(no_namespace), "-n", "team-b", client=client) == 0
    assert ("experiments", "ctx-ns", NAME) in api.objects and ("experiments", "team-b", NAME) in api.objects
    capsys.readouterr()
    assert cli("submit", str(EXAMPLE), "-n", "team-b", client=client) == 2
    assert one_line(capsys.readouterr().err) == (
        f"error: the namespace from the provided object '{NS}' does not match the namespace 'team-b' given "
        "with -n: drop one"
    )


def test_invalid_experiment_never_reaches_the_cluster(tmp_path: Path, capsys) -> None:
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["spec"]["maxTrialCount"] = 0
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    client, api, _ = fake_client({NS: dict(INJECTION)})
    assert cli("submit", str(path), client=client) == 2
    err = capsys.readouterr().err
    assert "error: spec.maxTrialCount:" in err
    assert err.splitlines()[-1] == f"error: {path} is not a valid Katib Experiment; nothing was submitted"
    assert api.calls == []


@pytest.mark.parametrize(
    ("api", "core", "message"),
    [
        (
            FakeCustomObjectsApi({NS: {}}),
            FakeCoreV1Api({NS: {}}),
            f"error: namespace {NS} lacks the label katib.kubeflow.org/metrics-collector-injection=enabled, "
            f"so Katib's webhook refuses the Experiment: kubectl label namespace {NS} "
            "katib.kubeflow.org/metrics-collector-injection=enabled",
        ),
        (
            FakeCustomObjectsApi({}),
            FakeCoreV1Api({}),
            f'error: cannot read namespace {NS}: namespaces "{NS}" not found',
        ),
        (
            FakeCustomObjectsApi({NS: dict(INJECTION)}, resources=set()),
            FakeCoreV1Api({NS: dict(INJECTION)}),
            f"error: cannot create experiment {NAME} in namespace {NS}: the cluster has no "
            "experiments.kubeflow.org/v1beta1 resource (Katib is not installed; see "
            "docs/cluster-quickstart.md)",
        ),
        (
            FakeCustomObjectsApi({NS: dict(INJECTION)}, forbidden={"create"}),
            FakeCoreV1Api({NS: dict(INJECTION)}),
            f"error: cannot create experiment {NAME} in namespace {NS}: forbidden: "
            f'experiments.kubeflow.org "{NAME}" is forbidden: User "alice" cannot create resource '
            '"experiments" in API group "kubeflow.org"',
        ),
    ],
    ids=["not-labelled", "no-namespace", "no-katib-crd", "forbidden"],
)
def test_refusals_are_one_line_and_exit_4(
    api: FakeCustomObjectsApi, core: FakeCoreV1Api, message: str, capsys
) -> None:
    from katib_local.cluster import KatibClient

    assert cli("submit", str(EXAMPLE), client=KatibClient(api, core)) == 4
    captured = capsys.readouterr()
    assert one_line(captured.err) == message
    assert captured.out == ""
    assert ("experiments", NS, NAME) not in api.objects


def test_already_exists(capsys) -> None:
    client, _, _ = fake_client({NS: dict(INJECTION)})
    assert cli("submit", str(EXAMPLE), client=client) == 0
    capsys.readouterr()
    assert cli("submit", str(EXAMPLE), client=client) == 4
    assert one_line(capsys.readouterr().err) == (
        f'error: cannot create experiment {NAME} in namespace {NS}: experiments.kubeflow.org "{NAME}" '
        "already exists (delete it first, or change metadata.name)"
    )


def test_namespace_unreadable_is_a_warning_and_the_create_goes_ahead(capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    client.core = FakeCoreV1Api(forbidden=True)
    assert cli("submit", str(EXAMPLE), client=client) == 0
    err = capsys.readouterr().err
    assert err.startswith(f'warning: cannot read namespace {NS}: forbidden: namespaces "{NS}" is forbidden')
    assert err.rstrip().endswith("the katib.kubeflow.org/metrics-collector-injection label is not checked")
    assert ("experiments", NS, NAME) in api.objects


def test_no_kube_config(tmp_path: Path, monkeypatch, capsys) -> None:
    """The real connect(): no kube config and not in a pod."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert cli("submit", str(EXAMPLE)) == 4
    assert one_line(capsys.readouterr().err).startswith(
        f"error: no kube config: {tmp_path / 'none'} is missing"
    )


# --wait ------------------------------------------------------------------------------------------------

T1, T2 = f"{NAME}-aaaaaaaa", f"{NAME}-bbbbbbbb"
PARAMS_1 = {"optimizer": "adam", "learning-rate": "0.001", "units": "16"}
PARAMS_2 = {"optimizer": "sgd", "learning-rate": "0.01", "units": "32"}


def rmse(value: str) -> dict[str, tuple[str, str, str]]:
    return {"val_rmse": (value, "99", value), "val_mae": ("3", "9", "3")}


def progress(final: str) -> list[Any]:
    """Katib's controller, one step per read of the Experiment: trials start, finish, the experiment ends."""

    def put_status(api: FakeCustomObjectsApi, status: dict[str, Any]) -> None:
        api.objects[("experiments", NS, NAME)]["status"] = status

    def step1(api: FakeCustomObjectsApi) -> None:
        api.put("trials", trial_object(NAME, T1, NS, PARAMS_1, "Running", rmse("20.5"), primary="trainer"))
        api.put("trials", trial_object(NAME, T2, NS, PARAMS_2, "Created", primary="trainer"))
        put_status(api, {"conditions": [condition("Created"), condition("Running")], "trials": 2})

    def step2(api: FakeCustomObjectsApi) -> None:
        api.put("trials", trial_object(NAME, T1, NS, PARAMS_1, "Succeeded", rmse("14.25"), primary="trainer"))
        api.put("trials", trial_object(NAME, T2, NS, PARAMS_2, "Running", primary="trainer"))

    def step3(api: FakeCustomObjectsApi) -> None:
        api.put("trials", trial_object(NAME, T2, NS, PARAMS_2, "Failed", primary="trainer"))
        reason = "ExperimentMaxTrialsReached" if final == "Succeeded" else "ExperimentFailed"
        put_status(
            api,
            {
                "conditions": [condition("Created"), condition("Running"), condition(final, reason)],
                "trials": 2,
                "trialsSucceeded": 1,
                "trialsFailed": 1,
            },
        )

    return [step1, step2, step3]


@pytest.mark.parametrize(("final", "code"), [("Succeeded", 0), ("Failed", 1)])
def test_wait_follows_trials_to_the_end(final: str, code: int, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    client, api, _ = fake_client({NS: dict(INJECTION)})
    api.then(NS, NAME, *progress(final))
    assert cli("submit", str(EXAMPLE), "--wait", "--interval", "0", "--plain", client=client) == code
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == f"experiment.kubeflow.org/{NAME} created in namespace {NS}"
    starts = [line for line in lines if line.startswith("start ")]
    assert starts == [
        f"start {T1} optimizer=adam learning-rate=0.001 units=16",
        f"start {T2} optimizer=sgd learning-rate=0.01 units=32",
    ]
    ends = [line.split() for line in lines if line.split()[:1] in (["Succeeded"], ["Failed"])]
    assert ends == [
        ["Succeeded", T1, "objective=14.25"],
        ["Failed", T2, "objective=-", "(Trial", "has", "failed)"],
    ]
    reason = "ExperimentMaxTrialsReached" if final == "Succeeded" else "ExperimentFailed"
    assert f"{NAME}: {final} ({reason})" in lines
    assert [c[0] for c in api.calls].count("get") == 3  # one read per controller step, no extra polling
    row = next(line for line in lines if T1 in line and "│" in line)
    assert "14.25" in row and "adam" in row


def test_wait_stops_when_the_experiment_is_deleted(capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})

    def delete(fake: FakeCustomObjectsApi) -> None:
        del fake.objects[("experiments", NS, NAME)]

    api.then(NS, NAME, delete)
    assert cli("submit", str(EXAMPLE), "--wait", "--interval", "0", "--plain", client=client) == 2
    assert one_line(capsys.readouterr().err) == (
        f'error: cannot get experiment {NAME} in namespace {NS}: experiments.kubeflow.org "{NAME}" not found'
    )


def test_fake_is_not_mutated_through_returned_objects() -> None:
    """The fake hands out copies, as a server does: a command cannot change the cluster by editing a dict."""
    client, _, _ = fake_client({NS: dict(INJECTION)})
    body = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text()))
    client.create_experiment(NS, body)["spec"]["maxTrialCount"] = 1
    assert client.get_experiment(NS, NAME)["spec"]["maxTrialCount"] == 18
