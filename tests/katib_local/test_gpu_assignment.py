"""GPU trials on a machine with GPUs: whole GPUs through CUDA_VISIBLE_DEVICES, never shared at once.

Skipped where ``nvidia-smi`` (or ``CUDA_VISIBLE_DEVICES``) shows no GPU. Each trial records its environment
in a tag file (``quadratic.py --tag-file``); the runner's database gives each trial's span.
"""

from __future__ import annotations

import json

import pytest

from katib_local.cli import main
from katib_local.controller.gpus import detect_gpus
from tests.katib_local.runner_helpers import quadratic_experiment, trials_in_db, write_experiment

GPUS = detect_gpus()
pytestmark = pytest.mark.skipif(not GPUS, reason="no GPU on this machine (nvidia-smi -L lists none)")


def tags(root, trials):
    volume = root / "volumes" / "hpo-shared" / "tags"
    return {t["name"]: json.loads((volume / f"{t['name']}.json").read_text())["env"] for t in trials}


def test_gpu_trials_get_whole_gpus_and_wait_for_a_free_one(tmp_path):
    count = len(GPUS) + 1  # one more trial than GPUs, all in parallel: one must wait
    doc = quadratic_experiment(
        "quad-gpu",
        [str(i) for i in range(count)],
        parallel=count,
        max_trials=count,
        epochs=20,
        resources={"limits": {"nvidia.com/gpu": 1}},
    )
    path = write_experiment(tmp_path, doc)
    assert main(["run", str(path), "--root", str(tmp_path / "runs"), "--plain"]) == 0
    trials = trials_in_db(tmp_path / "runs", "quad-gpu")
    env = tags(tmp_path / "runs", trials)
    assigned = {name: e["CUDA_VISIBLE_DEVICES"] for name, e in env.items()}
    assert set(assigned.values()) <= set(GPUS) and all(len(v.split(",")) == 1 for v in assigned.values())
    # No two trials hold the same GPU at the same time.
    spans = sorted((t["started"], t["completed"], assigned[t["name"]]) for t in trials)
    for i, (start, _, gpu) in enumerate(spans):
        for _other_start, other_end, other_gpu in spans[:i]:
            if other_gpu == gpu:
                assert start >= other_end, f"GPU {gpu} shared by overlapping trials"


def test_trial_without_gpu_request_sees_none(tmp_path):
    doc = quadratic_experiment("quad-nogpu", ["1"], algorithm="random", max_trials=1)
    path = write_experiment(tmp_path, doc)
    assert main(["run", str(path), "--root", str(tmp_path / "runs"), "--plain"]) == 0
    (env,) = tags(tmp_path / "runs", trials_in_db(tmp_path / "runs", "quad-nogpu")).values()
    assert env["CUDA_VISIBLE_DEVICES"] == ""
