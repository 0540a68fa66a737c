"""What Katib records for a trial, recomputed by the trainer from its own metric lines (no TensorFlow).

Katib's StdOut collector reads every ``name=value`` pair the trial prints, and the controller reduces each
metric with the Experiment's ``metricStrategies``: ``min``, ``max`` or ``latest`` over all printed values
(the objective's direction when a metric has no strategy). The trainer writes the same reductions to
TensorBoard, so its HParams tab ranks trials as Katib, ``katib-local results`` and the exported model do.

The values reduced are the PRINTED ones (``format_value``'s 7 significant digits, parsed back), since that
is what the collector sees; the full-precision float may differ in the 8th digit. A metric that was never
printed (``test_rmse`` without a test set, anything after an early stop) has no value, as in Katib.

Edge cases: ``latest`` is the last printed value (the lines carry increasing timestamps, which is how
Katib orders them); a metric printed once (the end-of-run ones) reduces to that value under every strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser checks --hparams-metrics with this module and must not need numpy
    from trainer.reporting import Value

STRATEGIES = ("min", "max", "latest")

# Without --hparams-metrics: the stdout metrics, per-epoch ones at their best (all are errors: lower is
# better), end-of-run ones as printed.
DEFAULT_STRATEGIES: tuple[tuple[str, str], ...] = (
    ("val_rmse", "min"),
    ("val_mae", "min"),
    ("val_rmse_all", "min"),
    ("val_loss", "min"),
    ("loss", "min"),
    ("test_rmse", "latest"),
    ("test_mae", "latest"),
    ("test_score", "latest"),
)


def parse_strategies(items: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``("val_rmse:min", "test_rmse:latest")`` -> pairs; empty -> :data:`DEFAULT_STRATEGIES`.

    Raises ValueError naming the first bad item: no ``:``, an empty name, an unknown strategy or a metric
    named twice.
    """
    if not items:
        return DEFAULT_STRATEGIES
    pairs: list[tuple[str, str]] = []
    for item in items:
        name, sep, strategy = item.partition(":")
        if not sep or not name or strategy not in STRATEGIES:
            raise ValueError(
                f"must be name:strategy pairs with strategy one of {', '.join(STRATEGIES)}, got {item!r}"
            )
        if any(name == seen for seen, _ in pairs):
            raise ValueError(f"names metric {name!r} twice")
        pairs.append((name, strategy))
    return tuple(pairs)


class PrintedMetrics:
    """Every value of every metric line printed so far, in order, as the collector parsed it."""

    def __init__(self) -> None:
        self._values: dict[str, list[float]] = {}
        self.last_epoch = 0

    def record(self, line: Mapping[str, Value]) -> None:
        """Remember one printed line's pairs; ``epoch`` (``fold_epoch`` under cross-validation) also moves
        :attr:`last_epoch`, the step the reductions are written at."""
        from trainer.reporting import format_value  # numpy: loaded only once lines are printed

        for name, value in line.items():
            self._values.setdefault(name, []).append(float(format_value(value)))
            if name in ("epoch", "fold_epoch"):
                self.last_epoch = max(self.last_epoch, int(value))

    def reduce(self, strategies: Iterable[tuple[str, str]]) -> dict[str, float]:
        """Each metric's value under its strategy, in the given order; metrics never printed are left out."""
        out: dict[str, float] = {}
        for name, strategy in strategies:
            values = self._values.get(name)
            if not values:
                continue
            out[name] = min(values) if strategy == "min" else max(values) if strategy == "max" else values[-1]
        return out
