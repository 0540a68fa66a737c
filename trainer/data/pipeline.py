"""prepare_data / prepare_cv_folds: source -> split by unit -> feature selection -> windows."""

from __future__ import annotations

from trainer.data.arrays import PreparedData
from trainer.data.config import DataConfig


def prepare_data(cfg: DataConfig) -> PreparedData:
    """Load ``cfg.source`` and return train/val/test windows."""
    raise NotImplementedError


def prepare_cv_folds(cfg: DataConfig, folds: int) -> list[PreparedData]:
    """K-fold split of the training units, grouped by unit."""
    raise NotImplementedError
