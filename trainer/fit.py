"""Train one model on one split and measure it: the part of a trial that needs TensorFlow."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np

from trainer.callbacks import DivergenceGuard, EpochReporter
from trainer.checkpoint import Checkpointing
from trainer.config import TrainerConfig
from trainer.data import PreparedData, WindowArrays, eval_batch_size, to_tf_dataset, train_steps
from trainer.errors import TrainerError
from trainer.model import build_model
from trainer.optim import make_loss, make_optimizer
from trainer.reporting import Value, mae, phm08_score, rmse
from trainer.step_loop import StepLoop, resolve_step_loop
from trainer.validation import AveragedWeights, EpochValidation, RawWeightsBack


@dataclass
class FitResult:
    """A trained model and how it did.

    ``kept`` holds the epoch metrics of the weights the model ends with: the best ``val_rmse`` epoch when
    early
    stopping is on (its weights are restored), else the last epoch. ``test`` is None when there is no test
    set.
    """

    model: keras.Model
    epochs_run: int
    kept: dict[str, Value]
    test: dict[str, float] | None
    step_loop: StepLoop | None = None


def _require(arrays: WindowArrays, split: str) -> None:
    if len(arrays.y) == 0:
        raise TrainerError(f"the {split} split has no windows: use more units or a smaller --window")


def test_metrics(model: keras.Model, test: WindowArrays, batch_size: int) -> dict[str, float]:
    """RMSE, MAE and PHM08 score of ``model`` on ``test`` (float64, in the target's unit)."""
    batch = eval_batch_size(len(test.y), batch_size)
    pred = np.asarray(model.predict(test.x, batch_size=batch, verbose=0)).reshape(-1)
    return {
        "test_rmse": rmse(pred, test.y),
        "test_mae": mae(pred, test.y),
        "test_score": phm08_score(pred, test.y),
    }


def fit_model(
    cfg: TrainerConfig,
    data: PreparedData,
    sink: Callable[[dict[str, Value]], None],
    extra_callbacks: Sequence[keras.callbacks.Callback] = (),
) -> FitResult:
    """Build, compile and fit a fresh model on ``data``; ``sink`` receives each epoch's metrics as it ends.

    ``extra_callbacks`` run after the epoch is validated, judged and checkpointed, just before it is
    reported, with the raw weights in the model (benchmarks observe training through them).

    Raises :class:`~trainer.errors.DivergedError` at the first non-finite loss and
    :class:`~trainer.errors.TrainerError` when the training or validation split is empty.
    """
    _require(data.train, "training")
    _require(data.val, "validation")
    model = build_model(cfg, data.train.x, float(np.mean(data.train.y, dtype=np.float64)), data.feature_names)
    steps_per_epoch = train_steps(len(data.train.y), cfg.batch_size)
    loop = _step_loop(cfg, steps_per_epoch)
    model.compile(
        optimizer=make_optimizer(cfg, steps_per_epoch),
        loss=make_loss(cfg),
        metrics=[
            keras.metrics.RootMeanSquaredError(name="rmse"),
            keras.metrics.MeanAbsoluteError(name="mae"),
        ],
        steps_per_execution=loop.steps_per_execution,
        jit_compile=loop.jit_compile,
    )
    # Built now rather than inside the first traced step: variables created while tracing make
    # tf.function trace the whole step a second time (about 0.7 s of start-up for the default model).
    model.optimizer.build(model.trainable_variables)
    if loop.jit_compile:
        # The training step is made now and keeps XLA; then the model's setting goes off, so the validation
        # and test passes (one short forward pass per epoch) are traced without an XLA compilation each:
        # about 0.9 s less before the first epoch line, for no measurable loss per epoch.
        model.make_train_function()
        model.jit_compile = False
    early: keras.callbacks.EarlyStopping | None = None
    if cfg.patience > 0:
        # On the objective itself, so the kept (and exported) epoch is the one whose val_rmse Katib records.
        early = keras.callbacks.EarlyStopping(
            monitor="val_rmse", mode="min", patience=cfg.patience, restore_best_weights=True
        )
    ckpt = Checkpointing.open(cfg, model, data.feature_names, early) if cfg.checkpoint_dir else None
    rows: list[dict[str, Value]] = list(ckpt.rows) if ckpt is not None else []

    def record(values: dict[str, Value]) -> None:
        rows.append(values)
        if ckpt is not None:
            ckpt.save(rows)  # before the line is printed, so no epoch is ever printed twice
        sink(values)

    # Validation writes the epoch's val_* values first; EarlyStopping judges the epoch (on the averaged
    # weights with --ema-momentum) before the raw weights go back and it is checkpointed and reported;
    # Checkpointing follows EarlyStopping (its on_train_begin restores the state EarlyStopping's own just
    # reset).
    averaged = AveragedWeights(model)
    callbacks: list[keras.callbacks.Callback] = [
        EpochValidation(data, model.loss, averaged),
        DivergenceGuard(),
    ]
    callbacks += [c for c in (early,) if c is not None]
    callbacks.append(RawWeightsBack(averaged))
    callbacks += [c for c in (ckpt,) if c is not None]
    callbacks += [*extra_callbacks, EpochReporter(record)]
    train = to_tf_dataset(data.train, cfg.batch_size, shuffle=True, seed=cfg.seed, drop_remainder=True)
    if cfg.ensemble_size > 1:
        # Targets as (batch, 1): Keras' losses and metrics broadcast them against the members' (batch, K)
        # training output (trainer.model.MemberMean) but would not expand a (batch,) target to meet it.
        train = train.map(lambda x, y: (x, y[:, None]))
    if ckpt is not None:
        ckpt.skip_shuffles(train)
    model.fit(
        train,
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
    return FitResult(model=model, epochs_run=len(rows), kept=kept, test=test, step_loop=loop)


def _step_loop(cfg: TrainerConfig, steps_per_epoch: int) -> StepLoop:
    """The step-loop settings for this device (:mod:`trainer.step_loop`), its notes said on stderr."""
    import tensorflow as tf

    loop = resolve_step_loop(cfg, steps_per_epoch, on_gpu=bool(tf.config.list_physical_devices("GPU")))
    for note in loop.notes:
        print(f"trainer: note: {note}", file=sys.stderr, flush=True)
    return loop
