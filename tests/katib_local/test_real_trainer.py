"""Every local algorithm runs a small experiment with the real trainer; TensorBoard then compares the trials.

One module-scoped fixture runs the seven experiments into one ``--root`` (2 trials each, 2 at a time, one
epoch on tiny synthetic data); the tests read the outcome. TensorBoard is pointed at
``<root>/volumes/hpo-shared/tensorboard`` and must serve an HParams session for every trial.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from katib_local.cli import main
from tests.katib_local.runner_helpers import (
    TINY_EXAMPLE_FLAGS,
    job_trial_spec,
    trials_in_db,
    write_experiment,
)
from tests.tensorboard_server import tensorboard, wait_for_sessions

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("katib-local-real-trainer")]

ALGORITHMS: dict[str, list[tuple[str, str]]] = {
    "grid": [("random_state", "1")],
    "random": [("random_state", "1")],
    "bayesianoptimization": [("random_state", "1")],
    "tpe": [("random_state", "1")],
    "multivariate-tpe": [("random_state", "1")],
    "cmaes": [("random_state", "1")],
    "sobol": [],
}
TINY_DATA = ["--data=synthetic", *TINY_EXAMPLE_FLAGS, "--epochs=1", "--patience=0", "--threads=1"]


def trainer_experiment(algorithm: str, settings: list[tuple[str, str]]) -> dict[str, Any]:
    """A Katib Experiment of the same form as the manifests, sized to run in seconds."""
    name = f"tiny-{algorithm}"
    command = [
        "python",
        "-m",
        "trainer",
        *TINY_DATA,
        "--learning-rate=${trialParameters.learningRate}",
        "--units=${trialParameters.units}",
        f"--experiment-name={name}",
        "--trial-name=${trialParameters.trialName}",
        f"--log-dir=/mnt/shared/tensorboard/{name}/${{trialParameters.trialName}}",
    ]
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": name, "namespace": "katib-forecast"},
        "spec": {
            "objective": {
                "type": "minimize",
                "objectiveMetricName": "val_rmse",
                "additionalMetricNames": ["val_mae"],
            },
            "algorithm": {
                "algorithmName": algorithm,
                "algorithmSettings": [{"name": k, "value": v} for k, v in settings],
            },
            "parallelTrialCount": 2,
            "maxTrialCount": 2,
            "maxFailedTrialCount": 2,
            "parameters": [
                {
                    "name": "learning-rate",
                    "parameterType": "double",
                    "feasibleSpace": {"min": "0.001", "max": "0.01"},
                },
                {"name": "units", "parameterType": "int", "feasibleSpace": {"min": "4", "max": "8"}},
            ],
            "trialTemplate": {
                "primaryContainerName": "trainer",
                "trialParameters": [
                    {"name": "learningRate", "reference": "learning-rate"},
                    {"name": "units", "reference": "units"},
                    {"name": "trialName", "reference": "${trialSpec.Name}"},
                ],
                "trialSpec": job_trial_spec(
                    {
                        "name": "trainer",
                        "image": "katib-forecast-trainer",
                        "command": command,
                        "env": [{"name": "TF_CPP_MIN_LOG_LEVEL", "value": "3"}],
                        "resources": {"limits": {"cpu": "1"}},
                    }
                ),
            },
        },
    }


def with_grid_steps(doc: dict[str, Any]) -> dict[str, Any]:
    """Grid needs a step on every double (Katib fails the suggestion otherwise). Only grid gets steps: with
    hyperopt a step means ``quniform``, which rounds to multiples of the step and can leave [min, max]."""
    learning_rate, units = doc["spec"]["parameters"]
    learning_rate["feasibleSpace"]["step"] = "0.009"
    units["feasibleSpace"]["step"] = "4"
    return doc


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Run every algorithm's experiment into one root; returns the root and each run's exit code."""
    workdir = tmp_path_factory.mktemp("real-trainer")
    root = workdir / "runs"
    codes = {}
    for algorithm, settings in ALGORITHMS.items():
        doc = trainer_experiment(algorithm, settings)
        path = write_experiment(workdir, with_grid_steps(doc) if algorithm == "grid" else doc)
        codes[algorithm] = main(["run", str(path), "--root", str(root), "--plain"])
    return root, codes


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_algorithm_finishes_a_small_experiment(runs, algorithm, capsys):
    root, codes = runs
    assert codes[algorithm] == 0
    trials = trials_in_db(root, f"tiny-{algorithm}")
    assert len(trials) == 2
    assert {t["status"] for t in trials} == {"Succeeded"}
    for t in trials:
        lr, units = float(t["assignments"]["learning-rate"]), int(t["assignments"]["units"])
        assert 0.001 <= lr <= 0.01 + 1e-9 and 4 <= units <= 8
        assert any(name == "val_rmse" and float(value) > 0 for name, _, value in t["logs"])
    capsys.readouterr()
    assert main(["results", f"tiny-{algorithm}", "--root", str(root), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in listed} == {t["name"] for t in trials}
    assert all(r["metrics"]["val_rmse"] > 0 for r in listed)


def test_tensorboard_on_the_volume_compares_every_trial_with_hparams(runs):
    root, _ = runs
    names = {t["name"] for alg in ALGORITHMS for t in trials_in_db(root, f"tiny-{alg}")}
    with tensorboard(root / "volumes" / "hpo-shared" / "tensorboard") as url:
        groups = wait_for_sessions(url, names)
    by_trial = {n: next(g for g in groups if g["name"].rstrip("/").endswith(n)) for n in names}
    for group in by_trial.values():
        hparams = group["hparams"]
        assert 0.001 <= float(hparams["learning_rate"]) <= 0.01 + 1e-9
        assert int(float(hparams["units"])) in range(4, 9)
