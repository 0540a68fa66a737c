"""Experiments around the checkpointing TF-free trial program ``trial_programs/checkpoint_counter.py``.

Used by the hyperband and pbt tests: a double ``x`` (with a step, which pbt needs), an int ``epochs`` (the
resource hyperband overwrites), and for pbt the trial's directory on the Suggestion's volume passed as
``--checkpoint-dir``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from katib_local.suggestions import StatefulSuggester, make_service
from tests.katib_local.runner_helpers import experiment_doc, job_trial_spec

COUNTER = Path(__file__).resolve().parent / "trial_programs" / "checkpoint_counter.py"
CHECKPOINTS = "/var/log/katib/checkpoints"


def counter_experiment(
    name: str,
    algorithm: str,
    settings: Sequence[tuple[str, str]],
    *,
    parallel: int,
    max_trials: int | None = None,
    epochs: tuple[int, int] | int = 2,
    checkpoint: bool = False,
) -> dict[str, Any]:
    """A Katib Experiment minimizing ``loss`` of checkpoint_counter.py over ``x`` in [0, 1] (step 0.05).

    ``epochs`` as ``(min, max)`` makes it an int parameter (hyperband's resource); as an int it is fixed in
    the command (pbt: an int parameter at a bound would come back from a perturbation as ``"2.0"``).
    """
    fixed = isinstance(epochs, int)
    command = ["python", str(COUNTER), "--x=${trialParameters.x}"]
    command.append(f"--epochs={epochs}" if fixed else "--epochs=${trialParameters.epochs}")
    if checkpoint:
        command.append(f"--checkpoint-dir={CHECKPOINTS}")
    parameters: list[dict[str, Any]] = [
        {
            "name": "x",
            "parameterType": "double",
            "feasibleSpace": {"min": "0.0", "max": "1.0", "step": "0.05"},
        }
    ]
    if not isinstance(epochs, int):
        parameters.append(
            {
                "name": "epochs",
                "parameterType": "int",
                "feasibleSpace": {"min": str(epochs[0]), "max": str(epochs[1])},
            }
        )
    container: dict[str, Any] = {"name": "training-container", "image": "python:3.12", "command": command}
    spec: dict[str, Any] = {
        "objective": {"type": "minimize", "objectiveMetricName": "loss"},
        "algorithm": {
            "algorithmName": algorithm,
            "algorithmSettings": [{"name": k, "value": v} for k, v in settings],
        },
        "parallelTrialCount": parallel,
        "parameters": parameters,
        "trialTemplate": {
            "primaryContainerName": "training-container",
            "retain": True,
            "trialParameters": [{"name": p["name"], "reference": p["name"]} for p in parameters],
            "trialSpec": job_trial_spec(container),
        },
    }
    if algorithm == "pbt":
        spec["resumePolicy"] = "FromVolume"
    if max_trials is not None:
        spec["maxTrialCount"] = max_trials
    return experiment_doc(name, spec)


def stateful(experiment: dict[str, Any]) -> StatefulSuggester:
    """The experiment's hyperband or pbt service."""
    service = make_service(experiment)
    assert isinstance(service, StatefulSuggester)
    return service
