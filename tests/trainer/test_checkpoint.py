"""``--checkpoint-dir``: a run killed with SIGKILL after its 2nd epoch and started again with the same command
ends like the uninterrupted shared run (same epochs, each printed once, final metrics within the README's
tolerance); another model's checkpoint is refused; a changed learning rate (PBT) loads and is reported."""

from __future__ import annotations

import math
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tests.trainer.conftest import TrainedRun, run_trainer, trainer_env
from tests.trainer.katib_format import parse_line
from trainer.checkpoint import FILE_NAME

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("trainer_run")]

# The README's resume tolerance on CPU (section "Checkpoints and resume"): relative, on every printed value.
RESUME_REL_TOL = 1e-5


@dataclass(frozen=True)
class ResumedRun:
    args: tuple[str, ...]
    killed_stdout: str
    stdout: str
    stderr: str
    returncode: int
    checkpoint_dir: Path
    log_dir: Path


def _values(stdout: str) -> list[dict[str, float]]:
    return [parse_line(line)[1] for line in stdout.splitlines()]


def _kill_after_epoch(args: tuple[str, ...], epoch: int) -> str:
    """Start the trainer, SIGKILL it as soon as its stdout shows ``epoch=<epoch>``; its stdout so far."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=trainer_env(),
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if f" epoch={epoch} " in line:
                proc.send_signal(signal.SIGKILL)
                break
        seen.extend(proc.stdout)  # whatever was already in the pipe
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, f"killed too late or failed: {proc.returncode}, {seen}"
    return "".join(seen)


@pytest.fixture(scope="module")
def resumed(trained_run: TrainedRun, tmp_path_factory: pytest.TempPathFactory) -> ResumedRun:
    """The shared run's exact command plus ``--checkpoint-dir`` (own log and model dirs), killed after epoch
    2, then run again with the same command."""
    root = tmp_path_factory.mktemp("resumed")
    log_dir = root / "tensorboard"
    keep = tuple(a for a in trained_run.args if not a.startswith(("--log-dir=", "--model-dir=")))
    args = (
        *keep,
        f"--log-dir={log_dir}",
        f"--model-dir={root / 'model'}",
        f"--checkpoint-dir={root / 'ckpt'}",
    )
    killed = _kill_after_epoch(args, 2)
    proc = run_trainer(*args)
    return ResumedRun(args, killed, proc.stdout, proc.stderr, proc.returncode, root / "ckpt", log_dir)


def test_killed_run_resumes_to_the_uninterrupted_end(trained_run: TrainedRun, resumed: ResumedRun) -> None:
    assert trained_run.returncode == 0 and resumed.returncode == 0, resumed.stderr[-3000:]
    both = _values(resumed.killed_stdout) + _values(resumed.stdout)
    epochs = [int(v["epoch"]) for v in both if "epoch" in v]
    assert epochs == [1, 2, 3]  # each epoch once across both runs, as many as the uninterrupted run
    assert "resuming from" in resumed.stderr and "2 epochs done" in resumed.stderr
    reference = _values(trained_run.stdout)
    assert len(both) == len(reference)
    for got, want in zip(both, reference, strict=True):
        assert set(got) == set(want)
        for name, value in want.items():
            if not name.endswith("_seconds"):  # timings of the last process only
                assert math.isclose(got[name], value, rel_tol=RESUME_REL_TOL), (name, got[name], value)


def test_tensorboard_scalars_continue_across_the_restart(resumed: ResumedRun) -> None:
    events = EventAccumulator(str(resumed.log_dir))
    events.Reload()
    steps = [event.step for event in events.Tensors("val_rmse")]
    assert steps == [1, 2, 3]


def test_another_models_checkpoint_is_one_line_and_exit_1(resumed: ResumedRun) -> None:
    args = [a for a in resumed.args if not a.startswith(("--units=", "--model-dir=", "--log-dir="))]
    proc = run_trainer(*args, "--units=5")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("trainer: error:")]
    assert len(errors) == 1 and "another model" in errors[0] and "units 8 there, 5 here" in errors[0]
    assert proc.stdout == ""


def test_changed_learning_rate_loads_with_the_new_value_and_says_so(
    resumed: ResumedRun, tmp_path: Path
) -> None:
    """PBT's case: a child starts from a copy of its parent's checkpoint with another learning rate."""
    child = tmp_path / "child"
    shutil.copytree(resumed.checkpoint_dir, child)
    args = [a for a in resumed.args if not a.startswith(("--checkpoint-dir=", "--model-dir=", "--log-dir="))]
    args = [a for a in args if not a.startswith(("--learning-rate=", "--epochs="))]
    proc = run_trainer(*args, f"--checkpoint-dir={child}", "--learning-rate=0.02", "--epochs=4")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "learning_rate 0.01 -> 0.02" in proc.stderr and "epochs 3 -> 4" in proc.stderr
    assert [int(v["epoch"]) for v in _values(proc.stdout) if "epoch" in v] == [4]
    assert (child / FILE_NAME).is_file()
