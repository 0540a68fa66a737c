"""TensorBoard logs of one trial: per-epoch scalars plus the HParams plugin's experiment config and session.

Katib writes each trial to ``tensorboard/<experiment>/<trial>/``; pointing TensorBoard at the experiment (or
any
parent) lets its HParams tab compare every trial. Each trial writes the experiment config into its OWN
directory, never the shared parent (trials run concurrently and one writer per file is the rule). TensorBoard
takes the config from whichever run it finds first; every trial of this program writes the same hparams,
domains
and metrics, so the choice does not matter.

Scalars use the metric names of the stdout lines (``val_rmse``, ...), written into the session's own run,
which
is where the HParams plugin looks a session's metric values up. Every write is flushed at epoch end so a
SIGTERM
loses at most the epoch in flight.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tensorflow as tf
from tensorboard.plugins.hparams import api as hp

from trainer.checks import Boolean, Choice, FloatRange, IntRange
from trainer.config import TrainerConfig, config_fields

METRICS = (
    ("val_rmse", "validation RMSE (objective), target unit"),
    ("val_mae", "validation MAE, target unit"),
    ("val_loss", "validation loss"),
    ("loss", "training loss"),
    ("test_rmse", "test RMSE, target unit"),
    ("test_mae", "test MAE, target unit"),
    ("test_score", "PHM08 asymmetric score on the test set"),
)


def _domain(check: Any) -> hp.Domain | None:
    """The HParams domain of a flag's check; None for free text (paths, column names)."""
    if isinstance(check, Choice):
        return hp.Discrete(list(check.options))
    if isinstance(check, Boolean):
        return hp.Discrete([False, True])
    if isinstance(check, IntRange):
        return hp.IntInterval(check.lo, check.hi)
    if isinstance(check, FloatRange):
        # An unbounded side becomes the largest float, so TensorBoard still types the column as a number.
        lo = check.lo if math.isfinite(check.lo) else -sys.float_info.max
        hi = check.hi if math.isfinite(check.hi) else sys.float_info.max
        return hp.RealInterval(float(lo), float(hi))
    return None


def hparam_definitions(cfg: TrainerConfig) -> list[hp.HParam]:
    """One ``HParam`` per tunable flag, in flag order (the same for every trial, whatever its values)."""
    wanted = cfg.hparams()
    return [hp.HParam(f.name, _domain(f.metadata["check"])) for f in config_fields() if f.name in wanted]


class TrialLog:
    """Owns the trial's summary writer. Use as a context manager; ``close`` flushes."""

    def __init__(self, log_dir: str | Path, cfg: TrainerConfig) -> None:
        self.path = Path(log_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self._writer = tf.summary.create_file_writer(str(self.path))
        with self._writer.as_default():
            hp.hparams_config(
                hparams=hparam_definitions(cfg),
                metrics=[hp.Metric(tag, display_name=tag, description=text) for tag, text in METRICS],
            )
            hp.hparams(cfg.hparams(), trial_id=cfg.trial_name)
        self._writer.flush()

    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        """Write ``values`` at ``step`` (the epoch number) and flush."""
        with self._writer.as_default():
            for name, value in values.items():
                tf.summary.scalar(name, float(value), step=step)
        self._writer.flush()

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.flush()
        self._writer.close()

    def __enter__(self) -> TrialLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
