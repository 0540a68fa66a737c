"""Every documented failure exits with one clear line and its code.

Data errors are found before TensorFlow is imported, so these subprocesses take well under a second each;
only the divergence and SIGTERM tests train."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.util.tensor_util import make_ndarray

from tests.trainer.conftest import TINY_DATA, TINY_MODEL, run_trainer, trainer_env
from trainer.errors import EXIT_DIVERGED, EXIT_ERROR, EXIT_TERMINATED, EXIT_USAGE

GOOD_ROWS = "unit,time,s1,s2\n" + "".join(
    f"{u},{t},{t * 0.1},{u}\n" for u in range(1, 6) for t in range(1, 9)
)

CASES = {
    # name: (file contents or None, args, exit code, words the one line must contain)
    "unknown optimizer": (None, ["--optimizer=adamw"], EXIT_USAGE, ["--optimizer", "adam|nadam"]),
    "negative learning rate": (None, ["--learning-rate=-0.001"], EXIT_USAGE, ["--learning-rate", "(0, 10]"]),
    "no cnn filters": (None, ["--architecture=cnn", "--filters=0"], EXIT_USAGE, ["--filters", "[1, 1024]"]),
    "cnn kernel too long": (None, ["--kernel-size=1001"], EXIT_USAGE, ["--kernel-size", "[1, 1000]"]),
    "window larger than every unit": (
        GOOD_ROWS,
        ["--window=50", "--short-units=skip"],
        EXIT_ERROR,
        ["window 50", "longer than every unit"],
    ),
    "window larger than every unit, padding on": (
        GOOD_ROWS,
        ["--window=50", "--short-units=pad"],
        EXIT_ERROR,
        ["window 50", "longer than every unit", "--window <= 8"],
    ),
    "huge window on the built-in data": (
        None,
        ["--window=100000"],
        EXIT_ERROR,
        ["window 100000", "longer than every unit", "--window <="],
    ),
    "missing file": ("MISSING", [], EXIT_ERROR, ["no such file"]),
    "csv without the named columns": (
        "id,cycle,s1\n1,1,0.5\n1,2,0.6\n",
        [],
        EXIT_ERROR,
        ["missing column", "unit"],
    ),
    "non-numeric feature values": (
        GOOD_ROWS.replace("1,3,0.30000000000000004,1", "1,3,broken,1"),
        ["--feature-columns=s1,s2"],
        EXIT_ERROR,
        ["s1", "non-numeric", "broken"],
    ),
    "nan in features": (GOOD_ROWS.replace("2,4,0.4,2", "2,4,nan,2"), [], EXIT_ERROR, ["s1", "NaN"]),
    "empty file": ("", [], EXIT_ERROR, ["empty"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_failure_is_one_line_with_its_code(case: str, tmp_path: Path) -> None:
    contents, args, code, words = CASES[case]
    path = tmp_path / "data.csv"
    if contents is not None:
        if contents != "MISSING":
            path.write_text(contents)
        args = [f"--data={path}", *args]
    proc = run_trainer(*args, "--epochs=1", timeout=120)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("trainer: error:")]
    assert len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "tensorflow " not in proc.stderr  # failed before TensorFlow was imported (its banner names it)
    for word in words:
        assert word in errors[0]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = run_trainer(f"--data={tmp_path / 'absent.csv'}", "--debug", timeout=120)
    assert proc.returncode == EXIT_ERROR
    assert "Traceback" in proc.stderr and "no such file" in proc.stderr.splitlines()[-1]


def test_existing_model_version_is_refused_before_training(tmp_path: Path) -> None:
    (tmp_path / "models" / "1").mkdir(parents=True)
    proc = run_trainer(f"--model-dir={tmp_path / 'models'}", timeout=120)
    assert proc.returncode == EXIT_ERROR
    assert "already exists" in proc.stderr.splitlines()[-1]
    assert "tensorflow" not in proc.stderr  # refused before TensorFlow was even imported


@pytest.mark.tensorflow
def test_nan_loss_stops_within_the_first_epoch(tmp_path: Path) -> None:
    proc = run_trainer(
        *TINY_DATA,
        *TINY_MODEL,
        "--optimizer=sgd",
        "--learning-rate=10",
        "--batch-size=4",
        "--epochs=50",
        f"--log-dir={tmp_path / 'tb'}",
    )
    assert proc.returncode == EXIT_DIVERGED, proc.stderr[-2000:]
    assert "epoch=" not in proc.stdout  # stopped inside epoch 1, before any epoch line
    assert "diverged" in proc.stderr.splitlines()[-1] and "epoch 1" in proc.stderr.splitlines()[-1]


@pytest.mark.tensorflow
def test_sigterm_ends_the_run_with_143_keeping_what_was_written(tmp_path: Path) -> None:
    log_dir = tmp_path / "tb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainer", *TINY_DATA, *TINY_MODEL, "--epochs=100000", f"--log-dir={log_dir}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=trainer_env(),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # readiness: training is under way once an epoch line is out
        assert "epoch=1 " in first
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == EXIT_TERMINATED, err[-2000:]
    assert "terminated by SIGTERM" in err
    assert all(line.split(" ", 1)[1].startswith("epoch=") for line in rest.splitlines())
    events = list(log_dir.glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
    # The handler wrote Katib's value of the lines printed before the signal (min val_rmse), as Katib records
    # an early-stopped trial: the line the signal answered included.
    printed = [
        float(w.split("=")[1])
        for line in [first, *rest.splitlines()]
        for w in line.split()
        if w.startswith("val_rmse=")
    ]
    accumulator = EventAccumulator(str(log_dir), size_guidance={"tensors": 0})
    accumulator.Reload()
    written = accumulator.Tensors("katib/val_rmse")
    assert len(written) == 1 and written[0].step == len(printed)
    assert float(make_ndarray(written[0].tensor_proto)) == pytest.approx(min(printed), rel=1e-6)
