"""Metric line format and the PHM08 score (pure Python, no TensorFlow)."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from tests.trainer.katib_format import parse_line
from trainer.reporting import emit, format_line, format_value, mae, phm08_score, rmse


def test_phm08_hand_values() -> None:
    e1 = math.e - 1
    assert phm08_score(np.array([0.0]), np.array([13.0])) == pytest.approx(e1)  # d = -13, early
    assert phm08_score(np.array([20.0]), np.array([10.0])) == pytest.approx(e1)  # d = +10, late
    assert phm08_score(np.array([5.0, 7.0]), np.array([5.0, 7.0])) == 0.0
    both = phm08_score(np.array([0.0, 20.0]), np.array([13.0, 10.0]))
    assert both == pytest.approx(2 * e1)  # a sum over windows, not a mean
    # late is penalised harder than early by the same amount
    assert phm08_score(np.array([5.0]), np.array([0.0])) > phm08_score(np.array([0.0]), np.array([5.0]))
    assert phm08_score(np.array([]), np.array([])) == 0.0


def test_rmse_and_mae() -> None:
    pred, truth = np.array([1.0, 3.0], np.float32), np.array([0.0, 0.0], np.float32)
    assert rmse(pred, truth) == pytest.approx(math.sqrt(5))
    assert mae(pred, truth) == pytest.approx(2.0)


@pytest.mark.parametrize("value", [123.456, 1e-5, -2.5e7, 0.0, 7, 14.5, 1 / 3])
def test_values_round_trip_through_katibs_filter(value: float) -> None:
    _, parsed = parse_line(format_line({"epoch": 3, "val_rmse": value}))
    assert parsed["epoch"] == 3
    assert parsed["val_rmse"] == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_values_are_refused_not_printed(bad: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        format_value(bad)


def test_emit_writes_one_timestamped_line() -> None:
    stream = io.StringIO()
    line = emit({"epoch": 1, "loss": 2.0}, stream)
    assert stream.getvalue() == line + "\n"
    when, values = parse_line(line)
    assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert values == {"epoch": 1.0, "loss": 2.0}
    assert line.split(" ", 1)[0].endswith("Z")
