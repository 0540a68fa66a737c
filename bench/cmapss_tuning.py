"""C-MAPSS: a configuration chosen by a live search on validation only, retrained over seeds.

One command per step, from the repository root, in this order:

    python bench/cmapss_tuning.py search        # copy FD001 to the local volume, katib-local run the twin
    python bench/cmapss_tuning.py record        # the search's choice -> bench/results/cmapss_best.json
    python bench/cmapss_tuning.py seeds         # retrain it on seeds 1-5 -> bench/results/cmapss_seeds.json
    python bench/cmapss_tuning.py seeds --subset FD003   # the same configuration, untouched, on FD003
    python bench/cmapss_tuning.py fd002-check   # FD002, one fixed configuration, --condition-norm=6 vs 0
    python bench/cmapss_tuning.py levers        # the chosen configuration with each lever, seeds 1-5
    python bench/cmapss_tuning.py levers --subset FD003 --levers "all training units"  # some, elsewhere
    python bench/cmapss_tuning.py docs          # the ``cmapss`` section of docs/benchmarks.md

``search`` runs ``examples/cmapss-bayesian-local.yaml`` (the twin of
``manifests/experiment-cmapss-bayesian.yaml``) with ``katib-local run --root out/cmapss-search``, after
copying ``train/test/RUL_FD001.txt`` from ``--cmapss-dir`` (default ``../shared/datasets/cmapss``) to
``out/cmapss-search/volumes/hpo-shared/data/cmapss/``, where the twin's ``/mnt/shared/data/cmapss``
points. ``record`` reads the trials (``katib-local results --format json``) and keeps the best by the
objective, ``val_rmse`` under its ``min`` strategy (EarlyStopped trials included, as Katib picks its optimal
trial): the test set plays no part in the choice. It writes the chosen trial, every trial, and
``trainer_args``: the twin's trial command with the chosen assignments filled in, minus the data path, the
seed, and the flags that only name outputs or tune the run (:data:`NOT_MODEL`).

``seeds`` trains ``trainer_args --data=<cmapss-dir>/train_<subset>.txt --seed=S`` once per seed (default
1-5; never the search's own seed, which chose the configuration), one ``python -m trainer`` at a time, each
run cached in ``out/cmapss-seeds/`` (a rerun resumes), and writes each subset's per-seed figures with their
mean and sample sd. ``fd002-check`` does the same for one fixed configuration on FD002 with each
normalisation. ``levers`` retrains the recorded configuration on FD001 (or ``--subset``) with each change
of :func:`levers` appended to its ``trainer_args`` (a later flag overrides an earlier one), over the same
seeds, to see which way each moves the seed-mean test error after the choice: diagnostics of the
configuration, not a new choice. ``docs`` (or ``--write-docs`` on ``seeds``, ``fd002-check`` and
``levers``) writes the section.

Exit codes: 0 done; 1 a missing input (data file, no record yet), a trainer run that failed for another
reason than divergence, or a search that failed; 2 a usage error (bad ``--seeds``, the search's seed among
them).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/cmapss_tuning.py
    sys.path.insert(0, str(REPO))

from bench._cmapss_docs import markdown  # noqa: E402
from bench._seed_runs import parse_seeds, summarise, train_seeds  # noqa: E402
from bench._tabular import RESULTS_DIR  # noqa: E402
from bench.report import BENCHMARKS_MD, command_line, git_revision, machine_description, write_section  # noqa: E402

TWIN = REPO / "examples" / "cmapss-bayesian-local.yaml"
ROOT = REPO / "out" / "cmapss-search"
CACHE_DIR = REPO / "out" / "cmapss-seeds"
BEST_PATH = RESULTS_DIR / "cmapss_best.json"
SEEDS_PATH = RESULTS_DIR / "cmapss_seeds.json"
FD002_PATH = RESULTS_DIR / "cmapss_fd002_condition_norm.json"
SWEEP_PATH = RESULTS_DIR / "cmapss_window_sweep.json"
"""The validation sweep (by hand, one trainer run at a time) that chose the search space; shown if present."""
LEVERS_PATH = RESULTS_DIR / "cmapss_levers.json"
"""The ``levers`` step's runs: the recorded choice with each of :func:`levers` appended; shown if present."""
DOCS_PATH = BENCHMARKS_MD
TRAINER: tuple[str, ...] = (sys.executable, "-m", "trainer")
"""The trainer program (a test puts a stand-in here)."""
SUBSETS = ("FD001", "FD002", "FD003", "FD004")
DEFAULT_SEEDS = "1,2,3,4,5"

NOT_MODEL = (
    "--data",
    "--seed",
    "--log-dir",
    "--model-dir",
    "--model-version",
    "--checkpoint-dir",
    "--xla-cache-dir",
    "--trial-name",
    "--experiment-name",
    "--threads",
)
"""Trial-command flags left out of ``trainer_args``: the data path and the seed (a seed run sets both) and
flags that name outputs or tune the run without changing the model; every ``--hparams-*`` flag too."""
_PLACEHOLDER = re.compile(r"\$\{trialParameters\.([^}]+)\}")


def files_of(subset: str) -> tuple[str, str, str]:
    return (f"train_{subset}.txt", f"test_{subset}.txt", f"RUL_{subset}.txt")


def check_data(cmapss_dir: Path, subset: str) -> Path:
    """The subset's training file; raises SystemExit naming the first of its three files that is missing
    (the trainer reads the test and RUL files beside the training file)."""
    for name in files_of(subset):
        if not (cmapss_dir / name).is_file():
            raise SystemExit(
                f"{cmapss_dir / name}: no such file (pass --cmapss-dir, the folder holding "
                f"{', '.join(files_of(subset))})"
            )
    return cmapss_dir / f"train_{subset}.txt"


def prepare_data(cmapss_dir: Path, root: Path) -> Path:
    """Copy FD001's three files to the local ``hpo-shared`` volume; returns the directory."""
    check_data(cmapss_dir, "FD001")
    target = root / "volumes" / "hpo-shared" / "data" / "cmapss"
    target.mkdir(parents=True, exist_ok=True)
    for name in files_of("FD001"):
        shutil.copyfile(cmapss_dir / name, target / name)
    return target


def twin_spec() -> dict[str, Any]:
    """The local twin Experiment (:data:`TWIN`, read when called)."""
    spec: dict[str, Any] = yaml.safe_load(TWIN.read_text())
    return spec


def trial_command(exp: Mapping[str, Any]) -> list[str]:
    """The program's flags in the Experiment's trial command: its words from the first ``--`` one on (after
    ``python -m trainer`` in the twin)."""
    container = exp["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0]
    words = [*container.get("command", []), *container.get("args", [])]
    first = next((i for i, w in enumerate(words) if w.startswith("--")), len(words))
    return words[first:]


def flag_value(exp: Mapping[str, Any], name: str) -> str | None:
    """The value of ``--name=value`` in the trial command, or None."""
    return flag_of(trial_command(exp), name)


def trainer_args(exp: Mapping[str, Any], assignments: Mapping[str, str]) -> list[str]:
    """The trial command's flags with every ``${trialParameters.X}`` filled from ``assignments`` (keyed by
    parameter name, as Katib assigns them), without :data:`NOT_MODEL` and ``--hparams-*``.

    Raises SystemExit when a kept flag is not ``--name=value`` or holds a placeholder that the assignments
    cannot fill (a trial parameter that references no search parameter, e.g. ``${trialSpec.Name}``).
    """
    refs = {p["name"]: p["reference"] for p in exp["spec"]["trialTemplate"]["trialParameters"]}
    out: list[str] = []
    for word in trial_command(exp):
        name = word.split("=", 1)[0]
        if not word.startswith("--"):
            raise SystemExit(f"trial command word {word!r} is not a --name=value flag")
        if name in NOT_MODEL or name.startswith("--hparams-"):
            continue

        def fill(match: re.Match[str], word: str = word) -> str:
            ref = refs.get(match.group(1), "")
            if ref not in assignments:
                raise SystemExit(f"trial command flag {word!r}: {match.group(0)} has no assigned value")
            return str(assignments[ref])

        out.append(_PLACEHOLDER.sub(fill, word))
    return out


def search(cmapss_dir: Path, root: Path, max_trials: int | None) -> int:
    prepare_data(cmapss_dir, root)
    cmd = [sys.executable, "-m", "katib_local", "run", str(TWIN), "--root", str(root), "--plain"]
    if max_trials is not None:
        cmd += ["--max-trials", str(max_trials)]
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=REPO, check=False).returncode


def results(root: Path, experiment: str) -> list[dict[str, Any]]:
    """``katib-local results --format json`` of the search: name, status, parameters, metrics per trial."""
    proc = subprocess.run(
        [sys.executable, "-m", "katib_local", "results", experiment, "--root", str(root), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"katib-local results {experiment} --root {root}: {proc.stderr.strip()}")
    trials: list[dict[str, Any]] = json.loads(proc.stdout)
    return trials


def record_of(trials: Sequence[Mapping[str, Any]], exp: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The record of a search: its trials, the one chosen by the objective, and that one's trainer_args.

    ``trials`` are ``katib-local results --format json`` rows. The objective is the Experiment's
    ``objectiveMetricName`` as the results hold it (under its metric strategy); trials without one (Failed,
    still Running) are listed but cannot be chosen. Raises SystemExit when none has an objective.
    """
    metric = exp["spec"]["objective"]["objectiveMetricName"]
    rows = [
        {
            "name": t["name"],
            "status": t["status"],
            "assignments": {k: str(v) for k, v in (t.get("parameters") or {}).items()},
            "objective": (t.get("metrics") or {}).get(metric),
            "metrics": dict(t.get("metrics") or {}),
        }
        for t in trials
    ]
    scored = [r for r in rows if r["objective"] is not None]
    if not scored:
        raise SystemExit("no trial of the search has an objective yet: run `search` first")
    sign = -1.0 if exp["spec"]["objective"]["type"] == "maximize" else 1.0
    chosen = min(scored, key=lambda r: sign * float(r["objective"]))
    seed = flag_value(exp, "--seed")
    return {
        "experiment": exp["metadata"]["name"],
        "source": source,
        "objective": f"{metric} under its metric strategy, as Katib records it; chosen by it alone",
        "search_seed": int(seed) if seed is not None else None,
        "max_trial_count": exp["spec"].get("maxTrialCount"),
        "chosen": {k: chosen[k] for k in ("name", "status", "assignments", "objective")},
        "trainer_args": trainer_args(exp, chosen["assignments"]),
        "trials": rows,
    }


def record(root: Path, best_path: Path) -> int:
    exp = twin_spec()
    source = TWIN.relative_to(REPO) if TWIN.is_relative_to(REPO) else TWIN
    saved = record_of(results(root, exp["metadata"]["name"]), exp, str(source))
    best_path.write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n")
    print(json.dumps({"chosen": saved["chosen"], "trainer_args": saved["trainer_args"]}, indent=1))
    return 0


def load_json(path: Path, missing: str) -> dict[str, Any]:
    if not path.is_file():
        raise SystemExit(f"{path}: no such file ({missing})")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def provenance() -> dict[str, str]:
    return {"command": command_line(), "machine": machine_description(), "revision": git_revision()}


def seeds_step(
    subset: str, seeds: Sequence[int], cmapss_dir: Path, best_path: Path, seeds_path: Path, cache_dir: Path
) -> int:
    """Train the recorded configuration on ``subset`` once per seed; merge its figures into ``seeds_path``."""
    saved = load_json(best_path, "run `record` after the search first")
    data = check_data(cmapss_dir, subset)
    args = [*saved["trainer_args"], f"--data={data}"]
    runs = train_seeds(TRAINER, args, seeds, cache_dir, subset, REPO)
    entry = {
        **summarise(runs),
        "chosen_trial": saved["chosen"]["name"],
        "trainer_args": saved["trainer_args"],
        "data": data.name,
        **provenance(),
    }
    merged = json.loads(seeds_path.read_text()) if seeds_path.is_file() else {}
    merged[subset] = entry
    seeds_path.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n")
    print(json.dumps({subset: {k: v for k, v in entry.items() if k.endswith(("_mean", "_sd"))}}, indent=1))
    return 0


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
)
"""One fixed configuration for the FD002 check of ``--condition-norm`` (no tuning: an A/B of the layer)."""
FD002_NORMS = ("6", "0")
"""``--condition-norm`` values compared: 6 (per operating condition, FD002's six) and 0 (global)."""


def fd002_check(cmapss_dir: Path, seeds: Sequence[int], fd002_path: Path, cache_dir: Path) -> int:
    """Train :data:`FD002_FLAGS` on FD002 once per seed with each of :data:`FD002_NORMS`."""
    data = check_data(cmapss_dir, "FD002")
    out: dict[str, Any] = {"flags": list(FD002_FLAGS), "seeds": list(seeds), "runs": {}, **provenance()}
    for k in FD002_NORMS:
        args = [f"--data={data}", *FD002_FLAGS, f"--condition-norm={k}"]
        out["runs"][k] = summarise(train_seeds(TRAINER, args, seeds, cache_dir, f"FD002-norm{k}", REPO))
    fd002_path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    return 0


def refit_epochs(entry: Mapping[str, Any], trainer_args: Sequence[str]) -> int:
    """The median over the seed runs of the epoch each kept (its run's epochs less the patience when early
    stopping ended it before the last epoch, else the last epoch): how long to train without validation."""
    patience = int(flag_of(trainer_args, "--patience") or 0)
    most = int(flag_of(trainer_args, "--epochs") or 0)
    kept = [
        int(s["epochs"]) - patience if int(s["epochs"]) < most else int(s["epochs"])
        for s in entry["seeds"].values()
    ]
    if not kept:
        raise SystemExit(f"{SEEDS_PATH}: no finished seed runs of the subset; run `seeds` first")
    return max(1, round(statistics.median(kept)))


def flag_of(args: Sequence[str], name: str) -> str | None:
    """The last value of ``--name=value`` in ``args`` (the one the trainer's parser keeps), or None."""
    values = [a.split("=", 1)[1] for a in args if a.startswith(f"{name}=")]
    return values[-1] if values else None


def levers(saved: Mapping[str, Any], runs: Mapping[str, Any]) -> dict[str, list[str]]:
    """Changes to the chosen configuration, each a list of flags appended to its ``trainer_args``.

    - ``longer training``: 100 epochs with patience 15 instead of the search's budget;
    - ``all training units``: train on 99 of the 100 units (``--val-fraction=0.01``: the split needs one
      validation unit) without early stopping, for :func:`refit_epochs` epochs; its val_rmse is one unit's
      and is not comparable;
    - ``5-member ensemble``: ``--ensemble-size=5``, five members trained side by side on the same split
      and averaged (the seed's split is the same, so its val_rmse is compared with the baseline's, paired
      by seed);
    - ``5-member ensemble, all training units``: both.

    ``runs`` are the subset's seed runs of the configuration (:func:`refit_epochs` reads their epochs).
    """
    refit = ["--val-fraction=0.01", "--patience=0", f"--epochs={refit_epochs(runs, saved['trainer_args'])}"]
    return {
        "longer training": ["--epochs=100", "--patience=15"],
        "5-member ensemble": ["--ensemble-size=5"],
        "all training units": refit,
        "5-member ensemble, all training units": ["--ensemble-size=5", *refit],
    }


def levers_path(subset: str) -> Path:
    """Where the ``levers`` step writes a subset's runs: :data:`LEVERS_PATH` for FD001."""
    return LEVERS_PATH if subset == "FD001" else LEVERS_PATH.with_name(f"cmapss_levers_{subset.lower()}.json")


def levers_step(
    subset: str,
    only: Sequence[str],
    seeds: Sequence[int],
    cmapss_dir: Path,
    best_path: Path,
    seeds_path: Path,
    out_path: Path,
    cache_dir: Path,
) -> int:
    """Train the recorded configuration on ``subset`` with each of :func:`levers` (those named in ``only``;
    all when empty) once per seed; write ``out_path``."""
    saved = load_json(best_path, "run `record` after the search first")
    runs = load_json(seeds_path, "run `seeds` first").get(subset)
    if not runs or list(runs.get("trainer_args") or []) != list(saved["trainer_args"]):
        raise SystemExit(
            f"{seeds_path}: no {subset} seed runs of the recorded configuration; run `seeds --subset "
            f"{subset}` first"
        )
    chosen = levers(saved, runs)
    unknown = [name for name in only if name not in chosen]
    if unknown:
        raise SystemExit(f"--levers: unknown {', '.join(unknown)}; known: {'; '.join(chosen)}")
    data = check_data(cmapss_dir, subset)
    baseline = {
        k: v for k, v in runs.items() if k in ("n", "seeds", "failed") or k.endswith(("_mean", "_sd"))
    }
    out: dict[str, Any] = {
        "trainer_args": saved["trainer_args"],
        "baseline": baseline,
        "subset": subset,
        "runs": {},
        **provenance(),
    }
    for name, extra in chosen.items():
        if only and name not in only:
            continue
        args = [*saved["trainer_args"], *extra, f"--data={data}"]
        label = f"{subset}-" + name.replace(",", "").replace(" ", "-")
        out["runs"][name] = {
            "extra_args": extra,
            **summarise(train_seeds(TRAINER, args, seeds, cache_dir, label, REPO)),
        }
    out_path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    return 0


def write_docs(best_path: Path, seeds_path: Path, fd002_path: Path, docs_path: Path) -> int:
    saved = json.loads(best_path.read_text()) if best_path.is_file() else None
    seeds = json.loads(seeds_path.read_text()) if seeds_path.is_file() else {}
    fd002 = json.loads(fd002_path.read_text()) if fd002_path.is_file() else None
    twin_max = int(twin_spec()["spec"]["maxTrialCount"])
    sweep = json.loads(SWEEP_PATH.read_text()) if SWEEP_PATH.is_file() else None
    tried = [
        json.loads(path.read_text()) for path in (levers_path(subset) for subset in SUBSETS) if path.is_file()
    ]
    write_section("cmapss", markdown(saved, seeds, fd002, twin_max, sweep, tried), docs_path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("search", "record", "seeds", "fd002-check", "levers", "docs"))
    parser.add_argument("--cmapss-dir", type=Path, default=REPO.parent / "shared" / "datasets" / "cmapss")
    parser.add_argument("--root", type=Path, default=ROOT, help="katib-local state (default: %(default)s)")
    parser.add_argument("--max-trials", type=int, default=None, help="search: override maxTrialCount")
    parser.add_argument(
        "--subset", choices=SUBSETS, default="FD001", help="seeds, levers: data (default FD001)"
    )
    parser.add_argument(
        "--levers",
        default="",
        help="levers: the levers to run, separated by ';' (default: all of them)",
    )
    parser.add_argument(
        "--seeds",
        default=DEFAULT_SEEDS,
        help="seeds, fd002-check, levers: training seeds, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="seeds, fd002-check, levers: then write the docs"
    )
    args = parser.parse_args(argv)
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as err:
        parser.error(f"argument --seeds: {err}")
    cmapss_dir = args.cmapss_dir.resolve()
    if args.step == "search":
        return search(cmapss_dir, args.root, args.max_trials)
    if args.step == "record":
        return record(args.root, BEST_PATH)
    if args.step in ("seeds", "levers"):
        search_seed = load_json(BEST_PATH, "run `record` after the search first").get("search_seed")
        if search_seed in seeds:
            parser.error(
                f"argument --seeds: {search_seed} is the search's own seed, which chose the "
                "configuration; retrain on other seeds"
            )
    if args.step == "seeds":
        seeds_step(args.subset, seeds, cmapss_dir, BEST_PATH, SEEDS_PATH, CACHE_DIR)
    if args.step == "fd002-check":
        fd002_check(cmapss_dir, seeds, FD002_PATH, CACHE_DIR)
    if args.step == "levers":
        only = [name.strip() for name in args.levers.split(";") if name.strip()]
        out_path = levers_path(args.subset)
        levers_step(args.subset, only, seeds, cmapss_dir, BEST_PATH, SEEDS_PATH, out_path, CACHE_DIR)
    if args.step == "docs" or args.write_docs:
        return write_docs(BEST_PATH, SEEDS_PATH, FD002_PATH, DOCS_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
