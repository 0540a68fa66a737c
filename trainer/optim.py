"""Optimizer, learning-rate schedule and loss from the flags.

Schedules are per optimizer step; their epoch-based flags are turned into steps with ``steps_per_epoch``:
- ``constant``: the learning rate throughout.
- ``cosine``: cosine decay from ``lr`` to ``lr * lr_min_ratio`` over ``epochs`` epochs (flat afterwards, which
  only matters if training ran longer than planned; it cannot here).
- ``exponential``: ``lr * lr_decay_rate ** (epoch / lr_decay_epochs)``, smooth.
- ``step``: the same in stairs (``floor``), the classic "halve every N epochs".
"""

from __future__ import annotations

from typing import TypeAlias

import keras

from trainer.config import TrainerConfig

Schedule: TypeAlias = float | keras.optimizers.schedules.LearningRateSchedule


def make_schedule(cfg: TrainerConfig, steps_per_epoch: int) -> Schedule:
    """The learning rate, or a schedule of it; ``steps_per_epoch`` must be >= 1."""
    if steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
    lr = cfg.learning_rate
    if cfg.lr_schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(
            lr, decay_steps=cfg.epochs * steps_per_epoch, alpha=cfg.lr_min_ratio
        )
    if cfg.lr_schedule in ("exponential", "step"):
        return keras.optimizers.schedules.ExponentialDecay(
            lr,
            decay_steps=cfg.lr_decay_epochs * steps_per_epoch,
            decay_rate=cfg.lr_decay_rate,
            staircase=cfg.lr_schedule == "step",
        )
    return lr


def make_optimizer(cfg: TrainerConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """A fresh optimizer (one per fit: optimizers hold per-variable state). ``--clip-norm 0`` = no
    clipping; ``--ema-momentum M > 0`` makes it keep the moving average of the weights (``use_ema``)."""
    lr = make_schedule(cfg, steps_per_epoch)
    options: dict[str, float | bool] = {"clipnorm": cfg.clip_norm} if cfg.clip_norm > 0 else {}
    if cfg.ema_momentum > 0:
        # No overwrite frequency: the model keeps its raw weights while training; trainer.validation swaps
        # the average in to validate, and fit() ends by writing it into the model.
        options.update(use_ema=True, ema_momentum=cfg.ema_momentum)
    name = cfg.optimizer
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=cfg.momentum, **options)
    classes: dict[str, type[keras.optimizers.Optimizer]] = {
        "adam": keras.optimizers.Adam,
        "nadam": keras.optimizers.Nadam,
        "rmsprop": keras.optimizers.RMSprop,
        "adamax": keras.optimizers.Adamax,
        "adagrad": keras.optimizers.Adagrad,
    }
    return classes[name](learning_rate=lr, **options)


def make_loss(cfg: TrainerConfig) -> keras.losses.Loss:
    """The training loss in the target's own unit (no target scaling: val_loss reads in cycles^2 for mse)."""
    if cfg.loss == "mae":
        return keras.losses.MeanAbsoluteError()
    if cfg.loss == "huber":
        return keras.losses.Huber(delta=cfg.huber_delta)
    return keras.losses.MeanSquaredError()
