"""What ``katib-local`` costs on top of its trials: runner wall time against the trials' own time.

    python bench/runner_overhead.py [--trials 16] [--epochs 3] [--epoch-seconds 0.1] [--parallel 1 4]
                                    [--trainer] [--write]

Each case runs ``katib-local run`` as a child process (so its own start-up, imports, suggestion calls,
SQLite writes and trial start/stop handling all count) on an experiment of ``--trials`` trials of a TF-free
trial program that prints ``--epochs`` Katib metric lines, sleeping ``--epoch-seconds`` before each. The sum
of trial times is taken from the trials' own spans in the runner's database (process start to recorded end).

- sequential (``--parallel 1``): overhead = wall - sum(trial spans), also per trial;
- parallel (``P > 1``): the ideal wall is sum(trial spans) / P (the trials sleep, so they do not compete
  for the CPU); efficiency = ideal / wall.

``--trainer`` adds a case with the real trainer (4 tiny trials, parallel 2), where the trials' time is
mostly TensorFlow's start-up. With ``--write`` the table replaces the "Runner overhead" section of
docs/benchmarks.md, with the command and the machine.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/runner_overhead.py` anywhere

from bench.report import command_line, git_revision, machine_description, write_section

SECTION = "runner-overhead"
REPO = Path(__file__).resolve().parents[1]

TRIAL_PROGRAM = """\
import sys, time
from datetime import datetime, timezone
x = float(sys.argv[1].split("=", 1)[1]); epochs = int(sys.argv[2]); pause = float(sys.argv[3])
for epoch in range(1, epochs + 1):
    time.sleep(pause)
    stamp = datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    print(f"{stamp} epoch={epoch} objective={(x - 1) ** 2 + 1 / epoch}", flush=True)
"""


@dataclass(frozen=True)
class Case:
    label: str
    parallel: int
    trials: int
    wall: float
    trial_sum: float
    startup: float
    shutdown: float

    @property
    def ideal(self) -> float:
        return self.trial_sum / self.parallel

    @property
    def overhead(self) -> float:
        return self.wall - self.ideal

    @property
    def per_trial(self) -> float:
        """Overhead beyond start-up and shut-down, per trial."""
        return (self.overhead - self.startup - self.shutdown) / self.trials


def experiment(name: str, command: list[str], trials: int, parallel: int, objective: str) -> dict[str, Any]:
    """A random-search Experiment over ``x`` (one categorical value per trial) running ``command``."""
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": name},
        "spec": {
            "objective": {"type": "minimize", "objectiveMetricName": objective},
            "algorithm": {
                "algorithmName": "random",
                "algorithmSettings": [{"name": "random_state", "value": "1"}],
            },
            "parallelTrialCount": parallel,
            "maxTrialCount": trials,
            "parameters": [
                {
                    "name": "x",
                    "parameterType": "categorical",
                    "feasibleSpace": {"list": [str(i) for i in range(trials)]},
                }
            ],
            "trialTemplate": {
                "primaryContainerName": "main",
                "trialParameters": [{"name": "x", "reference": "x"}],
                "trialSpec": {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "spec": {
                        "template": {
                            "spec": {
                                "restartPolicy": "Never",
                                "containers": [{"name": "main", "image": "python", "command": command}],
                            }
                        }
                    },
                },
            },
        },
    }


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def run_case(workdir: Path, label: str, doc: dict[str, Any]) -> Case:
    """Run one experiment in a fresh root and measure it."""
    name = doc["metadata"]["name"]
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    root = workdir / f"root-{name}"
    launched = datetime.now(tz=timezone.utc)
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "katib_local", "run", str(path), "--root", str(root), "--plain"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - began
    exited = datetime.now(tz=timezone.utc)
    if proc.returncode != 0:
        raise SystemExit(f"{label}: katib-local exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    with sqlite3.connect(root / "katib-local.db") as conn:
        rows = [
            (_parse(s), _parse(e))
            for s, e in conn.execute(
                "SELECT started, completed FROM trials WHERE experiment = ? AND status = 'Succeeded'", (name,)
            )
        ]
    spec = doc["spec"]
    if len(rows) != spec["maxTrialCount"]:
        raise SystemExit(f"{label}: {len(rows)} trials succeeded, expected {spec['maxTrialCount']}")
    spans = sum((e - s).total_seconds() for s, e in rows)
    startup = (min(s for s, _ in rows) - launched).total_seconds()
    shutdown = (exited - max(e for _, e in rows)).total_seconds()
    return Case(label, spec["parallelTrialCount"], len(rows), wall, spans, startup, shutdown)


def markdown(cases: list[Case], args: argparse.Namespace) -> str:
    lines = [
        "## Runner overhead",
        "",
        f"Command: `{command_line()}` (commit {git_revision()})  ",
        f"Machine: {machine_description()}",
        "",
        "`katib-local run` as a child process, start to exit, against the trials' own spans (process start "
        "to recorded end, from the runner's database). TF-free trials print "
        f"{args.epochs} metric lines, sleeping {args.epoch_seconds} s before each; random search (hyperopt).",
        "",
        "| case | parallel | trials | runner wall (s) | sum of trial spans (s) | ideal = sum / parallel (s) "
        "| overhead = wall - ideal (s) | of which start-up (s) | shut-down (s) | rest per trial (ms) "
        "| efficiency = ideal / wall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cases:
        lines.append(
            f"| {c.label} | {c.parallel} | {c.trials} | {c.wall:.2f} | {c.trial_sum:.2f} | {c.ideal:.2f} | "
            f"{c.overhead:.2f} | {c.startup:.2f} | {c.shutdown:.2f} | {1000 * c.per_trial:.0f} | "
            f"{c.ideal / c.wall:.0%} |"
        )
    lines += [
        "",
        "Start-up is launch to the first trial's start (Python, imports of the suggestion libraries, "
        "validation, the first suggestion call); shut-down is the last trial's recorded end to exit (the "
        "leaderboard). The rest, per trial, is suggestion calls, SQLite transactions, process spawn and "
        "reader-thread hand-off; in the parallel case it also holds the time a slot waits for the next batch "
        "(Katib creates a batch only when the loop turns, one trial end at a time). Trial spans include the "
        "trial's own Python start-up.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--epoch-seconds", type=float, default=0.1)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--trainer", action="store_true", help="add a case with the real trainer")
    parser.add_argument("--write", action="store_true", help="rewrite the section of docs/benchmarks.md")
    args = parser.parse_args(argv)
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="runner-overhead-") as tmp:
        workdir = Path(tmp)
        program = workdir / "trial.py"
        program.write_text(TRIAL_PROGRAM)
        for parallel in args.parallel:
            command = [
                "python",
                str(program),
                "--x=${trialParameters.x}",
                str(args.epochs),
                str(args.epoch_seconds),
            ]
            doc = experiment(f"overhead-p{parallel}", command, args.trials, parallel, "objective")
            cases.append(run_case(workdir, "TF-free trial", doc))
            print(cases[-1], flush=True)
        if args.trainer:
            command = [
                "python",
                "-m",
                "trainer",
                "--synthetic-units=10",
                "--synthetic-min-life=40",
                "--synthetic-max-life=60",
                "--window=8",
                "--stride=8",
                "--epochs=1",
                "--threads=1",
                "--units=${trialParameters.x}",
            ]
            doc = experiment("overhead-trainer", command, 4, 2, "val_rmse")
            doc["spec"]["parameters"][0]["feasibleSpace"]["list"] = ["4", "5", "6", "7"]
            cases.append(run_case(workdir, "real trainer, tiny data", doc))
            print(cases[-1], flush=True)
    text = markdown(cases, args)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
