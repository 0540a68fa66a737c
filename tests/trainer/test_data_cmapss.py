"""C-MAPSS: the real FD001 files (via the cmapss_dir fixture) and hand-made files for the error paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.data import DataConfig, DataError, prepare_data
from trainer.data.cmapss import FEATURE_NAMES, is_cmapss_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train_FD001.txt", True),
        ("/x/y/train_FD004.txt", True),
        ("test_FD001.txt", False),
        ("train_FD001.csv", False),
    ],
)
def test_detected_by_file_name(name: str, expected: bool) -> None:
    assert is_cmapss_path(name) is expected


def test_fd001_official_test_set_matches_rul_file(cmapss_dir: Path) -> None:
    cfg = DataConfig(
        source=str(cmapss_dir / "train_FD001.txt"), window=30, rul_cap=125, drop_constant_std=1e-6
    )
    data = prepare_data(cfg)
    truth = np.loadtxt(cmapss_dir / "RUL_FD001.txt")
    assert data.test is not None and data.test_source == "official"
    assert data.target_unit == "cycles"
    assert data.test.x.shape == (100, 30, 17)
    np.testing.assert_array_equal(data.test.unit_ids, np.arange(1, 101))
    np.testing.assert_array_equal(data.test.y, np.minimum(truth, 125))
    # The last test window ends at the unit's last row: compare with the raw file.
    test_rows = np.loadtxt(cmapss_dir / "test_FD001.txt")
    last_of_unit_1 = test_rows[test_rows[:, 0] == 1][-1]
    kept = [FEATURE_NAMES.index(n) + 2 for n in data.feature_names]
    np.testing.assert_allclose(data.test.x[0, -1], last_of_unit_1[kept], rtol=1e-6)
    # 100 training units split 80 / 20 (test_fraction is ignored with an official test set).
    assert len(set(data.train.unit_ids)) == 80 and len(set(data.val.unit_ids)) == 20
    assert data.train.y.max() == 125 and data.train.y.min() == 0
    assert "op_setting_3" not in data.feature_names and "sensor_2" in data.feature_names
    assert len(data.feature_names) == 17


def test_fd001_uncapped_test_truth_with_cap_zero(cmapss_dir: Path) -> None:
    data = prepare_data(DataConfig(source=str(cmapss_dir / "train_FD001.txt"), rul_cap=0, stride=50))
    assert data.test is not None
    np.testing.assert_array_equal(data.test.y, np.loadtxt(cmapss_dir / "RUL_FD001.txt"))
    assert data.feature_names == FEATURE_NAMES


def write_fleet(directory: Path, units: dict[int, int], name: str) -> None:
    """A C-MAPSS-format file: ``units`` maps unit id -> rows; sensor_2 rises with the cycle."""
    lines = []
    for unit, rows in units.items():
        for cycle in range(1, rows + 1):
            values = [unit, cycle, 0.001, 0.0, 100.0] + [500.0 + cycle + s for s in range(21)]
            lines.append(" ".join(f"{v:g}" for v in values) + "  ")
    (directory / name).write_text("\n".join(lines) + "\n")


def test_short_official_test_units_are_padded_or_skipped(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 40 for u in range(1, 6)}, "train_FD002.txt")
    write_fleet(tmp_path, {1: 12, 2: 5, 3: 20}, "test_FD002.txt")
    (tmp_path / "RUL_FD002.txt").write_text("30 \n7 \n1 \n")
    source = str(tmp_path / "train_FD002.txt")
    padded = prepare_data(DataConfig(source=source, window=10, rul_cap=0))
    assert padded.test is not None
    np.testing.assert_array_equal(padded.test.y, [30, 7, 1])
    # unit 2 has 5 rows (sensor_1 = 501..505): 5 copies of its first row, then the 5 rows
    np.testing.assert_array_equal(padded.test.x[1, :, 3], [501] * 5 + [501, 502, 503, 504, 505])
    assert any("official test set: window 10 is longer than 1 of 3 units" in w for w in padded.warnings)
    skipped = prepare_data(DataConfig(source=source, window=10, rul_cap=0, short_units="skip"))
    assert skipped.test is not None
    np.testing.assert_array_equal(skipped.test.unit_ids, [1, 3])
    np.testing.assert_array_equal(skipped.test.y, [30, 1])


def test_min_history_pads_training_windows_but_leaves_one_official_test_window_per_unit(
    tmp_path: Path,
) -> None:
    write_fleet(tmp_path, {u: 40 for u in range(1, 6)}, "train_FD002.txt")
    write_fleet(tmp_path, {1: 12, 2: 5, 3: 20}, "test_FD002.txt")
    (tmp_path / "RUL_FD002.txt").write_text("30 \n7 \n1 \n")
    source = str(tmp_path / "train_FD002.txt")
    full = prepare_data(DataConfig(source=source, window=10, rul_cap=0))
    short = prepare_data(DataConfig(source=source, window=10, rul_cap=0, min_history=4))
    assert full.test is not None and short.test is not None
    np.testing.assert_array_equal(short.test.x, full.test.x)
    assert len(short.train) == len(full.train) + 6 * len(set(full.train.unit_ids.tolist()))  # ends 3..8


def test_without_official_files_units_are_held_out(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 15 for u in range(1, 11)}, "train_FD003.txt")
    data = prepare_data(DataConfig(source=str(tmp_path / "train_FD003.txt"), window=5, test_fraction=0.2))
    assert data.test_source == "held-out"
    assert data.test is not None and len(set(data.test.unit_ids)) == 2
    assert any("no official test set" in w for w in data.warnings)


def test_missing_truth_file_is_named(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 15 for u in range(1, 6)}, "train_FD003.txt")
    write_fleet(tmp_path, {1: 15}, "test_FD003.txt")
    with pytest.raises(DataError, match=r"RUL_FD003\.txt: no such file"):
        prepare_data(DataConfig(source=str(tmp_path / "train_FD003.txt"), window=5))


def test_truth_count_must_match_test_units(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 15 for u in range(1, 6)}, "train_FD003.txt")
    write_fleet(tmp_path, {1: 15, 2: 15}, "test_FD003.txt")
    (tmp_path / "RUL_FD003.txt").write_text("5\n")
    with pytest.raises(DataError, match=r"has 1 values but test_FD003\.txt has 2 units"):
        prepare_data(DataConfig(source=str(tmp_path / "train_FD003.txt"), window=5))


def test_wrong_field_count_names_the_line(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 4 for u in range(1, 4)}, "train_FD001.txt")
    path = tmp_path / "train_FD001.txt"
    lines = path.read_text().splitlines()
    lines[5] = " ".join(lines[5].split()[:24])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"train_FD001\.txt: line 6 has 24 fields; C-MAPSS files have 26"):
        prepare_data(DataConfig(source=str(path), window=2))


def test_non_numeric_cmapss_value_names_column_and_line(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 4 for u in range(1, 4)}, "train_FD001.txt")
    path = tmp_path / "train_FD001.txt"
    lines = path.read_text().splitlines()
    fields = lines[2].split()
    fields[7] = "oops"
    lines[2] = " ".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="column 'sensor_3' has a non-numeric value 'oops' at line 3"):
        prepare_data(DataConfig(source=str(path), window=2))


def test_empty_cmapss_file(tmp_path: Path) -> None:
    (tmp_path / "train_FD001.txt").write_text("\n\n")
    with pytest.raises(DataError, match="the file is empty"):
        prepare_data(DataConfig(source=str(tmp_path / "train_FD001.txt")))


def test_the_fast_parser_reads_what_the_checking_parser_reads(cmapss_dir: Path) -> None:
    from trainer.data.cmapss import _checked_table, _fast_table

    for name in ("train_FD001.txt", "test_FD001.txt"):
        fast = _fast_table(cmapss_dir / name)
        assert fast is not None
        np.testing.assert_array_equal(fast, _checked_table(cmapss_dir / name))


def test_age_feature_is_each_rows_cycle_count_in_training_and_official_test_windows(tmp_path: Path) -> None:
    write_fleet(tmp_path, {u: 40 for u in range(1, 6)}, "train_FD002.txt")
    write_fleet(tmp_path, {1: 12, 2: 5, 3: 20}, "test_FD002.txt")
    (tmp_path / "RUL_FD002.txt").write_text("30 \n7 \n1 \n")
    source = str(tmp_path / "train_FD002.txt")
    plain = prepare_data(DataConfig(source=source, window=10, rul_cap=0, drop_constant_std=1e-6))
    aged = prepare_data(
        DataConfig(source=source, window=10, rul_cap=0, drop_constant_std=1e-6, age_feature=True)
    )
    assert aged.feature_names == (*plain.feature_names, "age")
    assert aged.test is not None and plain.test is not None
    np.testing.assert_array_equal(aged.test.x[..., :-1], plain.test.x)  # the other features are untouched
    # test units of 12, 5 and 20 cycles, scored on their last window; unit 2's is front-padded with cycle 1
    np.testing.assert_array_equal(aged.test.x[0, :, -1], np.arange(3, 13))
    np.testing.assert_array_equal(aged.test.x[1, :, -1], [1] * 6 + [2, 3, 4, 5])
    np.testing.assert_array_equal(aged.test.x[2, :, -1], np.arange(11, 21))
    # every training window ends at the cycle its target counts from: age = 40 - rul
    np.testing.assert_array_equal(aged.train.x[:, -1, -1], 40 - aged.train.y)


def test_age_feature_refuses_a_source_with_a_feature_of_that_name(tmp_path: Path) -> None:
    path = tmp_path / "fleet.csv"
    path.write_text("unit,time,age\n" + "".join(f"{u},{t},{t}\n" for u in (1, 2, 3) for t in range(1, 6)))
    with pytest.raises(DataError, match="already has a feature named 'age'"):
        prepare_data(DataConfig(source=str(path), window=2, age_feature=True))
