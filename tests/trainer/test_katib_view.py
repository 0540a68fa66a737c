"""The trainer's copy of Katib's metric reduction (min, max, latest over printed values), no TensorFlow."""

from __future__ import annotations

import pytest

from trainer.katib_view import DEFAULT_STRATEGIES, PrintedMetrics, parse_strategies


def test_strategies_reduce_the_printed_values_and_skip_metrics_never_printed() -> None:
    printed = PrintedMetrics()
    for epoch, rmse in enumerate([14.5, 11.8861234567, 12.0], start=1):
        printed.record({"epoch": epoch, "val_rmse": rmse, "val_mae": 20.0 - epoch})
    printed.record({"test_rmse": 13.25, "params": 1234})
    pairs = parse_strategies(["val_rmse:min", "val_mae:max", "test_rmse:latest", "test_score:latest"])
    reduced = printed.reduce(pairs)
    # 7 significant digits, as the line printed it and Katib's collector parsed it
    assert reduced == {"val_rmse": 11.88612, "val_mae": 19.0, "test_rmse": 13.25}
    assert list(reduced) == ["val_rmse", "val_mae", "test_rmse"]
    assert printed.last_epoch == 3
    assert printed.reduce([("val_rmse", "latest")]) == {"val_rmse": 12.0}


def test_cross_validation_lines_move_the_step_through_fold_epoch() -> None:
    printed = PrintedMetrics()
    printed.record({"fold": 1, "fold_epoch": 4, "fold_val_rmse": 3.0})
    printed.record({"val_rmse": 2.5, "cv_folds": 2})
    assert printed.last_epoch == 4
    assert printed.reduce([("val_rmse", "min")]) == {"val_rmse": 2.5}


def test_no_pairs_means_the_stdout_metrics() -> None:
    assert parse_strategies([]) == DEFAULT_STRATEGIES
    with pytest.raises(ValueError, match="'val_rmse:best'"):
        parse_strategies(["val_rmse:best"])
