"""Validation by cut units: the C-MAPSS test protocol, mirrored on the validation units.

C-MAPSS scores a model on test units whose series were cut off some time before failure, one forecast per
unit, made from the window that ends at the cut. :func:`make_cut_windows` does the same to each validation
unit ``cuts`` times: it draws ``cuts`` distinct end rows, uniformly among the rows that end a full window
(``window - 1 .. rows - 1``, the unit's failure row included), and keeps the window ending at each, with the
target ``min(rul, rul_cap)`` at that row. So every validation unit counts the same (the all-windows figure
weights a unit by its length), and the score is the one a served model gets asked for: "how long from here".

With ``min_history`` ``h`` (``0`` means ``window``; see ``windows.py``), the cuts are drawn among rows
``h - 1 .. rows - 1`` instead, and a cut before row ``window - 1`` is scored on its front-padded window, as a
served model is asked about a unit with less history than its window. The rows drawn depend on the unit,
``cuts``, ``h`` and the seed but not on ``window``: at the same ``h``, trials with different windows are
scored on the same cuts, so their objectives compare.

Edge cases, both deterministic:
- a unit with fewer possible ends than ``cuts`` (it is at most ``cuts + h - 1`` rows long) gives one
  window per possible end, so a unit exactly ``h`` rows long gives one window, ending at its last row;
- a unit shorter than ``h`` (kept by ``--short-units pad``) gives its one front-padded window, ending at
  its last row, as everywhere else.

The draws come from ``numpy.random.default_rng([seed, CUTS_STREAM])``, one stream for all units in their
given order, so the same units, cuts and seed always give the same windows, and the cut points do not move
with the training seed's other draws (the split uses ``default_rng(seed)`` itself).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trainer.data.arrays import UnitSeries, WindowArrays
from trainer.data.windows import first_end, stack_windows, windows_ending_at

CUTS_STREAM = 0xC075


def cut_ends(rows: int, window: int, cuts: int, rng: np.random.Generator, min_history: int = 0) -> np.ndarray:
    """Ascending distinct end rows of the windows a unit of ``rows`` rows is scored on.

    Raises:
        ValueError: ``cuts < 1``, ``window < 1`` or ``min_history < 0``.
    """
    if cuts < 1 or window < 1 or min_history < 0:
        raise ValueError(
            f"cuts and window must be >= 1 and min_history >= 0, got cuts={cuts}, window={window}, "
            f"min_history={min_history}"
        )
    first = first_end(window, min_history)
    if rows <= first:
        return np.array([rows - 1])
    possible = rows - first
    if possible <= cuts:
        return np.arange(first, rows)
    return np.sort(rng.choice(possible, size=cuts, replace=False)) + first


def make_cut_windows(
    units: Sequence[UnitSeries],
    columns: np.ndarray,
    *,
    window: int,
    cuts: int,
    rul_cap: float,
    seed: int,
    min_history: int = 0,
) -> WindowArrays:
    """The last window of each of ``cuts`` seeded cuts of every unit (see the module docstring)."""
    rng = np.random.default_rng([seed, CUTS_STREAM])
    parts = []
    for unit in units:
        ends = cut_ends(unit.rows, window, cuts, rng, min_history)
        parts.append((unit.unit_id, *windows_ending_at(unit, columns, window, ends)))
    return stack_windows(parts, window, len(columns), rul_cap)
