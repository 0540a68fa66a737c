"""The trainer's command line: one frozen dataclass whose fields ARE the flags.

Each field of :class:`TrainerConfig` carries its flag's check (valid range), help text and group in its
metadata, so ``--help``, the README flags table (:mod:`trainer.flags_doc`), ``--dry-run`` and the HParams
domains all come from one table and cannot drift apart.

:func:`parse_args` is a pure function (no TensorFlow, no pandas, no files read, no exit): the manifests'
tests call it in-process for hundreds of rendered trial commands. A bad value raises :class:`UsageError`
whose message is one line naming the flag and its valid range; ``python -m trainer`` prints it and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from trainer import __version__
from trainer.checks import Boolean, Check, CsvList, FloatRange, IntRange, Text, choice
from trainer.errors import EXIT_CODES_HELP, UsageError
from trainer.katib_view import parse_strategies

T = TypeVar("T")
INF = float("inf")

ARCHITECTURES = ("lstm", "gru", "dense", "cnn")
ACTIVATIONS = ("relu", "tanh", "elu", "selu", "gelu", "swish", "sigmoid", "leaky_relu", "linear")
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
)
OPTIMIZERS = ("adam", "nadam", "rmsprop", "sgd", "adamax", "adagrad")
SCHEDULES = ("constant", "cosine", "exponential", "step")
LOSSES = ("mse", "mae", "huber")

GROUPS = ("data", "model", "optimisation", "output", "run")


def flag(default: T, check: Check, help: str, group: str, *, shown_default: str | None = None) -> T:
    """A dataclass field that is also a command-line flag.

    ``shown_default`` replaces the default in ``--help`` when the real default is resolved at parse time
    (for example from an environment variable).
    """
    assert group in GROUPS, group
    meta = {"check": check, "help": help, "group": group, "shown_default": shown_default}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class TrainerConfig:
    """Every setting of one trial. Field ``foo_bar`` is flag ``--foo-bar``."""

    # --- data (mirrors trainer.data.DataConfig; a test keeps the defaults equal) ---
    data: str = flag(
        "synthetic",
        Text("synthetic | FILE.csv | DIR/train_FD00N.txt", allow_empty=False),
        "Data source: the built-in seeded generator, a CSV of unit/time/feature columns, or a NASA C-MAPSS "
        "train file (test_FD00N.txt and RUL_FD00N.txt beside it form the official test set).",
        "data",
    )
    window: int = flag(30, IntRange(1, 100_000), "Time steps per input window.", "data")
    stride: int = flag(1, IntRange(1, 100_000), "Step between the starts of consecutive windows.", "data")
    rul_cap: float = flag(
        125.0,
        FloatRange(0.0, INF),
        "Piecewise-linear cap on the target (C-MAPSS convention 125); 0 = no cap.",
        "data",
    )
    min_history: int = flag(
        0,
        IntRange(0, 100_000),
        "H >= 1: forecasts are also made from as few as H rows: training and validation windows (and "
        "--val-cuts) also end at rows H-1 .. window-2, front-padded with the unit's first reading; "
        "0 = the window (no padding but for units shorter than it). At most --window.",
        "data",
    )
    val_fraction: float = flag(
        0.2,
        FloatRange(0.0, 1.0, lo_open=True, hi_open=True),
        "Share of units held out for validation.",
        "data",
    )
    val_cuts: int = flag(
        0,
        IntRange(0, 100_000),
        "K > 0: val_rmse scores each validation unit on the last window of K seeded cuts, as C-MAPSS "
        "scores its test units (every unit counts the same); 0: on every validation window. "
        "val_rmse_all is always the every-window figure.",
        "data",
    )
    test_fraction: float = flag(
        0.2,
        FloatRange(0.0, 1.0, hi_open=True),
        "Share of units held out for testing when the data has no official test set; 0 = no test set.",
        "data",
    )
    short_units: str = flag(
        "pad",
        choice("pad", "skip"),
        "Units shorter than the window (than --min-history when it is set): pad at the front with their "
        "first reading, or skip (with a warning).",
        "data",
    )
    age_feature: bool = flag(
        False,
        Boolean(),
        "Add each row's age as a feature named age: its position in its unit's series (1 = the unit's "
        "first reading; C-MAPSS cycles), so a window also tells how long its unit has run. A served model "
        "then takes that column too (run.json lists the features); it assumes each unit's series, test "
        "units included, starts at its first reading.",
        "data",
    )
    drop_constant_std: float = flag(
        0.0,
        FloatRange(0.0, INF),
        "Drop features whose standard deviation on the training units is <= this "
        "(0 keeps every feature; 1e-6 drops FD001's 7 constant columns).",
        "data",
    )
    seed: int = flag(
        42, IntRange(0, 2**31 - 1), "Seed of the data split, generator, weights and shuffling.", "data"
    )
    synthetic_units: int = flag(
        60, IntRange(3, 1_000_000), "Synthetic data: number of units (machines).", "data"
    )
    synthetic_sensors: int = flag(10, IntRange(1, 10_000), "Synthetic data: sensors per unit.", "data")
    synthetic_conditions: int = flag(
        3, IntRange(1, 100), "Synthetic data: distinct operating conditions.", "data"
    )
    synthetic_min_life: int = flag(
        120, IntRange(2, 10_000_000), "Synthetic data: shortest run-to-failure length (steps).", "data"
    )
    synthetic_max_life: int = flag(
        260, IntRange(2, 10_000_000), "Synthetic data: longest run-to-failure length (>= min life).", "data"
    )
    synthetic_noise: float = flag(
        0.05, FloatRange(0.0, 100.0), "Synthetic data: sensor noise (std, relative to signal).", "data"
    )
    unit_column: str = flag("unit", Text("column name", allow_empty=False), "CSV: unit id column.", "data")
    time_column: str = flag("time", Text("column name", allow_empty=False), "CSV: time/cycle column.", "data")
    target_column: str = flag(
        "",
        Text("column name"),
        "CSV: target column; empty = run-to-failure, target = steps until the unit's last row.",
        "data",
    )
    feature_columns: tuple[str, ...] = flag(
        (),
        CsvList("column names"),
        "CSV: feature columns; empty = every numeric column except unit, time and target.",
        "data",
    )

    # --- model ---
    architecture: str = flag(
        "lstm",
        choice(*ARCHITECTURES),
        "lstm / gru: stacked recurrent layers; dense: MLP on the flattened window; cnn: 1-D convolutions "
        "along the window's time axis, then a 1-filter convolution, flatten and one dense layer.",
        "model",
    )
    num_layers: int = flag(
        2, IntRange(1, 8), "Hidden layers (recurrent, dense or conv: cnn's convolutions).", "model"
    )
    units: int = flag(
        32,
        IntRange(1, 2048),
        "Units per hidden layer (cnn: of the dense layer after the convolutions).",
        "model",
    )
    filters: int = flag(10, IntRange(1, 1024), "cnn: filters per convolution layer.", "model")
    kernel_size: int = flag(
        10,
        IntRange(1, 1000),
        "cnn: time steps per convolution kernel ('same' padding: a kernel longer than the window is "
        "accepted, the zero padding fills the rest).",
        "model",
    )
    dropout: float = flag(
        0.1,
        FloatRange(0.0, 1.0, hi_open=True),
        "Dropout after each hidden layer (a separate layer: recurrent layers stay cuDNN-eligible); "
        "cnn: once, between the flattened convolutions and its dense layer.",
        "model",
    )
    activation: str = flag(
        "relu",
        choice(*ACTIVATIONS),
        "Activation of dense hidden layers and of cnn's convolutions and dense layer "
        "(recurrent layers keep tanh for cuDNN).",
        "model",
    )
    kernel_initializer: str = flag(
        "glorot_uniform", choice(*INITIALIZERS), "Initializer of hidden kernels.", "model"
    )
    l2: float = flag(0.0, FloatRange(0.0, 10.0), "L2 penalty on hidden and output kernels; 0 = off.", "model")
    ensemble_size: int = flag(
        1,
        IntRange(1, 32),
        "K > 1: K members of this architecture, each with its own initial weights, trained side by side "
        "on the same batches, each on its own loss; the model predicts (and val_rmse scores) their mean. "
        "About K times the compute of one. 1 = one model.",
        "model",
    )
    condition_norm: int = flag(
        0,
        IntRange(0, 100),
        "K > 0: normalise each reading with the mean/std of its operating condition, one of K found by "
        "k-means on the op_setting features of the training windows (C-MAPSS FD002/FD004: 6), inside the "
        "model; 0 = one global normalisation.",
        "model",
    )

    # --- optimisation ---
    optimizer: str = flag("adam", choice(*OPTIMIZERS), "Optimizer.", "optimisation")
    learning_rate: float = flag(
        1e-3, FloatRange(0.0, 10.0, lo_open=True), "Initial learning rate.", "optimisation"
    )
    momentum: float = flag(
        0.0, FloatRange(0.0, 1.0, hi_open=True), "SGD momentum (ignored by other optimizers).", "optimisation"
    )
    lr_schedule: str = flag(
        "constant",
        choice(*SCHEDULES),
        "Learning-rate schedule per step: cosine decays to lr*lr-min-ratio over all epochs; exponential "
        "multiplies by lr-decay-rate every lr-decay-epochs smoothly; step does the same in stairs.",
        "optimisation",
    )
    lr_decay_rate: float = flag(
        0.5,
        FloatRange(0.0, 1.0, lo_open=True),
        "exponential/step: factor per lr-decay-epochs.",
        "optimisation",
    )
    lr_decay_epochs: int = flag(
        10, IntRange(1, 1_000_000), "exponential/step: epochs per decay.", "optimisation"
    )
    lr_min_ratio: float = flag(
        0.0, FloatRange(0.0, 1.0), "cosine: final lr as a share of the initial.", "optimisation"
    )
    ema_momentum: float = flag(
        0.98,
        FloatRange(0.0, 1.0, hi_open=True),
        "M > 0: keep an exponential moving average of the weights (updated every batch with momentum M) "
        "and validate, early-stop on and export the averaged weights; 0 = the raw weights. The default "
        "makes the best epoch less often a spike (bench/selection_reliability.py).",
        "optimisation",
    )
    clip_norm: float = flag(
        0.0, FloatRange(0.0, INF), "Clip each gradient to this norm; 0 = off.", "optimisation"
    )
    batch_size: int = flag(64, IntRange(1, 65_536), "Windows per batch.", "optimisation")
    epochs: int = flag(20, IntRange(1, 100_000), "Maximum epochs.", "optimisation")
    patience: int = flag(
        5,
        IntRange(0, 100_000),
        "Early stopping: epochs without val_rmse (the objective) improvement before stopping, "
        "restoring the best epoch's weights; 0 = off.",
        "optimisation",
    )
    loss: str = flag("mse", choice(*LOSSES), "Training loss.", "optimisation")
    huber_delta: float = flag(
        1.0, FloatRange(0.0, INF, lo_open=True), "huber: delta in the target's unit.", "optimisation"
    )
    mixed_precision: bool = flag(
        False,
        Boolean(),
        "Compute in float16 (policy mixed_float16; normalisation and output stay float32). For GPUs.",
        "optimisation",
    )
    deterministic: bool = flag(
        False,
        Boolean(),
        "Enable TensorFlow op determinism (same seed, same result; slower on GPU).",
        "optimisation",
    )
    threads: int = flag(
        0, IntRange(0, 1024), "TensorFlow intra- and inter-op threads; 0 = TensorFlow's default.", "run"
    )
    steps_per_execution: int = flag(
        0,
        IntRange(0, 100_000),
        "Batches per tf.function call (fewer Python round trips; a non-finite loss is seen at the end of "
        "its group, inside the same epoch); capped at the batches per epoch; 0 = auto (16).",
        "run",
    )
    jit_compile: str = flag(
        "auto",
        choice("auto", "true", "false"),
        "XLA-compile the training step. auto = on, except with --deterministic and for "
        "LSTM/GRU on a GPU (cuDNN kernels), where true also falls back to off, saying so on stderr.",
        "run",
    )
    xla_cache_dir: str = flag(
        "",
        Text("directory"),
        "Keep compiled XLA steps here and reuse them: later trials of the same model shape skip the "
        "compilation (about 0.7 s each on 2 CPU cores); share it between trials; empty = no cache.",
        "run",
    )
    cv_folds: int = flag(
        1,
        IntRange(1, 100),
        "K > 1: K-fold cross-validation grouped by unit; val_rmse is the mean over folds, printed once "
        "at the end, so Katib's median stop has nothing to act on in this mode. "
        "--model-dir gets the fold model with the lowest val_rmse. 1 = one train/validation split.",
        "optimisation",
    )

    # --- output ---
    log_dir: str = flag(
        "",
        Text("directory"),
        "TensorBoard logs (scalars per epoch + HParams session); empty = none.",
        "output",
    )
    model_dir: str = flag(
        "",
        Text("directory"),
        "Export a SavedModel to MODEL_DIR/VERSION/ (TF Serving layout); empty = none.",
        "output",
    )
    model_version: int = flag(
        1, IntRange(1, 2**31 - 1), "Version subdirectory; an existing one is refused (exit 1).", "output"
    )
    checkpoint_dir: str = flag(
        "",
        Text("directory"),
        "Save a checkpoint here after every epoch (atomically) and, when one is already here, continue "
        "from the epoch after it (pod restarts, PBT); changed hyperparameters apply, another model's "
        "checkpoint is refused (exit 1); empty = none.",
        "output",
    )
    epochs_per_run: int = flag(
        0,
        IntRange(0, 100_000),
        "With --checkpoint-dir: train this many epochs in this trial beyond the checkpoint it starts from "
        "(a PBT child continues its parent's copied directory); a restart of the same trial (same "
        "--trial-name) keeps its first target. 0 = --epochs is the total.",
        "output",
    )
    experiment_name: str = flag(
        "",
        Text("name"),
        "HParams experiment name (recorded with the run).",
        "output",
        shown_default="$KATIB_EXPERIMENT_NAME, else katib-forecast",
    )
    trial_name: str = flag(
        "",
        Text("name"),
        "HParams session / trial name.",
        "output",
        shown_default="$KATIB_TRIAL_NAME, else trial-<UTC time>-<pid>",
    )
    hparams_tuned: tuple[str, ...] = flag(
        (),
        CsvList("flag names"),
        "HParams hyperparameters: the flags the Experiment tunes, named as the flags are (learning-rate); "
        "empty = every tunable flag, by field name.",
        "output",
    )
    hparams_metrics: tuple[str, ...] = flag(
        (),
        CsvList("name:strategy pairs"),
        "HParams metrics, reduced as Katib does: the objective and additional metrics with their "
        "metricStrategies (min, max, latest), e.g. val_rmse:min,test_rmse:latest; "
        "empty = the stdout metrics (per-epoch ones min, end-of-run ones latest).",
        "output",
    )

    # --- run ---
    dry_run: bool = flag(
        False, Boolean(), "Validate every flag, print the resolved configuration as JSON, exit 0.", "run"
    )
    debug: bool = flag(False, Boolean(), "Show tracebacks and TensorFlow's own logging.", "run")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists."""
        out = dataclasses.asdict(self)
        out["feature_columns"] = list(self.feature_columns)
        return out

    def hparams(self) -> dict[str, bool | int | float | str]:
        """The tunable values as HParams wants them (scalars only; output/run flags left out)."""
        out: dict[str, bool | int | float | str] = {}
        for f in config_fields():
            if f.metadata["group"] in ("output", "run") and f.name != "threads":
                continue
            value = getattr(self, f.name)
            out[f.name] = ",".join(value) if isinstance(value, tuple) else value
        return out


def config_fields() -> Iterator[dataclasses.Field[Any]]:
    """The flag fields in declaration order."""
    yield from dataclasses.fields(TrainerConfig)


def flag_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def shown_default(f: dataclasses.Field[Any]) -> str:
    """The default as a user would type it (``true``, ``a,b``, ``''``)."""
    if f.metadata["shown_default"] is not None:
        return str(f.metadata["shown_default"])
    value = f.default
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value) if value else "''"
    if value == "":
        return "''"
    return str(value)


class _Parser(argparse.ArgumentParser):
    """argparse that raises a one-line :class:`UsageError` instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


EPILOG = f"""\
metric lines (stdout, Katib StdOut collector format):
  <RFC3339 UTC> epoch=N loss=.. val_loss=.. val_rmse=.. val_mae=.. val_rmse_all=..    once per epoch
  <RFC3339 UTC> test_rmse=.. test_mae=.. test_score=.. train_seconds=.. startup_seconds=.. params=..
                                                                                      once, at the end
  (val_rmse, the objective: RMSE of the weights that would be exported (the averaged ones with
  --ema-momentum) on the validation units' cut windows with --val-cuts K > 0, else on every validation
  window; val_rmse_all: on every validation window; test_* only when a test set exists; test_score is the
  PHM08 asymmetric score; with --cv-folds K > 1 the per-epoch lines carry fold_* names and val_rmse/val_mae
  are printed once, as the mean over folds)

exit codes:
{EXIT_CODES_HELP}
Every flag also accepts --name=value."""


def build_parser() -> argparse.ArgumentParser:
    """The parser. Every default is the dataclass default, so parsing nothing gives ``TrainerConfig()``."""
    parser = _Parser(
        prog="python -m trainer",
        usage="python -m trainer [--flag=value ...]",
        description=f"Train a remaining-useful-life forecaster (trainer {__version__}); one Katib trial.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    groups = {name: parser.add_argument_group(name) for name in GROUPS}
    for f in config_fields():
        check: Check = f.metadata["check"]
        help_text = f"{f.metadata['help']} (default: {shown_default(f)}; valid: {check.describe()})"
        help_text = help_text.replace("%", "%%")
        kwargs: dict[str, Any] = {"dest": f.name, "default": f.default, "type": check, "help": help_text}
        if isinstance(check, Boolean):
            kwargs.update(nargs="?", const=True, metavar="BOOL")
        else:
            kwargs["metavar"] = f.name.upper()
        groups[f.metadata["group"]].add_argument(flag_name(f.name), **kwargs)
    return parser


def _cross_check(cfg: TrainerConfig) -> None:
    """Rules that involve two flags; each message names both."""
    if cfg.synthetic_min_life > cfg.synthetic_max_life:
        raise UsageError(
            f"argument --synthetic-min-life: must be <= --synthetic-max-life ({cfg.synthetic_max_life}), "
            f"got {cfg.synthetic_min_life}"
        )
    if cfg.checkpoint_dir and cfg.cv_folds > 1:
        raise UsageError(
            f"argument --checkpoint-dir: cannot be used with --cv-folds > 1 (got {cfg.cv_folds}); "
            "checkpoints cover one train/validation split"
        )
    if cfg.epochs_per_run and not cfg.checkpoint_dir:
        raise UsageError(
            f"argument --epochs-per-run: needs --checkpoint-dir (got {cfg.epochs_per_run}); "
            "the epochs are counted beyond a checkpoint"
        )
    if cfg.min_history > cfg.window:
        raise UsageError(f"argument --min-history: must be <= --window ({cfg.window}), got {cfg.min_history}")
    if cfg.val_fraction + cfg.test_fraction >= 1.0:
        raise UsageError(
            "argument --val-fraction: --val-fraction + --test-fraction must be < 1, "
            f"got {cfg.val_fraction} + {cfg.test_fraction}"
        )
    _check_hparams_view(cfg)


def _check_hparams_view(cfg: TrainerConfig) -> None:
    """``--hparams-tuned`` names tunable flags; ``--hparams-metrics`` is name:strategy pairs."""
    tunable = {flag_name(name)[2:] for name in cfg.hparams()}
    for name in cfg.hparams_tuned:
        if name not in tunable:
            raise UsageError(
                f"argument --hparams-tuned: {name!r} is not a tunable trainer flag (e.g. learning-rate)"
            )
    try:
        parse_strategies(cfg.hparams_metrics)
    except ValueError as err:
        raise UsageError(f"argument --hparams-metrics: {err}") from None


def _default_trial_name() -> str:
    return time.strftime("trial-%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}"


def parse_args(argv: Sequence[str], env: dict[str, str] | None = None) -> TrainerConfig:
    """Parse a trial command's arguments into a validated :class:`TrainerConfig`.

    Pure apart from reading ``env`` (default ``os.environ``) for the experiment and trial names when the
    flags leave them empty. Raises :class:`UsageError` (one line, naming the flag and its valid range) on any
    invalid value, unknown flag or stray positional argument. ``--help`` still prints and raises
    ``SystemExit(0)``.
    """
    environ = os.environ if env is None else env
    namespace = build_parser().parse_args(list(argv))
    cfg = TrainerConfig(**vars(namespace))
    if not cfg.experiment_name:
        cfg = dataclasses.replace(
            cfg, experiment_name=environ.get("KATIB_EXPERIMENT_NAME") or "katib-forecast"
        )
    if not cfg.trial_name:
        cfg = dataclasses.replace(cfg, trial_name=environ.get("KATIB_TRIAL_NAME") or _default_trial_name())
    _cross_check(cfg)
    return cfg
