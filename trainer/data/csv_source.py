"""Read a user's CSV file of unit series.

Format: a header row, then one row per (unit, time) with at least the unit column, the time column and the
feature columns (see :class:`~trainer.data.config.DataConfig`). Rows may come in any order; they are sorted
by (unit, time) here. Times are numbers or ISO-8601 dates; two rows of one unit at the same time are an
error. The target is the ``target_column`` when one is named, else the unit is a run-to-failure series
and the target is the number of rows until its last row.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from trainer.data.arrays import SeriesSet, UnitSeries
from trainer.data.config import DataConfig
from trainer.data.errors import DataError
from trainer.data.tabular import (
    as_unit_id,
    numeric_column,
    numeric_matrix,
    run_to_failure_rul,
    unit_slices,
)

if TYPE_CHECKING:
    import pandas as pd

HEADER_LINES = 1
# An auto-detected text column whose values are at least this share numbers is taken for a numeric column
# with a typo (reported as an error) rather than for a label column (ignored with a warning).
MOSTLY_NUMERIC = 0.9


def read_table(path: Path) -> pd.DataFrame:
    """The file as a DataFrame of raw cells; DataError when it is missing, empty or unparsable."""
    import pandas as pd

    if not path.is_file():
        raise DataError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path}: the file is empty") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable CSV file ({first})") from exc
    if len(frame) == 0:
        raise DataError(f"{path}: the file has a header but no data rows")
    return frame


def pick_feature_columns(frame: pd.DataFrame, cfg: DataConfig, where: str) -> tuple[list[str], list[str]]:
    """The feature columns and the warnings about columns left out.

    Explicit ``cfg.feature_columns`` are taken as given (missing ones were reported already). Otherwise
    every column but unit/time/target that holds numbers, or mostly numbers (a typo is then an error
    later); text columns are left out with one warning line.
    """
    if cfg.feature_columns:
        return list(cfg.feature_columns), []
    import pandas as pd

    reserved = {cfg.unit_column, cfg.time_column, cfg.target_column}
    chosen: list[str] = []
    ignored: list[str] = []
    for column in frame.columns:
        if column in reserved:
            continue
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series):  # bools count too, as 0/1
            chosen.append(str(column))
            continue
        present = series.dropna()
        parsed = pd.to_numeric(present, errors="coerce").notna().mean() if len(present) else 0.0
        (chosen if parsed >= MOSTLY_NUMERIC else ignored).append(str(column))
    if not chosen:
        raise DataError(
            f"{where}: no numeric feature columns besides '{cfg.unit_column}' and '{cfg.time_column}'; "
            f"columns present: {', '.join(map(str, frame.columns))}"
        )
    warnings = []
    if ignored:
        warnings.append(
            f"{where}: ignored non-numeric column(s) {', '.join(ignored)} "
            "(name the features with --feature-columns)"
        )
    return chosen, warnings


def time_keys(frame: pd.DataFrame, column: str, where: str) -> np.ndarray:
    """Sortable time values: float64 for numbers, int64 nanoseconds for ISO-8601 dates."""
    import pandas as pd

    raw = frame[column]
    missing = raw.isna().to_numpy()
    if missing.any():
        line = int(np.argmax(missing)) + HEADER_LINES + 1
        raise DataError(f"{where}: column '{column}' is empty at line {line}")
    numbers = pd.to_numeric(raw, errors="coerce")
    if numbers.notna().all():
        return numbers.to_numpy(dtype=np.float64)
    try:
        dates = pd.to_datetime(raw, format="ISO8601")
    except (ValueError, TypeError):
        i = int(np.argmax(numbers.isna().to_numpy()))
        raise DataError(
            f"{where}: column '{column}' has {str(raw.iloc[i])!r} at line {i + HEADER_LINES + 1}; "
            "times must be numbers or ISO-8601 dates"
        ) from None
    return dates.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def load_csv(cfg: DataConfig) -> tuple[SeriesSet, list[str]]:
    """Read ``cfg.source`` as CSV: the units (sorted by id, rows by time) and warning lines."""
    path = Path(cfg.source)
    where = str(path)
    frame = read_table(path)
    wanted = [cfg.unit_column, cfg.time_column]
    wanted += [cfg.target_column] if cfg.target_column else []
    wanted += list(cfg.feature_columns)
    missing = [c for c in dict.fromkeys(wanted) if c not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"columns present: {', '.join(map(str, frame.columns))}"
        )
    features, warnings = pick_feature_columns(frame, cfg, where)
    first_line = HEADER_LINES + 1
    units_raw = frame[cfg.unit_column]
    if units_raw.isna().any():
        line = int(np.argmax(units_raw.isna().to_numpy())) + first_line
        raise DataError(f"{where}: column '{cfg.unit_column}' is empty at line {line}")
    times = time_keys(frame, cfg.time_column, where)
    values = numeric_matrix(frame, features, where=where, first_line=first_line)
    target = (
        numeric_column(frame, cfg.target_column, where=where, first_line=first_line)
        if cfg.target_column
        else None
    )

    unit_values = units_raw.to_numpy()
    comparable = unit_values.astype(str) if unit_values.dtype == object else unit_values
    unit_order = np.unique(comparable, return_inverse=True)[1].reshape(-1)
    order = np.lexsort((times, unit_order))
    sorted_units = unit_order[order]
    sorted_times = times[order]
    same = (sorted_units[1:] == sorted_units[:-1]) & (sorted_times[1:] == sorted_times[:-1])
    if same.any():
        i = int(np.argmax(same))
        a, b = sorted((int(order[i]), int(order[i + 1])))
        raise DataError(
            f"{where}: unit {unit_values[a]} has two rows at the same {cfg.time_column} "
            f"(lines {a + first_line} and {b + first_line})"
        )

    series: list[UnitSeries] = []
    for _, rows in unit_slices(sorted_units):
        index = order[rows]
        unit_id = as_unit_id(unit_values[index[0]])
        rul = target[index] if target is not None else run_to_failure_rul(len(index))
        series.append(UnitSeries(unit_id=unit_id, features=values[index], rul=rul))
    return SeriesSet(feature_names=tuple(features), units=tuple(series)), warnings
