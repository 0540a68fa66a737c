"""Split units (never rows) into train / validation / test, and into K cross-validation folds.

Whole units go to one split each, so no window of a validation or test unit was seen in training: splitting
rows or windows instead leaks the unit's level and trend and flatters the metrics.

Counts: a fraction ``f`` of ``n`` units is ``round(n * f)`` (halves round up), but at least one unit
whenever ``f > 0``. The test units are drawn first, then the validation units from the rest, so the test set
does not depend on ``val_fraction`` or on the number of CV folds. All draws come from one
``numpy.random.default_rng(seed)`` permutation of the units in their loaded (sorted) order: the same units
and seed give the same split on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trainer.data.arrays import UnitId
from trainer.data.errors import DataError


@dataclass(frozen=True)
class UnitSplit:
    """Unit ids of each split, each tuple in the units' loaded order; pairwise disjoint."""

    train: tuple[UnitId, ...]
    val: tuple[UnitId, ...]
    test: tuple[UnitId, ...]


def share(n: int, fraction: float) -> int:
    """Units for ``fraction`` of ``n``: 0 when ``fraction == 0``, else ``max(1, round_half_up(n * f))``.

    Always at least one unit for a positive fraction: asking for a test set and silently getting none (a
    small fleet times a small fraction rounds to 0) would hide the problem.
    """
    if fraction <= 0:
        return 0
    return max(1, math.floor(n * fraction + 0.5))


def _in_loaded_order(ids: Sequence[UnitId], chosen: np.ndarray) -> tuple[UnitId, ...]:
    return tuple(ids[i] for i in np.sort(chosen))


def _shuffle(ids: Sequence[UnitId], test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(test positions, the remaining positions in shuffled order)."""
    order = np.random.default_rng(seed).permutation(len(ids))
    n_test = share(len(ids), test_fraction)
    return order[:n_test], order[n_test:]


def split_units(ids: Sequence[UnitId], *, val_fraction: float, test_fraction: float, seed: int) -> UnitSplit:
    """Train/val/test unit ids; DataError when train or validation would get no unit.

    ``test_fraction=0`` means no test units (pass 0 when an official test set exists).
    """
    test, rest = _shuffle(ids, test_fraction, seed)
    n_val = share(len(ids), val_fraction)
    if len(rest) - n_val < 1 or n_val < 1:
        raise DataError(
            f"cannot split {len(ids)} unit(s) with val_fraction={val_fraction} and "
            f"test_fraction={test_fraction}: that leaves {len(test)} test, "
            f"{min(n_val, len(rest))} validation and {max(len(rest) - n_val, 0)} training unit(s), "
            "and training and validation need at least 1 each; use more units or smaller fractions"
        )
    return UnitSplit(
        train=_in_loaded_order(ids, rest[n_val:]),
        val=_in_loaded_order(ids, rest[:n_val]),
        test=_in_loaded_order(ids, test),
    )


def kfold_units(
    ids: Sequence[UnitId], *, folds: int, test_fraction: float, seed: int
) -> tuple[list[tuple[tuple[UnitId, ...], tuple[UnitId, ...]]], tuple[UnitId, ...]]:
    """K folds of the non-test units as ``[(train ids, val ids), ...]``, and the test ids.

    The test units are the same as :func:`split_units` draws for the same ids, ``test_fraction`` and seed.
    The non-test units are dealt into ``folds`` near-equal groups (sizes differ by at most one); fold ``k``
    validates on group ``k`` and trains on the others, so the validation groups partition the non-test units.

    Raises:
        ValueError: ``folds < 2``.
        DataError: fewer non-test units than folds.
    """
    if folds < 2:
        raise ValueError(f"folds must be >= 2, got {folds}")
    test, rest = _shuffle(ids, test_fraction, seed)
    if len(rest) < folds:
        raise DataError(
            f"cannot make {folds} cross-validation folds from {len(rest)} unit(s) "
            f"({len(ids)} units, {len(test)} held out for test); use --folds <= {len(rest)} or more units"
        )
    groups = np.array_split(rest, folds)
    result = []
    for k, group in enumerate(groups):
        others = np.concatenate([g for j, g in enumerate(groups) if j != k])
        result.append((_in_loaded_order(ids, others), _in_loaded_order(ids, group)))
    return result, _in_loaded_order(ids, test)
