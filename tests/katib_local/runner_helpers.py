"""Experiments around the TF-free trial program ``trial_programs/quadratic.py``, and ways to run them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

QUADRATIC = Path(__file__).resolve().parent / "trial_programs" / "quadratic.py"
REPO = Path(__file__).resolve().parents[2]
# Appended to examples/local-grid.yaml's trainer command (later flags win): tiny synthetic data, so a trial of
# the main job's form runs in seconds.
TINY_EXAMPLE_FLAGS = (
    "--synthetic-units=10",
    "--synthetic-min-life=40",
    "--synthetic-max-life=60",
    "--window=8",
    "--stride=8",
    "--batch-size=64",
)


def job_trial_spec(container: dict[str, Any]) -> dict[str, Any]:
    """A ``batch/v1`` Job trialSpec running ``container`` with claim ``hpo-shared`` mounted at /mnt/shared.

    ``container`` is used as is (a mount is added to it), so a caller may still change its command after.
    """
    container["volumeMounts"] = [{"name": "shared", "mountPath": "/mnt/shared"}]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "backoffLimit": 0,  # one attempt per trial; Kubernetes' default would retry a failure 6 times
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [container],
                    "volumes": [{"name": "shared", "persistentVolumeClaim": {"claimName": "hpo-shared"}}],
                }
            },
        },
    }


def quadratic_experiment(
    name: str,
    xs: Sequence[str],
    *,
    algorithm: str = "grid",
    settings: Sequence[tuple[str, str]] = (("random_state", "7"),),
    parallel: int = 1,
    max_trials: int | None = None,
    max_failed: int | None = None,
    goal: float | None = None,
    epochs: int = 3,
    extra_args: Sequence[str] = (),
    early_stopping: dict[str, Any] | None = None,
    collector: dict[str, Any] | None = None,
    resources: dict[str, Any] | None = None,
    active_deadline: int | None = None,
) -> dict[str, Any]:
    """A Katib Experiment minimizing ``objective`` over a categorical ``x``; a trial runs quadratic.py."""
    objective: dict[str, Any] = {
        "type": "minimize",
        "objectiveMetricName": "objective",
        "additionalMetricNames": ["loss"],
    }
    if goal is not None:
        objective["goal"] = goal
    container: dict[str, Any] = {
        "name": "training-container",
        "image": "python:3.12",
        "command": ["python", str(QUADRATIC), "--x=${trialParameters.x}", f"--epochs={epochs}", *extra_args],
    }
    if resources:
        container["resources"] = resources
    spec: dict[str, Any] = {
        "objective": objective,
        "algorithm": {
            "algorithmName": algorithm,
            "algorithmSettings": [{"name": k, "value": v} for k, v in settings],
        },
        "parallelTrialCount": parallel,
        "parameters": [{"name": "x", "parameterType": "categorical", "feasibleSpace": {"list": list(xs)}}],
        "trialTemplate": {
            "primaryContainerName": "training-container",
            "retain": True,
            "trialParameters": [
                {"name": "x", "reference": "x"},
                {"name": "trialName", "reference": "${trialSpec.Name}"},
            ],
            "trialSpec": job_trial_spec(container),
        },
    }
    # Katib requires every trialParameter to be used: the trial name goes into a tag file path.
    container["command"].append("--tag-file=/mnt/shared/tags/${trialParameters.trialName}.json")
    if active_deadline is not None:
        spec["trialTemplate"]["trialSpec"]["spec"]["activeDeadlineSeconds"] = active_deadline
    if max_trials is not None:
        spec["maxTrialCount"] = max_trials
    if max_failed is not None:
        spec["maxFailedTrialCount"] = max_failed
    if early_stopping is not None:
        spec["earlyStopping"] = early_stopping
    if collector is not None:
        spec["metricsCollectorSpec"] = collector
    return experiment_doc(name, spec)


def experiment_doc(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """A Katib Experiment named ``name`` in namespace kubeflow with ``spec``."""
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": name, "namespace": "kubeflow"},
        "spec": spec,
    }


def write_experiment(directory: Path, doc: dict[str, Any]) -> Path:
    path = directory / f"{doc['metadata']['name']}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def trials_in_db(root: Path, experiment: str) -> list[dict[str, Any]]:
    """Trial rows straight from SQLite (read-only), creation order, with their observation rows."""
    conn = sqlite3.connect(f"file:{root / 'katib-local.db'}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        rows = [
            dict(r)
            for r in conn.execute("SELECT * FROM trials WHERE experiment=? ORDER BY seq", (experiment,))
        ]
        for row in rows:
            row["assignments"] = json.loads(row["assignments"])
            row["rules"] = json.loads(row["rules"])
            row["logs"] = [
                tuple(r)
                for r in conn.execute(
                    "SELECT metric_name, time, value FROM observation_logs "
                    "WHERE trial_name=? ORDER BY time, id",
                    (row["name"],),
                )
            ]
        return rows
    finally:
        conn.close()


def start_runner(path: Path, root: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """``katib-local run`` in a child process (so it can be signalled), output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "katib_local", "run", str(path), "--root", str(root), "--plain", *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            env={**os.environ, "COLUMNS": "200"},
        )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0, proc=None) -> None:
    """Bounded wait for ``condition`` (checked every 50 ms); fails with ``what`` if it never holds or if
    ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"runner exited with {proc.returncode} before: {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
