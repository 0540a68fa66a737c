"""Search efficiency: Katib's grid, random, tpe, multivariate-tpe and bayesianoptimization at equal trial
budgets, replayed against the reference table, with Keras Tuner's BayesianOptimization as the outside
reference.

Every algorithm runs as Katib runs it (katib_local's suggestion services on a defaulted Experiment with
``random_state`` = the seed, Katib's experiment loop with ``parallelTrialCount`` trials at a time; see
:mod:`bench._replay`), and each trial's objective is the real trainer's best ``val_rmse`` for that
configuration, read from ``bench/results/reference_table.json`` (``bench/reference_table.py``). Keras Tuner's
``BayesianOptimizationOracle`` is driven directly (create_trial / update_trial / end_trial), one trial at a
time, as its tuner does.

Figures per algorithm, over the seeds: the best objective after N trials (median, quartiles, range), the
trials needed to reach the table's optimum (what the exhaustive grid finds) and to reach any of the table's
5 best configurations.

    python bench/search_efficiency.py                    # 10 seeds, 60 trials, parallel 3 and 1, Keras Tuner
    python bench/search_efficiency.py --space continuous # learning rate a log-uniform double, ints (snapped)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/search_efficiency.py
    sys.path.insert(0, str(REPO))

from bench._replay import continuous_parameters, discrete_parameters, experiment, replay, summarize  # noqa: E402
from bench._tabular import RESULTS_DIR, SPACE, TABLE_PATH, Table, config_key  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402

ALGORITHMS = ("grid", "random", "tpe", "multivariate-tpe", "bayesianoptimization")
BUDGETS = (10, 20, 30, 40, 60)
TOP_K = 5


def run_katib(
    table: Table, algorithm: str, seed: int, max_trials: int, parallel: int, space: str
) -> list[float | None]:
    """Objectives of one replayed Katib Experiment, in trial creation order (None: the trial failed)."""
    params = (
        continuous_parameters() if space == "continuous" and algorithm != "grid" else discrete_parameters()
    )
    exp = experiment(algorithm, seed, max_trials=max_trials, parallel=parallel, parameters=params)
    return [t.objective for t in replay(table, exp).trials]


def run_keras_tuner(table: Table, seed: int, max_trials: int) -> list[float | None]:
    """Objectives of Keras Tuner's BayesianOptimizationOracle (defaults, ``seed``) against the table.

    The space is the table's: ``Choice`` for every parameter (numeric choices are ordered, so the oracle's
    Gaussian process sees learning rate, units and layers as ordinal). A failed configuration is ended with
    status FAILED, as the tuner does when the trial raises.
    """
    import keras_tuner as kt

    hp = kt.HyperParameters()
    hp.Choice("optimizer", list(SPACE["optimizer"]))
    hp.Choice("learning-rate", [float(v) for v in SPACE["learning-rate"]])
    hp.Choice("units", [int(v) for v in SPACE["units"]])
    hp.Choice("num-layers", [int(v) for v in SPACE["num-layers"]])
    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("val_rmse", "min"),
        max_trials=max_trials,
        hyperparameters=hp,
        seed=seed,
        max_consecutive_failed_trials=max_trials,
    )
    objectives: list[float | None] = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
        oracle._set_project_dir(tmp, "kt")  # what Tuner.__init__ does
        for _ in range(max_trials):
            trial = oracle.create_trial("tuner0")
            if trial.status != kt.engine.trial.TrialStatus.RUNNING:
                break  # STOPPED: budget spent, or the space is exhausted
            values = trial.hyperparameters.values
            config = {name: _table_value(name, values[name]) for name in SPACE}
            row = table[config]
            if row.objective is None:
                trial.status = kt.engine.trial.TrialStatus.FAILED
                objectives.append(None)
            else:
                oracle.update_trial(trial.trial_id, {"val_rmse": row.objective})
                trial.status = kt.engine.trial.TrialStatus.COMPLETED
                objectives.append(row.objective)
            oracle.end_trial(trial)
    return objectives


def _table_value(name: str, value: Any) -> str:
    for choice in SPACE[name]:
        if choice == str(value) or (name != "optimizer" and float(choice) == float(value)):
            return choice
    raise ValueError(f"{name}={value!r} is not a table value")


def best_after(objectives: Sequence[float | None], n: int) -> float | None:
    values = [v for v in objectives[:n] if v is not None]
    return min(values) if values else None


def trials_to_reach(objectives: Sequence[float | None], target: float) -> int | None:
    """1-based index of the first trial with objective <= ``target`` (None: not within the run)."""
    for i, v in enumerate(objectives, start=1):
        if v is not None and v <= target + 1e-9:
            return i
    return None


def censored_median(values: Sequence[int | None], limit: int) -> str:
    """Median of run lengths where None means 'not within ``limit``' (``>limit`` when half or more are)."""
    ordered = sorted(values, key=lambda v: float("inf") if v is None else v)
    mid = ordered[(len(ordered) - 1) // 2]
    return f">{limit}" if mid is None else str(mid)


def evaluate(runs: dict[str, list[list[float | None]]], table: Table, max_trials: int) -> dict[str, Any]:
    """Per algorithm: best-after-N summaries and trials-to-reach figures over the seeds."""
    ranked = table.ranked()
    optimum = ranked[0].objective
    top_k = ranked[TOP_K - 1].objective
    assert optimum is not None and top_k is not None
    out: dict[str, Any] = {}
    for name, seeds in runs.items():
        reach_opt = [trials_to_reach(r, optimum) for r in seeds]
        reach_top = [trials_to_reach(r, top_k) for r in seeds]
        out[name] = {
            "best_after": {
                str(n): summarize([b for r in seeds if (b := best_after(r, n)) is not None])
                for n in BUDGETS
                if n <= max_trials
            },
            "trials_to_optimum": reach_opt,
            "trials_to_optimum_median": censored_median(reach_opt, max_trials),
            "reached_optimum": sum(v is not None for v in reach_opt),
            f"trials_to_top{TOP_K}": reach_top,
            f"trials_to_top{TOP_K}_median": censored_median(reach_top, max_trials),
            "failed_trials_median": summarize([float(sum(v is None for v in r)) for r in seeds]).get(
                "median"
            ),
        }
    return out


def _fmt(s: dict[str, float], optimum: float) -> str:
    if not s:
        return "-"
    return f"{s['median'] - optimum:.2f} [{s['q1'] - optimum:.2f}, {s['q3'] - optimum:.2f}]"


def markdown(result: dict[str, Any], table: Table) -> str:
    """The docs section."""
    optimum = table.optimum
    best = table.ranked()[0]
    meta = result["meta"]
    failed = sum(r.failed for r in table.rows.values()) or "none"
    lines = [
        "## Search efficiency (replayed against a table of real trainer runs)"
        + (", continuous space" if meta["space"] == "continuous" else ""),
        "",
        f"Command: `{meta['command']}` (table: `python bench/reference_table.py`). Machine: "
        f"{meta['machine']}. Commit {meta['revision']}.",
        "",
        f"**What was measured.** The reference table holds the real trainer's `val_rmse` curve for all "
        f"{len(table)} configurations of optimizer {{{', '.join(SPACE['optimizer'])}}} x learning rate "
        f"{{{', '.join(SPACE['learning-rate'])}}} x units {{{', '.join(SPACE['units'])}}} x layers "
        f"{{{', '.join(SPACE['num-layers'])}}} (LSTM, built-in synthetic data, fixed seed 42, 10 epochs; "
        f"flags in `bench/results/reference_table.json`). The objective is Katib's `min` over the epochs. "
        f"The grid's optimum, the table's best, is **{optimum:.3f}** "
        f"(`{config_key(best.config)}`); {failed} of them diverged (exit 3: "
        "Failed trials). Each algorithm is **replayed** (not run live): Katib's suggestion "
        "services as katib-local runs them, Katib's trial arithmetic, the table instead of training. "
        f"{meta['seeds']} seeds (`random_state` 0..{meta['seeds'] - 1}), {meta['max_trials']} trials per "
        f"run, search space `{meta['space']}` (see below). Figures are **regret** = best objective found "
        "minus the optimum (0 = found the optimum), as median [first quartile, third quartile] over seeds.",
        "",
    ]
    for parallel, block in result["by_parallel"].items():
        first = next(iter(block.values()))
        lines += [
            f"### parallelTrialCount {parallel}",
            "",
            "| algorithm | "
            + " | ".join(f"regret after {n}" for n in first["best_after"])
            + " | trials to optimum (median; reached) | trials to a top-5 config (median) |",
            "|---|" + "---|" * (len(first["best_after"]) + 2),
        ]
        for name, r in block.items():
            cells = [_fmt(s, optimum) for s in r["best_after"].values()]
            lines.append(
                f"| {name} | "
                + " | ".join(cells)
                + f" | {r['trials_to_optimum_median']} ({r['reached_optimum']}/{len(r['trials_to_optimum'])})"
                " "
                f"| {r[f'trials_to_top{TOP_K}_median']} |"
            )
        lines.append("")
    top = ", ".join(f"{r.objective:.3f}" for r in table.ranked()[:TOP_K] if r.objective is not None)
    lines += [
        "Notes:",
        f"- The table's {TOP_K} best objectives are {top}: a regret near 0.02 is the second-best "
        "configuration, closer to the optimum than the trainer's own seed-to-seed noise is likely to be "
        "(not measured: one training seed per configuration). Read small regrets as ties.",
        "- `grid` visits the 120 configurations in a random order (Optuna's GridSampler, seeded), so the "
        "trials it needs to find the optimum are uniform on 1..120 (expected 60.5); with 60 trials it finds "
        "it about half of the time. It never repeats a configuration; hyperopt's `random` samples with "
        "replacement and can.",
        "- `tpe` (hyperopt) starts modelling after `n_startup_jobs` = the first request's size, which Katib "
        "sets to parallelTrialCount, far fewer random trials than hyperopt's own default 20.",
        "- `bayesianoptimization` (skopt, Katib defaults: GP, 10 initial points, gp_hedge) sees categorical "
        "lists one-hot encoded: in the discrete space it cannot exploit the order of learning rates.",
    ]
    if any("keras-tuner BO" in block for block in result["by_parallel"].values()):
        lines.append(
            "- Keras Tuner (`keras-tuner` "
            f"{meta.get('keras_tuner_version', '?')}, `BayesianOptimizationOracle` with its defaults: "
            "3 x dimensions random initial points, then a GP with UCB; numeric `Choice`s ordinal) runs "
            "one trial at a time, its tuner's own loop, and skips configurations it already tried, so it "
            "appears in the parallelTrialCount 1 table. A sequential model-based search learns from every "
            "trial before the "
            "next: compare it with Katib's algorithms at parallelTrialCount 1, not 3."
        )
    if meta["space"] == "continuous":
        lines.append(
            "- continuous space: learning rate a log-uniform double [1e-4, 1e-2], units int [16, 64], "
            "layers int [1, 2]; every suggestion is snapped to the nearest table value (log scale), the "
            "algorithm is told the value it suggested (a continuous search approximated by a 5-point table)."
        )
    else:
        lines.append(
            "- discrete space: every parameter a Katib `discrete`/`categorical` list of the table's values, "
            "so no suggestion needs snapping."
        )
    lines.append(
        "- The table is the trainer's real output: `python bench/reference_table.py --check 3` retrains rows "
        "as `python -m trainer` subprocesses and compares the curves (here: identical, difference 0.00000; "
        "TensorFlow on CPU with 1 thread and a fixed seed is deterministic)."
    )
    lines.append(
        "- Limits: one small synthetic problem, one training seed per configuration (the table does not "
        "capture the trainer's seed-to-seed noise), costs counted in trials, not time."
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=TABLE_PATH)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--max-trials", type=int, default=60)
    parser.add_argument("--parallel", type=int, nargs="+", default=[3])
    parser.add_argument("--space", choices=("discrete", "continuous"), default="discrete")
    parser.add_argument("--algorithms", nargs="+", default=list(ALGORITHMS), choices=ALGORITHMS)
    parser.add_argument("--no-keras-tuner", action="store_true", help="skip the Keras Tuner reference")
    parser.add_argument(
        "--json", type=Path, default=None, help="default: bench/results/search_efficiency[-SPACE].json"
    )
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the docs section")
    parser.add_argument("--from-json", type=Path, default=None, help="only rewrite the docs from a saved run")
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "out" / "search_efficiency_cache.json",
        help="finished replays, reused on a rerun (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    table = Table.load(args.table)
    if args.from_json is not None:
        saved = json.loads(args.from_json.read_text())
        write_section(
            "search-efficiency" + ("" if saved["meta"]["space"] == "discrete" else "-continuous"),
            markdown(saved, table),
        )
        return 0
    cache_path = args.cache
    cache: dict[str, list[float | None]] = json.loads(cache_path.read_text()) if cache_path.exists() else {}

    def cached(key: str, compute: Callable[[], list[float | None]]) -> list[float | None]:
        if key not in cache:
            cache[key] = compute()
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(cache) + "\n")
            print(f"{key}: best {best_after(cache[key], 10**9)}", flush=True)
        return cache[key]

    raw: dict[str, dict[str, list[list[float | None]]]] = {str(p): {} for p in args.parallel}
    kt: list[list[float | None]] = []
    for seed in range(args.seeds):  # seed-major: an interrupted run still has every algorithm
        for parallel in args.parallel:
            for algorithm in args.algorithms:
                key = f"{args.space}|{args.max_trials}|p{parallel}|{algorithm}|{seed}"
                objectives = cached(
                    key,
                    functools.partial(
                        run_katib, table, algorithm, seed, args.max_trials, parallel, args.space
                    ),
                )
                raw[str(parallel)].setdefault(algorithm, []).append(objectives)
        if not args.no_keras_tuner and args.space == "discrete":
            key = f"{args.space}|{args.max_trials}|keras-tuner|{seed}"
            kt.append(cached(key, functools.partial(run_keras_tuner, table, seed, args.max_trials)))
    if kt:
        raw.setdefault("1", {})["keras-tuner BO"] = kt
    by_parallel = {p: evaluate(runs, table, args.max_trials) for p, runs in raw.items()}
    meta: dict[str, Any] = {
        "command": command_line(),
        "machine": machine_description(),
        "revision": git_revision(),
        "seeds": args.seeds,
        "max_trials": args.max_trials,
        "space": args.space,
        "optimum": table.optimum,
    }
    with contextlib.suppress(ImportError):
        import keras_tuner

        meta["keras_tuner_version"] = keras_tuner.__version__
    result = {"meta": meta, "by_parallel": by_parallel, "objectives": raw}
    suffix = "" if args.space == "discrete" else f"-{args.space}"
    path = args.json or RESULTS_DIR / f"search_efficiency{suffix}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    text = markdown(result, table)
    print(text)
    if not args.no_docs:
        write_section("search-efficiency" + suffix, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
