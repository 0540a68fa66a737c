"""Unit splits and CV folds: disjoint, sized as documented, deterministic in the seed."""

from __future__ import annotations

import pytest

from trainer.data import DataError
from trainer.data.split import kfold_units, share, split_units

IDS = list(range(1, 61))


@pytest.mark.parametrize(
    ("n", "fraction", "expected"),
    [(60, 0.2, 12), (10, 0.25, 3), (10, 0.0, 0), (3, 0.1, 1), (7, 0.5, 4)],
)
def test_share_rounds_half_up_with_at_least_one_unit(n: int, fraction: float, expected: int) -> None:
    assert share(n, fraction) == expected


def test_split_is_disjoint_complete_and_sized() -> None:
    split = split_units(IDS, val_fraction=0.2, test_fraction=0.1, seed=0)
    train, val, test = set(split.train), set(split.val), set(split.test)
    assert train.isdisjoint(val) and train.isdisjoint(test) and val.isdisjoint(test)
    assert train | val | test == set(IDS)
    assert (len(train), len(val), len(test)) == (42, 12, 6)


def test_split_is_deterministic_in_seed() -> None:
    a = split_units(IDS, val_fraction=0.2, test_fraction=0.2, seed=5)
    b = split_units(IDS, val_fraction=0.2, test_fraction=0.2, seed=5)
    c = split_units(IDS, val_fraction=0.2, test_fraction=0.2, seed=6)
    assert a == b
    assert a.val != c.val


def test_test_units_do_not_depend_on_val_fraction() -> None:
    a = split_units(IDS, val_fraction=0.1, test_fraction=0.2, seed=1)
    b = split_units(IDS, val_fraction=0.3, test_fraction=0.2, seed=1)
    assert a.test == b.test


def test_too_few_units_is_a_data_error_naming_fractions_and_count() -> None:
    with pytest.raises(DataError) as info:
        split_units([1, 2], val_fraction=0.2, test_fraction=0.2, seed=0)
    message = str(info.value)
    assert "2 unit(s)" in message and "val_fraction=0.2" in message and "test_fraction=0.2" in message
    assert "\n" not in message


def test_kfold_validation_groups_partition_the_non_test_units() -> None:
    pairs, test = kfold_units(IDS, folds=5, test_fraction=0.2, seed=3)
    assert test == split_units(IDS, val_fraction=0.2, test_fraction=0.2, seed=3).test
    rest = set(IDS) - set(test)
    vals = [set(v) for _, v in pairs]
    assert sum(len(v) for v in vals) == len(rest)
    assert set().union(*vals) == rest
    for train, val in pairs:
        assert set(train).isdisjoint(val)
        assert set(train) | set(val) == rest
    assert {len(v) for v in vals} <= {9, 10}


def test_kfold_rejects_more_folds_than_units() -> None:
    with pytest.raises(DataError, match="cannot make 5 cross-validation folds from 4 unit"):
        kfold_units([1, 2, 3, 4, 5], folds=5, test_fraction=0.2, seed=0)
    with pytest.raises(ValueError, match="folds must be >= 2"):
        kfold_units(IDS, folds=1, test_fraction=0.0, seed=0)
