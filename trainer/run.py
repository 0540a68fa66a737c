"""One trial from a parsed configuration: data -> (TensorFlow) -> fit -> metric lines, logs, model.

Data is prepared BEFORE TensorFlow is imported, so data errors (missing file, bad columns, NaN, units shorter
than the window) fail in well under a second. While TensorFlow runs, ``sys.stdout`` points at stderr: anything
a
library prints goes there, and stdout carries metric lines only (Katib's collector reads stdout and stderr
alike, but a stray ``loss: 0.1`` on stdout would confuse people reading the trial's output).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from trainer import gc_pause, signals
from trainer.config import TrainerConfig
from trainer.data import DataConfig, DataError, PreparedData, prepare_cv_folds, prepare_data
from trainer.errors import EXIT_DIVERGED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, DivergedError, TrainerError
from trainer.export import check_target_free
from trainer.katib_view import PrintedMetrics, parse_strategies
from trainer.reporting import Value, emit
from trainer.startup import seconds_since_start

if TYPE_CHECKING:  # TensorFlow is imported only after the data is ready
    from trainer.fit import FitResult
    from trainer.tblog import TrialLog


def data_config(cfg: TrainerConfig) -> DataConfig:
    """The data flags as :class:`DataConfig` (flag ``--data`` is field ``source``; the rest share names)."""
    values = {
        f.name: getattr(cfg, "data" if f.name == "source" else f.name) for f in dataclasses.fields(DataConfig)
    }
    return DataConfig(**values)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _warn(message: str) -> None:
    print(f"trainer: warning: {message}", file=sys.stderr, flush=True)


def run_main(cfg: TrainerConfig) -> int:
    """Run the trial; map each outcome to its exit code with one line on stderr (a traceback with --debug)."""
    metrics_out = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr), gc_pause.paused() as resume_gc:
            _run(cfg, metrics_out, resume_gc)
    except (DataError, TrainerError) as err:
        return _fail(cfg, err, EXIT_ERROR)
    except DivergedError as err:
        return _fail(cfg, err, EXIT_DIVERGED)
    except KeyboardInterrupt:
        print("trainer: interrupted", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    except Exception as err:
        return _fail(cfg, err, EXIT_ERROR, prefix=f"{type(err).__name__}: ")
    return EXIT_OK


def _fail(cfg: TrainerConfig, err: BaseException, code: int, prefix: str = "") -> int:
    if cfg.debug:
        traceback.print_exc(file=sys.stderr)
    print(f"trainer: error: {prefix}{_one_line(err)}", file=sys.stderr, flush=True)
    return code


def _prepare(cfg: TrainerConfig) -> list[PreparedData]:
    dcfg = data_config(cfg)
    splits = prepare_cv_folds(dcfg, cfg.cv_folds) if cfg.cv_folds > 1 else [prepare_data(dcfg)]
    seen: set[str] = set()
    for split in splits:
        for message in split.warnings:
            if message not in seen:
                seen.add(message)
                _warn(message)
    return splits


class _Outputs:
    """Where a trial's results go: metric lines on ``out`` and, with ``--log-dir``, TensorBoard scalars.

    With cross-validation (``folds > 1``) the per-epoch lines carry ``fold=K fold_epoch=N fold_loss=...``, so
    Katib records no objective per epoch, and :meth:`cv_summary` prints ``val_rmse`` once, as the mean of the
    folds' kept epochs (best val_rmse epoch with early stopping, else the last).

    Every printed line is also kept in :attr:`printed`, from which :meth:`katib_values` writes what Katib
    records for the trial (see :mod:`trainer.tblog`).

    ``started`` is called once, right after the first epoch line is printed: the end of start-up (it turns
    the garbage collector back on, :mod:`trainer.gc_pause`).
    """

    def __init__(
        self,
        out: TextIO,
        log: TrialLog | None,
        folds: int,
        strategies: tuple[str, ...] = (),
        started: Callable[[], None] = lambda: None,
    ) -> None:
        self._out, self._log, self._cv = out, log, folds > 1
        self._strategies = parse_strategies(strategies)
        self.printed = PrintedMetrics()
        self.startup_seconds: float | None = None  # process start -> this process's first epoch line
        self._started = started  # called once the first epoch line is out: start-up is over

    def _emit(self, line: dict[str, Value]) -> None:
        # Recorded BEFORE printing: Katib's early stop reacts to the printed line with SIGTERM, whose handler
        # writes the Katib values and must already count that line.
        self.printed.record(line)
        emit(line, self._out)

    def katib_values(self, exported: FitResult | None = None) -> None:
        """Katib's reduction of the lines printed so far as ``katib/*`` scalars at the last epoch's step, and
        the exported model's epoch as ``exported/*``. Safe in the SIGTERM flusher (no line printed)."""
        step = self.printed.last_epoch
        values = {f"katib/{n}": v for n, v in self.printed.reduce(self._strategies).items()}
        if exported is not None:
            values["exported/epoch"] = float(exported.kept["epoch"])
            values.update({f"exported/{n}": float(v) for n, v in exported.kept.items() if n != "epoch"})
        self._scalars(step, values)

    def epoch_sink(self, fold: int) -> Callable[[dict[str, Value]], None]:
        def sink(values: dict[str, Value]) -> None:
            first = self.startup_seconds is None
            if first:
                self.startup_seconds = seconds_since_start()
            step = int(values["epoch"])
            metrics = {n: v for n, v in values.items() if n != "epoch"}
            if self._cv:
                line: dict[str, Value] = {"fold": fold, "fold_epoch": step}
                line.update({f"fold_{n}": v for n, v in metrics.items()})
                self._emit(line)
                self._scalars(step, {f"fold{fold}/{n}": v for n, v in metrics.items()})
            else:
                # scalars first: a kill right after the line leaves both (the epoch's checkpoint came first)
                self._scalars(step, metrics)
                self._emit(values)
            if first:
                self._started()

        return sink

    def cv_summary(self, results: list[FitResult], step: int) -> None:
        rmses = [float(r.kept["val_rmse"]) for r in results]
        line: dict[str, Value] = {
            "val_rmse": statistics.fmean(rmses),
            "val_mae": statistics.fmean(float(r.kept["val_mae"]) for r in results),
            "val_rmse_std": statistics.pstdev(rmses),
            "cv_folds": len(results),
        }
        self._emit(line)
        self._scalars(step, {n: v for n, v in line.items() if n != "cv_folds"})

    def final(self, summary: dict[str, Value], step: int) -> None:
        self._emit(summary)
        self._scalars(step, {n: v for n, v in summary.items() if n.startswith("test_")})

    def _scalars(self, step: int, values: dict[str, Value]) -> None:
        if self._log is not None:
            self._log.scalars(step, {n: float(v) for n, v in values.items()})


def _summary(
    results: list[FitResult], train_seconds: float, startup_seconds: float | None
) -> tuple[dict[str, Value], FitResult]:
    """The final line's values and the model to export: the one with the lowest kept val_rmse (with one
    split, the only one). Test metrics are averaged over the folds' models under cross-validation.
    ``startup_seconds`` is left out when no epoch ran in this process (a resumed run that was complete)."""
    summary: dict[str, Value] = {}
    tests = [r.test for r in results if r.test is not None]
    if tests:
        for name in ("test_rmse", "test_mae", "test_score"):
            summary[name] = statistics.fmean(t[name] for t in tests)
    best = min(results, key=lambda r: float(r.kept["val_rmse"]))
    summary["train_seconds"] = round(train_seconds, 3)
    if startup_seconds is not None:
        summary["startup_seconds"] = round(startup_seconds, 3)
    summary["params"] = int(best.model.count_params())
    return summary, best


def _run(cfg: TrainerConfig, out: TextIO, started: Callable[[], None]) -> None:
    if cfg.model_dir:
        check_target_free(cfg.model_dir, cfg.model_version)
    splits = _prepare(cfg)  # before TensorFlow: data errors are fast

    from trainer import runtime

    runtime.import_tensorflow(cfg.debug, cfg.xla_cache_dir)
    runtime.configure(cfg)
    env = runtime.environment()
    banner = ", ".join(f"{k} {v}" for k, v in env.items())
    print(f"trainer: {banner}, seed {cfg.seed}", file=sys.stderr, flush=True)

    from trainer.export import export_saved_model
    from trainer.fit import fit_model

    log: TrialLog | None = None
    if cfg.log_dir:
        from trainer.tblog import TrialLog  # TensorBoard's summary and HParams modules: only when logging

        log = TrialLog(cfg.log_dir, cfg)
    outputs = _Outputs(out, log, len(splits), cfg.hparams_metrics, started)
    unregister = signals.on_terminate(outputs.katib_values) if log is not None else (lambda: None)
    try:
        start = time.perf_counter()
        results = [fit_model(cfg, split, outputs.epoch_sink(k)) for k, split in enumerate(splits, start=1)]
        summary, best = _summary(results, time.perf_counter() - start, outputs.startup_seconds)
        last_step = max(r.epochs_run for r in results)
        if len(results) > 1:
            outputs.cv_summary(results, last_step)
        outputs.final(summary, last_step)
        outputs.katib_values(best)
        record = _run_record(cfg, env, splits[0], summary, results)
        if cfg.log_dir:
            (Path(cfg.log_dir) / "run.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        if cfg.model_dir:
            export_saved_model(best.model, cfg.model_dir, cfg.model_version, extra={"run.json": record})
    finally:
        unregister()
        if log is not None:
            log.close()


def _run_record(
    cfg: TrainerConfig,
    env: dict[str, str],
    data: PreparedData,
    summary: dict[str, Value],
    results: list[FitResult],
) -> dict[str, Any]:
    """What run.json holds: enough to trace and rerun the trial (config, seed, versions, data, results)."""
    return {
        "experiment": cfg.experiment_name,
        "trial": cfg.trial_name,
        "seed": cfg.seed,
        "environment": env,
        "config": cfg.to_dict(),
        "data": {
            "features": list(data.feature_names),
            "target_unit": data.target_unit,
            "test_source": data.test_source,
            "train_windows": len(data.train.y),
            "val_windows": len(data.val.y),
            "test_windows": 0 if data.test is None else len(data.test.y),
        },
        "results": {
            "summary": summary,
            "kept_epochs": [r.kept for r in results],
            "epochs_run": [r.epochs_run for r in results],
        },
        "step_loop": [dataclasses.asdict(r.step_loop) for r in results if r.step_loop is not None],
    }
