"""Every data problem is a DataError whose one line names the file, column, line or unit at fault."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.data import DataConfig, DataError, prepare_data

GOOD_ROWS = "".join(f"{u},{t},{10 * u + t},{t * 0.5}\n" for u in (1, 2, 3, 4) for t in range(1, 6))
HEADER = "unit,time,s1,s2\n"


def load(tmp_path: Path, text: str | None, **overrides: object) -> object:
    path = tmp_path / "data.csv"
    if text is not None:
        path.write_text(text)
    options: dict[str, object] = {"window": 2, "test_fraction": 0.0, "val_fraction": 0.25}
    options.update(overrides)
    return prepare_data(DataConfig(source=str(path), **options))  # type: ignore[arg-type]


def error_of(tmp_path: Path, text: str | None, **overrides: object) -> str:
    with pytest.raises(DataError) as info:
        load(tmp_path, text, **overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    message = error_of(tmp_path, None)
    assert "data.csv" in message and "no such file" in message


def test_empty_file(tmp_path: Path) -> None:
    assert "data.csv: the file is empty" in error_of(tmp_path, "")


def test_header_without_rows(tmp_path: Path) -> None:
    assert "header but no data rows" in error_of(tmp_path, HEADER)


def test_missing_columns_are_named_with_those_present(tmp_path: Path) -> None:
    message = error_of(tmp_path, HEADER + GOOD_ROWS, unit_column="engine", feature_columns=("s1", "s9"))
    assert "missing column(s) 'engine', 's9'" in message
    assert "columns present: unit, time, s1, s2" in message


def test_non_numeric_feature_names_column_and_line(tmp_path: Path) -> None:
    rows = GOOD_ROWS.splitlines()
    rows[6] = "2,2,abc,1.0"
    message = error_of(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert "column 's1' has a non-numeric value 'abc' at line 8" in message


def test_ragged_row_is_reported_by_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, HEADER + GOOD_ROWS + "4,6,1,2,3\n")
    assert "not a readable CSV file" in message and "line 22" in message


def test_no_numeric_feature_column(tmp_path: Path) -> None:
    text = "unit,time,model\n" + "".join(f"{u},{t},X{u}\n" for u in (1, 2, 3, 4) for t in range(1, 6))
    message = error_of(tmp_path, text)
    assert "no numeric feature columns besides 'unit' and 'time'" in message
    assert "columns present: unit, time, model" in message


def test_text_column_is_ignored_with_a_warning_when_features_are_automatic(tmp_path: Path) -> None:
    text = "unit,time,s1,model\n" + "".join(f"{u},{t},{t},X{u}\n" for u in (1, 2, 3, 4) for t in range(1, 6))
    data = load(tmp_path, text)
    assert data.feature_names == ("s1",)  # type: ignore[attr-defined]
    assert any("ignored non-numeric column(s) model" in w for w in data.warnings)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("", "an empty or NaN value"), ("nan", "an empty or NaN value"), ("inf", "an infinite value")],
)
def test_nan_and_inf_name_column_and_line(tmp_path: Path, cell: str, kind: str) -> None:
    rows = GOOD_ROWS.splitlines()
    rows[3] = f"1,4,14,{cell}"
    message = error_of(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert f"column 's2' has {kind} at line 5" in message


def test_duplicate_time_within_a_unit(tmp_path: Path) -> None:
    message = error_of(tmp_path, HEADER + GOOD_ROWS + "3,2,0,0\n")
    assert "unit 3 has two rows at the same time (lines 13 and 22)" in message


def test_bad_time_value(tmp_path: Path) -> None:
    rows = GOOD_ROWS.splitlines()
    rows[0] = "1,soon,11,0.5"
    message = error_of(tmp_path, HEADER + "\n".join(rows) + "\n")
    assert "column 'time' has 'soon' at line 2" in message


def test_iso_dates_order_rows(tmp_path: Path) -> None:
    text = "unit,time,s1\n" + "".join(
        f"{u},2026-01-{d:02d},{d}\n" for u in (1, 2, 3, 4) for d in (3, 1, 2, 10)
    )
    data = load(tmp_path, text, window=4, rul_cap=0)
    np.testing.assert_array_equal(data.train.x[0, :, 0], [1, 2, 3, 10])  # type: ignore[attr-defined]


def test_bad_target_value(tmp_path: Path) -> None:
    text = "unit,time,s1,rul\n" + "".join(f"{u},{t},{t},{5 - t}\n" for u in (1, 2, 3) for t in range(1, 5))
    text = text.replace("2,3,3,2", "2,3,3,x")
    message = error_of(tmp_path, text, target_column="rul")
    assert "column 'rul' has a non-numeric value 'x' at line 8" in message


def test_too_few_units_to_split(tmp_path: Path) -> None:
    text = HEADER + "".join(f"1,{t},{t},{t}\n" for t in range(1, 6))
    message = error_of(tmp_path, text)
    assert "cannot split 1 unit(s)" in message and "val_fraction=0.25" in message
