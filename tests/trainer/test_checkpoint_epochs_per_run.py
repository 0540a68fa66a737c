"""``--epochs-per-run``: what Katib's PBT needs from the trainer (its child trials start from a copy of their
parent's checkpoint directory and train further, as Katib's own PBT example trains ``--epochs`` more).

A first trial trains 2 epochs into its directory; a child, in a copy of it under another trial name, prints
epochs 3 and 4 only, with the parent's best ``val_rmse`` not printed again; the child started again with the
same command (a restarted pod) keeps its target and trains nothing more.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.trainer.conftest import TINY_DATA, TINY_MODEL, run_trainer
from tests.trainer.katib_format import parse_line

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("trainer_run")]


def _epochs(stdout: str) -> list[int]:
    return [int(values["epoch"]) for _, values in map(parse_line, stdout.splitlines()) if "epoch" in values]


def test_a_child_trains_its_epochs_beyond_the_parents_checkpoint(tmp_path: Path) -> None:
    base = (*TINY_DATA, *TINY_MODEL, "--epochs=1", "--patience=0", "--epochs-per-run=2")
    parent_dir, child_dir = tmp_path / "parent", tmp_path / "child"
    parent = run_trainer(*base, f"--checkpoint-dir={parent_dir}", "--trial-name=pbt-parent")
    assert parent.returncode == 0, parent.stderr
    assert _epochs(parent.stdout) == [1, 2]  # --epochs-per-run, not --epochs, sets a fresh trial's epochs
    shutil.copytree(parent_dir, child_dir)  # what Katib's PBT service does for a child
    child_args = (*base, "--learning-rate=0.003", f"--checkpoint-dir={child_dir}", "--trial-name=pbt-child")
    child = run_trainer(*child_args)
    assert child.returncode == 0, child.stderr
    assert _epochs(child.stdout) == [3, 4]
    assert "resuming from" in child.stderr and "learning_rate" in child.stderr.replace("-", "_")
    again = run_trainer(*child_args)  # the child's pod restarted: same trial name, its own checkpoint
    assert again.returncode == 0, again.stderr
    assert _epochs(again.stdout) == []


def test_epochs_per_run_needs_a_checkpoint_dir() -> None:
    result = run_trainer(*TINY_DATA, "--epochs-per-run=2", "--dry-run")
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "argument --epochs-per-run: needs --checkpoint-dir (got 2); " in last
    assert last.endswith("the epochs are counted beyond a checkpoint")
