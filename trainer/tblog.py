"""TensorBoard logs of one trial: per-epoch scalars plus the HParams plugin's experiment config and session.

Katib writes each trial to ``tensorboard/<experiment>/<trial>/``; pointing TensorBoard at the experiment (or
any
parent) lets its HParams tab compare every trial. Each trial writes the experiment config into its OWN
directory, never the shared parent (trials run concurrently and one writer per file is the rule). TensorBoard
takes the config from whichever run it finds first; every trial of this program writes the same hparams,
domains
and metrics, so the choice does not matter.

What the HParams tab shows (the same on a cluster as with ``katib-local``: the trial command carries it):

- hyperparameters: ``--hparams-tuned`` (the Experiment's parameters, named as the trainer's flags, which the
  manifests name their parameters after), else every tunable flag by field name;
- metrics: ``--hparams-metrics`` (the objective and additional metrics with Katib's strategies), written at
  the last epoch's step as ``katib/<name>`` scalars, one value each, reduced from the printed lines exactly
  as Katib reduces them (:mod:`trainer.katib_view`). The HParams plugin shows a session's LAST value of a
  tag, so the per-epoch ``val_rmse`` tag would show the last epoch, not Katib's ``min``: hence separate tags.
  A ``katib/`` prefix also keeps them out of Katib's TensorFlowEvent collector, whose rule is
  ``tag.startswith(metric)``.
- the exported model's own epoch (the restored best-``val_rmse`` epoch with early stopping, else the last)
  as ``exported/<name>`` scalars plus ``exported/epoch``, in the Scalars tab only. With MSE loss and early
  stopping (the manifests' setting) that epoch is the min-``val_rmse`` one, so the two agree.

On SIGTERM (Katib's early stop) the Katib values of the epochs printed so far are written before the exit,
as Katib records an EarlyStopped trial with the values observed until then.

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
from trainer.config import TrainerConfig, config_fields, flag_name
from trainer.katib_view import parse_strategies

METRICS = (
    ("val_rmse", "validation RMSE (objective), target unit"),
    ("val_mae", "validation MAE, target unit"),
    ("val_rmse_all", "validation RMSE over every window, target unit"),
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


def shown_hparams(cfg: TrainerConfig) -> tuple[list[hp.HParam], dict[str, bool | int | float | str]]:
    """The HParams hyperparameters and this trial's values: the ``--hparams-tuned`` flags in that order,
    named as given, else every tunable flag in flag order by field name (the same for every trial)."""
    values = cfg.hparams()
    fields = {f.name: f for f in config_fields() if f.name in values}
    if cfg.hparams_tuned:
        by_flag = {flag_name(name)[2:]: name for name in fields}
        chosen = [(shown, by_flag[shown]) for shown in cfg.hparams_tuned]
    else:
        chosen = [(name, name) for name in fields]
    definitions = [hp.HParam(shown, _domain(fields[name].metadata["check"])) for shown, name in chosen]
    return definitions, {shown: values[name] for shown, name in chosen}


def hparam_metrics(cfg: TrainerConfig) -> list[hp.Metric]:
    """One HParams metric per ``--hparams-metrics`` pair, displayed under Katib's metric name."""
    descriptions = dict(METRICS)
    return [
        hp.Metric(
            f"katib/{name}",
            display_name=name,
            description=f"{strategy} over the trial's printed values, as Katib records it"
            + (f": {descriptions[name]}" if name in descriptions else ""),
        )
        for name, strategy in parse_strategies(cfg.hparams_metrics)
    ]


class TrialLog:
    """Owns the trial's summary writer. Use as a context manager; ``close`` flushes."""

    def __init__(self, log_dir: str | Path, cfg: TrainerConfig) -> None:
        self.path = Path(log_dir)
        self.path.mkdir(parents=True, exist_ok=True)
        self._writer = tf.summary.create_file_writer(str(self.path))
        definitions, values = shown_hparams(cfg)
        with self._writer.as_default():
            hp.hparams_config(hparams=definitions, metrics=hparam_metrics(cfg))
            hp.hparams(values, trial_id=cfg.trial_name)
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
