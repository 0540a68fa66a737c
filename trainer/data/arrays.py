"""Array containers handed from the data pipeline to the trainer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WindowArrays:
    """Windows of one split.

    Attributes:
        x: float32 ``(n, window, n_features)`` RAW readings; scaling lives inside the model.
        y: float32 ``(n,)`` remaining steps at each window's last row, capped at ``rul_cap`` when it is > 0.
        unit_ids: ``(n,)`` the unit id (str or int) each window comes from.
    """

    x: np.ndarray
    y: np.ndarray
    unit_ids: np.ndarray


@dataclass(frozen=True)
class PreparedData:
    """Everything the trainer needs from the data: features, three splits, and what to tell the user."""

    feature_names: tuple[str, ...]
    train: WindowArrays
    val: WindowArrays
    test: WindowArrays | None
    test_source: str
    target_unit: str
    warnings: tuple[str, ...]
