"""Containers: per-unit series inside the pipeline, window arrays handed to the trainer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UnitId = int | str


@dataclass(frozen=True)
class UnitSeries:
    """One unit's rows, in time order, before windowing.

    Attributes:
        unit_id: the unit's id (int for C-MAPSS and synthetic data; as read for CSV).
        features: float64 ``(rows, n_features)``, finite.
        rul: float64 ``(rows,)`` the UNCAPPED target at each row (for run-to-failure data: rows until the
            unit's last row, so 0 at the last row; for the C-MAPSS test set: the true RUL at each row).
    """

    unit_id: UnitId
    features: np.ndarray
    rul: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.features.shape[0])


@dataclass(frozen=True)
class SeriesSet:
    """All units of one source (or of its official test set), with the feature names they share."""

    feature_names: tuple[str, ...]
    units: tuple[UnitSeries, ...]


@dataclass(frozen=True)
class WindowArrays:
    """Windows of one split.

    Attributes:
        x: float32 ``(n, window, n_features)`` RAW readings; scaling lives inside the model.
        y: float32 ``(n,)`` remaining steps at each window's last row, capped at ``rul_cap`` when it is > 0.
        unit_ids: ``(n,)`` the unit id (int or str) each window comes from.
    """

    x: np.ndarray
    y: np.ndarray
    unit_ids: np.ndarray

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True)
class PreparedData:
    """Everything the trainer needs from the data: features, three splits, and what to tell the user.

    Attributes:
        feature_names: the columns of ``x``'s last axis, after ``drop_constant_std``.
        train, val: windows of the training and validation units (stride ``cfg.stride``).
        val_cuts: the last window of each seeded cut of every validation unit (``cfg.val_cuts`` per unit,
            see ``cuts.py``); ``None`` when ``val_cuts == 0``.
        test: official C-MAPSS test set (last window of each test unit) or the held-out units' windows
            (stride ``cfg.stride``); ``None`` when there is neither.
        test_source: ``"official"``, ``"held-out"`` or ``"none"``.
        target_unit: ``"cycles"`` (C-MAPSS, synthetic) or ``"steps"`` (CSV).
        warnings: one-line messages (padded/skipped units, dropped features, ...) for stderr.
    """

    feature_names: tuple[str, ...]
    train: WindowArrays
    val: WindowArrays
    test: WindowArrays | None
    test_source: str
    target_unit: str
    warnings: tuple[str, ...]
    val_cuts: WindowArrays | None = None
