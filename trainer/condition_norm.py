"""Per-operating-condition normalisation (C-MAPSS FD002/FD004), inside the model.

On FD002 and FD004 every cycle runs in one of six operating conditions (altitude, Mach number, throttle
resolver angle: the three ``op_setting`` columns), and each condition shifts the sensor readings far more than
degradation does. The usual remedy in the literature is to normalise each reading with the mean and standard
deviation of ITS condition. Here that happens inside the model, so the exported model still takes raw
readings, as the serving contract requires:

1. :func:`fit_condition_stats` (NumPy, training rows only): standardise the op-setting columns, find ``k``
   condition centroids with k-means (k-means++ start, seeded, so a trial is reproducible), and compute each
   condition's per-feature mean and standard deviation on the training rows assigned to it. A feature that
   is constant within a condition (std <= ``min_std``) gets std 1 there: it is centred, never blown up.
2. :func:`layer_class` / :func:`build_layer`: a Keras layer holding those arrays as non-trainable weights. For
   every time step it picks the nearest centroid from that step's raw op settings and outputs
   ``(x - mean[c]) / std[c]`` for all features, the op settings included (they become the small
   within-condition deviations).

:func:`normalize` is the NumPy reference of what the layer computes (the tests hold the layer to it).
With ``k = 1`` this is plain global standardisation.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SETTING_PREFIX = "op_setting"


def setting_columns(feature_names: Sequence[str]) -> tuple[int, ...]:
    """Indices of the operating-setting features (names starting with ``op_setting``); ValueError if none."""
    columns = tuple(i for i, name in enumerate(feature_names) if name.startswith(SETTING_PREFIX))
    if not columns:
        raise ValueError(
            "per-condition normalisation needs operating-setting features (names op_setting_*), and the "
            "data has none left (C-MAPSS and the synthetic data have them; --drop-constant-std may drop them)"
        )
    return columns


@dataclass(frozen=True)
class ConditionStats:
    """What the layer needs: where the settings are, how to scale them, the centroids and per-condition
    statistics. Shapes: ``setting_mean``/``setting_scale`` ``(s,)``, ``centroids`` ``(k, s)`` in scaled
    units, ``mean``/``std`` ``(k, f)``, ``counts`` ``(k,)`` training rows per condition."""

    setting_columns: tuple[int, ...]
    setting_mean: np.ndarray
    setting_scale: np.ndarray
    centroids: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    counts: np.ndarray

    @property
    def k(self) -> int:
        return int(self.centroids.shape[0])


def kmeans(points: np.ndarray, k: int, seed: int, iterations: int = 100) -> np.ndarray:
    """Lloyd's k-means, k-means++ start: ``(k', d)`` centroids, ``k' = min(k, distinct points)``.

    Deterministic for a given ``seed``. An emptied cluster is re-seeded at the point farthest from its
    centroid.
    """
    points = np.asarray(points, dtype=np.float64)
    distinct = np.unique(points, axis=0)
    k = max(1, min(k, len(distinct)))
    rng = np.random.default_rng(seed)
    centroids = [distinct[rng.integers(len(distinct))]]
    for _ in range(1, k):  # k-means++ over the distinct points (duplicates would bias nothing here)
        d2 = np.min(((distinct[:, None, :] - np.array(centroids)[None]) ** 2).sum(-1), axis=1)
        centroids.append(distinct[rng.choice(len(distinct), p=d2 / d2.sum())])
    c = np.array(centroids)
    for _ in range(iterations):
        labels = _nearest(points, c)
        moved = c.copy()
        for j in range(k):
            members = points[labels == j]
            if len(members):
                moved[j] = members.mean(axis=0)
            else:
                far = np.argmax(((points - c[labels]) ** 2).sum(-1))
                moved[j] = points[far]
        if np.allclose(moved, c):
            break
        c = moved
    return c


def _nearest(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    return np.argmin(((points[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)


def fit_condition_stats(
    rows: np.ndarray, columns: Sequence[int], k: int, seed: int = 0, min_std: float = 1e-6
) -> ConditionStats:
    """Fit on training ``rows`` ``(n, f)`` (raw readings); ``columns`` are the op-setting features."""
    rows = np.asarray(rows, dtype=np.float64)
    settings = rows[:, list(columns)]
    s_mean = settings.mean(axis=0)
    s_scale = settings.std(axis=0)
    s_scale = np.where(s_scale > 0, s_scale, 1.0)
    scaled = (settings - s_mean) / s_scale
    centroids = kmeans(scaled, k, seed)
    labels = _nearest(scaled, centroids)
    kk, f = len(centroids), rows.shape[1]
    mean, std, counts = np.zeros((kk, f)), np.ones((kk, f)), np.zeros(kk, dtype=np.int64)
    for j in range(kk):
        members = rows[labels == j]
        counts[j] = len(members)
        if len(members):
            mean[j] = members.mean(axis=0)
            sd = members.std(axis=0)
            std[j] = np.where(sd > min_std, sd, 1.0)
    return ConditionStats(tuple(int(c) for c in columns), s_mean, s_scale, centroids, mean, std, counts)


def assign(rows: np.ndarray, stats: ConditionStats) -> np.ndarray:
    """The condition index of each row ``(..., f)`` -> ``(...)``."""
    rows = np.asarray(rows, dtype=np.float64)
    scaled = (rows[..., list(stats.setting_columns)] - stats.setting_mean) / stats.setting_scale
    flat = scaled.reshape(-1, scaled.shape[-1])
    return _nearest(flat, stats.centroids).reshape(scaled.shape[:-1])


def normalize(x: np.ndarray, stats: ConditionStats) -> np.ndarray:
    """NumPy reference of the layer: ``(x - mean[c]) / std[c]`` with ``c`` the nearest condition per row."""
    c = assign(x, stats)
    return (np.asarray(x, dtype=np.float64) - stats.mean[c]) / stats.std[c]


@functools.cache
def layer_class() -> type[Any]:
    """The Keras layer class (defined on first use, so this module imports without TensorFlow)."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="katib_forecast")
    class ConditionNormalization(keras.layers.Layer):
        """Per-step nearest-condition normalisation; every array is a non-trainable float32 weight."""

        def __init__(self, setting_columns: Sequence[int], k: int, n_features: int, **kwargs: Any) -> None:
            kwargs.setdefault("dtype", "float32")
            super().__init__(**kwargs)
            self.setting_columns = [int(c) for c in setting_columns]
            self.k, self.n_features = int(k), int(n_features)
            s = len(self.setting_columns)
            shapes = {
                "setting_mean": (s,),
                "setting_scale": (s,),
                "centroids": (self.k, s),
                "cond_mean": (self.k, self.n_features),
                "cond_std": (self.k, self.n_features),
            }
            self._w = {
                name: self.add_weight(name=name, shape=shape, initializer="zeros", trainable=False)
                for name, shape in shapes.items()
            }

        def set_stats(self, stats: ConditionStats) -> None:
            values = {
                "setting_mean": stats.setting_mean,
                "setting_scale": stats.setting_scale,
                "centroids": stats.centroids,
                "cond_mean": stats.mean,
                "cond_std": stats.std,
            }
            for name, value in values.items():
                self._w[name].assign(np.asarray(value, dtype=np.float32))

        def call(self, x: Any) -> Any:
            settings = ops.take(x, self.setting_columns, axis=-1)
            z = (settings - self._w["setting_mean"]) / self._w["setting_scale"]
            d2 = ops.sum(ops.square(ops.expand_dims(z, -2) - self._w["centroids"]), axis=-1)
            c = ops.argmin(d2, axis=-1)
            return (x - ops.take(self._w["cond_mean"], c, axis=0)) / ops.take(self._w["cond_std"], c, axis=0)

        def compute_output_shape(self, input_shape: Any) -> Any:
            return input_shape

        def get_config(self) -> dict[str, Any]:
            config: dict[str, Any] = super().get_config()
            config.update(setting_columns=self.setting_columns, k=self.k, n_features=self.n_features)
            return config

    return ConditionNormalization


def build_layer(stats: ConditionStats, n_features: int, name: str = "condition_normalize") -> Any:
    """A :func:`layer_class` instance loaded with ``stats``."""
    layer = layer_class()(stats.setting_columns, stats.k, n_features, name=name)
    layer.set_stats(stats)
    return layer
