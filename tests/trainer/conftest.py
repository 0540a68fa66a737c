"""Shared trainer runs: TensorFlow is slow to start, so one real run (3 epochs, tiny synthetic data,
TensorBoard logs and a SavedModel) is made once per session and many tests read its outputs.

Tests that use :func:`trained_run` carry ``xdist_group("trainer_run")`` so ``--dist loadgroup`` puts them on
one worker and the run happens once, not once per worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Small enough for seconds on 2 cores, big enough for three unit-disjoint splits with several windows each.
TINY_DATA = (
    "--synthetic-units=12",
    "--synthetic-min-life=40",
    "--synthetic-max-life=70",
    "--window=10",
)
TINY_MODEL = ("--units=8", "--num-layers=1", "--batch-size=32")


def trainer_env() -> dict[str, str]:
    """The environment for trainer subprocesses: no Katib names leaking in, quiet TensorFlow, no GPU probe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KATIB_")}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="", PYTHONUNBUFFERED="1")
    return env


def run_trainer(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trainer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=trainer_env(),
        check=False,
    )


@dataclass(frozen=True)
class TrainedRun:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    tensorboard_parent: Path  # what a user points TensorBoard at (the experiment directory)
    log_dir: Path
    model_dir: Path
    trial_name: str


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    root = tmp_path_factory.mktemp("trained_run")
    parent = root / "tensorboard" / "exp-tiny"
    log_dir = parent / "exp-tiny-abc12345"
    model_dir = root / "models" / "exp-tiny" / "exp-tiny-abc12345"
    args = (
        *TINY_DATA,
        *TINY_MODEL,
        "--epochs=3",
        "--patience=0",
        "--learning-rate=0.01",
        f"--log-dir={log_dir}",
        f"--model-dir={model_dir}",
        "--experiment-name=exp-tiny",
        "--trial-name=exp-tiny-abc12345",
    )
    proc = run_trainer(*args)
    return TrainedRun(
        args, proc.returncode, proc.stdout, proc.stderr, parent, log_dir, model_dir, "exp-tiny-abc12345"
    )
