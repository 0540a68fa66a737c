"""A seeded fleet of run-to-failure series: the default data set, needing no download.

The generator mimics C-MAPSS in miniature, so that what is tuned on it behaves like the real thing:

* each unit lives ``L`` cycles, ``L`` uniform in ``[min_life, max_life]``; rows are cycles ``1..L`` and the
  unit fails after its last row;
* a hidden damage ``d(t)`` rises from a small per-unit initial wear ``w0`` (uniform in [0, 0.1]) to 1 at
  the last row along an exponential curve, ``w0 + (1 - w0) * (exp(a t / (L - 1)) - 1) / (exp(a) - 1)`` with
  a per-unit rate ``a`` uniform in [3, 6]: flat for most of the life, then an accelerating onset, as in
  turbofan wear;
* every row runs in one of ``conditions`` operating conditions, drawn per row; each condition has its own
  three op-setting values (reported, with a little jitter, as ``op_setting_1..3``) that shift every sensor's
  baseline linearly, so a model must read the op settings to separate condition from damage (as on FD002);
* sensor ``s`` reads ``centre_s + scale_s * (shift_c,s + bias_u,s + gain_s * d(t) + noise * eps)``, with
  gains of both signs (``|gain|`` uniform in [0.3, 1.5]), a small per-unit bias (std 0.05: unit-to-unit
  manufacturing spread) and Gaussian ``eps``; ``centre_s``/``scale_s`` give the sensors unrelated physical
  scales, which is why the model normalises its inputs.

Because damage is a monotone function of remaining life, the capped target is learnable: a linear model on
the last row's readings already beats predicting the mean by a wide margin (the tests check this).

Determinism: every draw comes from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
config gives bit-identical data on any machine with the same NumPy major version.
"""

from __future__ import annotations

import numpy as np

from trainer.data.arrays import SeriesSet, UnitSeries
from trainer.data.config import DataConfig

N_OP_SETTINGS = 3


def synthetic_feature_names(sensors: int) -> tuple[str, ...]:
    """``op_setting_1..3`` then ``sensor_1..sensors``, the C-MAPSS naming."""
    ops = tuple(f"op_setting_{i}" for i in range(1, N_OP_SETTINGS + 1))
    return ops + tuple(f"sensor_{i}" for i in range(1, sensors + 1))


def generate_synthetic(cfg: DataConfig) -> SeriesSet:
    """Generate ``cfg.synthetic_units`` run-to-failure units (ids ``1..N``) from ``cfg.seed``."""
    rng = np.random.default_rng(cfg.seed)
    n_sensors = cfg.synthetic_sensors

    # Fleet-wide constants: condition table, how op settings shift sensors, sensor gains and scales.
    op_centres = rng.uniform(0.0, 1.0, size=(cfg.synthetic_conditions, N_OP_SETTINGS))
    op_centres[:, 0] *= 42.0  # altitude-like (kft)
    op_centres[:, 1] *= 0.84  # Mach-like
    op_centres[:, 2] = 60.0 + 40.0 * op_centres[:, 2]  # throttle-like
    op_spread = np.array([42.0, 0.84, 40.0])
    shift_weights = rng.normal(0.0, 0.6, size=(N_OP_SETTINGS, n_sensors))
    normalised_ops = (op_centres - op_centres.mean(axis=0)) / op_spread
    condition_shift = normalised_ops @ shift_weights  # (conditions, sensors)
    signs = np.where(np.arange(n_sensors) % 2 == 0, 1.0, -1.0)
    gains = signs * rng.uniform(0.3, 1.5, size=n_sensors)
    rng.shuffle(gains)
    centres = rng.uniform(10.0, 2000.0, size=n_sensors)
    scales = centres * rng.uniform(0.002, 0.02, size=n_sensors)

    units: list[UnitSeries] = []
    for unit_id in range(1, cfg.synthetic_units + 1):
        life = int(rng.integers(cfg.synthetic_min_life, cfg.synthetic_max_life + 1))
        wear0 = rng.uniform(0.0, 0.1)
        rate = rng.uniform(3.0, 6.0)
        bias = rng.normal(0.0, 0.05, size=n_sensors)
        conditions = rng.integers(0, cfg.synthetic_conditions, size=life)
        op_jitter = rng.normal(0.0, 1e-3, size=(life, N_OP_SETTINGS)) * op_spread
        eps = rng.normal(0.0, 1.0, size=(life, n_sensors))

        progress = np.arange(life) / max(life - 1, 1)
        damage = wear0 + (1.0 - wear0) * np.expm1(rate * progress) / np.expm1(rate)
        latent = condition_shift[conditions] + bias + np.outer(damage, gains) + cfg.synthetic_noise * eps
        sensors = centres + scales * latent
        ops = op_centres[conditions] + op_jitter
        features = np.concatenate([ops, sensors], axis=1)
        rul = np.arange(life - 1, -1, -1, dtype=np.float64)
        units.append(UnitSeries(unit_id=unit_id, features=features, rul=rul))
    return SeriesSet(feature_names=synthetic_feature_names(n_sensors), units=tuple(units))
