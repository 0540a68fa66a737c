"""A trial process killed from outside (the local stand-in for a preempted or evicted pod) is restarted with
the same command and checkpoint directory within the Job's budget (backoffLimit, podFailurePolicy), resumes
from its checkpoint, and the experiment completes with no trial lost or duplicated and no observation twice.

The kill is SIGKILL to the trial's pid (as the runner recorded it), sent once the trial's metrics.log shows
its 2nd epoch line; the trial program waits to be killed there on its first attempt only.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from katib_local.controller.retries import Failure, RetryPolicy
from tests.katib_local.runner_helpers import (
    experiment_doc,
    job_trial_spec,
    start_runner,
    trials_in_db,
    wait_until,
    write_experiment,
)

PROGRAM = Path(__file__).resolve().parent / "trial_programs" / "resumable_counter.py"
EPOCHS = 4
DISRUPTION_POLICY = {
    "rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        {
            "action": "FailJob",
            "onExitCodes": {"containerName": "training-container", "operator": "In", "values": [1, 2, 3]},
        },
    ]
}


def _experiment(name: str, job_spec: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "training-container",
        "image": "python:3.12",
        "command": [
            "python",
            str(PROGRAM),
            "--x=${trialParameters.x}",
            f"--epochs={EPOCHS}",
            "--hold-after=2",
            "--checkpoint-dir=/mnt/shared/checkpoints/${trialParameters.trialName}",
        ],
    }
    trial_spec = job_trial_spec(container)
    trial_spec["spec"].update(job_spec)
    spec = {
        "objective": {"type": "minimize", "objectiveMetricName": "objective"},
        "algorithm": {"algorithmName": "grid", "algorithmSettings": []},
        "parallelTrialCount": 1,
        "maxTrialCount": 1,
        "maxFailedTrialCount": 1,
        "parameters": [{"name": "x", "parameterType": "categorical", "feasibleSpace": {"list": ["0.1"]}}],
        "trialTemplate": {
            "primaryContainerName": "training-container",
            "retain": True,
            "trialParameters": [
                {"name": "x", "reference": "x"},
                {"name": "trialName", "reference": "${trialSpec.Name}"},
            ],
            "trialSpec": trial_spec,
        },
    }
    return experiment_doc(name, spec)


def _kill_after_second_epoch(tmp_path: Path, name: str, job_spec: dict[str, Any]) -> tuple[int, str]:
    """Run the one-trial experiment, SIGKILL its trial at its 2nd epoch line; runner exit code and log."""
    root, log = tmp_path / "root", tmp_path / "runner.log"
    runner = start_runner(write_experiment(tmp_path, _experiment(name, job_spec)), root, log)
    try:

        def second_epoch_printed() -> bool:
            logs = list((root / "experiments" / name / "trials").glob("*/metrics.log"))
            return bool(logs) and " epoch=2 " in logs[0].read_text()

        wait_until(second_epoch_printed, "the trial's 2nd epoch line", proc=runner)
        (trial,) = trials_in_db(root, name)
        os.kill(trial["pid"], signal.SIGKILL)
        runner.wait(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    return runner.returncode, log.read_text()


def test_a_disrupted_trial_resumes_and_the_experiment_completes_once(tmp_path: Path) -> None:
    # backoffLimit 0: only the podFailurePolicy's Ignore rule lets the killed attempt be replaced.
    code, log = _kill_after_second_epoch(
        tmp_path, "restart", {"backoffLimit": 0, "podFailurePolicy": DISRUPTION_POLICY}
    )
    assert code == 0, log
    (trial,) = trials_in_db(tmp_path / "root", "restart")  # not lost, not duplicated
    assert trial["status"] == "Succeeded", log
    assert trial["attempts"] == 2
    assert "killed by SIGKILL from outside the runner" in log and "restarted with the same command" in log
    state = json.loads(
        (
            tmp_path / "root" / "volumes" / "hpo-shared" / "checkpoints" / trial["name"] / "state.json"
        ).read_text()
    )
    assert state == {"epoch": EPOCHS, "starts": [0, 2]}  # resumed after epoch 2, not rerun from scratch
    # As on a cluster, only the last attempt reports: epochs 3 and 4, each once.
    objective = [float(value) for metric, _, value in trial["logs"] if metric == "objective"]
    assert objective == pytest.approx([(0.1 - 0.3) ** 2 + 1 / (1 + e) for e in (3, 4)], abs=1e-6)


def test_without_a_disruption_rule_the_kill_counts_against_backoff_limit(tmp_path: Path) -> None:
    code, log = _kill_after_second_epoch(tmp_path, "no-retry", {"backoffLimit": 0})
    (trial,) = trials_in_db(tmp_path / "root", "no-retry")
    assert trial["status"] == "Failed" and trial["attempts"] == 1, log
    assert "backoffLimit 0 reached" in log and code != 0


def test_job_rules_as_kubernetes_applies_them() -> None:
    policy = RetryPolicy.from_template(
        {
            "primaryContainerName": "training-container",
            "trialSpec": {"spec": {"backoffLimit": 1, "podFailurePolicy": DISRUPTION_POLICY}},
        }
    )
    killed = Failure.of(-signal.SIGKILL, has_stop_rules=False)
    assert killed.exit_code == 137 and killed.disrupted
    assert all(policy.judge("t", killed).retry for _ in range(5))  # Ignore: never counted
    assert not policy.judge("t", Failure.of(3, has_stop_rules=False)).retry  # diverged: FailJob
    other = Failure.of(7, has_stop_rules=False)
    assert policy.judge("t", other).retry and not policy.judge("t", other).retry  # counted: 1 retry
    # Katib's early-stopping wrapper turns any failure into exit 1, which FailJob catches.
    assert Failure.of(9, has_stop_rules=True).exit_code == 1
    assert RetryPolicy.from_template({"trialSpec": {"spec": {}}}).backoff_limit == 6
