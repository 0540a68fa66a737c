"""``results NAME --cluster`` and ``status NAME --cluster`` over a FAKE CustomObjectsApi, and the wiring of
the cluster commands into ``katib-local``'s own parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from katib_local.cli import build_parser
from katib_local.cli import main as cli_main

from .fake_kube import INJECTION, cli, condition, fake_client, trial_object

REPO = Path(__file__).resolve().parents[2]
NAME, NS = "forecast-local-grid", "katib-forecast"
T1, T2, T3 = (f"{NAME}-{s}" for s in ("aaaaaaaa", "bbbbbbbb", "cccccccc"))


def populated() -> Any:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    experiment: dict[str, Any] = yaml.safe_load((REPO / "examples" / "local-grid.yaml").read_text())
    experiment["status"] = {
        "conditions": [
            condition("Created"),
            condition("Running", "ExperimentRunning", "Experiment is running"),
        ],
        "trials": 3,
        "trialsSucceeded": 1,
        "trialsEarlyStopped": 1,
        "trialsRunning": 1,
        "currentOptimalTrial": {
            "bestTrialName": T2,
            "parameterAssignments": [{"name": "optimizer", "value": "rmsprop"}],
            "observation": {"metrics": [{"name": "val_rmse", "min": "12.5", "max": "30", "latest": "12.75"}]},
        },
    }
    api.put("experiments", experiment)
    params = {"optimizer": "adam", "learning-rate": "0.001", "units": "16"}
    metrics = {"val_rmse": ("14.5", "31", "14.5"), "test_rmse": ("15", "16", "15.5")}
    api.put("trials", trial_object(NAME, T1, NS, params, "Succeeded", metrics))
    params2 = {**params, "optimizer": "rmsprop"}
    api.put(
        "trials", trial_object(NAME, T2, NS, params2, "EarlyStopped", {"val_rmse": ("12.5", "30", "12.75")})
    )
    api.put("trials", trial_object(NAME, T3, NS, {**params, "units": "32"}, "Running"))
    api.put("trials", trial_object("another", "another-x", NS, params, "Succeeded", metrics))
    return client


def test_results_csv_and_json_from_the_trials(capsys) -> None:
    client = populated()
    assert cli("results", NAME, "--cluster", "-n", NS, "--format", "csv", client=client) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Status,trialName,val_rmse,val_mae,test_rmse,test_score,train_seconds,optimizer,learning-rate,units",
        f"Succeeded,{T1},14.5,,15.5,,,adam,0.001,16",  # val_rmse at min, test_rmse at latest (the example's)
        f"EarlyStopped,{T2},12.5,,,,,rmsprop,0.001,16",
        f"Running,{T3},,,,,,adam,0.001,32",
    ]
    assert cli("results", NAME, "--cluster", "-n", NS, "--format", "json", client=client) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["status"]) for t in listed] == [
        (T1, "Succeeded"),
        (T2, "EarlyStopped"),
        (T3, "Running"),
    ]
    assert listed[0]["metrics"] == {"val_rmse": 14.5, "test_rmse": 15.5}


def test_results_table_ranks_best_first(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert cli("results", NAME, "--cluster", "-n", NS, client=populated()) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].strip() == f"{NAME} (namespace {NS}): Running"
    assert out.index(T2) < out.index(T1) < out.index(T3)


def test_status_from_katibs_counters_and_optimal_trial(capsys) -> None:
    assert cli("status", NAME, "--cluster", "-n", NS, client=populated()) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Experiment {NAME} (namespace {NS}, on the cluster)",
        "Condition: Running ExperimentRunning: Experiment is running",
        "Trials: 3 created, 2/18 done; running 1, pending 0, succeeded 1, failed 0, early-stopped 1, "
        "metrics-unavailable 0",
        f"Best trial: {T2} val_rmse=12.5 (optimizer=rmsprop)",
    ]


@pytest.mark.parametrize("command", ["status", "results"])
def test_unknown_experiment_and_no_katib(command: str, capsys) -> None:
    client, _, _ = fake_client({NS: dict(INJECTION)})
    assert cli(command, "nope", "--cluster", "-n", NS, client=client) == 2
    assert capsys.readouterr().err == (
        f'error: cannot get experiment nope in namespace {NS}: experiments.kubeflow.org "nope" not found\n'
    )
    client, _, _ = fake_client({NS: dict(INJECTION)}, resources=set())
    assert cli(command, NAME, "--cluster", "-n", NS, client=client) == 4


def test_the_cli_knows_the_cluster_commands(tmp_path: Path, monkeypatch, capsys) -> None:
    """Through ``katib_local.cli.main`` itself, with the real connect(): no kube config here -> exit 4."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    for argv in (
        ["submit", str(REPO / "examples" / "local-grid.yaml")],
        ["best", NAME, "--cluster"],
        ["status", NAME, "--cluster"],
        ["results", NAME, "--cluster", "--format", "csv"],
    ):
        assert cli_main(argv) == 4, argv
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("error: no kube config:")
    help_text = " ".join(build_parser().format_help().split())
    assert "best" in help_text and "submit" in help_text and "4 the cluster refused" in help_text
