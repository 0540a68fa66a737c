"""Window and target arithmetic on a tiny hand-made CSV, checked against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.data import DataConfig, DataError, PreparedData, prepare_data
from trainer.data.windows import window_ends

# Unit "A": 5 rows, unit "B": 3 rows, unit "C": 2 rows; rows deliberately out of order.
# Run-to-failure targets (rows until the unit's last row): A 4 3 2 1 0, B 2 1 0, C 1 0.
CSV = """unit,time,f1,f2
B,3,22,0.3
A,1,10,0.1
A,2,11,0.2
C,2,31,0.2
A,3,12,0.3
B,1,20,0.1
A,5,14,0.5
C,1,30,0.1
A,4,13,0.4
B,2,21,0.2
"""


def prepared(tmp_path: Path, text: str = CSV, **overrides: object) -> PreparedData:
    path = tmp_path / "fleet.csv"
    path.write_text(text)
    options: dict[str, object] = {"window": 3, "stride": 1, "test_fraction": 0.0, "val_fraction": 0.4}
    options.update(overrides)
    return prepare_data(DataConfig(source=str(path), **options))  # type: ignore[arg-type]


def by_unit(data: PreparedData) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Windows of train and val together, grouped by unit id (the split itself is random)."""
    x = np.concatenate([data.train.x, data.val.x])
    y = np.concatenate([data.train.y, data.val.y])
    ids = np.concatenate([data.train.unit_ids, data.val.unit_ids])
    return {str(u): (x[ids == u], y[ids == u]) for u in np.unique(ids)}


@pytest.mark.parametrize(
    ("rows", "window", "stride", "expected"),
    [
        (5, 3, 1, [2, 3, 4]),
        (5, 3, 2, [2, 4]),
        (6, 3, 2, [3, 5]),
        (10, 3, 4, [5, 9]),
        (3, 3, 1, [2]),
        (2, 3, 1, []),
    ],
)
def test_window_ends_always_include_the_last_row(
    rows: int, window: int, stride: int, expected: list[int]
) -> None:
    assert window_ends(rows, window, stride).tolist() == expected


def test_windows_and_targets_match_hand_computed_values(tmp_path: Path) -> None:
    data = prepared(tmp_path, rul_cap=0)
    assert data.feature_names == ("f1", "f2")
    assert data.target_unit == "steps"
    assert data.test is None and data.test_source == "none"
    units = by_unit(data)
    x_a, y_a = units["A"]
    np.testing.assert_array_equal(x_a[:, :, 0], [[10, 11, 12], [11, 12, 13], [12, 13, 14]])
    np.testing.assert_allclose(x_a[:, :, 1], [[0.1, 0.2, 0.3], [0.2, 0.3, 0.4], [0.3, 0.4, 0.5]], rtol=1e-6)
    np.testing.assert_array_equal(y_a, [2, 1, 0])
    x_b, y_b = units["B"]
    np.testing.assert_array_equal(x_b[:, :, 0], [[20, 21, 22]])
    np.testing.assert_array_equal(y_b, [0])
    assert data.train.x.dtype == np.float32 and data.train.y.dtype == np.float32


def test_stride_thins_backwards_from_the_last_row(tmp_path: Path) -> None:
    x_a, y_a = by_unit(prepared(tmp_path, stride=2, rul_cap=0))["A"]
    np.testing.assert_array_equal(x_a[:, :, 0], [[10, 11, 12], [12, 13, 14]])
    np.testing.assert_array_equal(y_a, [2, 0])


def test_cap_limits_targets(tmp_path: Path) -> None:
    _, y_a = by_unit(prepared(tmp_path, window=1, rul_cap=2.5))["A"]
    np.testing.assert_array_equal(y_a, [2.5, 2.5, 2, 1, 0])
    _, uncapped = by_unit(prepared(tmp_path, window=1, rul_cap=0))["A"]
    np.testing.assert_array_equal(uncapped, [4, 3, 2, 1, 0])


def test_short_unit_is_front_padded_into_one_window_with_a_warning(tmp_path: Path) -> None:
    data = prepared(tmp_path, short_units="pad", rul_cap=0)
    x_c, y_c = by_unit(data)["C"]
    np.testing.assert_array_equal(x_c[:, :, 0], [[30, 30, 31]])
    np.testing.assert_array_equal(y_c, [0])
    [warning] = [w for w in data.warnings if "window 3" in w]
    assert "1 of 3 units" in warning and "front-padded" in warning and "units C" in warning


def test_short_unit_is_skipped_with_a_warning(tmp_path: Path) -> None:
    data = prepared(tmp_path, short_units="skip", val_fraction=0.5)
    assert set(by_unit(data)) == {"A", "B"}
    assert any("skipped them: units C" in w for w in data.warnings)


def test_with_min_history_a_unit_is_short_only_below_it(tmp_path: Path) -> None:
    # window 4: B (3 rows) and C (2) are shorter; with --min-history 3, B is windowed as designed (one
    # front-padded window ending at its row 2) and only C is short, so only C is skipped
    data = prepared(tmp_path, window=4, min_history=3, short_units="skip", val_fraction=0.5, rul_cap=0)
    units = by_unit(data)
    assert set(units) == {"A", "B"}
    np.testing.assert_array_equal(units["B"][0][:, :, 0], [[20, 20, 21, 22]])
    [warning] = [w for w in data.warnings if "skipped" in w]
    assert "--min-history 3 is longer than 1 of 3 units" in warning and "units C" in warning
    with pytest.raises(DataError, match="cannot split 1 unit"):  # judged by the window, B is skipped too
        prepared(tmp_path, window=4, short_units="skip", val_fraction=0.5)
    with pytest.raises(
        DataError, match=r"--min-history 6 is longer than every unit .*use --min-history <= 5"
    ):
        prepared(tmp_path, window=6, min_history=6, short_units="skip")


@pytest.mark.parametrize("policy", ["skip", "pad"])
def test_window_longer_than_every_unit_names_the_longest(tmp_path: Path, policy: str) -> None:
    """Padding is for the odd short unit: with every unit short, padding would train on copies of first
    readings, so both policies refuse (and a huge window fails here, before anything is padded)."""
    with pytest.raises(DataError) as info:
        prepared(tmp_path, window=500, short_units=policy)
    message = str(info.value)
    assert "window 500 is longer than every unit (longest has 5 rows)" in message
    assert "--window <= 5" in message and "--short-units" not in message


def test_target_column_is_used_and_capped(tmp_path: Path) -> None:
    text = "unit,time,f1,days_left\n" + "".join(
        f"{u},{t},{t * 1.5},{100 - 10 * t}\n" for u in (1, 2, 3) for t in range(1, 5)
    )
    data = prepared(tmp_path, text, window=2, rul_cap=75, target_column="days_left")
    units = by_unit(data)
    assert set(units) == {"1", "2", "3"}
    _, y = units["1"]
    np.testing.assert_array_equal(y, [75, 70, 60])  # days_left at t = 2, 3, 4: 80 -> capped, 70, 60
    assert data.feature_names == ("f1",)


def test_drop_constant_std_decided_on_training_units(tmp_path: Path) -> None:
    text = (
        CSV.replace("unit,time,f1,f2", "unit,time,f1,f2,flat")
        .replace("\n", ",7\n")
        .replace("unit,time,f1,f2,flat,7", "unit,time,f1,f2,flat")
    )
    data = prepared(tmp_path, text, drop_constant_std=1e-6)
    assert data.feature_names == ("f1", "f2")
    assert data.train.x.shape[2] == 2
    assert any("dropped 1 feature(s)" in w and "flat" in w for w in data.warnings)
    assert prepared(tmp_path, text, drop_constant_std=0.0).feature_names == ("f1", "f2", "flat")
