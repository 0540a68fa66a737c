"""``katib-local best NAME --cluster``: Katib's currentOptimalTrial, read through a FAKE CustomObjectsApi."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from katib_local.experiment.rendering import render_trial_spec

from .fake_kube import INJECTION, cli, condition, fake_client, trial_object

REPO = Path(__file__).resolve().parents[2]
NAME, NS = "forecast-local-grid", "katib-forecast"
BEST = f"{NAME}-k2x9q7mz"
ASSIGNMENTS = {"optimizer": "adam", "learning-rate": "0.003", "units": "32"}


def experiment_object(optimal: dict[str, Any] | None) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "examples" / "local-grid.yaml").read_text())
    status: dict[str, Any] = {
        "conditions": [
            condition("Created"),
            condition("Running"),
            condition("Succeeded", "ExperimentMaxTrialsReached"),
        ],
        "trials": 18,
    }
    if optimal is not None:
        status["currentOptimalTrial"] = optimal
    doc["status"] = status
    return doc


OPTIMAL = {
    "bestTrialName": BEST,
    "parameterAssignments": [{"name": k, "value": v} for k, v in ASSIGNMENTS.items()],
    "observation": {
        "metrics": [
            {"name": "val_rmse", "min": "13.5", "max": "40.1", "latest": "13.9"},
            {"name": "test_rmse", "min": "15", "max": "15", "latest": "15.25"},
            {"name": "train_seconds", "min": "unavailable", "max": "unavailable", "latest": "unavailable"},
        ]
    },
}


def rendered_run_spec(model_dir_prefix: str) -> dict[str, Any]:
    """The Job Katib renders for the best trial (its Trial's spec.runSpec), with a custom model dir."""
    template = experiment_object(None)["spec"]["trialTemplate"]
    run_spec = render_trial_spec(template["trialSpec"], template["trialParameters"], ASSIGNMENTS, BEST, NS)
    command = run_spec["spec"]["template"]["spec"]["containers"][0]["command"]
    index = next(i for i, w in enumerate(command) if w.startswith("--model-dir="))
    command[index] = f"--model-dir={model_dir_prefix}/$(KATIB_TRIAL_NAME)"
    return run_spec


def test_best_from_the_trials_run_spec(tmp_path: Path, capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    api.put("experiments", experiment_object(OPTIMAL))
    run_spec = rendered_run_spec("/mnt/shared/serving/v2")
    api.put(
        "trials", trial_object(NAME, BEST, NS, ASSIGNMENTS, "Succeeded", run_spec=run_spec, primary="trainer")
    )
    values_file = tmp_path / "values.yaml"
    assert cli("best", NAME, "--cluster", "-n", NS, "--helm-values", str(values_file), client=client) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Experiment {NAME} (namespace {NS}, on the cluster): Succeeded",
        f"Best trial: {BEST}",
        "  parameters: optimizer=adam learning-rate=0.003 units=32",
        # each metric at its strategy: val_rmse min, test_rmse latest, train_seconds unavailable as Katib says
        "  metrics:    val_rmse=13.5 (objective) test_rmse=15.25 train_seconds=unavailable",
        f"  model:      claim hpo-shared, subPath serving/v2/{BEST}",
        f"              (/mnt/shared/serving/v2/{BEST} in the trial; not looked into from here)",
        f"Helm values: {values_file} (helm install {NAME} charts/inference -n {NS} -f {values_file})",
    ]
    values = yaml.safe_load(values_file.read_text())
    assert values["model"]["storage"] == {
        "type": "pvc",
        "claimName": "hpo-shared",
        "subPath": f"serving/v2/{BEST}",
    }
    assert values["model"]["source"] == {"experiment": NAME, "trial": BEST}
    assert (
        f"katib-local best {NAME} --cluster -n {NS} --helm-values" in values_file.read_text().splitlines()[0]
    )


def test_trial_object_gone_falls_back_to_the_experiments_template(capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)}, default_namespace=NS)
    api.put("experiments", experiment_object(OPTIMAL))
    assert cli("best", NAME, "--cluster", client=client) == 0  # namespace from the kube context
    assert f"  model:      claim hpo-shared, subPath models/{NAME}/{BEST}" in capsys.readouterr().out


def test_no_best_trial_yet(capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    api.put("experiments", experiment_object(None))
    assert cli("best", NAME, "--cluster", "-n", NS, client=client) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: experiment '{NAME}' has no best trial yet (status.currentOptimalTrial is empty; "
        "18 trial(s) created)"
    )


def test_best_trial_without_a_model_on_a_pvc(capsys) -> None:
    client, api, _ = fake_client({NS: dict(INJECTION)})
    api.put("experiments", experiment_object(OPTIMAL))
    run_spec = rendered_run_spec("/tmp/models")
    api.put(
        "trials", trial_object(NAME, BEST, NS, ASSIGNMENTS, "Succeeded", run_spec=run_spec, primary="trainer")
    )
    assert cli("best", NAME, "--cluster", "-n", NS, client=client) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: best trial {BEST} has no model: --model-dir=/tmp/models/{BEST} is under no volume mount of "
        "'trainer': the model went with the pod"
    )


def test_unknown_experiment_and_no_katib(capsys) -> None:
    client, _, _ = fake_client({NS: dict(INJECTION)})
    assert cli("best", "nope", "--cluster", "-n", NS, client=client) == 2
    assert capsys.readouterr().err == (
        f'error: cannot get experiment nope in namespace {NS}: experiments.kubeflow.org "nope" not found\n'
    )
    client, _, _ = fake_client({NS: dict(INJECTION)}, resources=set())
    assert cli("best", NAME, "--cluster", "-n", NS, client=client) == 4
    assert "the cluster has no experiments.kubeflow.org/v1beta1 resource" in capsys.readouterr().err
