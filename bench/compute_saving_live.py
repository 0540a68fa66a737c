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
import json
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

from bench._tabular import SPACE, parse_metric_lines  # noqa: E402
from bench.early_stopping_live import live_experiment  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402

ROOT = REPO / "out" / "compute-saving-live"
POLICIES = ("none", "medianstop", "hyperband", "pbt")
PBT_FLAG = "--epochs-per-run"
"""The trainer flag that makes a resumed run train that many epochs beyond its checkpoint (PBT's need)."""
CHECKPOINTS = "/mnt/checkpoints"


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


def _cell(values: Sequence[float], fmt: str) -> str:
    if not values:
        return "-"
    return (
        f"{format(statistics.median(values), fmt)} [{format(min(values), fmt)}, {format(max(values), fmt)}]"
    )


def markdown(runs: list[dict[str, Any]], meta: dict[str, str]) -> str:
    seeds = sorted({r["seed"] for r in runs})
    lines = [
        "## Compute-saving algorithms, live: none, medianstop, hyperband, pbt",
        "",
        f"Command: `{meta['command']}`. Machine: {meta['machine']}. Commit {meta['revision']}.",
        "",
        "**What was measured.** Each policy run for real with `katib-local run` on the trainer's built-in "
        "synthetic data, over the reference table's space (optimizer, learning rate, units, layers; the "
        "table's fixed flags, one thread per trial), minimising `val_rmse` (min over epochs), "
        f"seeds {', '.join(map(str, seeds))} (the `random_state` of the algorithm; the trainer's seed is "
        "fixed). `none`: random search, 15 trials of 10 epochs, 3 in parallel. `medianstop`: the same with "
        "Katib's medianstop defaults (3, 4). `hyperband`: Katib's service over `epochs` (`r_l` 9, `eta` 3: "
        "rungs of 1, 3 and 9 epochs, each rung new trials from scratch), 9 in parallel, until the service "
        "has no more brackets (on Katib v0.19 it would stall after the first rung, see docs/katib-local.md). "
        "Trial-epochs: epochs the trials printed. Cells: median [min, max] over seeds.",
        "",
        "| policy | runs | trials | trial-epochs | best val_rmse |",
        "|---|---|---|---|---|",
    ]
    for policy in POLICIES:
        mine = [r for r in runs if r["policy"] == policy]
        if not mine:
            continue
        best = [r["best"] for r in mine if r["best"] is not None]
        lines.append(
            f"| `{policy}` | {len(mine)} | {_cell([r['trials'] for r in mine], '.0f')} | "
            f"{_cell([r['trial_epochs'] for r in mine], '.0f')} | {_cell(best, '.3f')} |"
        )
    lines.append("")
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
    meta = {"command": command_line(), "machine": machine_description(), "revision": git_revision()}
    text = markdown(runs, meta)
    print(text)
    write_section("compute-saving-live", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
