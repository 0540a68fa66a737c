"""DataConfig: every knob of the data pipeline, built by the trainer from its flags."""

from __future__ import annotations

from dataclasses import dataclass

SHORT_UNIT_POLICIES = ("pad", "skip")


@dataclass(frozen=True)
class DataConfig:
    """Where the series come from and how they become windows.

    Attributes:
        source: ``"synthetic"`` (default, generated in memory from ``seed``), a C-MAPSS
            ``.../train_FD00N.txt`` path (recognised by its file name; ``test_FD00N.txt`` and
            ``RUL_FD00N.txt`` beside it form the official test set), or any other path, read as a CSV file
            with a header row.
        window: steps per input window (>= 1).
        stride: steps between consecutive window ends (>= 1), in every split; each unit's last row always ends
            a window, so stride thins a unit from its end backwards.
        rul_cap: piecewise-linear target: ``y = min(rul, rul_cap)``; ``0`` disables the cap. Applied to every
            split, the official C-MAPSS test truth included (see ``cmapss.py`` for why).
        min_history: the shortest history (rows) a forecast is made from, ``1 <= h <= window``; ``0`` means
            ``window``. Training and validation windows (and the validation cuts) also end at rows
            ``h - 1 .. window - 2``, front-padded with the unit's first row (``windows.py``). The official
            test set is unchanged: one window per unit, at its last row.
        val_fraction: share of units for validation (> 0 and < 1); whole units, at least one.
        val_cuts: ``K > 0``: also score each validation unit on the last window of ``K`` seeded cuts, as
            C-MAPSS scores its test units (``cuts.py``); ``0``: no cut windows.
        test_fraction: share of units held out for test (0 <= f < 1; 0 = no test set); at least one unit when
            > 0. Ignored when an official test set exists (C-MAPSS).
        short_units: what to do with a unit that has fewer rows than ``window``: ``"pad"`` front-pads it by
            repeating its first row and makes exactly one window (ending at its last row) from it; ``"skip"``
            drops it before the split. Either way the result names the units in one warning line.
        drop_constant_std: drop features whose population std over the TRAINING split's rows is
            ``<= drop_constant_std``; ``0`` keeps every feature. ``1e-6`` drops the numerically constant
            columns (7 of C-MAPSS FD001's 24); ``0.005`` reproduces the 14-sensor selection of the C-MAPSS
            literature on FD001 (it also drops op settings 1-2 and sensor 6, whose std there is < 0.0025).
        age_feature: append the feature ``age``, each row's position in its unit's series counting from 1
            (``ages.py``), to every unit, the official test set's included, before features are chosen.
        seed: seeds the synthetic generator, the unit split and the CV folds.
        synthetic_units, synthetic_sensors, synthetic_conditions, synthetic_min_life, synthetic_max_life,
            synthetic_noise: size and shape of the synthetic fleet (see ``synthetic.py``).
        unit_column, time_column: CSV columns naming the unit and ordering its rows (numbers or ISO dates).
        target_column: CSV column holding the target; ``""`` means run-to-failure series, whose target is the
            number of rows (steps) until the unit's last row.
        feature_columns: CSV feature columns; ``()`` means every other numeric column.

    Raises:
        ValueError: a field is out of range (the trainer's flag parser checks ranges first; this guards
            direct library use).
    """

    source: str = "synthetic"
    window: int = 30
    stride: int = 1
    rul_cap: float = 125.0
    min_history: int = 0
    val_fraction: float = 0.2
    val_cuts: int = 0
    test_fraction: float = 0.2
    short_units: str = "pad"
    drop_constant_std: float = 0.0
    age_feature: bool = False
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

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (self.window >= 1, f"window must be >= 1, got {self.window}"),
            (self.stride >= 1, f"stride must be >= 1, got {self.stride}"),
            (
                0 <= self.min_history <= self.window,
                f"min_history must be in [0, window={self.window}] (0 = window), got {self.min_history}",
            ),
            (self.rul_cap >= 0, f"rul_cap must be >= 0 (0 = no cap), got {self.rul_cap}"),
            (0 < self.val_fraction < 1, f"val_fraction must be in (0, 1), got {self.val_fraction}"),
            (self.val_cuts >= 0, f"val_cuts must be >= 0 (0 = none), got {self.val_cuts}"),
            (0 <= self.test_fraction < 1, f"test_fraction must be in [0, 1), got {self.test_fraction}"),
            (
                self.short_units in SHORT_UNIT_POLICIES,
                f"short_units must be one of {', '.join(SHORT_UNIT_POLICIES)}, got {self.short_units!r}",
            ),
            (self.drop_constant_std >= 0, f"drop_constant_std must be >= 0, got {self.drop_constant_std}"),
            (self.synthetic_units >= 2, f"synthetic_units must be >= 2, got {self.synthetic_units}"),
            (self.synthetic_sensors >= 1, f"synthetic_sensors must be >= 1, got {self.synthetic_sensors}"),
            (
                self.synthetic_conditions >= 1,
                f"synthetic_conditions must be >= 1, got {self.synthetic_conditions}",
            ),
            (self.synthetic_min_life >= 2, f"synthetic_min_life must be >= 2, got {self.synthetic_min_life}"),
            (
                self.synthetic_max_life >= self.synthetic_min_life,
                f"synthetic_max_life ({self.synthetic_max_life}) must be >= synthetic_min_life "
                f"({self.synthetic_min_life})",
            ),
            (self.synthetic_noise >= 0, f"synthetic_noise must be >= 0, got {self.synthetic_noise}"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"DataConfig: {message}")
