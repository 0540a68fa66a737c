"""The ``cmapss`` section of ``docs/benchmarks.md``, built from the files the C-MAPSS steps write.

Inputs are plain JSON-ready data: the search's record (``cmapss_best.json``), the seed runs per subset
(``cmapss_seeds.json``) and the FD002 normalisation check. Every model-quality figure shown is a mean +/-
sample sd over at least :data:`MIN_SEEDS` training seeds; with fewer (or with seed runs recorded for
another configuration than the record's) the place of the figure says it is not yet measured. The search's
trials appear with their objective only: a trial's test metrics are one draw and are never shown.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

MIN_SEEDS = 5
"""Seeds a model-quality figure needs before it is shown."""
PUBLISHED = (
    ("LSTM, Zheng et al. 2017", 16.14, 338.0),
    ("DCNN, Li et al. 2018", 12.61, 273.7),
    ("MTSTAN, 2023", 10.97, 175.0),
)
"""FD001 test RMSE and PHM08 score as cited (capped-at-125 protocol, last window per test unit)."""
COMMAND = "python bench/cmapss_tuning.py"
DEFAULT_DATA = "../shared/datasets/cmapss/train_FD001.txt"


def pm(figures: Mapping[str, Any], name: str, digits: int) -> str:
    """``mean +/- sd`` of ``name`` in a summary (:func:`bench._seed_runs.summarise`)."""
    return f"{figures[name + '_mean']:.{digits}f} +/- {figures[name + '_sd']:.{digits}f}"


def measured(entry: Mapping[str, Any] | None) -> bool:
    """Whether ``entry`` holds at least :data:`MIN_SEEDS` finished seeds."""
    return bool(entry) and int((entry or {}).get("n", 0)) >= MIN_SEEDS


def measured_for(entry: Mapping[str, Any] | None, saved: Mapping[str, Any] | None) -> bool:
    """:func:`measured`, and trained with the recorded configuration's ``trainer_args`` (seed runs of an
    earlier record, or with no record at all, describe no configuration shown here)."""
    if saved is None or not measured(entry):
        return False
    return list((entry or {}).get("trainer_args") or []) == list(saved["trainer_args"])


def missing(entry: Mapping[str, Any] | None, saved: Mapping[str, Any] | None, step: str) -> str:
    """Why a subset shows no figure (``step`` is the command that measures it)."""
    if entry is None:
        return f"not yet measured over {MIN_SEEDS} seeds (`{COMMAND} {step}`)"
    if saved is None or list(entry.get("trainer_args") or []) != list(saved["trainer_args"]):
        return f"not yet measured over {MIN_SEEDS} seeds of this configuration (`{COMMAND} {step}`)"
    diverged = f"; diverged: seeds {', '.join(entry['failed'])}" if entry.get("failed") else ""
    return (
        f"{entry['n']} seeds finished, fewer than the {MIN_SEEDS} a figure needs{diverged} "
        f"(`{COMMAND} {step}`)"
    )


def _seed_list(entry: Mapping[str, Any]) -> str:
    return ", ".join(sorted(entry["seeds"], key=int))


def headline(saved: Mapping[str, Any] | None, seeds: Mapping[str, Any]) -> list[str]:
    """The FD001 table: the published rows and this project's mean +/- sd (or why it is missing)."""
    rows = [f"| {name} (as cited*) | {rmse:.2f} | {score:.0f} |" for name, rmse, score in PUBLISHED]
    label = "this project: chosen by the search on validation only, retrained on"
    fd001 = seeds.get("FD001")
    if measured_for(fd001, saved):
        assert fd001 is not None
        rows.append(
            f"| {label} {fd001['n']} seeds (mean +/- sd) | {pm(fd001, 'test_rmse', 2)} | "
            f"{pm(fd001, 'test_score', 0)} |"
        )
    else:
        rows.append(f"| {label} {MIN_SEEDS} seeds | {missing(fd001, saved, 'seeds')} | - |")
    lines = ["| model | FD001 test RMSE | PHM08 score |", "|---|---|---|", *rows, ""]
    lines.append(
        r"\* Published figures as commonly cited for FD001 (test truth capped at 125); not re-checked "
        "against the papers and not rerun here. Published figures are often a single run or the best of "
        "several, under each paper's own protocol."
    )
    if measured_for(fd001, saved):
        assert fd001 is not None
        lines += ["", provenance_line("FD001", fd001)]
    return lines


def provenance_line(subset: str, entry: Mapping[str, Any]) -> str:
    return (
        f"{subset} seed runs: seeds {_seed_list(entry)}; `{entry['command']}`; {entry['machine']}; "
        f"commit {entry['revision']}."
    )


def other_subsets(saved: Mapping[str, Any] | None, seeds: Mapping[str, Any]) -> list[str]:
    """The chosen configuration, untouched, on every other subset in the seeds file."""
    others = sorted(s for s in seeds if s != "FD001")
    if not others or saved is None:
        return []
    lines = [
        "The same configuration, untouched (chosen on FD001, not tuned again), on other subsets:",
        "",
        "| subset | test RMSE | PHM08 score | seeds |",
        "|---|---|---|---|",
    ]
    for subset in others:
        entry = seeds[subset]
        if measured_for(entry, saved):
            lines.append(
                f"| {subset} | {pm(entry, 'test_rmse', 2)} | {pm(entry, 'test_score', 0)} | "
                f"{_seed_list(entry)} |"
            )
        else:
            lines.append(f"| {subset} | {missing(entry, saved, 'seeds --subset ' + subset)} | - | - |")
    return [*lines, "", *(provenance_line(s, seeds[s]) for s in others if measured_for(seeds[s], saved))]


def configuration(saved: Mapping[str, Any] | None) -> list[str]:
    """The chosen trial, its assignments and one copyable command that trains it on one seed (the data at
    the default ``--cmapss-dir``, beside the repository)."""
    if saved is None:
        return [f"Chosen configuration: none recorded yet (`{COMMAND} search`, then `{COMMAND} record`)."]
    chosen = saved["chosen"]
    command = " ".join(["python -m trainer", *saved["trainer_args"], f"--data={DEFAULT_DATA}", "--seed=1"])
    return [
        f"Chosen configuration: trial `{chosen['name']}` ({chosen['status']}), the lowest objective "
        f"(`val_rmse`, min over epochs, on the search's validation units) of the search: "
        f"{float(chosen['objective']):.3f}. "
        f"Assignments: `{json.dumps(chosen['assignments'], sort_keys=True)}`. "
        "One seed of it, from the repository root (sgd runs with momentum 0.9):",
        "",
        "```",
        command,
        "```",
    ]


def search_summary(saved: Mapping[str, Any] | None, twin_max: int) -> list[str]:
    """Trial statuses and the five best trials by the objective, with the objective only."""
    if saved is None:
        return []
    trials = saved["trials"]
    counts: dict[str, int] = {}
    for t in trials:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    ranked = sorted((t for t in trials if t["objective"] is not None), key=lambda t: float(t["objective"]))
    resumed = (
        f" It ran as `search` ({twin_max} trials, the twin's maxTrialCount), then `search --max-trials "
        f"{len(trials)}`, which resumes it (katib-local rebuilds skopt's state from the trial history, as "
        "Katib's suggestion service would after raising maxTrialCount)."
        if len(trials) > twin_max
        else ""
    )
    lines = [
        f"Search: {len(trials)} trials ("
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        + f"), one seed ({saved['search_seed']}) each.{resumed} Five best by the objective, the only figure "
        "the choice used:",
        "",
        "| trial | val_rmse (objective) | assignments |",
        "|---|---|---|",
    ]
    for t in ranked[:5]:
        params = ", ".join(f"{k}={v}" for k, v in sorted(t["assignments"].items()))
        lines.append(f"| {t['name']} | {float(t['objective']):.3f} | {params} |")
    return lines


def reading_notes(saved: Mapping[str, Any] | None, seeds: Mapping[str, Any]) -> list[str]:
    """How to read the figures honestly: selection, published runs, seed spread, the PHM08 score."""
    split = f"seed {saved['search_seed']}" if saved else "the search's seed"
    lines = [
        "How to read this honestly:",
        "- Chosen on validation only: the search ranked its trials by `val_rmse` on the validation units "
        f"(a seeded 20% of the training units, {split}); `record` fixes the "
        "configuration from that ranking alone, before any seed run, and the official test set is only "
        "reported. The retraining seeds exclude the search's own seed.",
        "- Published figures are often a single run or the best of several, under their authors' own "
        "protocols (training length, validation, number of runs); they are quoted as cited. This project's "
        "figure is a mean over seeds, which a best-of-runs figure of the same model would match or "
        "beat by construction.",
    ]
    fd001 = seeds.get("FD001")
    if measured_for(fd001, saved):
        assert fd001 is not None and saved is not None
        rmse = [s["test_rmse"] for s in fd001["seeds"].values()]
        objective = float(saved["chosen"]["objective"])
        reading = (
            "higher: the search's figure is the minimum over many noisy trials and flattered the "
            "configuration it picked"
            if fd001["val_rmse_mean"] > objective
            else "not higher: no sign here that the search's figure flattered the configuration it picked"
        )
        lines.append(
            f"- The spread over seeds: test RMSE {min(rmse):.2f}-{max(rmse):.2f} over {fd001['n']} seeds "
            f"(sd {fd001['test_rmse_sd']:.2f}, median {statistics.median(rmse):.2f}); a seed sets the "
            "validation split, the initial weights and the shuffling. The chosen trial's objective in the "
            f"search was {objective:.3f}; over the seeds its best `val_rmse` is "
            f"{pm(fd001, 'val_rmse', 3)} (other validation units each seed), {reading}."
        )
        if fd001.get("failed"):
            lines.append(
                f"- Seeds {', '.join(fd001['failed'])} diverged (the trainer's exit 3) and are not in the "
                "mean: the configuration does not always train."
            )
    else:
        lines.append(
            f"- The spread over seeds: not yet measured (`{COMMAND} seeds`, {MIN_SEEDS} seeds at least)."
        )
    lines.append(
        "- The PHM08 score sums exponentials of the errors and punishes late predictions more than early "
        "ones, so a few badly late predictions dominate it: read its sd beside its mean, and compare scores "
        "with care."
    )
    return lines


def fd002_lines(fd002: Mapping[str, Any] | None) -> list[str]:
    """The FD002 ``--condition-norm`` A/B as mean +/- sd per normalisation, or that it is not measured."""
    lead = f"**Per-operating-condition normalisation on FD002** (`{COMMAND} fd002-check`)"
    runs = (fd002 or {}).get("runs") or {}
    if not fd002 or "seeds" not in fd002 or not runs or not all(measured(r) for r in runs.values()):
        return [
            f"{lead}: not yet measured over seeds; no figure is given until each normalisation has been "
            f"trained on {MIN_SEEDS} seeds."
        ]
    labels = {"6": "--condition-norm=6 (per condition)", "0": "--condition-norm=0 (global)"}
    rows = [
        f"| `{labels.get(k, '--condition-norm=' + k)}` | {pm(r, 'val_rmse', 2)} | {pm(r, 'test_rmse', 2)} | "
        f"{pm(r, 'test_score', 0)} |"
        for k, r in runs.items()
    ]
    return [
        f"{lead}: one fixed configuration (`{' '.join(fd002['flags'])}`), trained on seeds "
        f"{', '.join(str(s) for s in fd002['seeds'])} with each normalisation; an A/B of the layer, not a "
        f"tuned result. Mean +/- sd over the seeds; `{fd002['command']}`; {fd002['machine']}; commit "
        f"{fd002['revision']}.",
        "",
        "| normalisation | best val_rmse | FD002 test RMSE | PHM08 score |",
        "|---|---|---|---|",
        *rows,
    ]


def sweep_lines(sweep: Mapping[str, Any] | None) -> list[str]:
    """The validation sweep that shaped the search space: mean +/- sd of the objective only.

    Test figures of these runs exist in the file but are not shown: fewer than :data:`MIN_SEEDS` seeds each,
    and the search space was chosen on validation alone.
    """
    runs = (sweep or {}).get("runs") or {}
    if not runs:
        return []
    rows = []
    for name, run in runs.items():
        values = [float(s["val_rmse"]) for s in run["seeds"].values()]
        sd = statistics.stdev(values) if len(values) > 1 else float("nan")
        flags = " ".join(a for a in run["trainer_args"] if a not in SWEEP_COMMON)
        rows.append(f"| {name} | `{flags}` | {len(values)} | {statistics.fmean(values):.2f} +/- {sd:.2f} |")
    assert sweep is not None
    disclosure = sweep.get("disclosure")
    how = (
        "on validation; the note below the table names the runs that were not"
        if disclosure
        else "validation only"
    )
    return [
        f"**How the search space was chosen** ({how}): "
        + str(sweep["what"])
        + f" Common flags: `{' '.join(SWEEP_COMMON)}`. {sweep['machine']}; commit {sweep['revision']}; "
        "the runs are in `bench/results/cmapss_window_sweep.json`.",
        "",
        "| run | flags | seeds | best val_rmse (mean +/- sd) |",
        "|---|---|---|---|",
        *rows,
        *(["", f"Note: {disclosure}"] if disclosure else []),
    ]


NOT_COMPARABLE_VAL = ("--val-fraction=0.01",)
"""Lever flags after which a run's val_rmse scores one unit, so it is not shown."""


def lever_lines(
    tried: Mapping[str, Any] | None, saved: Mapping[str, Any] | None, seeds: Mapping[str, Any]
) -> list[str]:
    """Changes tried on a chosen configuration after its search (``cmapss_tuning.py levers``), beside it.

    ``tried["baseline"]`` is the seed-run summary of the configuration the levers changed, stored with
    them, so the table stands when a later search records another configuration; the caption then says
    so. ``tried["subset"]`` names the data (FD001 when absent, as before the field existed). A row's
    figures are shown only when measured over :data:`MIN_SEEDS` seeds, like the headline.
    """
    if not tried:
        return []
    subset = str(tried.get("subset") or "FD001")
    current = saved is not None and list(tried.get("trainer_args") or []) == list(saved["trainer_args"])
    base = tried.get("baseline") or (seeds.get(subset) if current else None)

    def row(name: str, extra: str, entry: Mapping[str, Any] | None, show_val: bool) -> str:
        if not measured(entry):
            return f"| {name} | {extra} | not measured over {MIN_SEEDS} seeds | | |"
        assert entry is not None
        val = pm(entry, "val_rmse", 2) if show_val else "- (one unit)"
        return f"| {name} | {extra} | {val} | {pm(entry, 'test_rmse', 2)} | {pm(entry, 'test_score', 0)} |"

    rows = [row("as chosen (its seed runs)", "-", base, True)]
    for name, entry in tried["runs"].items():
        extra = " ".join(entry["extra_args"])
        rows.append(
            row(name, f"`{extra}`", entry, not any(a in NOT_COMPARABLE_VAL for a in entry["extra_args"]))
        )
    notes = []
    refit = tried["runs"].get("all training units")
    if measured(refit) and measured(base):
        assert refit is not None and base is not None
        if refit["test_rmse_sd"] < base["test_rmse_sd"] / 2:
            notes.append(
                f"- Without the seeded validation split the test RMSE's sd over seeds falls from "
                f"{base['test_rmse_sd']:.2f} to {refit['test_rmse_sd']:.2f}: most of the seed runs' spread "
                "is which units the split leaves for training, not the initial weights."
            )
    which = (
        "the chosen configuration"
        if current
        else "an earlier search's choice, not the one recorded now (its `trainer_args` are stored with "
        "these runs)"
    )
    data = subset if subset == "FD001" else f"{subset}, a subset the search never saw"
    return [
        f"**Changes tried after the choice** (`{COMMAND} levers`: {which}, with flags appended; {data}, "
        f"the same seeds; {tried['machine']}; revision {tried['revision']}). Diagnostics of the "
        "configuration, not a new choice; mean +/- sd over seeds:",
        "",
        "| run | flags added | best val_rmse | test RMSE | PHM08 score |",
        "|---|---|---|---|---|",
        *rows,
        *(["", *notes] if notes else []),
    ]


SWEEP_COMMON = (
    "--rul-cap=125",
    "--window=30",
    "--stride=1",
    "--val-cuts=10",
    "--ema-momentum=0.98",
    "--threads=2",
)
"""Flags every sweep run shares (a later ``--window`` overrides the first)."""


def markdown(
    saved: Mapping[str, Any] | None,
    seeds: Mapping[str, Any],
    fd002: Mapping[str, Any] | None,
    twin_max: int,
    sweep: Mapping[str, Any] | None = None,
    tried: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The whole section; ``saved`` is None before ``record`` has run; ``twin_max`` is the twin's
    maxTrialCount (a search with more trials was resumed); ``sweep`` is the validation sweep, if any;
    ``tried``: the levers tried on the chosen configuration (``levers``), one entry per subset."""
    commands = ", ".join(
        f"`{COMMAND} {step}`"
        for step in ("search", "record", "seeds", "seeds --subset FD003", "fd002-check", "levers", "docs")
    )
    lines = [
        "## C-MAPSS: a configuration chosen on validation, retrained over seeds, beside published results",
        "",
        f"Commands, in order, from the repository root: {commands}. `search` runs "
        "`examples/cmapss-bayesian-local.yaml` live with katib-local on FD001; `record` keeps its best trial "
        "by the objective; `seeds` retrains that configuration from scratch on seeds 1-5 (each run cached "
        "in `out/cmapss-seeds/`, a rerun resumes); `docs` writes this section.",
        "",
        *headline(saved, seeds),
        "",
        *other_subsets(saved, seeds),
        "",
        *configuration(saved),
        "",
        *search_summary(saved, twin_max),
        "",
        *sweep_lines(sweep),
        "",
        *[line for entry in tried for line in [*lever_lines(entry, saved, seeds), ""]],
        "",
        *reading_notes(saved, seeds),
        *(
            [
                "- Not all of the search space was chosen on validation: see the note under *How the "
                "search space was chosen*."
            ]
            if (sweep or {}).get("disclosure")
            else []
        ),
        "",
        *fd002_lines(fd002),
    ]
    text = "\n".join(lines)
    while "\n\n\n" in text:  # an empty part leaves no double gap
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n"
