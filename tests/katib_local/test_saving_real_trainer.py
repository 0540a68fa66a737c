"""hyperband and pbt with the real trainer: hyperband's resource is the trainer's ``--epochs``; a pbt child
continues its parent's checkpoint through ``--checkpoint-dir`` and ``--epochs-per-run``.

The experiment of ``test_real_trainer.py`` (tiny synthetic data) with ``epochs`` as hyperband's resource:
``r_l`` 3, ``eta`` 3, so ``s_max = int(log 3 / log 3) = 1`` and parallelTrialCount 3 (Katib's minimum,
``3**1``). Bracket s=1 (``r = 3 * 3**-1 = 1``): the first request, 3 trials at 1 epoch; its child rung keeps
``ceil(3/3) = 1`` at ``int(1 * 3) = 3`` epochs. Bracket s=0 (``r = 3``), asked in the same turn: the 2 free
slots, 2 trials at 3 epochs. Then the service has nothing more: 6 trials, 12 trial-epochs.
"""

from __future__ import annotations

import pytest

from katib_local.cli import main
from katib_local.controller.store import Store
from tests.katib_local.runner_helpers import trials_in_db, write_experiment
from tests.katib_local.test_real_trainer import trainer_experiment

GENERATION = "pbt.suggestion.katib.kubeflow.org/generation"
PARENT = "pbt.suggestion.katib.kubeflow.org/parent"
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


def test_pbt_children_continue_their_parents_checkpoint_with_the_trainer(tmp_path):
    # n_population 5, 2 at a time: the first request takes 2 of the 5 seeds, each trial's end asks for one
    # more; the 4th and 5th ends find the queue empty and a pool of at most 5, so they seed 2 more; the 6th
    # end (pool of 6 > 5) spawns generation 1. So trials 1-7 are generation 0 and trial 8 the first child.
    # Each trial trains 1 epoch beyond the checkpoint it starts from (--epochs-per-run): the child prints
    # epoch 2.
    settings = [
        ("suggestion_trial_dir", "/mnt/pbt"),
        ("n_population", "5"),
        ("truncation_threshold", "0.2"),
        ("random_state", "1"),
    ]
    doc = trainer_experiment("pbt", settings)
    spec = doc["spec"]
    spec["parallelTrialCount"], spec["maxTrialCount"], spec["resumePolicy"] = 2, 8, "FromVolume"
    spec["parameters"] = [
        {
            "name": "learning-rate",
            "parameterType": "double",
            "feasibleSpace": {"min": "0.001", "max": "0.01", "step": "0.001"},
        }
    ]
    spec["trialTemplate"]["trialParameters"] = [
        t for t in spec["trialTemplate"]["trialParameters"] if t["reference"] != "units"
    ]
    command = spec["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["command"]
    command.remove("--units=${trialParameters.units}")
    command += ["--units=4", "--epochs-per-run=1", "--checkpoint-dir=/mnt/pbt"]
    root = tmp_path / "runs"
    assert main(["run", str(write_experiment(tmp_path, doc)), "--root", str(root), "--plain"]) == 0
    trials = trials_in_db(root, "tiny-pbt")
    assert len(trials) == 8 and {t["status"] for t in trials} == {"Succeeded"}
    with Store(root) as store:
        labels = store.trial_labels("tiny-pbt")
    child = trials[-1]
    assert labels[child["name"]][GENERATION] == "1"
    assert labels[child["name"]][PARENT] in {t["name"] for t in trials[:7]}  # one of the 6 finished then
    assert [labels[t["name"]][GENERATION] for t in trials[:7]] == ["0"] * 7
    # the trainer resumed the parent's checkpoint (copied into the child's directory) and trained epoch 2
    child_dir = root / "volumes" / "tiny-pbt-pbt" / "tiny-pbt" / child["name"]
    assert any(child_dir.iterdir())
    log = (root / "experiments" / "tiny-pbt" / "trials" / child["name"] / "metrics.log").read_text()
    assert [line.split("epoch=")[1].split()[0] for line in log.splitlines() if " epoch=" in line] == ["2"]
