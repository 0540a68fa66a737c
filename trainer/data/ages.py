"""The ``age`` feature (``--age-feature``): how long a unit has run, as a column of its own series.

A window of ``w`` rows shows a unit's last ``w`` readings, so once a unit has run longer than ``w`` the model
cannot tell a young unit from an old one with the same recent readings, although remaining life depends on
it. ``age`` is the row's position in its unit's series, ``1`` at the unit's first reading (C-MAPSS: the
cycle number, as its series start at cycle 1), appended as the last feature. It is causal (a forecast
made at row ``t`` knows ``t``) and needs nothing but the series, so a served model's client computes it the
same way.

Edge cases: it assumes each series starts at its unit's first reading; a series that starts later
(a test unit observed from mid-life) gets ages that are too small. Front-padding repeats the first row,
age ``1`` included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from trainer.data.arrays import SeriesSet, UnitSeries
from trainer.data.errors import DataError

AGE = "age"
"""The feature's name."""


def with_age(units: Sequence[UnitSeries]) -> tuple[UnitSeries, ...]:
    """``units`` with the age column appended to their features (``1 .. rows``, float64)."""
    return tuple(
        replace(u, features=np.column_stack([u.features, np.arange(1, u.rows + 1, dtype=np.float64)]))
        for u in units
    )


def add_age(series: SeriesSet) -> SeriesSet:
    """``series`` with :func:`with_age` applied and ``age`` appended to its feature names.

    Raises DataError when the source already has a feature named ``age`` (the two would be confused).
    """
    if AGE in series.feature_names:
        raise DataError(f"the data already has a feature named {AGE!r}; rename it or drop --age-feature")
    return SeriesSet(feature_names=(*series.feature_names, AGE), units=with_age(series.units))
