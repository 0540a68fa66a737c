"""C-MAPSS FD001: the tuned configuration, reproduced with one command, beside published results.

Three steps, each one command (all from the repository root):

    python bench/cmapss_tuning.py search   # copy FD001 to the local volume, katib-local run the local twin
    python bench/cmapss_tuning.py record   # best trial of that search -> bench/results/cmapss_fd001_best.json
    python bench/cmapss_tuning.py          # retrain the recorded best configuration, print test_rmse/score
    python bench/cmapss_tuning.py fd002-check   # FD002, one configuration, --condition-norm=6 vs global

``search`` runs ``examples/cmapss-bayesian-local.yaml`` (the twin of
``manifests/experiment-cmapss-bayesian.yaml``) with ``katib-local run --root out/cmapss-search``, after
copying ``train/test/RUL_FD001.txt`` from ``--cmapss-dir`` (default ``../shared/datasets/cmapss``) to
``out/cmapss-search/volumes/hpo-shared/data/cmapss/``, where the twin's ``/mnt/shared/data/cmapss`` points.
``record`` reads the finished trials (``katib-local results --format json``), keeps the best by the
objective (``val_rmse``, min over epochs, EarlyStopped trials included, as Katib picks its optimal trial)
and writes its assignments, its trial command's flags and its test metrics. The default command retrains that
configuration with the trainer (``python -m trainer``, same flags and seed), prints its final line, and with
``--write-docs`` writes the ``cmapss`` section of ``docs/benchmarks.md`` with the published FD001 numbers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/cmapss_tuning.py
    sys.path.insert(0, str(REPO))

from bench._tabular import RESULTS_DIR, parse_metric_lines  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402

TWIN = REPO / "examples" / "cmapss-bayesian-local.yaml"
EXPERIMENT = "forecast-cmapss-local"
ROOT = REPO / "out" / "cmapss-search"
BEST_PATH = RESULTS_DIR / "cmapss_fd001_best.json"
FILES = ("train_FD001.txt", "test_FD001.txt", "RUL_FD001.txt")
PUBLISHED = (
    ("LSTM, Zheng et al. 2017", 16.14, 338.0),
    ("DCNN, Li et al. 2018", 12.61, 273.7),
)
"""FD001 test RMSE and PHM08 score as published (capped-at-125 protocol, last window per test unit)."""


def prepare_data(cmapss_dir: Path, root: Path) -> Path:
    """Copy FD001's three files to the local ``hpo-shared`` volume; returns the directory."""
    target = root / "volumes" / "hpo-shared" / "data" / "cmapss"
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        source = cmapss_dir / name
        if not source.is_file():
            raise SystemExit(
                f"{source}: no such file (pass --cmapss-dir, the folder holding {', '.join(FILES)})"
            )
        shutil.copyfile(source, target / name)
    return target


def search(cmapss_dir: Path, root: Path, max_trials: int | None) -> int:
    prepare_data(cmapss_dir, root)
    cmd = [sys.executable, "-m", "katib_local", "run", str(TWIN), "--root", str(root), "--plain"]
    if max_trials is not None:
        cmd += ["--max-trials", str(max_trials)]
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=REPO, check=False).returncode


def results(root: Path) -> list[dict[str, Any]]:
    """``katib-local results --format json`` of the search, each trial with ``objective`` (its ``val_rmse``
    under the metric strategy, or None) and ``assignments`` added."""
    proc = subprocess.run(
        [sys.executable, "-m", "katib_local", "results", EXPERIMENT, "--root", str(root), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(proc.stdout)
    trials: list[dict[str, Any]] = data["trials"] if isinstance(data, dict) and "trials" in data else data
    for t in trials:
        metrics = t.get("metrics") or {}
        t.setdefault("objective", metrics.get("val_rmse"))
        t.setdefault("assignments", t.get("parameters") or {})
    return trials


def trial_flags(assignments: dict[str, str]) -> list[str]:
    """The trainer flags of the twin's trial command for ``assignments``, minus output paths and names (the
    checkpoint directory too: a retrain starts from scratch; and the volume's XLA cache); the data path
    points at ``--cmapss-dir`` instead of the volume."""

    exp = yaml.safe_load(TWIN.read_text())
    template = exp["spec"]["trialTemplate"]
    refs = {p["name"]: p["reference"] for p in template["trialParameters"]}
    container = template["trialSpec"]["spec"]["template"]["spec"]["containers"][0]
    flags: list[str] = []
    for word in container["command"][3:]:
        if word.startswith(
            (
                "--log-dir",
                "--model-dir",
                "--model-version",
                "--checkpoint-dir",
                "--xla-cache-dir",
                "--trial-name",
                "--experiment-name",
            )
        ):
            continue
        for name, ref in refs.items():
            if ref in assignments:
                word = word.replace("${trialParameters." + name + "}", assignments[ref])
        flags.append(word)
    return flags


def record(root: Path) -> int:
    trials = [t for t in results(root) if t.get("objective") is not None]
    if not trials:
        raise SystemExit(f"no trial with an objective under {root}: run `search` first")
    best = min(trials, key=lambda t: float(t["objective"]))
    record = {
        "experiment": EXPERIMENT,
        "source": str(TWIN.relative_to(REPO)),
        "trials_with_objective": len(trials),
        "best_trial": best,
        "flags": trial_flags({k: str(v) for k, v in best["assignments"].items()}),
        "all_trials": trials,
    }
    BEST_PATH.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(json.dumps({"best": best}, indent=1))
    return 0


def retrain(cmapss_dir: Path, extra: Sequence[str]) -> dict[str, Any]:
    """Train the recorded best configuration as a fresh ``python -m trainer`` and parse its lines."""
    saved = json.loads(BEST_PATH.read_text())
    flags = [
        f"--data={cmapss_dir / 'train_FD001.txt'}" if f.startswith("--data=") else f for f in saved["flags"]
    ]
    cmd = [sys.executable, "-m", "trainer", *flags, *extra]
    print("+", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    sys.stderr.write(
        "\n".join(line for line in proc.stderr.splitlines() if line.startswith("trainer:")) + "\n"
    )
    print(proc.stdout, end="")
    if proc.returncode != 0:
        raise SystemExit(f"trainer exited {proc.returncode}")
    parsed = parse_metric_lines(proc.stdout)
    return {"command": cmd, "val_rmse": parsed["val_rmse"], "final": parsed["final"], "saved": saved}


FD002_FLAGS = (
    "--drop-constant-std=1e-6",
    "--rul-cap=125",
    "--epochs=8",
    "--patience=0",
    "--architecture=lstm",
    "--units=64",
    "--num-layers=2",
    "--batch-size=256",
    "--learning-rate=0.003",
    "--dropout=0.1",
    "--threads=1",
    "--seed=42",
)
"""One fixed configuration for the FD002 check of ``--condition-norm`` (no tuning: an A/B of the layer)."""
FD002_PATH = RESULTS_DIR / "cmapss_fd002_condition_norm.json"


def fd002_check(cmapss_dir: Path) -> int:
    """Train :data:`FD002_FLAGS` on FD002 with ``--condition-norm=6`` and with global normalisation."""
    out: dict[str, Any] = {"flags": list(FD002_FLAGS), "runs": {}}
    for k in (6, 0):
        cmd = [
            sys.executable,
            "-m",
            "trainer",
            f"--data={cmapss_dir / 'train_FD002.txt'}",
            *FD002_FLAGS,
            f"--condition-norm={k}",
        ]
        print("+", " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        print(proc.stdout, end="", flush=True)
        out["runs"][str(k)] = {"exit_code": proc.returncode, **parse_metric_lines(proc.stdout)}
    FD002_PATH.write_text(json.dumps(out, indent=1) + "\n")
    return 0


def search_summary(trials: Sequence[dict[str, Any]]) -> list[str]:
    """Status counts and the five best trials of the search, as lines of Markdown."""
    counts: dict[str, int] = {}
    for t in trials:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    ranked = sorted(
        (t for t in trials if t.get("objective") is not None), key=lambda t: float(t["objective"])
    )
    lines = [
        f"Search: {len(trials)} trials ("
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + "). Five best by the objective:",
        "",
        "| trial | val_rmse (objective) | test_rmse | PHM08 score | assignments |",
        "|---|---|---|---|---|",
    ]
    for t in ranked[:5]:
        m = t.get("metrics") or {}
        test_rmse = f"{float(m['test_rmse']):.2f}" if "test_rmse" in m else "- (stopped)"
        score = f"{float(m['test_score']):.0f}" if "test_score" in m else "-"
        params = ", ".join(f"{k}={v}" for k, v in t["assignments"].items())
        lines.append(f"| {t['name']} | {float(t['objective']):.3f} | {test_rmse} | {score} | {params} |")
    return lines


def fd002_lines() -> list[str]:
    if not FD002_PATH.exists():
        return ["FD002 check of `--condition-norm`: not run (`python bench/cmapss_tuning.py fd002-check`)."]
    data = json.loads(FD002_PATH.read_text())
    rows = []
    for k, label in (("6", "--condition-norm=6 (per condition)"), ("0", "--condition-norm=0 (global)")):
        r = data["runs"][k]
        f = r["final"]
        best = min(r["val_rmse"]) if r["val_rmse"] else float("nan")
        rows.append(
            f"| `{label}` | {best:.2f} | {f.get('test_rmse', float('nan')):.2f} | "
            f"{f.get('test_score', float('nan')):.0f} |"
        )
    return [
        "**Per-operating-condition normalisation on FD002** (`python bench/cmapss_tuning.py fd002-check`): "
        f"one fixed configuration (`{' '.join(data['flags'])}`), one seed, trained once with each "
        "normalisation. An A/B of the layer, not a tuned result; one run each, so the difference carries "
        "the trainer's run-to-run noise.",
        "",
        "| normalisation | best val_rmse | FD002 test RMSE | PHM08 score |",
        "|---|---|---|---|",
        *rows,
    ]


def markdown(run: dict[str, Any]) -> str:
    """The docs section: published FD001 numbers, the search's best trial and this retraining."""
    saved, final = run["saved"], run["final"]
    best = saved["best_trial"]
    found = best.get("metrics") or {}
    nan = float("nan")
    rows = [f"| {name} (published*) | {rmse:.2f} | {score:.0f} |" for name, rmse, score in PUBLISHED]
    rows.append(
        f"| this project: best of {saved['trials_with_objective']} trials, as the search measured it | "
        f"{float(found.get('test_rmse', nan)):.2f} | {float(found.get('test_score', nan)):.0f} |"
    )
    rows.append(
        "| this project: the same configuration retrained by the command above | "
        f"{final.get('test_rmse', nan):.2f} | {final.get('test_score', nan):.0f} |"
    )
    assignments = json.dumps(best["assignments"], sort_keys=True)
    flags = " ".join(run["command"][3:]).replace(str(REPO.parent.resolve()), "..")
    top5 = sorted(
        (t for t in saved["all_trials"] if t.get("objective") is not None),
        key=lambda t: float(t["objective"]),
    )[:5]
    top5_test = sorted(
        float(t["metrics"]["test_rmse"]) for t in top5 if "test_rmse" in (t.get("metrics") or {})
    )
    n_trials = len(saved["all_trials"])
    twin_max = int(yaml.safe_load(TWIN.read_text())["spec"]["maxTrialCount"])
    resumed = (
        f" The search ran as `search` ({twin_max} trials, the twin's maxTrialCount), then "
        f"`search --max-trials {n_trials}`, which resumes it (katib-local rebuilds skopt's state from the "
        "trial history, as Katib's suggestion service would after raising maxTrialCount)."
        if n_trials > twin_max
        else ""
    )
    lines = [
        "## C-MAPSS FD001: tuned model beside published results",
        "",
        "Commands: `python bench/cmapss_tuning.py search` (the search, run live with katib-local), "
        f"`python bench/cmapss_tuning.py record`, then `{command_line()}` (retrains the recorded best "
        f"configuration). Machine: {machine_description()}. Commit {git_revision()}.",
        "",
        "| model | FD001 test RMSE | PHM08 score |",
        "|---|---|---|",
        *rows,
        "",
        r"\* Published figures as commonly cited for FD001 (test truth capped at 125); "
        "they were not re-checked against the papers here and not rerun.",
        "",
        f"Best configuration: `{assignments}`; its objective (validation RMSE, min over epochs) "
        f"{float(best['objective']):.3f}. Trainer flags: `{flags}` (sgd runs with momentum 0.9).{resumed}",
        "",
        *search_summary(saved["all_trials"]),
        "",
        "How to read this honestly:",
        "- The search chose by `val_rmse` on 20% of the training units (seeded split); the official test set "
        "was never used for selection, only reported; as the table of the five best shows, the validation "
        "ranking is a noisy guide to the test ranking (100 test units, one window each). The published "
        "figures come from their authors' own protocols (training length, validation, number of runs) and "
        "are quoted, not rerun here; the PHM08 scores are those reported with them.",
        f"- The best-by-validation trial's test RMSE, {float(best['metrics']['test_rmse']):.2f}, is one draw:"
        " "
        f"the five best by validation score {top5_test[0]:.2f}-{top5_test[-1]:.2f} on the test set "
        f"(median {statistics.median(top5_test):.2f}).",
        f"- One training seed per configuration, {len(saved['all_trials'])} trials of a small CPU search "
        "space (units <= 128, 1-2 layers, 30 epochs): a modest search, run live with katib-local on 2 shared "
        "cores.",
        "- The PHM08 score sums exponentials of the errors, so one badly late prediction dominates it; "
        "compare scores with care.",
        "",
        *fd002_lines(),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step", nargs="?", choices=("search", "record", "reproduce", "fd002-check"), default="reproduce"
    )
    parser.add_argument("--cmapss-dir", type=Path, default=REPO.parent / "shared" / "datasets" / "cmapss")
    parser.add_argument("--root", type=Path, default=ROOT, help="katib-local state (default: %(default)s)")
    parser.add_argument("--max-trials", type=int, default=None, help="search: override maxTrialCount")
    parser.add_argument("--write-docs", action="store_true", help="reproduce: write the docs section")
    args = parser.parse_args(argv)
    if args.step == "search":
        return search(args.cmapss_dir, args.root, args.max_trials)
    if args.step == "record":
        return record(args.root)
    if args.step == "fd002-check":
        return fd002_check(args.cmapss_dir)
    run = retrain(args.cmapss_dir, [])
    (RESULTS_DIR / "cmapss_fd001_reproduced.json").write_text(
        json.dumps({k: v for k, v in run.items() if k != "saved"}, indent=1) + "\n"
    )
    if args.write_docs:
        write_section("cmapss", markdown(run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
