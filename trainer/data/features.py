"""Drop (near-)constant features, judged on the training units only.

Why training units only: the choice is part of the model, and looking at validation or test rows to make it
would leak them. Why at all: a column that never moves (C-MAPSS FD001 has seven) carries no signal, and its
zero variance makes a normalisation layer divide by (almost) nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trainer.data.arrays import UnitSeries
from trainer.data.errors import DataError

MAX_NAMES_IN_WARNING = 30


def select_features(
    train_units: Sequence[UnitSeries], names: Sequence[str], max_std: float
) -> tuple[np.ndarray, str | None]:
    """Column indices to keep and a warning line naming the dropped ones (``None`` if none dropped).

    A feature is dropped when its population std (ddof=0) over all rows of ``train_units`` is
    ``<= max_std``; ``max_std == 0`` keeps every feature. DataError when every feature would go.
    """
    all_columns = np.arange(len(names))
    if max_std <= 0 or not train_units:
        return all_columns, None
    rows = np.concatenate([u.features for u in train_units], axis=0)
    stds = rows.std(axis=0)
    keep = stds > max_std
    if not keep.any():
        raise DataError(
            f"every feature has std <= {max_std:g} on the training units (largest {stds.max():.3g}); "
            "lower --drop-constant-std"
        )
    if keep.all():
        return all_columns, None
    dropped = [names[int(i)] for i in np.flatnonzero(~keep)]
    shown = ", ".join(dropped[:MAX_NAMES_IN_WARNING])
    more = f" (+{len(dropped) - MAX_NAMES_IN_WARNING} more)" if len(dropped) > MAX_NAMES_IN_WARNING else ""
    warning = (
        f"dropped {len(dropped)} feature(s) with std <= {max_std:g} on the training units: {shown}{more}"
    )
    return np.flatnonzero(keep), warning
