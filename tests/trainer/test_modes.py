"""Trainer runs beyond the default one: the official C-MAPSS test set, and K-fold cross-validation."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from tests.trainer.conftest import TINY_DATA, TINY_MODEL, run_trainer
from tests.trainer.katib_format import parse_line

pytestmark = pytest.mark.tensorflow


def test_cmapss_fd001_reports_test_metrics_on_the_official_test_set(cmapss_dir: Path, tmp_path: Path) -> None:
    proc = run_trainer(
        f"--data={cmapss_dir / 'train_FD001.txt'}",
        "--epochs=1",
        "--stride=10",
        *TINY_MODEL,
        "--batch-size=128",
        f"--log-dir={tmp_path}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    _, summary = parse_line(lines[-1])
    assert summary["test_rmse"] > 0 and "test_score" in summary
    data = json.loads((tmp_path / "run.json").read_text())["data"]
    assert data["test_source"] == "official"
    assert data["test_windows"] == 100  # FD001's test set: the last window of each of its 100 units


def test_cross_validation_prints_the_objective_once_as_the_mean_over_folds() -> None:
    proc = run_trainer(*TINY_DATA, *TINY_MODEL, "--epochs=2", "--patience=0", "--cv-folds=3")
    assert proc.returncode == 0, proc.stderr[-3000:]
    parsed = [values for _, values in map(parse_line, proc.stdout.splitlines())]
    fold_lines = [v for v in parsed if "fold" in v]
    assert [(v["fold"], v["fold_epoch"]) for v in fold_lines] == [(k, e) for k in (1, 2, 3) for e in (1, 2)]
    objective = [v for v in parsed if "val_rmse" in v]
    assert len(objective) == 1  # median stop has nothing to act on: one report
    last_per_fold = [v["fold_val_rmse"] for v in fold_lines if v["fold_epoch"] == 2]
    assert objective[0]["val_rmse"] == pytest.approx(statistics.fmean(last_per_fold), rel=1e-5)
    assert objective[0]["cv_folds"] == 3
    assert {"test_rmse", "params"} <= set(parsed[-1])
