"""One trainer configuration trained once per seed, each run cached, and the spread over the seeds.

A model-quality figure here is a mean +/- sample standard deviation over several training seeds of one
configuration, never a single draw. :func:`train_seeds` runs ``trainer + args + --seed=S`` as one
subprocess per seed, one at a time, and caches each finished run as JSON (``cache_dir/<label>-seed<S>.json``)
so that a rerun resumes: a seed whose cache holds the same ``args`` is not trained again; a cache written for
other ``args`` is stale and the seed is retrained. :func:`summarise` reduces the runs to per-seed figures and
their mean and sd.

Outcomes: exit 0 is a finished run; exit 3 (the trainer's "training diverged") is an outcome of the
configuration and is cached too, and reported as a failed seed; any other exit (data error, usage error, a
signal) says nothing about the model, is not cached and ends the whole step with one line.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench._tabular import parse_metric_lines

DIVERGED = 3
"""The trainer's exit code for a non-finite loss (see the README's exit codes)."""
FIGURES = ("test_rmse", "test_score", "test_mae", "val_rmse")
"""The per-seed figures that get a mean and an sd; ``val_rmse`` is the min over the run's epochs."""
FINAL_KEYS = ("test_rmse", "test_score", "test_mae", "train_seconds")
"""What a finished run's final line must carry to count as a seed."""


def parse_seeds(text: str) -> list[int]:
    """``"1,2,3"`` -> ``[1, 2, 3]``. Raises ValueError on an empty list, a non-integer, a negative seed or a
    repeated one (a repeated seed would count one draw twice in the sd)."""
    seeds: list[int] = []
    for word in text.split(","):
        word = word.strip()
        if not word.isdigit():
            raise ValueError(f"{word!r} is not a seed (a comma-separated list of integers >= 0, e.g. 1,2,3)")
        if int(word) in seeds:
            raise ValueError(f"seed {word} is given twice")
        seeds.append(int(word))
    return seeds


def cache_path(cache_dir: Path, label: str, seed: int) -> Path:
    return cache_dir / f"{label}-seed{seed}.json"


def run_seed(
    trainer: Sequence[str], args: Sequence[str], seed: int, cache: Path, cwd: Path
) -> dict[str, Any]:
    """Train ``args`` with ``--seed=seed`` (or read the cached run); returns the cache's content:
    ``{"args", "seed", "exit_code", "val_rmse": [per epoch], "final": {final line}}``.

    Raises SystemExit (one line) when the trainer exits with anything but 0 or :data:`DIVERGED`.
    """
    if cache.is_file():
        cached: dict[str, Any] = json.loads(cache.read_text())
        if cached.get("args") == list(args) and cached.get("seed") == seed:
            print(f"seed {seed}: cached in {cache}", flush=True)
            return cached
        print(f"seed {seed}: {cache} was written for other trainer flags; training again", flush=True)
    cmd = [*trainer, *args, f"--seed={seed}"]
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    print(proc.stdout, end="", flush=True)
    if proc.returncode not in (0, DIVERGED):
        last = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise SystemExit(f"seed {seed}: the trainer exited {proc.returncode}: {last[0]}")
    run = {"args": list(args), "seed": seed, "exit_code": proc.returncode, **parse_metric_lines(proc.stdout)}
    if proc.returncode == 0 and not (run["val_rmse"] and all(k in run["final"] for k in FINAL_KEYS)):
        raise SystemExit(
            f"seed {seed}: the trainer printed no val_rmse epoch line or its final line lacks one of "
            f"{', '.join(FINAL_KEYS)} (does the data have a test set?)"
        )
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(run, indent=1) + "\n")
    tmp.replace(cache)  # a reader (or an interrupted rerun) never sees half a run
    return run


def train_seeds(
    trainer: Sequence[str], args: Sequence[str], seeds: Sequence[int], cache_dir: Path, label: str, cwd: Path
) -> dict[int, dict[str, Any]]:
    """:func:`run_seed` for each seed in order, one at a time (they share the machine's cores)."""
    return {s: run_seed(trainer, args, s, cache_path(cache_dir, label, s), cwd) for s in seeds}


def _sd(values: Sequence[float]) -> float | None:
    """Sample standard deviation (``statistics.stdev``, n - 1); None for fewer than two values."""
    return statistics.stdev(values) if len(values) >= 2 else None


def summarise(runs: Mapping[int, Mapping[str, Any]]) -> dict[str, Any]:
    """Per-seed figures and, over the finished seeds, ``<figure>_mean`` / ``<figure>_sd`` for each of
    :data:`FIGURES` (sd None with one finished seed; both None with none).

    ``seeds`` maps each finished seed (as a string, JSON's key type) to test_rmse, test_score, test_mae,
    val_rmse (min over epochs), epochs (epoch lines printed) and train_seconds; ``failed`` lists the seeds
    whose training diverged, with the epochs they printed.
    """
    seeds: dict[str, dict[str, float]] = {}
    failed: dict[str, int] = {}
    for seed, run in sorted(runs.items()):
        if run["exit_code"] != 0:
            failed[str(seed)] = len(run["val_rmse"])
            continue
        final = run["final"]
        seeds[str(seed)] = {
            "test_rmse": float(final["test_rmse"]),
            "test_score": float(final["test_score"]),
            "test_mae": float(final["test_mae"]),
            "val_rmse": min(run["val_rmse"]),
            "epochs": len(run["val_rmse"]),
            "train_seconds": float(final["train_seconds"]),
        }
    out: dict[str, Any] = {"seeds": seeds, "failed": failed, "n": len(seeds)}
    for name in FIGURES:
        values = [s[name] for s in seeds.values()]
        out[f"{name}_mean"] = statistics.mean(values) if values else None
        out[f"{name}_sd"] = _sd(values)
    return out
