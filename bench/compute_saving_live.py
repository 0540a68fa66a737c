"""Compute-saving algorithms, live: no early stopping, Katib's medianstop, hyperband and pbt, each run for
real with ``katib-local run`` on the trainer's built-in synthetic data, over several seeds.

Every policy searches the reference table's space (``bench/reference_table.py``: optimizer, learning rate,
units, layers; the table's fixed trainer flags, one thread per trial) and minimises ``val_rmse`` (Katib's
``min`` over epochs). What is counted is what the policies spend and find, not time, so sharing the CPU does
not change the figures:

- ``none``: random search, ``maxTrialCount`` 15, 10 epochs each, 3 in parallel;
- ``medianstop``: the same with Katib's medianstop at its defaults (min_trials_required 3, start_step 4);
- ``hyperband``: Katib's hyperband over ``epochs`` (``r_l`` 9, ``eta`` 3, so rungs of 1, 3 and 9 epochs),
  ``parallelTrialCount`` 9 (its validation minimum), run until the service has no more brackets;
- ``pbt``: population 5, truncation 0.2, 40 trials of 2 epochs each beyond the parent's checkpoint
  (``--epochs-per-run``), 3 in parallel, over optimizer and learning rate only (units 32, 1 layer: a child
  continues its parent's weights, so the model's shape cannot change).

Each finished run is cached in ``out/compute-saving-live/<policy>-<seed>.json`` and skipped on a rerun; an
interrupted ``katib-local run`` resumes under the same root. ``--write-docs`` writes the section from the
cached runs.

    nice -n 10 python bench/compute_saving_live.py --seeds 0 1 2      # runs (CPU-heavy), then the section
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/compute_saving_live.py
    sys.path.insert(0, str(REPO))

from bench._tabular import SPACE, TABLE_PATH, parse_metric_lines  # noqa: E402
from bench.early_stopping_live import live_experiment  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402

ROOT = REPO / "out" / "compute-saving-live"
POLICIES = ("none", "medianstop", "hyperband", "pbt")
PBT_FLAG = "--epochs-per-run"
"""The trainer flag that makes a resumed run train that many epochs beyond its checkpoint (PBT's need)."""
CHECKPOINTS = "/mnt/checkpoints"
GENERATION = "pbt.suggestion.katib.kubeflow.org/generation"


def _parameters() -> list[dict[str, Any]]:
    # learning-rate as categorical: hyperband parses discrete values as integers (see docs/katib-local.md).
    kinds = {"optimizer": "categorical", "learning-rate": "categorical"}
    return [
        {"name": name, "parameterType": kinds.get(name, "discrete"), "feasibleSpace": {"list": list(values)}}
        for name, values in SPACE.items()
    ]


def _algorithm(name: str, settings: dict[str, str]) -> dict[str, Any]:
    return {
        "algorithmName": name,
        "algorithmSettings": [{"name": k, "value": v} for k, v in settings.items()],
    }


def experiment(policy: str, seed: int) -> dict[str, Any]:
    """The Katib Experiment of one policy and seed: the early-stopping live check's Experiment (random
    search, Katib's medianstop, the table's trainer flags), changed per policy."""
    exp = live_experiment(seed, max_trials=15)
    exp["metadata"]["name"] = f"saving-{policy}-{seed}"
    spec = exp["spec"]
    spec["parallelTrialCount"] = 3
    spec["parameters"] = _parameters()
    if policy != "medianstop":
        del spec["earlyStopping"]
    template = spec["trialTemplate"]
    command = template["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["command"]
    if policy == "hyperband":
        command[command.index("--epochs=10")] = "--epochs=${trialParameters.epochs}"
        spec["parameters"].append(
            {"name": "epochs", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "9"}}
        )
        template["trialParameters"].append({"name": "epochs", "reference": "epochs"})
        settings = {"r_l": "9", "eta": "3", "resource_name": "epochs", "random_state": str(seed)}
        spec["algorithm"] = _algorithm("hyperband", settings)
        spec["parallelTrialCount"] = 9
        del spec["maxTrialCount"]
    if policy == "pbt":
        # A child continues its parent's weights: only what leaves the model's shape alone can be tuned
        # (units and layers fixed at the table's middle values; optimizer slots of a new optimizer start
        # fresh). Each trial trains 2 epochs beyond its parent's.
        spec["parameters"] = [p for p in spec["parameters"] if p["name"] in ("optimizer", "learning-rate")]
        template["trialParameters"] = [
            t for t in template["trialParameters"] if t["reference"] in ("optimizer", "learning-rate")
        ]
        command[:] = [w for w in command if not w.startswith(("--units=", "--num-layers="))]
        command[command.index("--epochs=10")] = "--epochs=2"
        command += ["--units=32", "--num-layers=1", f"{PBT_FLAG}=2", f"--checkpoint-dir={CHECKPOINTS}"]
        settings = {
            "suggestion_trial_dir": CHECKPOINTS,
            "n_population": "5",
            "truncation_threshold": "0.2",
            "random_state": str(seed),
        }
        spec["algorithm"] = _algorithm("pbt", settings)
        spec["resumePolicy"] = "FromVolume"
        spec["maxTrialCount"] = 40
    return exp


def run_policy(policy: str, seed: int, root: Path) -> dict[str, Any]:
    """Run (or resume) one Experiment and summarise it: trials, trial-epochs, best objective, statuses."""
    exp = experiment(policy, seed)
    name = exp["metadata"]["name"]
    run_root = root / name
    run_root.mkdir(parents=True, exist_ok=True)
    path = run_root / "experiment.yaml"
    path.write_text(yaml.safe_dump(exp, sort_keys=False))
    cli = [sys.executable, "-m", "katib_local"]
    done = subprocess.run([*cli, "run", str(path), "--root", str(run_root), "--plain"], cwd=REPO, check=False)
    out = subprocess.run(
        [*cli, "results", name, "--root", str(run_root), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    trials: list[dict[str, Any]] = json.loads(out.stdout)
    epochs = 0
    for t in trials:
        log = run_root / "experiments" / name / "trials" / t["name"] / "metrics.log"
        epochs += len(parse_metric_lines(log.read_text())["val_rmse"]) if log.exists() else 0
    objectives = [t["metrics"]["val_rmse"] for t in trials if t["metrics"].get("val_rmse") is not None]
    statuses: dict[str, int] = {}
    for t in trials:
        statuses[t["status"]] = statuses.get(t["status"], 0) + 1
    return {
        "policy": policy,
        "seed": seed,
        "exit_code": done.returncode,
        "trials": len(trials),
        "trial_epochs": epochs,
        "best": min(objectives) if objectives else None,
        "statuses": statuses,
    }


def _configurations(policy: str, seed: int, root: Path = ROOT) -> list[str]:
    """The assignments of a finished run's trials, in creation order (empty when the run is absent)."""
    db = root / f"saving-{policy}-{seed}" / "katib-local.db"
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return [row[0] for row in conn.execute("SELECT assignments FROM trials ORDER BY seq")]


def _generations(seed: int, root: Path = ROOT) -> int:
    """How many generations a finished pbt run reached (its highest generation label + 1; 0 when absent)."""
    db = root / f"saving-pbt-{seed}" / "katib-local.db"
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT labels FROM trial_labels").fetchall()
    return 1 + max((int(json.loads(r[0]).get(GENERATION, 0)) for r in rows), default=-1)


def _span(values: Sequence[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def _cell(values: Sequence[float], fmt: str) -> str:
    if not values:
        return "-"
    return (
        f"{format(statistics.median(values), fmt)} [{format(min(values), fmt)}, {format(max(values), fmt)}]"
    )


def table_optimum(where: dict[str, str] | None = None) -> float:
    """The lowest 10-epoch ``val_rmse`` in the reference table (of the configurations matching ``where``)."""
    rows = json.loads(TABLE_PATH.read_text())["rows"].values()
    return min(min(r["val_rmse"]) for r in rows if all(r["config"][k] == v for k, v in (where or {}).items()))


def markdown(runs: list[dict[str, Any]], meta: dict[str, str]) -> str:
    seeds = sorted({r["seed"] for r in runs})
    by = {(r["policy"], r["seed"]): r for r in runs}
    optimum, pbt_optimum = table_optimum(), table_optimum({"units": "32", "num-layers": "1"})
    none_epochs = [r["trial_epochs"] for r in runs if r["policy"] == "none"]
    lines = [
        "## Compute-saving algorithms, live: none, medianstop, hyperband, pbt",
        "",
        f"Command: `{meta['command']}`. Machine: {meta['machine']}. Commit {meta['revision']}.",
        "",
        "**What was measured.** Each policy run for real with `katib-local run` on the trainer's built-in "
        "synthetic data, over the reference table's space (optimizer, learning rate, units, layers; the "
        "table's fixed flags, one thread per trial), minimising `val_rmse` (min over epochs), "
        f"seeds {', '.join(map(str, seeds))} (the `random_state` of the algorithm; the trainer's own seed is "
        "fixed, so a configuration trained for the same epochs gives the same curve: the live check above "
        "found no difference). `none`: random search, 15 trials of 10 epochs, 3 in parallel. `medianstop`: "
        "the same with Katib's medianstop defaults (min_trials_required 3, start_step 4). `hyperband`: "
        "Katib's service over `epochs` (`r_l` 9, `eta` 3: rungs of 1, 3 and 9 epochs, each rung new trials "
        "from scratch), 9 in parallel, until the service has no more brackets (on Katib v0.19 it would "
        "stall after the first rung: docs/katib-local.md). `pbt`: Katib's service, population 5, truncation "
        "0.2, 40 trials of 2 epochs each beyond the parent's checkpoint (`--epochs-per-run`), 3 in "
        "parallel, over optimizer and learning rate only, units 32 and 1 layer fixed (a child continues its "
        "parent's weights, so the model's shape cannot change). Trial-epochs: epochs the trials printed. "
        f"Regret: best found - the table's optimum ({optimum:.3f}, 10 epochs; for pbt's sub-space, units 32 "
        f"and 1 layer: {pbt_optimum:.3f}). Cells: median [min, max] over seeds.",
        "",
        "| policy | runs | trials | trial-epochs | saved vs none | best val_rmse | regret |",
        "|---|---|---|---|---|---|---|",
    ]
    for policy in POLICIES:
        mine = [r for r in runs if r["policy"] == policy]
        if not mine:
            continue
        best = [r["best"] for r in mine if r["best"] is not None]
        reference = pbt_optimum if policy == "pbt" else optimum
        epochs = [r["trial_epochs"] for r in mine]
        saved = (
            f"{1 - statistics.median(epochs) / statistics.median(none_epochs):.0%}" if none_epochs else "-"
        )
        lines.append(
            f"| `{policy}` | {len(mine)} | {_cell([r['trials'] for r in mine], '.0f')} | "
            f"{_cell(epochs, '.0f')} | {saved} | {_cell(best, '.3f')} | "
            f"{_cell([b - reference for b in best], '.3f')} |"
        )
    lines += ["", "Per seed (best val_rmse / trial-epochs):", ""]
    present = [p for p in POLICIES if any(r["policy"] == p for r in runs)]
    lines += ["| seed | " + " | ".join(f"`{p}`" for p in present) + " |", "|---" * (len(present) + 1) + "|"]
    for seed in seeds:
        cells = []
        for policy in present:
            r = by.get((policy, seed))
            cells.append("-" if r is None or r["best"] is None else f"{r['best']:.3f} / {r['trial_epochs']}")
        lines.append(f"| {seed} | " + " | ".join(cells) + " |")
    statuses: dict[str, dict[str, int]] = {p: {} for p in present}
    for r in runs:
        for status, count in r["statuses"].items():
            statuses[r["policy"]][status] = statuses[r["policy"]].get(status, 0) + count
    spreads = []
    for policy in present:
        best = [
            by[(policy, seed)]["best"]
            for seed in seeds
            if (policy, seed) in by and by[(policy, seed)]["best"]
        ]
        if len(best) > 1:
            spreads.append(f"`{policy}` {max(best) - min(best):.3f}")
    same_best = sum(
        1
        for seed in seeds
        if ("none", seed) in by
        and ("medianstop", seed) in by
        and by[("none", seed)]["best"] == by[("medianstop", seed)]["best"]
    )
    same_draws = sum(
        1
        for seed in seeds
        if (c := _configurations("none", seed)) and c == _configurations("medianstop", seed)
    )
    lines += [
        "",
        f"**Noise.** {len(seeds)} seeds. The spread (max - min over seeds) of the best val_rmse is "
        + ", ".join(spreads)
        + ": a difference between two policies smaller than their spreads is within the search's sampling "
        "noise (which configurations a seed draws), not a property of the policy. Median stop found the "
        f"same best as no early stopping in {same_best} of {len(seeds)} seeds; in {same_draws} of "
        f"{len(seeds)} the two drew the same configurations in the same order (random search draws from its "
        "seed and the history's length; the batch sizes can differ when trials end at other moments). "
        "Time is not compared: the runs shared 2 cores with other work.",
    ]
    pbt_seeds = [seed for seed in seeds if ("pbt", seed) in by]
    if pbt_seeds:
        deepest = [_generations(seed) for seed in pbt_seeds]
        lines += [
            "",
            f"**pbt's figures are not like the others'.** Its lineages reached {_span(deepest)} "
            f"generations, i.e. up to {2 * max(deepest)} epochs of training along one lineage (2 per trial), "
            "more than the table's 10, so its regret (against the 10-epoch optimum of its sub-space) can go "
            "below zero; and it searched a smaller space (units 32, 1 layer), whose best is "
            f"{pbt_optimum - optimum:.3f} above the whole table's. Its trial-epochs count only the epochs "
            "each trial trained itself.",
        ]
    for policy in present:
        missing = [str(seed) for seed in seeds if (policy, seed) not in by]
        if missing:
            lines += [
                "",
                f"**Not finished:** `{policy}` seed(s) {', '.join(missing)} (the runs were stopped; "
                f"rerunning the command with `--policies {policy}` resumes them from their stored state).",
            ]
    lines += [
        "",
        "Trial outcomes over all seeds: "
        + "; ".join(
            f"`{p}` " + ", ".join(f"{n} {s}" for s, n in sorted(c.items())) for p, c in statuses.items()
        )
        + ".",
        "",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--policies", nargs="+", choices=POLICIES, default=list(POLICIES))
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--write-docs", action="store_true", help="only write the section from cached runs")
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    if not args.write_docs:
        help_text = subprocess.run(
            [sys.executable, "-m", "trainer", "--help"], cwd=REPO, capture_output=True, text=True
        ).stdout
        for seed in args.seeds:
            for policy in args.policies:
                cache = args.root / f"{policy}-{seed}.json"
                if cache.exists():
                    continue
                if policy == "pbt" and PBT_FLAG not in help_text:
                    print(f"pbt skipped: the trainer has no {PBT_FLAG}", file=sys.stderr)
                    continue
                cache.write_text(json.dumps(run_policy(policy, seed, args.root), indent=1) + "\n")
    runs = [json.loads(p.read_text()) for p in sorted(args.root.glob("*-*.json"))]
    command = command_line()
    if args.write_docs:
        seeds = " ".join(str(seed) for seed in sorted({r["seed"] for r in runs}))
        command = f"python bench/compute_saving_live.py --seeds {seeds}`, each run cached, then `--write-docs"
    meta = {"command": command, "machine": machine_description(), "revision": git_revision()}
    text = markdown(runs, meta)
    print(text)
    write_section("compute-saving-live", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
