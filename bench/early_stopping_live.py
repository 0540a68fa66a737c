"""Live check of the early-stopping replay: one Experiment run for real with ``katib-local run``, then
replayed against the reference table with the same settings, trial by trial.

The Experiment is random search over the reference table's space (the same fixed trainer flags as
``bench/reference_table.py``), Katib's medianstop with its defaults (min_trials_required 3, start_step 4),
``random_state`` 0, one trial at a time. With one trial at a time the suggestion calls are the same live and
replayed (each asks for one trial, after the same history), so a faithful replay must give the same
configurations in the same order, the same statuses (Succeeded / EarlyStopped) and the same ``val_rmse``
curves. The check reports every difference.

    python bench/early_stopping_live.py   # about 20 real trainer runs; the early-stopping-live section
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/early_stopping_live.py
    sys.path.insert(0, str(REPO))

from bench._replay import KatibMedianStop, discrete_parameters, experiment, replay  # noqa: E402
from bench._tabular import RESULTS_DIR, SPACE, TABLE_PATH, Table, parse_metric_lines  # noqa: E402
from bench.reference_table import FIXED_FLAGS  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402
from katib_local.controller.medianstop import MedianStopSettings  # noqa: E402

NAME = "table-random-medianstop"
ROOT = REPO / "out" / "early-stopping-live"
SETTINGS = MedianStopSettings(min_trials_required=3, start_step=4)


def live_experiment(seed: int, max_trials: int) -> dict[str, Any]:
    """The Katib Experiment (a plain dict, ready for YAML) whose trials are the reference table's runs."""
    refs = {name: name.replace("-", "_") for name in SPACE}
    flags = [f if f != "--threads=0" else "--threads=1" for f in FIXED_FLAGS]
    command = [
        "python",
        "-m",
        "trainer",
        *flags,
        *(f"--{n}=${{trialParameters.{r}}}" for n, r in refs.items()),
    ]
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": NAME, "namespace": "katib-forecast"},
        "spec": {
            "objective": {"type": "minimize", "objectiveMetricName": "val_rmse"},
            "algorithm": {
                "algorithmName": "random",
                "algorithmSettings": [{"name": "random_state", "value": str(seed)}],
            },
            "earlyStopping": {
                "algorithmName": "medianstop",
                "algorithmSettings": [
                    {"name": "min_trials_required", "value": str(SETTINGS.min_trials_required)},
                    {"name": "start_step", "value": str(SETTINGS.start_step)},
                ],
            },
            "metricsCollectorSpec": {"collector": {"kind": "StdOut"}},
            "parallelTrialCount": 1,
            "maxTrialCount": max_trials,
            "parameters": discrete_parameters(),
            "trialTemplate": {
                "retain": True,
                "primaryContainerName": "trainer",
                "trialParameters": [{"name": r, "reference": n} for n, r in refs.items()],
                "trialSpec": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [
                                    {
                                        "name": "trainer",
                                        "image": "ghcr.io/katib-forecast/katib-forecast-trainer:0.1.0",
                                        "command": command,
                                        "env": [{"name": "TF_CPP_MIN_LOG_LEVEL", "value": "2"}],
                                        "resources": {"limits": {"cpu": "1"}},
                                    }
                                ],
                            }
                        }
                    },
                },
            },
        },
    }


def run_live(exp: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    """``katib-local run`` the Experiment from scratch; each trial's results row plus its val_rmse curve."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    path = root / "experiment.yaml"
    path.write_text(yaml.safe_dump(exp, sort_keys=False))
    cli = [sys.executable, "-m", "katib_local"]
    subprocess.run([*cli, "run", str(path), "--root", str(root), "--plain"], cwd=REPO, check=True)
    out = subprocess.run(
        [*cli, "results", NAME, "--root", str(root), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    trials: list[dict[str, Any]] = json.loads(out.stdout)
    for t in trials:
        log = root / "experiments" / NAME / "trials" / t["name"] / "metrics.log"
        t["curve"] = parse_metric_lines(log.read_text())["val_rmse"] if log.exists() else []
    return trials


def compare(table: Table, live: list[dict[str, Any]], seed: int, max_trials: int) -> dict[str, Any]:
    """Trial-by-trial comparison of the live run with its replay."""
    exp = experiment("random", seed, max_trials=max_trials, parallel=1, medianstop=SETTINGS)
    replayed = replay(table, exp, KatibMedianStop(SETTINGS)).trials
    rows = []
    for i, (lv, rp) in enumerate(zip(live, replayed, strict=False), start=1):
        live_config = {k: lv["parameters"][k] for k in SPACE}
        n = len(rp.reported)
        rows.append(
            {
                "trial": i,
                "config": live_config,
                "same_config": live_config == rp.config,
                "live_status": lv["status"],
                "replay_status": rp.status.value,
                "live_epochs": len(lv["curve"]),
                "replay_epochs": n,
                "curve_max_diff": max(
                    (abs(a - b) for a, b in zip(lv["curve"][:n], rp.reported, strict=False)), default=0.0
                ),
                "live_objective": lv["metrics"].get("val_rmse"),
                "replay_objective": rp.objective,
            }
        )
    return {
        "trials_live": len(live),
        "trials_replayed": len(replayed),
        "same_configs": sum(r["same_config"] for r in rows),
        "same_status": sum(r["live_status"] == r["replay_status"] for r in rows),
        "same_epochs": sum(r["live_epochs"] == r["replay_epochs"] for r in rows),
        "max_curve_diff": max((r["curve_max_diff"] for r in rows), default=0.0),
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    c = result["comparison"]
    stopped_live = sum(r["live_status"] == "EarlyStopped" for r in c["rows"])
    stopped_replay = sum(r["replay_status"] == "EarlyStopped" for r in c["rows"])
    lines = [
        "## Early stopping, live check: katib-local run vs its replay",
        "",
        f"Command: `{result['command']}`. Machine: {result['machine']}. Commit {result['revision']}.",
        "",
        "One Experiment run **live** with `katib-local run` (random search over the reference table's "
        f"space, `random_state` {result['seed']}, {result['max_trials']} trials one at a time, medianstop "
        "with Katib's defaults, the trainer with the table's fixed flags), then replayed against the table "
        "with the same settings. Agreement, trial by trial:",
        "",
        "| check | result |",
        "|---|---|",
        f"| trials (live / replayed) | {c['trials_live']} / {c['trials_replayed']} |",
        f"| same configuration, same order | {c['same_configs']} of {len(c['rows'])} |",
        f"| same status (Succeeded / EarlyStopped) | {c['same_status']} of {len(c['rows'])} |",
        f"| early-stopped (live / replayed) | {stopped_live} / {stopped_replay} |",
        f"| same number of epochs reported | {c['same_epochs']} of {len(c['rows'])} |",
        f"| largest difference of a reported val_rmse | {c['max_curve_diff']:.5f} |",
        "",
        "A live early-stopped trial is stopped by SIGTERM after its 4th `val_rmse` line; if it prints "
        "another epoch before the signal lands, its epoch count differs from the replay's (the replay "
        "assumes an instant stop).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-trials", type=int, default=20)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--table", type=Path, default=TABLE_PATH)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    table = Table.load(args.table)
    live = run_live(live_experiment(args.seed, args.max_trials), args.root)
    result = {
        "command": command_line(),
        "machine": machine_description(),
        "revision": git_revision(),
        "seed": args.seed,
        "max_trials": args.max_trials,
        "comparison": compare(table, live, args.seed, args.max_trials),
    }
    (RESULTS_DIR / "early_stopping_live.json").write_text(json.dumps(result, indent=1) + "\n")
    text = markdown(result)
    print(text)
    if not args.no_docs:
        write_section("early-stopping-live", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
