"""prepare_data / prepare_cv_folds end to end on the synthetic fleet, and the package's import contract."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from trainer.data import DataConfig, PreparedData, prepare_cv_folds, prepare_data

SMALL = DataConfig(synthetic_units=20, synthetic_min_life=40, synthetic_max_life=60, window=10, stride=3)


def units_of(*arrays: np.ndarray) -> set[int]:
    return {int(u) for a in arrays for u in np.unique(a)}


def test_synthetic_default_shapes_and_held_out_test() -> None:
    data = prepare_data(DataConfig())
    assert data.test is not None and data.test_source == "held-out"
    assert data.target_unit == "cycles"
    assert len(data.feature_names) == 13
    for split in (data.train, data.val, data.test):
        assert split.x.ndim == 3 and split.x.shape[1:] == (30, 13)
        assert split.x.shape[0] == split.y.shape[0] == split.unit_ids.shape[0]
        assert split.x.dtype == np.float32 and split.y.dtype == np.float32
        assert split.y.min() >= 0 and split.y.max() <= 125
    counts = [len(units_of(s.unit_ids)) for s in (data.train, data.val, data.test)]
    assert counts == [36, 12, 12]
    assert data.warnings == ()


def test_splits_share_no_unit_and_cover_the_fleet() -> None:
    data = prepare_data(SMALL)
    assert data.test is not None
    train, val, test = (units_of(s.unit_ids) for s in (data.train, data.val, data.test))
    assert train.isdisjoint(val) and train.isdisjoint(test) and val.isdisjoint(test)
    assert train | val | test == set(range(1, 21))


def test_prepare_data_is_deterministic() -> None:
    a, b = prepare_data(SMALL), prepare_data(SMALL)
    np.testing.assert_array_equal(a.train.x, b.train.x)
    np.testing.assert_array_equal(a.val.unit_ids, b.val.unit_ids)


def test_no_test_set_when_fraction_is_zero() -> None:
    data = prepare_data(DataConfig(synthetic_units=10, test_fraction=0.0, window=5))
    assert data.test is None and data.test_source == "none"


def test_cv_folds_partition_the_training_units_and_share_the_test_set() -> None:
    folds = prepare_cv_folds(SMALL, 4)
    single = prepare_data(SMALL)
    assert len(folds) == 4
    vals = [units_of(f.val.unit_ids) for f in folds]
    assert all(a.isdisjoint(b) for i, a in enumerate(vals) for b in vals[i + 1 :])
    non_test = set(range(1, 21)) - units_of(single.test.unit_ids)  # type: ignore[union-attr]
    assert set().union(*vals) == non_test
    for fold, val in zip(folds, vals, strict=True):
        assert units_of(fold.train.unit_ids) == non_test - val
        assert fold.test is not None
        np.testing.assert_array_equal(fold.test.unit_ids, single.test.unit_ids)  # type: ignore[union-attr]


def test_cv_folds_choose_features_per_fold() -> None:
    folds: list[PreparedData] = prepare_cv_folds(
        DataConfig(synthetic_units=9, synthetic_conditions=1, window=5, drop_constant_std=0.5), 3
    )
    for fold in folds:
        assert not {"op_setting_1", "op_setting_2", "op_setting_3"} & set(fold.feature_names)
        assert fold.train.x.shape[2] == len(fold.feature_names)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("window", 0, "window must be >= 1"),
        ("val_fraction", 0.0, "val_fraction must be in (0, 1)"),
        ("test_fraction", 1.0, "test_fraction must be in [0, 1)"),
        ("short_units", "crop", "short_units must be one of pad, skip"),
        ("synthetic_max_life", 10, "synthetic_max_life (10) must be >= synthetic_min_life"),
    ],
)
def test_config_rejects_out_of_range_values(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        DataConfig(**{field: value})  # type: ignore[arg-type]


def test_importing_and_preparing_synthetic_data_never_imports_tensorflow() -> None:
    code = (
        "import sys; from trainer.data import DataConfig, prepare_data; "
        "prepare_data(DataConfig(synthetic_units=6, window=5)); "
        "print('tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
