"""Train one model on one split and measure it: the part of a trial that needs TensorFlow."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from trainer.callbacks import DivergenceGuard, EpochReporter
from trainer.checkpoint import Checkpointing
from trainer.config import TrainerConfig
from trainer.data import PreparedData, WindowArrays, to_tf_dataset
from trainer.errors import TrainerError
from trainer.model import build_model
from trainer.optim import make_loss, make_optimizer
from trainer.reporting import Value, mae, phm08_score, rmse


@dataclass
class FitResult:
    """A trained model and how it did.

    ``kept`` holds the epoch metrics of the weights the model ends with: the best ``val_loss`` epoch when
    early
    stopping is on (its weights are restored), else the last epoch. ``test`` is None when there is no test
    set.
    """

    model: keras.Model
    epochs_run: int
    kept: dict[str, Value]
    test: dict[str, float] | None


def _require(arrays: WindowArrays, split: str) -> None:
    if len(arrays.y) == 0:
        raise TrainerError(f"the {split} split has no windows: use more units or a smaller --window")


def test_metrics(model: keras.Model, test: WindowArrays, batch_size: int) -> dict[str, float]:
    """RMSE, MAE and PHM08 score of ``model`` on ``test`` (float64, in the target's unit)."""
    pred = np.asarray(model.predict(test.x, batch_size=batch_size, verbose=0)).reshape(-1)
    return {
        "test_rmse": rmse(pred, test.y),
        "test_mae": mae(pred, test.y),
        "test_score": phm08_score(pred, test.y),
    }


def fit_model(cfg: TrainerConfig, data: PreparedData, sink: Callable[[dict[str, Value]], None]) -> FitResult:
    """Build, compile and fit a fresh model on ``data``; ``sink`` receives each epoch's metrics as it ends.

    Raises :class:`~trainer.errors.DivergedError` at the first non-finite loss and
    :class:`~trainer.errors.TrainerError` when the training or validation split is empty.
    """
    _require(data.train, "training")
    _require(data.val, "validation")
    model = build_model(cfg, data.train.x, float(np.mean(data.train.y, dtype=np.float64)), data.feature_names)
    steps_per_epoch = math.ceil(len(data.train.y) / cfg.batch_size)
    model.compile(
        optimizer=make_optimizer(cfg, steps_per_epoch),
        loss=make_loss(cfg),
        metrics=[
            keras.metrics.RootMeanSquaredError(name="rmse"),
            keras.metrics.MeanAbsoluteError(name="mae"),
        ],
    )
    early: keras.callbacks.EarlyStopping | None = None
    if cfg.patience > 0:
        early = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg.patience, restore_best_weights=True
        )
    ckpt = Checkpointing.open(cfg, model, data.feature_names, early) if cfg.checkpoint_dir else None
    rows: list[dict[str, Value]] = list(ckpt.rows) if ckpt is not None else []

    def record(values: dict[str, Value]) -> None:
        rows.append(values)
        if ckpt is not None:
            ckpt.save(rows)  # before the line is printed, so no epoch is ever printed twice
        sink(values)

    # EarlyStopping judges an epoch before it is checkpointed and reported; Checkpointing follows it
    # (its on_train_begin restores the state EarlyStopping's own just reset).
    callbacks: list[keras.callbacks.Callback] = [DivergenceGuard()]
    callbacks += [c for c in (early, ckpt) if c is not None]
    callbacks.append(EpochReporter(record))
    train = to_tf_dataset(data.train, cfg.batch_size, shuffle=True, seed=cfg.seed)
    if ckpt is not None:
        ckpt.skip_shuffles(train)
    model.fit(
        train,
        validation_data=to_tf_dataset(data.val, cfg.batch_size, shuffle=False, seed=cfg.seed),
        epochs=cfg.epochs if ckpt is None else ckpt.last_epoch(cfg.epochs),
        initial_epoch=0 if ckpt is None else ckpt.initial_epoch,
        callbacks=callbacks,
        shuffle=False,  # the dataset shuffles itself (seeded, per epoch)
        verbose=0,
    )
    kept = rows[-1]
    if early is not None and early.best_weights is not None:
        kept = rows[early.best_epoch]
    test = None
    if data.test is not None and len(data.test.y) > 0:
        test = test_metrics(model, data.test, cfg.batch_size)
    return FitResult(model=model, epochs_run=len(rows), kept=kept, test=test)
