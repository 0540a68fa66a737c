"""hyperband with the real trainer: the resource Katib's service sets per rung is the trainer's ``--epochs``.

The experiment of ``test_real_trainer.py`` (tiny synthetic data) with ``epochs`` as hyperband's resource:
``r_l`` 3, ``eta`` 3, so ``s_max = int(log 3 / log 3) = 1`` and parallelTrialCount 3 (Katib's minimum,
``3**1``). Bracket s=1 (``r = 3 * 3**-1 = 1``): the first request, 3 trials at 1 epoch; its child rung keeps
``ceil(3/3) = 1`` at ``int(1 * 3) = 3`` epochs. Bracket s=0 (``r = 3``), asked in the same turn: the 2 free
slots, 2 trials at 3 epochs. Then the service has nothing more: 6 trials, 12 trial-epochs.
"""

from __future__ import annotations

import pytest

from katib_local.cli import main
from tests.katib_local.runner_helpers import trials_in_db, write_experiment
from tests.katib_local.test_real_trainer import trainer_experiment

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("katib-local-real-trainer")]


def test_hyperband_rungs_set_the_trainers_epochs(tmp_path):
    doc = trainer_experiment(
        "hyperband", [("r_l", "3"), ("eta", "3"), ("resource_name", "epochs"), ("random_state", "1")]
    )
    spec = doc["spec"]
    spec["parallelTrialCount"], spec["maxTrialCount"] = 3, 10
    spec["parameters"].append(
        {"name": "epochs", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "3"}}
    )
    spec["trialTemplate"]["trialParameters"].append({"name": "epochs", "reference": "epochs"})
    command = spec["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["command"]
    command[command.index("--epochs=1")] = "--epochs=${trialParameters.epochs}"
    root = tmp_path / "runs"
    assert main(["run", str(write_experiment(tmp_path, doc)), "--root", str(root), "--plain"]) == 0
    trials = trials_in_db(root, "tiny-hyperband")
    assert [int(t["assignments"]["epochs"]) for t in trials] == [1, 1, 1, 3, 3, 3]
    assert {t["status"] for t in trials} == {"Succeeded"}
    for t in trials:  # the trainer ran exactly the epochs hyperband gave it
        assert len([1 for name, _, _ in t["logs"] if name == "val_rmse"]) == int(t["assignments"]["epochs"])
    best_first = min(trials[:3], key=lambda t: min(float(v) for n, _, v in t["logs"] if n == "val_rmse"))
    assert trials[3]["assignments"]["learning-rate"] == best_first["assignments"]["learning-rate"]
