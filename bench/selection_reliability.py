"""Selection reliability: does the objective a search ranks trials by predict the test error of the model?

A fixed panel of configurations spanning the C-MAPSS experiment's search space is trained with several
training seeds on C-MAPSS FD001 and on the built-in data, through the trainer's own ``fit_model`` (the
Experiment's fixed flags, in-process, so TensorFlow is imported once). Each run records, after every epoch,
the validation RMSE on every validation window and on the validation units' cut windows (``--val-cuts``),
and the test RMSE, each for the raw weights and for their moving average (``--ema-momentum``). The test
figures are only reported: nothing here chooses on them.

From those curves every candidate objective is evaluated on the same trainings, side by side:

- ``weights``: ``raw`` or ``ema`` (the moving average: it does not change the training trajectory, so one
  run gives both);
- ``windows``: ``all`` (every validation window, the objective before) or ``cuts`` (the last window of
  seeded cuts of each validation unit, the C-MAPSS test protocol);
- early stopping with the Experiment's patience, replayed on that variant's own curve exactly as Keras'
  ``EarlyStopping`` does, so each variant keeps (exports) its own best epoch and is tested there. Training
  runs until every variant would have stopped.

``raw/all`` is the objective as it was: min over epochs of ``val_rmse`` on every validation window, with the
raw weights. For each dataset and variant: per configuration, the objective as Katib records it (min over
the printed epochs) and the kept model's test RMSE, mean and sd over seeds; across configurations, the
Spearman rank correlation between the objective and the seed-mean test RMSE, and the selection regret (the
seed-mean test RMSE of the configuration the objective ranks first, minus the panel's best seed-mean test
RMSE). Both for one seed per configuration (what a search sees: the mean over seeds of the per-seed figure)
and for the objective averaged over the seeds (what repeating each trial over seeds would buy, at that many
times the cost).

Every finished run is cached (``--cache``, one JSON file each) and skipped on the next start, so a stopped
run resumes. FD001's panel (12 configurations x 3 seeds) took 32 min of training on 2 cores; the built-in
data's, on the window-30 panel, 15 min.

    python bench/selection_reliability.py                   # run (or resume) everything, write the results
    python bench/selection_reliability.py --datasets fd001  # one dataset
    python bench/selection_reliability.py --render          # docs/benchmarks.md from the results JSON
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/selection_reliability.py
    sys.path.insert(0, str(REPO))

from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402

CMAPSS_DIR = REPO.parent / "shared" / "datasets" / "cmapss"
RESULTS = REPO / "bench" / "results" / "selection_reliability.json"
PREVIOUS = REPO / "bench" / "results" / "selection_reliability-window30.json"
"""The panel before the window joined the C-MAPSS search (window 30): shown beside the current one."""
CACHE = REPO / "out" / "selection-reliability"
SEEDS = (1, 2, 3)
EPOCHS = 30
PATIENCE = 5
EMA_MOMENTUM = 0.98
VAL_CUTS = 10
WEIGHTS = ("raw", "ema")
WINDOWS = ("all", "cuts")

# The C-MAPSS Experiment's fixed flags (manifests/experiment-cmapss-bayesian.yaml), less the window (a
# panel entry's), the seed, the patience (replayed here), threads and outputs.
DATASET_FLAGS: dict[str, tuple[str, ...]] = {
    "fd001": (
        f"--data={CMAPSS_DIR / 'train_FD001.txt'}",
        "--rul-cap=125",
        "--drop-constant-std=0.005",
        "--min-history=30",
        "--stride=1",
        "--momentum=0.9",
    ),
    "synthetic": ("--momentum=0.9",),
}

# Spanning the Experiment's space: lstm/gru/cnn, each optimizer, 1-2 layers, units 32-128, learning rates
# 1e-4..1e-2, batches 128-512, dropout 0-0.5, windows 30/40/50, and the window search's choice (a 1x104 GRU
# at window 50); FD001's panel trained in 32 min on 2 cores. None uses --age-feature (it joined the space
# after this panel ran).
# Values: architecture, optimizer, layers, units, learning rate, batch, dropout, window[, filters, kernel].
PANEL: dict[str, tuple[str, ...]] = {
    "lstm-adam-2x32-w30": ("lstm", "adam", "2", "32", "0.001", "128", "0.1", "30"),
    "lstm-adam-1x64-fast-w40": ("lstm", "adam", "1", "64", "0.003", "128", "0.2", "40"),
    "lstm-rmsprop-1x64-w50": ("lstm", "rmsprop", "1", "64", "0.001", "256", "0.3", "50"),
    "lstm-nadam-2x32-w40": ("lstm", "nadam", "2", "32", "0.0005", "256", "0.1", "40"),
    "lstm-adam-1x96-lr1e-2-w30": ("lstm", "adam", "1", "96", "0.01", "512", "0.4", "30"),
    "gru-adam-2x32-w40": ("gru", "adam", "2", "32", "0.002", "128", "0.2", "40"),
    "gru-sgd-1x104-w50": ("gru", "sgd", "1", "104", "0.0007", "512", "0.1", "50"),
    "gru-sgd-1x64-w30": ("gru", "sgd", "1", "64", "0.005", "256", "0.5", "30"),
    "gru-adam-1x32-lr1e-4-w50": ("gru", "adam", "1", "32", "0.0001", "128", "0.1", "50"),
    "cnn-adam-2x10k10-w30": ("cnn", "adam", "2", "100", "0.001", "512", "0.5", "30", "10", "10"),
    "cnn-adam-2x32k5-w40": ("cnn", "adam", "2", "64", "0.003", "128", "0.2", "40", "32", "5"),
    "cnn-rmsprop-2x16k10-w50": ("cnn", "rmsprop", "2", "32", "0.001", "256", "0.3", "50", "16", "10"),
}
PANEL_FLAGS = (
    "architecture",
    "optimizer",
    "num-layers",
    "units",
    "learning-rate",
    "batch-size",
    "dropout",
    "window",
)


def config_flags(values: Sequence[str]) -> list[str]:
    """Trainer flags of a panel entry (a cnn entry adds filters and kernel size)."""
    flags = [f"--{name}={value}" for name, value in zip(PANEL_FLAGS, values, strict=False)]
    if len(values) > len(PANEL_FLAGS):
        flags += [f"--filters={values[8]}", f"--kernel-size={values[9]}"]
    return flags


def run_flags(dataset: str, config: str, seed: int) -> list[str]:
    return [
        *DATASET_FLAGS[dataset],
        *config_flags(PANEL[config]),
        f"--seed={seed}",
        f"--epochs={EPOCHS}",
        "--patience=0",
        f"--ema-momentum={EMA_MOMENTUM}",
        f"--val-cuts={VAL_CUTS}",
    ]


# --- early stopping, replayed --------------------------------------------------------------------------


def replay_early_stopping(curve: Sequence[float], patience: int) -> tuple[int, int]:
    """``(epochs run, kept epoch index)`` of Keras' ``EarlyStopping(mode="min", patience,
    restore_best_weights=True)`` on ``curve`` (one value per epoch): an epoch improves on strictly lower
    values; training stops once ``patience`` epochs in a row did not improve; ``patience=0`` = never stops
    (the whole curve, kept = its last epoch, as the trainer without early stopping)."""
    if patience <= 0:
        return len(curve), len(curve) - 1
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, value in enumerate(curve):
        wait += 1
        if value < best:
            best, best_epoch, wait = value, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch
    return len(curve), best_epoch


def all_variants_stopped(curves: dict[str, list[float]], patience: int) -> bool:
    """Whether early stopping would have ended every variant by now (so training further changes nothing)."""
    return all(replay_early_stopping(c, patience)[0] < len(c) for c in curves.values())


# --- one run ---------------------------------------------------------------------------------------------


def train_one(dataset: str, config: str, seed: int) -> dict[str, Any]:
    """Train one (dataset, configuration, seed) and return its per-epoch curves."""
    import keras

    from trainer import runtime
    from trainer.config import parse_args
    from trainer.data import prepare_data
    from trainer.fit import fit_model
    from trainer.reporting import rmse
    from trainer.run import data_config
    from trainer.validation import AveragedWeights, predict_windows

    cfg = parse_args(run_flags(dataset, config, seed), env={})
    data = prepare_data(data_config(cfg))
    assert data.val_cuts is not None and data.test is not None
    sets = {"all": data.val, "cuts": data.val_cuts, "test": data.test}
    curves: dict[str, list[float]] = {f"{w}_{s}": [] for w in WEIGHTS for s in sets}
    printed: list[float] = []

    class Observe(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self.averaged = AveragedWeights(self.model)

        def _score(self, weights: str) -> None:
            for name, arrays in sets.items():
                curves[f"{weights}_{name}"].append(rmse(predict_windows(self.model, arrays.x), arrays.y))

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self._score("raw")
            self.averaged.swap_in()
            self._score("ema")
            self.averaged.swap_out()
            monitored = {f"{w}_{s}": curves[f"{w}_{s}"] for w in WEIGHTS for s in WINDOWS}
            if all_variants_stopped(monitored, PATIENCE):
                self.model.stop_training = True

    keras.backend.clear_session()
    runtime.configure(cfg)
    start = time.perf_counter()
    fit_model(cfg, data, lambda row: printed.append(float(row["val_rmse"])), extra_callbacks=[Observe()])
    seconds = time.perf_counter() - start
    # The trainer printed the ema/cuts objective: the observer must have seen the same model.
    for mine, theirs in zip(curves["ema_cuts"], printed, strict=True):
        assert math.isclose(mine, theirs, rel_tol=1e-4), (mine, theirs)
    return {
        "dataset": dataset,
        "config": config,
        "seed": seed,
        "flags": run_flags(dataset, config, seed),
        "seconds": round(seconds, 1),
        "windows": {name: len(arrays.y) for name, arrays in sets.items()} | {"train": len(data.train.y)},
        "curves": {name: [round(v, 5) for v in values] for name, values in curves.items()},
    }


def cache_path(cache: Path, dataset: str, config: str, seed: int) -> Path:
    return cache / f"{dataset}--{config}--seed{seed}.json"


def run_all(datasets: Sequence[str], configs: Sequence[str], seeds: Sequence[int], cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    for dataset in datasets:
        for config in configs:
            for seed in seeds:
                path = cache_path(cache, dataset, config, seed)
                if path.exists():
                    continue
                record = train_one(dataset, config, seed)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(record) + "\n")
                tmp.replace(path)
                print(f"{dataset} {config} seed {seed}: {record['seconds']} s", flush=True)


# --- evaluation ------------------------------------------------------------------------------------------


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rank correlation (Pearson's on the ranks); NaN when either side is constant."""
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    var = math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    return cov / var if var > 0 else math.nan


def kept(record: dict[str, Any], weights: str, windows: str) -> dict[str, float]:
    """Objective (min over the printed epochs), test RMSE of the kept epoch, epochs run, for one variant."""
    curve = record["curves"][f"{weights}_{windows}"]
    run, best = replay_early_stopping(curve, PATIENCE)
    return {"objective": min(curve[:run]), "test": record["curves"][f"{weights}_test"][best], "epochs": run}


def selection(objectives: Sequence[float], tests: Sequence[float]) -> tuple[float, float]:
    """(Spearman(objective, test), regret of choosing the lowest objective) across configurations."""
    chosen = min(range(len(objectives)), key=lambda i: objectives[i])
    return spearman(objectives, tests), tests[chosen] - min(tests)


def evaluate(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per dataset and variant: per-configuration figures and the panel's selection figures."""
    out: dict[str, Any] = {}
    for dataset in sorted({r["dataset"] for r in records}):
        rows = [r for r in records if r["dataset"] == dataset]
        configs = [c for c in PANEL if any(r["config"] == c for r in rows)]
        seeds = sorted({r["seed"] for r in rows})
        by = {(r["config"], r["seed"]): r for r in rows}
        complete = [c for c in configs if all((c, s) in by for s in seeds)]
        variants: dict[str, Any] = {}
        for weights in WEIGHTS:
            for windows in WINDOWS:
                per = {c: [kept(by[(c, s)], weights, windows) for s in seeds] for c in complete}
                test_mean = [statistics.fmean(k["test"] for k in per[c]) for c in complete]
                obj_mean = [statistics.fmean(k["objective"] for k in per[c]) for c in complete]
                one_seed = [
                    selection([per[c][i]["objective"] for c in complete], test_mean)
                    for i in range(len(seeds))
                ]
                all_seeds = selection(obj_mean, test_mean)
                variants[f"{weights}/{windows}"] = {
                    "configs": {
                        c: {
                            "objective_mean": statistics.fmean(k["objective"] for k in per[c]),
                            "objective_sd": statistics.stdev(k["objective"] for k in per[c]),
                            "test_mean": statistics.fmean(k["test"] for k in per[c]),
                            "test_sd": statistics.stdev(k["test"] for k in per[c]),
                            "epochs_mean": statistics.fmean(k["epochs"] for k in per[c]),
                        }
                        for c in complete
                    },
                    "spearman_one_seed": statistics.fmean(s for s, _ in one_seed),
                    "regret_one_seed": statistics.fmean(r for _, r in one_seed),
                    "spearman_seed_mean": all_seeds[0],
                    "regret_seed_mean": all_seeds[1],
                    "panel_test_mean": statistics.fmean(test_mean),
                    "best_test_mean": min(test_mean),
                }
        out[dataset] = {
            "configs": complete,
            "seeds": seeds,
            "seconds": sum(r["seconds"] for r in rows),
            "variants": variants,
        }
    return out


# --- report ----------------------------------------------------------------------------------------------

VARIANT_NAMES = {
    "raw/all": "before: raw weights, every validation window",
    "raw/cuts": "raw weights, cut windows",
    "ema/all": f"weight average (momentum {EMA_MOMENTUM}), every window",
    "ema/cuts": f"weight average, cut windows ({VAL_CUTS} per unit)",
}


CHOSEN = "ema/cuts"
"""The variant the C-MAPSS Experiments use (``--ema-momentum`` and ``--val-cuts`` in their trial command)."""


BARS = {"spearman_one_seed": 0.8, "regret_one_seed": 0.5}
"""The project's bars for the kept objective on FD001, with one seed per configuration (as a search runs):
Spearman at least 0.8, selection regret at most 0.5 RMSE."""


def _pair(v: dict[str, Any], mode: str) -> str:
    return f"Spearman {v[f'spearman_{mode}']:.2f}, regret {v[f'regret_{mode}']:.2f}"


def _best(variants: dict[str, Any], key: str, *, higher: bool) -> str:
    """The variant(s) with the best ``key`` (to 2 decimals, as shown), ties named together."""
    shown = {n: round(v[key], 2) for n, v in variants.items()}
    best = max(shown.values()) if higher else min(shown.values())
    names = [VARIANT_NAMES[n] for n in VARIANT_NAMES if shown.get(n) == best]
    if len(names) == len(variants):
        return f"every variant alike ({best:.2f})"
    return " and ".join(names) + (" (tied)" if len(names) > 1 else "")


def decision(figures: dict[str, Any]) -> list[str]:
    """What the panel says about each change, worded from the figures themselves (which variant ranks best,
    whether the bars are met), so that a rerun cannot leave a sentence its numbers contradict."""
    variants = figures["variants"]
    before, after = variants["raw/all"], variants[CHOSEN]
    kept_flags = f"`--ema-momentum={EMA_MOMENTUM} --val-cuts={VAL_CUTS}`"
    best_rank = _best(variants, "spearman_one_seed", higher=True)
    best_regret = _best(variants, "regret_one_seed", higher=False)
    met = [
        after["spearman_one_seed"] >= BARS["spearman_one_seed"],
        after["regret_one_seed"] <= BARS["regret_one_seed"],
    ]
    verdicts = {
        (True, True): "both met",
        (True, False): "Spearman met, regret not",
        (False, True): "regret met, Spearman not",
        (False, False): "neither met",
    }
    verdict = verdicts[(met[0], met[1])]
    return [
        f"What the C-MAPSS Experiments use: **{VARIANT_NAMES[CHOSEN]}** ({kept_flags}; the trainer's default "
        f"is the weight average on every window). With one seed per configuration, as a search runs, it "
        f"gives {_pair(after, 'one_seed')} against {_pair(before, 'one_seed')} before; with the objective "
        f"averaged over the seeds, {_pair(after, 'seed_mean')} against {_pair(before, 'seed_mean')}. "
        f"Against the bars (one seed: Spearman >= {BARS['spearman_one_seed']}, regret <= "
        f"{BARS['regret_one_seed']}): {verdict}.",
        f"- The weight average alone (every window): {_pair(variants['ema/all'], 'one_seed')}; the cut "
        f"windows alone (raw weights): {_pair(variants['raw/cuts'], 'one_seed')} (one seed).",
        f"- Best one-seed rank correlation: {best_rank}; lowest one-seed regret: {best_regret}.",
        "- Repeating each trial over seeds (the seed-mean columns, 3x the cost) is what makes the "
        "ranking most reliable; `--cv-folds K` buys the same kind of signal at K times the cost and was "
        "not measured here.",
        "- The regrets are means of 3 draws (one per seed) and move by a few tenths between variants, "
        "so differences below about 0.3 RMSE are within their noise.",
        "",
    ]


def summary_table(figures: dict[str, Any]) -> list[str]:
    """One row per objective variant: the panel's selection figures."""
    lines = [
        "| objective | Spearman, one seed | regret, one seed | Spearman, seed mean | regret, seed mean "
        "| panel mean test RMSE | best config's test RMSE |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in (n for n in VARIANT_NAMES if n in figures["variants"]):
        v = figures["variants"][name]
        lines.append(
            f"| {VARIANT_NAMES[name]} | {v['spearman_one_seed']:.2f} | {v['regret_one_seed']:.2f} "
            f"| {v['spearman_seed_mean']:.2f} | {v['regret_seed_mean']:.2f} | {v['panel_test_mean']:.2f} "
            f"| {v['best_test_mean']:.2f} |"
        )
    return lines


def markdown(result: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """The docs section; ``previous``: an earlier panel's results, shown as its summary tables only."""
    lines = [
        "## Selection reliability: does the objective predict the served model's test error?",
        "",
        "How well the objective a search ranks trials by predicts the seed-mean test RMSE of the model it",
        "keeps, on one panel of configurations trained with several seeds; every variant is evaluated on the",
        "same trainings (see `bench/selection_reliability.py`). Spearman: rank correlation between the",
        "objective and the seed-mean test RMSE across the panel (1 = the same order). Regret: seed-mean test",
        "RMSE of the configuration ranked first minus the best in the panel. *One seed*: what a search sees",
        "(each configuration tried once; mean over the seeds); *seed mean*: the objective averaged over the",
        "seeds (that many times the cost).",
        "",
        f"Command: `{result['command']}`. Revision {result['revision']}; {result['machine']}.",
        f"Panel: {len(PANEL)} configurations spanning the C-MAPSS Experiment's space (windows 30-50; all",
        "without `--age-feature`, which joined the space after this panel ran); epochs",
        f"{EPOCHS}, early stopping patience {PATIENCE} replayed per variant; the test set is only reported.",
        "",
    ]
    for dataset, figures in result["datasets"].items():
        lines += [
            f"**{dataset}** ({len(figures['configs'])} configurations x {len(figures['seeds'])} seeds, "
            f"{figures['seconds'] / 60:.0f} min of training):",
            "",
            *summary_table(figures),
        ]
        lines += ["", "Per configuration (objective and test RMSE, mean +/- sd over seeds):", ""]
        names = [n for n in VARIANT_NAMES if n in figures["variants"]]
        lines.append("| configuration | " + " | ".join(f"{n} objective / test" for n in names) + " |")
        lines.append("|---|" + "---|" * len(names))
        for config in figures["configs"]:
            cells = []
            for n in names:
                c = figures["variants"][n]["configs"][config]
                cells.append(f"{c['objective_mean']:.2f} / {c['test_mean']:.2f} +/- {c['test_sd']:.2f}")
            lines.append(f"| {config} | " + " | ".join(cells) + " |")
        lines.append("")
        if dataset == "fd001" and CHOSEN in figures["variants"] and "raw/all" in figures["variants"]:
            lines += decision(figures)  # the choice was made on FD001, the C-MAPSS Experiments' data
    if previous is not None:
        lines += [
            "**The previous panel** (the Experiment before the window and `--min-history` joined its",
            "search: window 30, every column that is not constant (`--drop-constant-std=1e-6`), entries with",
            f"3 layers and batch 64; command `{previous['command']}`, revision {previous['revision']}). It",
            "chose the kept objective:",
            "",
        ]
        for dataset, figures in previous["datasets"].items():
            lines += [
                f"*{dataset}* ({len(figures['configs'])} configurations x {len(figures['seeds'])} seeds):",
                "",
                *summary_table(figures),
                "",
            ]
    return "\n".join(lines)


def previous() -> dict[str, Any] | None:
    """The previous panel's results, if its file is there."""
    return json.loads(PREVIOUS.read_text()) if PREVIOUS.exists() else None


def load_records(cache: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(cache.glob("*.json"))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="fd001,synthetic", help="comma list of: fd001, synthetic")
    parser.add_argument("--configs", default="", help="comma list of panel entries (default: all)")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--cache", type=Path, default=CACHE, help="one JSON file per finished run")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where the evaluated figures go")
    parser.add_argument("--render", action="store_true", help="only write docs/benchmarks.md from --json")
    args = parser.parse_args(argv)
    if args.render:
        write_section("selection-reliability", markdown(json.loads(args.json.read_text()), previous()))
        return 0
    datasets = [d for d in args.datasets.split(",") if d]
    unknown = [d for d in datasets if d not in DATASET_FLAGS]
    configs = [c for c in args.configs.split(",") if c] or list(PANEL)
    unknown += [c for c in configs if c not in PANEL]
    if unknown:
        print(
            f"selection_reliability: unknown dataset or configuration: {', '.join(unknown)}", file=sys.stderr
        )
        return 2
    if "fd001" in datasets and not (CMAPSS_DIR / "train_FD001.txt").exists():
        print(f"selection_reliability: C-MAPSS FD001 not found in {CMAPSS_DIR}", file=sys.stderr)
        return 2
    from trainer import runtime

    runtime.import_tensorflow(debug=False)
    run_all(datasets, configs, [int(s) for s in args.seeds.split(",")], args.cache)
    result = {
        "command": command_line(),
        "revision": git_revision(),
        "machine": machine_description(),
        "datasets": evaluate(load_records(args.cache)),
    }
    args.json.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    if args.json == RESULTS:  # a trial run elsewhere leaves the docs alone
        write_section("selection-reliability", markdown(result, previous()))
    else:
        print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
