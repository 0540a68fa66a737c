"""DataConfig: every knob of the data pipeline, built by the trainer from its flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataConfig:
    """Where the series come from and how they become windows.

    Attributes:
        source: ``"synthetic"`` (default, generated in memory), a C-MAPSS ``.../train_FD00N.txt`` path
            (recognised by the file name), or any other path, read as CSV.
        window: steps per input window (>= 1).
        stride: steps between consecutive training windows (>= 1); each unit's last row always ends one.
        rul_cap: piecewise-linear target cap: ``y = min(rul, rul_cap)``; ``0`` disables the cap.
        val_fraction: share of units for validation, split by unit.
        test_fraction: share of units held out for test; ignored when an official test set exists (C-MAPSS).
        short_units: ``"pad"`` front-pads a unit shorter than the window by repeating its first row (one
            window per such unit); ``"skip"`` drops it. Either way one warning line is emitted.
        drop_constant_std: drop features whose standard deviation over the TRAINING units' rows is
            ``<= drop_constant_std``; ``0`` drops only exactly-constant features... see ``features.py``.
        seed: seeds the synthetic generator, the unit split and the CV folds.
        synthetic_*: size and shape of the synthetic fleet (see ``synthetic.py``).
        unit_column, time_column, target_column, feature_columns: CSV column names; ``target_column=""``
            means run-to-failure (target = steps until the unit's last row); ``feature_columns=()`` means
            every other numeric column.
    """

    source: str = "synthetic"
    window: int = 30
    stride: int = 1
    rul_cap: float = 125.0
    val_fraction: float = 0.2
    test_fraction: float = 0.2
    short_units: str = "pad"
    drop_constant_std: float = 0.0
    seed: int = 42
    synthetic_units: int = 60
    synthetic_sensors: int = 10
    synthetic_conditions: int = 3
    synthetic_min_life: int = 120
    synthetic_max_life: int = 260
    synthetic_noise: float = 0.05
    unit_column: str = "unit"
    time_column: str = "time"
    target_column: str = ""
    feature_columns: tuple[str, ...] = ()
