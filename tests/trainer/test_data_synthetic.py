"""The synthetic fleet: deterministic in its seed, shaped as configured, and learnable."""

from __future__ import annotations

import numpy as np

from trainer.data import DataConfig, prepare_data
from trainer.data.synthetic import generate_synthetic


def test_same_seed_gives_identical_units() -> None:
    a = generate_synthetic(DataConfig(seed=7))
    b = generate_synthetic(DataConfig(seed=7))
    assert [u.unit_id for u in a.units] == [u.unit_id for u in b.units]
    for ua, ub in zip(a.units, b.units, strict=True):
        np.testing.assert_array_equal(ua.features, ub.features)
        np.testing.assert_array_equal(ua.rul, ub.rul)


def test_different_seed_gives_different_data() -> None:
    a = generate_synthetic(DataConfig(seed=7))
    b = generate_synthetic(DataConfig(seed=8))
    assert [u.rows for u in a.units] != [u.rows for u in b.units]
    assert not np.allclose(a.units[0].features[:10], b.units[0].features[:10])


def test_fleet_has_configured_shape_and_run_to_failure_targets() -> None:
    cfg = DataConfig(synthetic_units=12, synthetic_sensors=4, synthetic_min_life=50, synthetic_max_life=70)
    fleet = generate_synthetic(cfg)
    assert fleet.feature_names == (
        "op_setting_1",
        "op_setting_2",
        "op_setting_3",
        "sensor_1",
        "sensor_2",
        "sensor_3",
        "sensor_4",
    )
    assert [u.unit_id for u in fleet.units] == list(range(1, 13))
    for unit in fleet.units:
        assert 50 <= unit.rows <= 70
        assert unit.features.shape == (unit.rows, 7)
        assert np.isfinite(unit.features).all()
        np.testing.assert_array_equal(unit.rul, np.arange(unit.rows - 1, -1, -1))


def test_operating_conditions_form_distinct_op_setting_clusters() -> None:
    fleet = generate_synthetic(DataConfig(synthetic_conditions=3, synthetic_units=5))
    ops = np.concatenate([u.features[:, :3] for u in fleet.units])
    # Jitter is 0.1% of each setting's range, so rounding the Mach-like setting to 2 decimals or the
    # throttle-like one to integers recovers the condition table (3 rows).
    assert len(np.unique(np.round(ops[:, 2]))) == 3


def test_sensors_drift_towards_failure_in_both_directions() -> None:
    fleet = generate_synthetic(DataConfig(synthetic_conditions=1, synthetic_noise=0.0, synthetic_units=3))
    unit = fleet.units[0]
    change = unit.features[-1, 3:] - unit.features[0, 3:]
    assert (change > 0).any()
    assert (change < 0).any()


def test_target_is_learnable_far_better_than_the_mean() -> None:
    """A least-squares fit on each window's last row and mean beats the mean predictor by >= 35% RMSE."""
    data = prepare_data(DataConfig(seed=3))

    def design(x: np.ndarray) -> np.ndarray:
        return np.concatenate([x[:, -1, :], x.mean(axis=1)], axis=1).astype(np.float64)

    train, val = design(data.train.x), design(data.val.x)
    mu, sd = train.mean(axis=0), train.std(axis=0) + 1e-9
    a = np.column_stack([(train - mu) / sd, np.ones(len(train))])
    coef, *_ = np.linalg.lstsq(a, data.train.y.astype(np.float64), rcond=None)
    pred = np.column_stack([(val - mu) / sd, np.ones(len(val))]) @ coef
    rmse = float(np.sqrt(np.mean((pred - data.val.y) ** 2)))
    baseline = float(np.sqrt(np.mean((data.train.y.mean() - data.val.y) ** 2)))
    assert rmse < 0.65 * baseline
