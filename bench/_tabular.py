"""The reference table shared by the search-efficiency and early-stopping benchmarks (no TensorFlow).

The table (``bench/results/reference_table.json``, written by ``bench/reference_table.py``) holds, for every
configuration of :data:`SPACE`, what the real trainer printed: the ``val_rmse`` of each epoch in order, the
exit code and the final line. :class:`Table` answers the questions a replayed Katib trial asks: the curve a
configuration reports, its objective under the ``min`` metric strategy, whether it failed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TABLE_PATH = RESULTS_DIR / "reference_table.json"

SPACE: dict[str, tuple[str, ...]] = {
    "optimizer": ("adam", "nadam", "rmsprop", "sgd"),
    "learning-rate": ("0.0001", "0.0003", "0.001", "0.003", "0.01"),
    "units": ("16", "32", "64"),
    "num-layers": ("1", "2"),
}
"""The search space, values spelled as Katib passes them to the trial: 4 x 5 x 3 x 2 = 120 configurations."""

_PAIR = re.compile(r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)")  # Katib's default StdOut filter


def config_key(config: Mapping[str, str]) -> str:
    """A stable key for one configuration: ``name=value`` pairs in :data:`SPACE` order, joined by ``,``."""
    return ",".join(f"{name}={config[name]}" for name in SPACE)


def parse_metric_lines(stdout: str) -> dict[str, Any]:
    """The ``val_rmse`` of each epoch line, in order, and the final line's metrics, read with Katib's filter.

    Returns ``{"val_rmse": [...], "final": {name: value}}``; a line carrying ``epoch`` is an epoch line, a
    line carrying ``params`` is the final line.
    """
    curve: list[float] = []
    final: dict[str, float] = {}
    for line in stdout.splitlines():
        pairs = {m.group(1): m.group(2) for m in _PAIR.finditer(line) if m.group(2)}
        if "epoch" in pairs and "val_rmse" in pairs:
            curve.append(float(pairs["val_rmse"]))
        elif "params" in pairs:
            final = {k: float(v) for k, v in pairs.items()}
    return {"val_rmse": curve, "final": final}


@dataclass(frozen=True)
class Row:
    """One configuration's outcome.

    ``curve`` is every ``val_rmse`` the trial printed, epoch by epoch; ``failed`` is true when the trainer
    exited nonzero (a diverging run exits 3 at the first non-finite loss, after the epochs it finished).
    ``epochs`` is what the trial costs in epochs: the printed ones, plus the one it died in when it failed.
    """

    config: Mapping[str, str]
    curve: tuple[float, ...]
    failed: bool
    final: Mapping[str, float]

    @property
    def objective(self) -> float | None:
        """Katib's objective under metric strategy ``min`` (None when the trial failed or printed nothing)."""
        if self.failed or not self.curve:
            return None
        return min(self.curve)

    @property
    def epochs(self) -> int:
        return len(self.curve) + (1 if self.failed else 0)


class Table:
    """The reference table, queried by configuration."""

    def __init__(self, rows: Mapping[str, Row], meta: Mapping[str, Any] | None = None) -> None:
        self.rows = dict(rows)
        self.meta = dict(meta or {})

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> Table:
        data = json.loads(path.read_text())
        rows = {
            key: Row(
                config=dict(raw["config"]),
                curve=tuple(float(v) for v in raw["val_rmse"]),
                failed=int(raw["exit_code"]) != 0,
                final={k: float(v) for k, v in (raw.get("final") or {}).items()},
            )
            for key, raw in data["rows"].items()
        }
        meta = {k: v for k, v in data.items() if k != "rows"}
        return cls(rows, meta)

    def __getitem__(self, config: Mapping[str, str]) -> Row:
        return self.rows[config_key(config)]

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def optimum(self) -> float:
        """The best objective in the table: what an exhaustive grid search finds."""
        return min(r.objective for r in self.rows.values() if r.objective is not None)

    def ranked(self) -> list[Row]:
        """Rows with an objective, best first."""
        ok = [r for r in self.rows.values() if r.objective is not None]
        return sorted(ok, key=lambda r: (r.objective, config_key(r.config)))


def snap(value: str, choices: Sequence[str], log: bool) -> str:
    """The element of ``choices`` nearest to ``value`` (in log space when ``log``): how a continuous
    suggestion (e.g. skopt's log-uniform double) is mapped onto the table's grid. Ties go to the first."""
    x = float(value)
    if log:

        def dist(c: str) -> float:
            return abs(math.log(float(c)) - math.log(x))

    else:

        def dist(c: str) -> float:
            return abs(float(c) - x)

    return min(choices, key=dist)
