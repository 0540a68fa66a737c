"""Checks shared by the file readers: numeric, finite columns, and grouping rows into units.

Row numbers in messages are LINE numbers of the file (1-based, header included when there is one), because
that is what a user looks up in an editor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from trainer.data.arrays import UnitId
from trainer.data.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


def numeric_column(
    frame: pd.DataFrame, column: str, *, where: str, first_line: int, line_numbers: np.ndarray | None = None
) -> np.ndarray:
    """``frame[column]`` as finite float64, or a DataError naming the column and the first bad line.

    ``first_line`` is the file line of the frame's first row (2 below a header, 1 without one);
    ``line_numbers``, when given, maps each row to its line instead (files with blank lines). Empty cells
    count as NaN. Text such as ``"abc"`` is reported as non-numeric; ``"nan"``/``"inf"`` as NaN/inf.
    """
    import pandas as pd

    def line(i: int) -> int:
        return int(line_numbers[i]) if line_numbers is not None else first_line + i

    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    non_numeric = np.isnan(values) & raw.notna().to_numpy()
    if non_numeric.any():
        i = int(np.argmax(non_numeric))
        raise DataError(
            f"{where}: column '{column}' has a non-numeric value {str(raw.iloc[i])!r} at line {line(i)}"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        kind = "an empty or NaN value" if np.isnan(values[i]) else "an infinite value"
        raise DataError(f"{where}: column '{column}' has {kind} at line {line(i)}")
    return values


def numeric_matrix(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    where: str,
    first_line: int,
    line_numbers: np.ndarray | None = None,
) -> np.ndarray:
    """Columns stacked as float64 ``(rows, len(columns))``; see :func:`numeric_column` for the errors."""
    if not columns:
        return np.empty((len(frame), 0), dtype=np.float64)
    return np.stack(
        [
            numeric_column(frame, c, where=where, first_line=first_line, line_numbers=line_numbers)
            for c in columns
        ],
        axis=1,
    )


def unit_slices(unit_values: np.ndarray) -> list[tuple[UnitId, slice]]:
    """Contiguous row ranges of each unit in ``unit_values`` (rows already sorted by unit, then time).

    Ids become plain ``int`` when they are integral numbers, else ``str``; units come in sorted order.
    """
    if len(unit_values) == 0:
        return []
    change = np.flatnonzero(unit_values[1:] != unit_values[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(unit_values)]])
    return [(as_unit_id(unit_values[s]), slice(int(s), int(e))) for s, e in zip(starts, ends, strict=True)]


def as_unit_id(value: object) -> UnitId:
    """A unit id as ``int`` when it is an integral number (``7``, ``7.0``, ``np.int64(7)``), else ``str``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return str(value)


def run_to_failure_rul(rows: int) -> np.ndarray:
    """Rows until the last row: ``rows-1, ..., 1, 0`` as float64."""
    return np.arange(rows - 1, -1, -1, dtype=np.float64)
