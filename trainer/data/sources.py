"""Pick the reader for ``DataConfig.source`` and return what it read, uniformly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainer.data.arrays import SeriesSet
from trainer.data.cmapss import is_cmapss_path, load_cmapss
from trainer.data.config import DataConfig
from trainer.data.csv_source import load_csv
from trainer.data.synthetic import generate_synthetic

SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class LoadedSource:
    """The units to split, the official test units if the source has them, and what to tell the user.

    Attributes:
        name: how messages name the source (a file name, or ``"synthetic data"``).
        pool: units for train/validation (and held-out test when there is no official test set).
        official_test: the source's own test units (C-MAPSS), or ``None``.
        target_unit: ``"cycles"`` or ``"steps"``.
        warnings: one-line messages from reading.
    """

    name: str
    pool: SeriesSet
    official_test: SeriesSet | None
    target_unit: str
    warnings: tuple[str, ...]


def load_source(cfg: DataConfig) -> LoadedSource:
    """Read ``cfg.source``: ``"synthetic"``, a C-MAPSS ``train_FD00N.txt`` (by name), else a CSV file."""
    if cfg.source == SYNTHETIC:
        return LoadedSource("synthetic data", generate_synthetic(cfg), None, "cycles", ())
    path = Path(cfg.source)
    if is_cmapss_path(cfg.source):
        train, test, warnings = load_cmapss(path)
        return LoadedSource(path.name, train, test, "cycles", tuple(warnings))
    pool, warnings = load_csv(cfg)
    return LoadedSource(path.name, pool, None, "steps", tuple(warnings))
