"""The cut-unit validation protocol (``--val-cuts``): which windows a validation unit is scored on.

Hand-made units with known rows and targets, so every end row and target can be checked exactly, including
the edge cases: a unit shorter than the window (padded), a unit exactly one window long, and a unit with
fewer possible cuts than asked for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.data import DataConfig, prepare_data
from trainer.data.arrays import UnitSeries
from trainer.data.cuts import cut_ends, make_cut_windows

COLUMNS = np.array([0, 1])


def unit(unit_id: int, rows: int) -> UnitSeries:
    """Feature 0 is the row index, feature 1 the unit id: a window's last row tells where it ends."""
    features = np.stack([np.arange(rows, dtype=np.float64), np.full(rows, float(unit_id))], axis=1)
    return UnitSeries(unit_id=unit_id, features=features, rul=np.arange(rows - 1, -1, -1, dtype=np.float64))


def test_cut_ends_are_distinct_full_window_ends_and_seeded() -> None:
    ends = cut_ends(200, 30, 10, np.random.default_rng(1))
    assert len(ends) == 10 and len(set(ends.tolist())) == 10
    assert ends.min() >= 29 and ends.max() <= 199 and np.all(np.diff(ends) > 0)
    assert np.array_equal(ends, cut_ends(200, 30, 10, np.random.default_rng(1)))
    assert not np.array_equal(ends, cut_ends(200, 30, 10, np.random.default_rng(2)))


def test_a_unit_with_fewer_possible_cuts_than_asked_gives_every_possible_end() -> None:
    assert cut_ends(33, 30, 10, np.random.default_rng(0)).tolist() == [29, 30, 31, 32]


def test_a_unit_exactly_one_window_long_is_scored_once_at_its_last_row() -> None:
    windows = make_cut_windows([unit(7, 30)], COLUMNS, window=30, cuts=5, rul_cap=0, seed=3)
    assert windows.x.shape == (1, 30, 2)
    assert windows.x[0, -1, 0] == 29 and windows.y.tolist() == [0.0]


def test_a_unit_shorter_than_the_window_gives_its_one_front_padded_window() -> None:
    windows = make_cut_windows([unit(4, 12)], COLUMNS, window=30, cuts=5, rul_cap=0, seed=3)
    assert windows.x.shape == (1, 30, 2)
    assert windows.x[0, :19, 0].tolist() == [0.0] * 19  # 18 copies of the first row, then the first row
    assert windows.x[0, -12:, 0].tolist() == list(range(12))
    assert windows.y.tolist() == [0.0]


def test_each_cut_is_scored_on_the_window_ending_at_it_with_the_capped_target() -> None:
    units = [unit(1, 200), unit(2, 90)]
    windows = make_cut_windows(units, COLUMNS, window=30, cuts=6, rul_cap=125, seed=11)
    assert len(windows) == 12 and windows.unit_ids.tolist() == [1] * 6 + [2] * 6
    for x, y, unit_id in zip(windows.x, windows.y, windows.unit_ids, strict=True):
        end = int(x[-1, 0])
        rows = 200 if unit_id == 1 else 90
        assert x[:, 0].tolist() == list(range(end - 29, end + 1))  # a full window ending at the cut
        assert y == min(rows - 1 - end, 125)
    again = make_cut_windows(units, COLUMNS, window=30, cuts=6, rul_cap=125, seed=11)
    assert np.array_equal(windows.x, again.x)


@pytest.mark.parametrize("cuts", [0, 4])
def test_prepare_data_adds_cut_windows_of_the_validation_units_only(tmp_path: Path, cuts: int) -> None:
    cfg = DataConfig(synthetic_units=10, synthetic_min_life=40, synthetic_max_life=60, val_cuts=cuts)
    data = prepare_data(cfg)
    if cuts == 0:
        assert data.val_cuts is None
        return
    assert data.val_cuts is not None
    val_units = sorted(set(data.val.unit_ids.tolist()))
    assert sorted(set(data.val_cuts.unit_ids.tolist())) == val_units
    assert len(data.val_cuts) == cuts * len(val_units)
    # every cut window is one of the unit's all-window windows (stride 1), with the same target
    for x, y in zip(data.val_cuts.x, data.val_cuts.y, strict=True):
        match = np.all(data.val.x == x, axis=(1, 2))
        assert match.sum() == 1 and data.val.y[match][0] == y
