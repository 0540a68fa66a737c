"""Collect the reference table: the real trainer, once per configuration of a small discrete search space.

A tabular benchmark (as HPO-B and NAS-Bench-201 are): every configuration of the space below is trained once
with ``trainer.cli.main`` (the code path of ``python -m trainer``, minus the interpreter start), with a fixed
seed, and its whole ``val_rmse`` curve, exit code and final line are kept. ``bench/search_efficiency.py`` and
``bench/early_stopping.py`` then replay Katib's algorithms against the table, so every objective value an
algorithm sees is one the trainer really produced, and 10 seeds x 6 algorithms cost seconds instead of days.

Run (about 10-20 minutes on 2 shared cores; resumable: configurations already in the file are skipped)::

    nice -n 19 python bench/reference_table.py           # writes bench/results/reference_table.json
    python bench/reference_table.py --check 3            # rerun 3 rows as subprocesses, compare

The fixed flags (:data:`FIXED_FLAGS`) make a trial cheap: the built-in synthetic data (60 units, 10 sensors,
3 operating conditions), windows of 30 with stride 8, batch 32, 10 epochs, no Keras early stopping (so every
curve is complete: median stop decides what to cut), SGD with momentum 0.9 as in the cluster manifests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/reference_table.py
    sys.path.insert(0, str(REPO))

from bench._tabular import SPACE, TABLE_PATH, config_key, parse_metric_lines  # noqa: E402

FIXED_FLAGS: tuple[str, ...] = (
    "--data=synthetic",
    "--seed=42",
    "--architecture=lstm",
    "--window=30",
    "--stride=8",
    "--batch-size=32",
    "--epochs=10",
    "--patience=0",
    "--dropout=0.1",
    "--momentum=0.9",
    # The raw weights: the table was collected when they were the trainer's default (before --ema-momentum
    # defaulted to 0.98), so a resumed or repeated collection adds comparable rows.
    "--ema-momentum=0",
    "--threads=0",
)
"""Flags every configuration shares (threads are set once for the process, see :func:`_pin_threads`)."""


def trial_argv(config: dict[str, str]) -> list[str]:
    """The trainer's command-line arguments for one configuration (space values as Katib would pass them)."""
    return [*FIXED_FLAGS, *(f"--{name}={value}" for name, value in config.items())]


def all_configs() -> list[dict[str, str]]:
    """Every configuration of :data:`SPACE`, in a fixed order (the product of the value lists)."""
    names = list(SPACE)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*SPACE.values())]


def _pin_threads(threads: int) -> None:
    """Set TensorFlow's thread pools once, before its runtime starts (the trainer's --threads can only do
    that in a fresh process, so the in-process loop passes --threads=0 and pins them here)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def run_in_process(config: dict[str, str]) -> dict[str, Any]:
    """Train one configuration with ``trainer.cli.main`` in this process; its stdout is parsed, not shown."""
    import keras

    from trainer.cli import main

    keras.backend.clear_session()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(trial_argv(config))
    return {"exit_code": code, **parse_metric_lines(out.getvalue())}


def run_subprocess(config: dict[str, str], threads: int) -> dict[str, Any]:
    """Train one configuration as Katib would: ``python -m trainer`` in a fresh process."""
    argv = [a if a != "--threads=0" else f"--threads={threads}" for a in trial_argv(config)]
    proc = subprocess.run(
        [sys.executable, "-m", "trainer", *argv], capture_output=True, text=True, cwd=REPO, check=False
    )
    return {"exit_code": proc.returncode, **parse_metric_lines(proc.stdout)}


def _load(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {
        "description": "val_rmse curve of the real trainer for every configuration of the space",
        "command": "python bench/reference_table.py",
        "fixed_flags": list(FIXED_FLAGS),
        "space": {k: list(v) for k, v in SPACE.items()},
        "rows": {},
    }


def _save(path: Path, table: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def collect(path: Path, threads: int, limit: int | None) -> None:
    """Train every configuration not yet in ``path`` and save after each one (so the run can resume)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = _load(path)
    if table.get("fixed_flags") != list(FIXED_FLAGS):
        raise SystemExit(f"{path} was collected with other fixed flags; move it away first")
    todo = [c for c in all_configs() if config_key(c) not in table["rows"]]
    if limit is not None:
        todo = todo[:limit]
    _pin_threads(threads)
    from trainer.runtime import environment

    table["environment"] = environment()
    table["threads"] = threads
    for n, config in enumerate(todo, start=1):
        row = run_in_process(config)
        table["rows"][config_key(config)] = {"config": config, **row}
        _save(path, table)
        best = min(row["val_rmse"], default=float("nan"))
        print(
            f"[{n}/{len(todo)}] {config_key(config)} exit={row['exit_code']} best val_rmse={best:.3f}",
            flush=True,
        )


def check(path: Path, count: int, threads: int) -> int:
    """Rerun ``count`` rows of the table as ``python -m trainer`` subprocesses; report curve differences."""
    table = _load(path)
    rows = list(table["rows"].values())
    step = max(1, len(rows) // max(count, 1))
    worst = 0.0
    for row in rows[::step][:count]:
        fresh = run_subprocess(row["config"], threads)
        diffs = [abs(a - b) for a, b in zip(row["val_rmse"], fresh["val_rmse"], strict=False)]
        same_len = len(row["val_rmse"]) == len(fresh["val_rmse"])
        worst = max(worst, max(diffs, default=0.0))
        print(
            f"{config_key(row['config'])}: exit {row['exit_code']}/{fresh['exit_code']}, "
            f"epochs {len(row['val_rmse'])}/{len(fresh['val_rmse'])}, max |d val_rmse| = "
            f"{max(diffs, default=0.0):.5f}{'' if same_len else ' (curve lengths differ)'}"
        )
    print(f"largest difference: {worst:.5f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=TABLE_PATH, help="table file (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None, help="train at most this many new configurations")
    parser.add_argument(
        "--check", type=int, default=0, metavar="N", help="instead: rerun N rows as subprocesses and compare"
    )
    args = parser.parse_args(argv)
    if args.check:
        return check(args.out, args.check, args.threads)
    start = time.monotonic()
    collect(args.out, args.threads, args.limit)
    print(
        f"done in {time.monotonic() - start:.0f} s (wall clock on a shared machine: not a benchmark figure)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
