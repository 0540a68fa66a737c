"""Cut unit series into fixed-length windows and their targets.

A window ending at row ``t`` holds rows ``t-window+1 .. t`` (oldest first) and its target is the unit's
``rul`` at row ``t``, capped: ``min(rul, rul_cap)`` when ``rul_cap > 0``. Window ends are
``last, last-stride, last-2*stride, ...`` down to row ``window-1``, so every unit's last row ends a window
(that is the row a forecast is made from in service) and ``stride`` thins from there backwards. Windows
come unit by unit, oldest first within a unit.

A unit with fewer rows than ``window`` yields nothing here unless padded (see :func:`apply_short_policy`):
padding repeats its first row at the front until the window is full and yields exactly one window, ending at
its last row.

``min_history`` ``h`` (``0`` means ``window``) is the shortest history a forecast is made from: window ends
go down to row ``h - 1`` instead of ``window - 1``, and a window that ends before row ``window - 1`` is
front-padded the same way. So with ``h < window`` a model also learns (and is scored on) the padded windows
it is asked about when a unit has fewer than ``window`` rows so far, which a long window makes common; with
``h == window`` nothing is padded but units shorter than the window.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trainer.data.arrays import UnitId, UnitSeries, WindowArrays
from trainer.data.errors import DataError

MAX_IDS_IN_WARNING = 10


def cap_target(rul: np.ndarray, rul_cap: float) -> np.ndarray:
    """``min(rul, rul_cap)`` when ``rul_cap > 0``, else ``rul`` unchanged."""
    return np.minimum(rul, rul_cap) if rul_cap > 0 else rul


def first_end(window: int, min_history: int = 0) -> int:
    """The earliest row a window may end at: ``min_history - 1``, or ``window - 1`` when it is 0."""
    return (min_history or window) - 1


def window_ends(rows: int, window: int, stride: int, min_history: int = 0) -> np.ndarray:
    """Ascending end rows ``last - k*stride >= first_end(window, min_history)``; empty when fewer rows."""
    return np.arange(rows - 1, first_end(window, min_history) - 1, -stride)[::-1]


def unit_windows(
    unit: UnitSeries,
    columns: np.ndarray,
    window: int,
    stride: int,
    *,
    last_only: bool = False,
    min_history: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``(x (n, window, len(columns)) float64, uncapped rul (n,))`` of one unit.

    A unit with no end row at or after ``first_end`` (fewer rows than ``min_history``, or than ``window``
    when it is 0) gives one front-padded window, ending at its last row.
    """
    ends = np.array([unit.rows - 1]) if last_only else window_ends(unit.rows, window, stride, min_history)
    if len(ends) == 0:
        ends = np.array([unit.rows - 1])
    return windows_ending_at(unit, columns, window, ends)


def windows_ending_at(
    unit: UnitSeries, columns: np.ndarray, window: int, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(x (len(ends), window, len(columns)), uncapped rul (len(ends),))``: the windows ending at ``ends``.

    ``ends`` are row indices ``0 .. rows - 1``, at least one. A window ending before row ``window - 1`` is
    front-padded with the unit's first row (as a unit shorter than ``window`` is); the others are its own
    rows.
    """
    features = unit.features[:, columns]
    lead = max(0, window - 1 - int(ends.min()))
    if lead:
        features = np.concatenate([np.repeat(features[:1], lead, axis=0), features], axis=0)
    # (rows + lead - window + 1, F, window)
    views = np.lib.stride_tricks.sliding_window_view(features, window, axis=0)
    return views[ends + lead - (window - 1)].transpose(0, 2, 1), unit.rul[ends]


def _unit_id_array(ids: list[UnitId]) -> np.ndarray:
    if all(isinstance(i, int) for i in ids):
        return np.array(ids, dtype=np.int64)
    return np.array([str(i) for i in ids], dtype=str)


def make_windows(
    units: Sequence[UnitSeries],
    columns: np.ndarray,
    *,
    window: int,
    stride: int,
    rul_cap: float,
    last_only: bool = False,
    min_history: int = 0,
) -> WindowArrays:
    """Windows of all ``units`` (see the module docstring); ``last_only`` keeps one per unit, at its end."""
    parts = [
        (
            unit.unit_id,
            *unit_windows(unit, columns, window, stride, last_only=last_only, min_history=min_history),
        )
        for unit in units
    ]
    return stack_windows(parts, window, len(columns), rul_cap)


def stack_windows(
    parts: Sequence[tuple[UnitId, np.ndarray, np.ndarray]], window: int, n_features: int, rul_cap: float
) -> WindowArrays:
    """One :class:`WindowArrays` from per-unit ``(unit id, x, uncapped rul)``: float32, targets capped.

    No parts give empty arrays shaped ``(0, window, n_features)``.
    """
    if not parts:
        return WindowArrays(
            x=np.empty((0, window, n_features), dtype=np.float32),
            y=np.empty((0,), dtype=np.float32),
            unit_ids=np.empty((0,), dtype=np.int64),
        )
    ids: list[UnitId] = []
    for unit_id, _, rul in parts:
        ids.extend([unit_id] * len(rul))
    x_all = np.concatenate([x for _, x, _ in parts], axis=0).astype(np.float32)
    y_all = cap_target(np.concatenate([rul for _, _, rul in parts]), rul_cap).astype(np.float32)
    return WindowArrays(x=x_all, y=y_all, unit_ids=_unit_id_array(ids))


def _id_list(ids: Sequence[UnitId]) -> str:
    shown = ", ".join(str(i) for i in ids[:MAX_IDS_IN_WARNING])
    return shown + (f" (+{len(ids) - MAX_IDS_IN_WARNING} more)" if len(ids) > MAX_IDS_IN_WARNING else "")


def apply_short_policy(
    units: Sequence[UnitSeries],
    *,
    window: int,
    policy: str,
    where: str,
    required: bool,
    min_history: int = 0,
) -> tuple[tuple[UnitSeries, ...], str | None]:
    """Units to use and one warning line about the short ones (``None`` when there are none).

    A unit is short when it has fewer rows than the shortest history a window is cut from: ``min_history``,
    or ``window`` when that is 0 (with ``min_history``, a unit of at least that many rows is windowed as
    designed, front-padded where it is shorter than the window, and is not short).

    ``policy="pad"`` keeps short units (each gives one front-padded window, ending at its last row);
    ``"skip"`` drops them. When ``required`` and EVERY unit is short, whatever the policy, DataError:
    ``"<where>: window 500 is longer than every unit (longest has 362 rows); use --window <= 362"`` (naming
    ``--min-history`` instead when it is set). Padding is for the odd short unit beside others that fill a
    window; padding every unit would train on copies of first readings (and a huge ``--window`` would pad
    each unit to that length before anything else could fail). Not ``required`` (an official test set,
    scored on each unit's last window), all-short units are padded or skipped as usual.
    """
    need = min_history or window
    short = [u for u in units if u.rows < need]
    if not short:
        return tuple(units), None
    shortest = min(u.rows for u in short)
    what = f"--min-history {min_history}" if min_history else f"window {window}"
    flag = "--min-history" if min_history else "--window"
    if required and len(short) == len(units):
        longest = max(u.rows for u in units)
        raise DataError(
            f"{where}: {what} is longer than every unit (longest has {longest} rows); use {flag} <= {longest}"
        )
    kept = tuple(units) if policy == "pad" else tuple(u for u in units if u.rows >= need)
    action = (
        "front-padded each to one window by repeating its first row" if policy == "pad" else "skipped them"
    )
    warning = (
        f"{where}: {what} is longer than {len(short)} of {len(units)} units "
        f"(shortest has {shortest} rows); {action}: units {_id_list([u.unit_id for u in short])}"
    )
    return kept, warning
