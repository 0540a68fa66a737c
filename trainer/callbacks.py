"""Keras callbacks: stop at the first non-finite loss, and report each epoch (stdout line + TensorBoard)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import keras

from trainer.errors import DivergedError
from trainer.reporting import Value

EPOCH_METRICS = ("loss", "val_loss", "val_rmse", "val_mae", "val_rmse_all")


class DivergenceGuard(keras.callbacks.Callback):
    """Raise :class:`DivergedError` at the first batch whose running loss is NaN or infinite.

    Raising (rather than ``stop_training``) ends ``fit`` inside the epoch, so a diverging trial exits within
    one epoch and never prints a metric line with a meaningless value. The validation values are checked at
    epoch end too: weights can be finite while the validation loss overflows.
    """

    def __init__(self) -> None:
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._epoch = epoch + 1

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        # With --steps-per-execution K, Keras calls this once per group of K batches, with ``batch`` the
        # group's last batch and ``loss`` the epoch's running mean, which stays non-finite once any batch
        # was: a bad batch is caught at the end of its group, in its own epoch (groups never span epochs).
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise DivergedError(
                f"training diverged: loss is {float(loss)} at epoch {self._epoch}, by batch {batch + 1}"
            )

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        for name in EPOCH_METRICS:
            value = (logs or {}).get(name)
            if value is not None and not math.isfinite(float(value)):
                raise DivergedError(f"training diverged: {name} is {float(value)} at epoch {epoch + 1}")


class EpochReporter(keras.callbacks.Callback):
    """Hand each finished epoch's metrics to ``sink`` as ``{"epoch": N, "loss": .., ...}`` (N from 1).

    The ``val_*`` values are :class:`~trainer.validation.EpochValidation`'s (float64, in the target's own
    unit); ``loss`` is the running training loss Keras reports.
    """

    def __init__(self, sink: Callable[[dict[str, Value]], None]) -> None:
        super().__init__()
        self._sink = sink

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        logs = logs or {}
        values: dict[str, Value] = {"epoch": epoch + 1}
        for name in EPOCH_METRICS:
            values[name] = float(logs[name])
        self._sink(values)
