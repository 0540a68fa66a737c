"""NASA C-MAPSS turbofan data: ``train_FD00N.txt`` plus the official test set beside it.

Files (whitespace-separated, no header, 26 numeric columns): unit, cycle, three op settings, 21 sensors;
features are named ``op_setting_1..3`` and ``sensor_1..21``. ``test_FD00N.txt`` holds truncated series of
other units; ``RUL_FD00N.txt`` one integer per test unit, in unit order: the true remaining cycles after that
unit's last row. The training units are run to failure: their target is cycles until their last row.

Official test protocol (the one behind the published FD001 numbers, e.g. Zheng et al. 2017, LSTM, RMSE 16.14;
Li et al. 2018, DCNN, RMSE 12.61): ONE window per test unit, ending at its last row, scored against
``RUL_FD00N.txt``. Those works train on the piecewise-linear target capped at 125 (Heimes 2008) and the common
evaluation passes the test truth through the same cap, ``min(RUL, 125)``; on FD001 this touches 11 of the 100
test units (true RULs 126-145). A model trained on capped targets cannot predict above the cap, so scoring it
against uncapped truth adds an error that measures the cap, not the model. We follow the capped protocol:
the test truth is capped at ``rul_cap`` like every other target, and ``rul_cap=0`` scores against the raw
truth. Compare a test RMSE with the literature only at ``rul_cap=125``.

When neither ``test_FD00N.txt`` nor ``RUL_FD00N.txt`` is beside the training file, there is no official test
set (the caller holds out units instead, with a warning); when only one of them is there, that is an error.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from trainer.data.arrays import SeriesSet, UnitSeries
from trainer.data.errors import DataError
from trainer.data.tabular import as_unit_id, numeric_matrix, run_to_failure_rul, unit_slices

TRAIN_NAME = re.compile(r"train_(FD00\d)\.txt")
N_COLUMNS = 26
FEATURE_NAMES = tuple(f"op_setting_{i}" for i in range(1, 4)) + tuple(f"sensor_{i}" for i in range(1, 22))
COLUMN_NAMES = ("unit", "cycle", *FEATURE_NAMES)


def is_cmapss_path(source: str) -> bool:
    """True when the file name is a C-MAPSS training file (``train_FD001.txt`` .. ``train_FD009.txt``)."""
    return TRAIN_NAME.fullmatch(Path(source).name) is not None


def _non_blank_lines(path: Path) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` of every non-blank line; DataError when missing or empty."""
    if not path.is_file():
        raise DataError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    kept = [(n, line.split()) for n, line in enumerate(lines, start=1) if line.strip()]
    if not kept:
        raise DataError(f"{path}: the file is empty")
    return kept


def _fast_table(path: Path) -> np.ndarray | None:
    """NumPy's C parser on a well-formed file (every trial reads these files: about 20x faster than the
    checking path below, with equal values on all eight FD00N files); None when anything is off, so the
    checking path finds and names the problem."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": the checking path says it better
            table = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except (OSError, ValueError):
        return None
    if table.shape[1] != N_COLUMNS or table.shape[0] == 0 or not np.isfinite(table).all():
        return None
    return table


def read_cmapss_table(path: Path) -> np.ndarray:
    """The 26 columns of one C-MAPSS text file as finite float64 ``(rows, 26)``; DataError otherwise."""
    fast = _fast_table(path) if path.is_file() else None
    return fast if fast is not None else _checked_table(path)


def _checked_table(path: Path) -> np.ndarray:
    """Field by field, naming the file, line and column of the first problem (DataError)."""
    import pandas as pd

    kept = _non_blank_lines(path)
    for number, fields in kept:
        if len(fields) != N_COLUMNS:
            raise DataError(
                f"{path}: line {number} has {len(fields)} fields; C-MAPSS files have {N_COLUMNS} "
                "(unit, cycle, 3 op settings, 21 sensors)"
            )
    frame = pd.DataFrame([fields for _, fields in kept], columns=list(COLUMN_NAMES))
    lines = np.array([number for number, _ in kept])
    return numeric_matrix(frame, list(COLUMN_NAMES), where=str(path), first_line=1, line_numbers=lines)


def _units(table: np.ndarray, truth: np.ndarray | None) -> tuple[UnitSeries, ...]:
    """Group rows by unit (sorted by unit, then cycle); RUL is run-to-failure plus ``truth[k]`` for unit k."""
    order = np.lexsort((table[:, 1], table[:, 0]))
    table = table[order]
    units = []
    for k, (unit_id, rows) in enumerate(unit_slices(table[:, 0])):
        block = table[rows]
        rul = run_to_failure_rul(len(block))
        if truth is not None:
            rul = rul + truth[k]
        units.append(UnitSeries(unit_id=as_unit_id(unit_id), features=block[:, 2:], rul=rul))
    return tuple(units)


def read_truth(path: Path) -> np.ndarray:
    """``RUL_FD00N.txt`` as float64, one value per non-blank line; DataError on a bad or negative value."""
    values = []
    for number, fields in _non_blank_lines(path):
        try:
            if len(fields) != 1:
                raise ValueError
            value = float(fields[0])
        except ValueError:
            raise DataError(f"{path}: line {number} is {' '.join(fields)!r}, expected one number") from None
        if not np.isfinite(value) or value < 0:
            raise DataError(f"{path}: line {number} is {fields[0]}, expected a finite RUL >= 0")
        values.append(value)
    return np.array(values, dtype=np.float64)


def load_cmapss(train_path: Path) -> tuple[SeriesSet, SeriesSet | None, list[str]]:
    """The training units, the official test units (``None`` when absent) and warning lines.

    Each official test unit's ``rul`` is its true remaining cycles at every row: ``RUL_FD00N.txt``'s value
    at its last row, one more per row before it (uncapped here; the windowing caps it).
    """
    match = TRAIN_NAME.fullmatch(train_path.name)
    if match is None:
        raise ValueError(f"not a C-MAPSS training file name: {train_path.name}")
    subset = match.group(1)
    train = SeriesSet(FEATURE_NAMES, _units(read_cmapss_table(train_path), None))
    test_path = train_path.with_name(f"test_{subset}.txt")
    truth_path = train_path.with_name(f"RUL_{subset}.txt")
    present = [p.exists() for p in (test_path, truth_path)]
    if not any(present):
        warning = (
            f"{train_path}: no {test_path.name} / {truth_path.name} beside it, so no official test set; "
            "holding out training units for test instead"
        )
        return train, None, [warning]
    if not all(present):
        lacking = truth_path if present[0] else test_path
        raise DataError(
            f"{lacking}: no such file (the official {subset} test set needs it beside {train_path.name})"
        )
    table = read_cmapss_table(test_path)
    truth = read_truth(truth_path)
    n_test_units = len(unit_slices(np.sort(table[:, 0])))
    if len(truth) != n_test_units:
        raise DataError(
            f"{truth_path}: has {len(truth)} values but {test_path.name} has {n_test_units} units; "
            "expected one RUL per test unit"
        )
    return train, SeriesSet(FEATURE_NAMES, _units(table, truth)), []
