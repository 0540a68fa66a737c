"""A hand-made reference table for the replay tests: known optimum, one failing corner, no TensorFlow."""

from __future__ import annotations

import itertools
import math

from bench._tabular import SPACE, Row, Table, config_key

BEST = {"optimizer": "adam", "learning-rate": "0.003", "units": "64", "num-layers": "2"}


def fake_table() -> Table:
    """Curves ``floor + 30 * exp(-epoch * speed)`` over 10 epochs; the floor is lowest at :data:`BEST` and the
    speed grows with the learning rate. ``sgd`` at learning rate 0.01 "diverges" after 2 epochs."""
    rows: dict[str, Row] = {}
    for values in itertools.product(*SPACE.values()):
        config = dict(zip(SPACE, values, strict=True))
        lr = float(config["learning-rate"])
        floor = (
            10.0
            + 4.0 * abs(math.log10(lr) - math.log10(0.003))
            + (2.0 if config["optimizer"] != "adam" else 0.0)
            + (64 - int(config["units"])) / 32
            + (2 - int(config["num-layers"]))
        )
        speed = 0.05 + 100 * lr
        curve = tuple(floor + 30.0 * math.exp(-epoch * speed) for epoch in range(1, 11))
        failed = config["optimizer"] == "sgd" and config["learning-rate"] == "0.01"
        rows[config_key(config)] = Row(config, curve[:2] if failed else curve, failed, {})
    return Table(rows)
