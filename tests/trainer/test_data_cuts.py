"""The cut-unit validation protocol (``--val-cuts``): which windows a validation unit is scored on.

Hand-made units with known rows and targets, so every end row and target can be checked exactly, including
the edge cases: a unit shorter than the window (padded), a unit exactly one window long, and a unit with
fewer possible cuts than asked for.
"""

from __future__ import annotations

import dataclasses
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


def test_min_history_draws_the_same_cuts_whatever_the_window_and_pads_the_early_ones() -> None:
    """At one --min-history, trials with different windows are scored on the same cut rows."""
    units = [unit(1, 120), unit(2, 45)]
    by_window = {
        w: make_cut_windows(units, COLUMNS, window=w, cuts=8, rul_cap=0, seed=5, min_history=20)
        for w in (20, 30, 50)
    }
    ends = {w: by_window[w].x[:, -1, 0].tolist() for w in by_window}
    assert ends[20] == ends[30] == ends[50]
    assert min(ends[50]) >= 19 and any(e < 49 for e in ends[50])  # some cuts end before a full 50-row window
    for x, y in zip(by_window[50].x, by_window[50].y, strict=True):
        end = int(x[-1, 0])
        assert x[:, 0].tolist() == [0.0] * max(0, 49 - end) + list(range(max(0, end - 49), end + 1))
        assert y == (119 if x[0, 1] == 1 else 44) - end
    assert by_window[50].x.shape == (16, 50, 2)


def test_min_history_zero_is_the_window_and_a_unit_shorter_than_it_gives_one_padded_window() -> None:
    rng = np.random.default_rng
    assert np.array_equal(cut_ends(200, 30, 10, rng(4)), cut_ends(200, 30, 10, rng(4), min_history=30))
    assert cut_ends(15, 30, 10, rng(0), min_history=20).tolist() == [14]
    assert cut_ends(22, 30, 10, rng(0), min_history=20).tolist() == [19, 20, 21]


def test_prepare_data_with_min_history_adds_the_padded_early_windows_to_every_split() -> None:
    base = DataConfig(synthetic_units=10, synthetic_min_life=40, synthetic_max_life=60, window=30)
    full, short = prepare_data(base), prepare_data(dataclasses.replace(base, min_history=10))
    assert full.test is not None and short.test is not None and short.test_source == "held-out"
    for before, after in ((full.train, short.train), (full.val, short.val), (full.test, short.test)):
        assert len(after) == len(before) + 20 * len(set(before.unit_ids.tolist()))  # ends 9..28 added
    first = short.train.x[short.train.unit_ids == short.train.unit_ids[0]][0]
    assert np.all(first[:21] == first[0])  # ends at row 9: 20 copies of row 0, then rows 0..9


def test_min_history_longer_than_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match="min_history must be in"):
        DataConfig(window=30, min_history=31)
