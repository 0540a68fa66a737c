"""The wall time a user feels: a whole local experiment, for two checkouts of this project, in one run.

``make run`` is ``katib-local run examples/local-grid.yaml``; this times exactly that command (the run
alone: the virtualenv already exists), with a fresh ``--root`` each time, for every checkout given, in
interleaved rounds (A B A B ...) so that drifting machine load falls on both alike. Each checkout runs with
``PYTHONPATH`` set to itself, so its own ``trainer`` and ``katib_local`` packages are the ones used (the
virtualenv's editable install of the current checkout is shadowed); the Experiment file is the checkout's own.

``--experiment cmapss`` times the 12-trial C-MAPSS FD001 search (``examples/cmapss-bayesian-local.yaml``),
with the data copied where the Experiment's shared volume points, as ``bench/cmapss_tuning.py search`` does.

Each finished run is cached in the ``--json`` file and skipped when the script is started again, so a
stopped run resumes.

Usage (the "before" checkout is a worktree of an older commit):
    git worktree add /tmp/before <commit>
    python bench/user_wall_time.py --json out/wall-make-run.json --checkout before=/tmp/before \\
        --checkout after=. --rounds 2
    python bench/user_wall_time.py --render out/wall-make-run.json out/wall-cmapss.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import command_line, git_revision, machine_description, write_section

SECTION = "user-wall-time"
EXPERIMENTS = {
    "make-run": ("examples/local-grid.yaml", "make run (examples/local-grid.yaml: 18 trials, 2 at a time)"),
    "cmapss": (
        "examples/cmapss-bayesian-local.yaml",
        "C-MAPSS FD001 local search (examples/cmapss-bayesian-local.yaml: 12 trials, 1 at a time)",
    ),
}
CMAPSS_FILES = ("train_FD001.txt", "test_FD001.txt", "RUL_FD001.txt")


def _revision(checkout: Path) -> str:
    """The checkout's short commit, with ``+dirty`` when its tree has uncommitted changes (taken when the
    measurement starts: a later round runs the tree as it is then)."""
    git = ["git", "-C", str(checkout)]
    try:
        rev = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


def _prepare_root(root: Path, experiment: str, data_dir: Path) -> None:
    if experiment == "cmapss":
        target = root / "volumes" / "hpo-shared" / "data" / "cmapss"
        target.mkdir(parents=True)
        for name in CMAPSS_FILES:
            shutil.copy(data_dir / name, target / name)


def time_one(checkout: Path, experiment: str, data_dir: Path) -> dict[str, Any]:
    """One run of the experiment from ``checkout`` in a fresh root: wall seconds, trial statuses."""
    yaml_path = checkout / EXPERIMENTS[experiment][0]
    with tempfile.TemporaryDirectory(prefix="wall-") as tmp:
        root = Path(tmp) / "runs"
        _prepare_root(root, experiment, data_dir)
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        command = [sys.executable, "-m", "katib_local", "run", str(yaml_path), "--root", str(root), "--plain"]
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=checkout, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        name = _experiment_name(yaml_path)
        results = subprocess.run(
            [sys.executable, "-m", "katib_local", "results", name, "--root", str(root), "--format", "json"],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"{checkout}: katib-local run exited {proc.returncode}: {proc.stderr[-2000:]}")
    trials = json.loads(results.stdout) if results.returncode == 0 else []
    statuses: dict[str, int] = {}
    for trial in trials if isinstance(trials, list) else []:
        statuses[str(trial.get("status"))] = statuses.get(str(trial.get("status")), 0) + 1
    return {"seconds": seconds, "statuses": statuses}


def _experiment_name(yaml_path: Path) -> str:
    import yaml

    for document in yaml.safe_load_all(yaml_path.read_text()):
        if isinstance(document, dict) and document.get("kind") == "Experiment":
            return str(document["metadata"]["name"])
    raise ValueError(f"{yaml_path}: no Experiment")


def run_rounds(
    record: dict[str, Any],
    checkouts: dict[str, Path],
    experiment: str,
    rounds: int,
    data_dir: Path,
    out: Path,
) -> None:
    """Fill ``record['runs']`` round by round, saving after each run (a restart skips what is there)."""
    runs = record.setdefault("runs", {})
    for round_index in range(rounds):
        for label, checkout in checkouts.items():
            done = runs.setdefault(label, [])
            if len(done) > round_index:
                continue
            result = time_one(checkout, experiment, data_dir)
            done.append(result)
            out.write_text(json.dumps(record, indent=2) + "\n")
            print(
                f"{label} round {round_index + 1}: {result['seconds']:.1f} s {result['statuses']}", flush=True
            )


def render(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown section: one table row per checkout and experiment, and the ratio to the first."""
    lines = [
        "## What a user feels: whole local experiments, before and after",
        "",
        "Wall time of `katib-local run` from the command to the leaderboard (the virtualenv present, a fresh",
        "state root each run), the checkouts interleaved in one run (`bench/user_wall_time.py`).",
        "",
        "| experiment | checkout | revision | runs (s) | median (s) | speed-up vs first | trial statuses |",
        "|---|---|---|---|---|---|---|",
    ]
    for rec in records:
        labels = list(rec["checkouts"])
        base = statistics.median(r["seconds"] for r in rec["runs"][labels[0]])
        for label in labels:
            runs = rec["runs"].get(label, [])
            if not runs:
                continue
            median = statistics.median(r["seconds"] for r in runs)
            each = ", ".join(f"{r['seconds']:.1f}" for r in runs)
            statuses = "; ".join(
                " ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items())) for r in runs[:1]
            )
            lines.append(
                f"| {EXPERIMENTS[rec['experiment']][1]} | {label} | {rec['checkouts'][label]['revision']} "
                f"| {each} | {median:.1f} | {base / median:.2f}x | {statuses} |"
            )
    lines += ["", "Machines and commands:", ""]
    lines += [
        f"- {rec['machine']}; `{rec['command']}`; {rec.get('note', '')}".rstrip("; ") for rec in records
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="the record to fill (resumed when it exists)")
    parser.add_argument("--render", nargs="+", type=Path, help="render these records into docs/benchmarks.md")
    parser.add_argument("--checkout", action="append", default=[], help="LABEL=DIR, in table order")
    parser.add_argument("--experiment", choices=list(EXPERIMENTS), default="make-run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--note", default="", help="measurement conditions, shown with the figures")
    parser.add_argument(
        "--cmapss-dir",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared" / "datasets" / "cmapss",
    )
    args = parser.parse_args(argv)
    if args.render:
        write_section(SECTION, render([json.loads(p.read_text()) for p in args.render]))
        print(f"wrote section {SECTION!r} of docs/benchmarks.md")
        return 0
    if not args.json or not args.checkout:
        parser.error("--json and at least one --checkout are needed to measure")
    checkouts = {}
    for item in args.checkout:
        label, _, directory = item.partition("=")
        if not directory:
            parser.error(f"--checkout {item!r}: expected LABEL=DIR")
        checkouts[label] = Path(directory).resolve()
    record: dict[str, Any] = json.loads(args.json.read_text()) if args.json.exists() else {}
    record.update(
        experiment=args.experiment,
        machine=machine_description(),
        command=command_line(),
        revision=git_revision(),
        note=args.note or record.get("note", ""),
        checkouts={
            label: {"path": str(path), "revision": _revision(path)} for label, path in checkouts.items()
        },
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    run_rounds(record, checkouts, args.experiment, args.rounds, args.cmapss_dir, args.json)
    print(render([record]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
