"""Early-stopping savings: the same Experiments replayed without early stopping, with Katib's medianstop
(as v0.19 implements it: katib_local.controller.medianstop), and with the textbook median stopping rule
(Golovin et al. 2017).

Replayed against the reference table (``bench/results/reference_table.json``: the real trainer's 10-epoch
``val_rmse`` curve for each of 120 configurations); see :mod:`bench._replay` for what is Katib's code and
what is simulated. Per policy, over the seeds: trial-epochs trained, the best objective found (regret = best
minus the table's optimum), how many trials were stopped, and how many of the table's 10 best
configurations were stopped before they could show it.

    python bench/early_stopping.py   # random (40 trials) and grid (120), 10 seeds; a few minutes
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: python bench/early_stopping.py
    sys.path.insert(0, str(REPO))

from bench._replay import (  # noqa: E402
    KatibMedianStop,
    Replay,
    Stopper,
    TextbookMedianStop,
    experiment,
    replay,
    summarize,
)
from bench._tabular import RESULTS_DIR, TABLE_PATH, Table, config_key  # noqa: E402
from bench.report import command_line, git_revision, machine_description, write_section  # noqa: E402
from katib_local.controller.medianstop import MedianStopSettings  # noqa: E402
from katib_local.experiment.types import TrialStatus  # noqa: E402

POLICIES: dict[str, str] = {
    "none": "no early stopping",
    "katib-3-4": "Katib medianstop, defaults (min_trials_required 3, start_step 4)",
    "katib-5-5": "Katib medianstop as in manifests/experiment-bayesian.yaml (min_trials_required 5, "
    "start_step 5)",
    "textbook-3-4": "textbook median rule (Golovin et al.), at every step from 4, after 3 completed trials",
}
EXPERIMENTS: dict[str, tuple[str, int]] = {
    "random": ("random", 40),
    "bayesianoptimization": ("bayesianoptimization", 40),
    "grid": ("grid", 120),
}
"""Experiment label -> (algorithm, maxTrialCount); parallelTrialCount is 3 for all, as in the manifests."""
TOP = 10


def stopper(policy: str) -> tuple[Stopper | None, MedianStopSettings | None]:
    """The stopping rule for ``policy`` and the medianstop settings the Experiment carries (for Katib's)."""
    if policy == "none":
        return None, None
    kind, a, b = policy.split("-")
    if kind == "katib":
        settings = MedianStopSettings(min_trials_required=int(a), start_step=int(b))
        return KatibMedianStop(settings), settings
    return TextbookMedianStop(start_step=int(b), min_trials=int(a)), None


def run(table: Table, label: str, policy: str, seed: int, parallel: int) -> Replay:
    algorithm, max_trials = EXPERIMENTS[label]
    stop, settings = stopper(policy)
    exp = experiment(algorithm, seed, max_trials=max_trials, parallel=parallel, medianstop=settings)
    return replay(table, exp, stop)


def measures(result: Replay, table: Table, start_step: int = 4) -> dict[str, Any]:
    """What one replay cost and found, and what its rules looked like (see :func:`explanation`)."""
    top = {config_key(r.config) for r in table.ranked()[:TOP]}
    stopped = [t for t in result.trials if t.status == TrialStatus.EARLY_STOPPED]
    best = result.best()
    succeeded = [t for t in result.trials if t.status == TrialStatus.SUCCEEDED]
    thresholds = [t.rules[0].value for t in result.trials if t.rules]
    first_means = [statistics.fmean(t.reported[:start_step]) for t in succeeded]
    return {
        "late_stops": sum(1 for t in stopped if len(t.reported) > start_step),
        "katib_threshold": statistics.median(thresholds) if thresholds else None,
        "median_of_first_means": statistics.median(first_means) if first_means else None,
        "trial_epochs": result.trial_epochs,
        "ticks": result.ticks,
        "best": best,
        "regret": None if best is None else best - table.optimum,
        "stopped": len(stopped),
        "unjudged": sum(1 for t in result.trials if not t.rules)
        if any(t.rules for t in result.trials)
        else None,
        "top_stopped": sum(1 for t in stopped if config_key(t.config) in top),
        "top_seen": len({config_key(t.config) for t in result.trials} & top),
        "trials": len(result.trials),
    }


def markdown(result: dict[str, Any], table: Table) -> str:
    meta = result["meta"]
    lines = [
        "## Early stopping: Katib's medianstop vs the textbook median rule (replayed)",
        "",
        f"Command: `{meta['command']}`. Machine: {meta['machine']}. Commit {meta['revision']}.",
        "",
        "**What was measured.** The Experiments of the search-efficiency section (same reference table of "
        "real "
        "trainer runs: 120 configurations, 10-epoch `val_rmse` curves, objective = Katib's `min` over "
        "epochs) "
        f"**replayed** with parallelTrialCount {meta['parallel']}, {meta['seeds']} seeds each, under four "
        "policies: "
        + "; ".join(f"`{k}` = {v}" for k, v in POLICIES.items())
        + ". Katib's rule is katib_local's implementation of v0.19 (rules computed when a batch of trials "
        "is created and frozen into it; judged once, at `start_step`, on the best value so far, against the "
        "mean over Succeeded trials of their mean over the first `start_step` epochs). Costs are "
        "trial-epochs "
        "(one epoch of one trial), not seconds. Regret = best objective found - the table's optimum "
        f"({table.optimum:.3f}). Cells: median [first quartile, third quartile] over seeds.",
        "",
        "| experiment | policy | trial-epochs | saved vs none | regret | trials stopped | "
        f"top-{TOP} configs tried / stopped |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, block in result["summary"].items():
        base = block["none"]["trial_epochs"]["median"]
        for policy, s in block.items():
            te, rg = s["trial_epochs"], s["regret"]
            saved = 1 - te["median"] / base
            lines.append(
                f"| {label} ({EXPERIMENTS[label][1]} trials) | `{policy}` | {te['median']:.0f} "
                f"[{te['q1']:.0f}, {te['q3']:.0f}] | {saved:.0%} | {rg['median']:.3f} "
                f"[{rg['q1']:.3f}, {rg['q3']:.3f}] | {s['stopped']['median']:.0f} | "
                f"{s['top_seen']['median']:.0f} / {s['top_stopped']['median']:.0f} |"
            )
    lines += ["", *result["explanation"]]
    return "\n".join(lines) + "\n"


def explanation(summary: dict[str, Any], per_seed: dict[str, Any]) -> list[str]:
    """The paragraph explaining the difference, with this run's numbers in it."""
    counts = [r["unjudged"] for r in per_seed["random"]["katib-3-4"] if r.get("unjudged") is not None]
    unjudged = f"{summarize([float(c) for c in counts])['median']:.0f}" if counts else "?"

    def med(policy: str, key: str, fmt: str) -> str:
        values = summary["random"][policy].get(key) or {}
        return format(values["median"], fmt) if values else "?"

    katib_thr = med("katib-3-4", "katib_threshold", ".2f")
    median4 = med("katib-3-4", "median_of_first_means", ".2f")

    def spread(label: str, policy: str, key: str) -> str:
        v = summary[label][policy].get(key) or {}
        return f"{v['median']:g} [{v['min']:g}, {v['max']:g}]" if v else "?"

    def top_max(policy: str) -> str:
        return str(
            int(max(summary[label][policy]["top_stopped"].get("max", 0) for label in ("random", "grid")))
        )

    grid_worst = ", ".join(
        f"{p} {summary['grid'][p]['regret'].get('max', float('nan')):.3f}" for p in summary["grid"]
    )
    late_r = spread("random", "textbook-3-4", "late_stops")
    late_g = spread("grid", "textbook-3-4", "late_stops")

    def saved(label: str, policy: str) -> str:
        b = summary[label]["none"]["trial_epochs"]["median"]
        return f"{1 - summary[label][policy]['trial_epochs']['median'] / b:.0%}"

    return [
        "**Why the two rules differ.**",
        "- *When they look.* Katib's sidecar evaluates its rule exactly once, at the `start_step`-th "
        "report; a "
        "trial that passes then is never judged again. The textbook rule judges at every step from "
        "`start_step` on, so a trial that starts well and then stalls is still stopped later.",
        "- *Against what.* Katib's threshold is the **mean** over Succeeded trials of each trial's mean over "
        "its first `start_step` values, a number fixed when the trial's batch is created. The textbook "
        "threshold is the **median** over completed trials of their running averages up to the current step, "
        "recomputed as trials complete. Slow configurations (learning rate 1e-4, `val_rmse` near 40) pull "
        f"the mean up: in the random experiment Katib's thresholds had a median of {katib_thr}, while the "
        "median over the same runs' Succeeded trials of their 4-epoch means was "
        f"{median4} (taken at the end of each run; Katib's thresholds are taken as batches are created, "
        "from the trials succeeded so far). Yet the number of stopped trials is close: a median of "
        f"{med('katib-3-4', 'stopped', '.0f')} (Katib) and {med('textbook-3-4', 'stopped', '.0f')} "
        "(textbook) per random run.",
        "- *Who is counted.* Both use only trials that ran to the end (Katib: Succeeded, never EarlyStopped; "
        "the textbook rule here: completed). Katib also gives no rule at all to a trial created before "
        "`min_trials_required` trials have succeeded: on a cluster, where trials end one at a time, that is "
        "up to min_trials_required + parallelTrialCount - 1 trials (5 with the defaults and 3 in parallel, 7 "
        f"with the manifests' 5). In this replay, where every trial takes 10 epochs, {unjudged} trials "
        "(median per run, defaults) ran unjudged.",
        f"- *Net effect here: small.* On the random experiment Katib's defaults save "
        f"{saved('random', 'katib-3-4')} of the trial-epochs, the textbook rule "
        f"{saved('random', 'textbook-3-4')}; on the exhaustive grid {saved('grid', 'katib-3-4')} and "
        f"{saved('grid', 'textbook-3-4')}. Judging at every step adds little: the textbook rule stopped "
        f"{late_r} (random) and {late_g} (grid) trials per run after step 4 (median [min, max]), because "
        "running averages still carry the large early values and fall more slowly than a learning trial's "
        f"best. Of the table's {TOP} best configurations, Katib's defaults stopped at most "
        f"{top_max('katib-3-4')} in a run, the textbook rule at most {top_max('textbook-3-4')}. On the grid "
        f"the worst regret over runs was {grid_worst}. The regret differences on random come from which "
        "configurations were sampled, not from stopping: with early stopping, trials are requested at other "
        "moments and in other batch sizes, so even `random` (seeded per call from the history length) "
        "draws a different sequence. Stopping at step 5 after 5 succeeded trials (the manifests' setting) "
        "saves less.",
        "- *Limits.* One epoch = one unit of cost for every configuration; 10-epoch curves (longer training "
        "would give median stop more to save); one training seed per configuration; replayed, not live.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=TABLE_PATH)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--parallel", type=int, default=3)
    parser.add_argument(
        "--experiments",
        nargs="+",
        default=["random", "grid"],
        choices=EXPERIMENTS,
        help="default: random grid (bayesianoptimization too: about an hour on 2 shared cores, skopt's GP)",
    )
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "early_stopping.json")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite the docs section")
    parser.add_argument("--from-json", type=Path, default=None, help="only rewrite the docs from a saved run")
    args = parser.parse_args(argv)
    table = Table.load(args.table)
    if args.from_json is not None:
        saved = json.loads(args.from_json.read_text())
        saved["explanation"] = (
            explanation(saved["summary"], saved["per_seed"])
            if {"random", "grid"} <= set(saved["summary"])
            else []
        )
        write_section("early-stopping", markdown(saved, table))
        return 0
    per_seed: dict[str, dict[str, list[dict[str, Any]]]] = {}
    summary: dict[str, dict[str, Any]] = {}
    for label in args.experiments:
        per_seed[label], summary[label] = {}, {}
        for policy in POLICIES:
            start = 5 if policy == "katib-5-5" else 4
            rows = [
                measures(run(table, label, policy, seed, args.parallel), table, start)
                for seed in range(args.seeds)
            ]
            per_seed[label][policy] = rows
            summary[label][policy] = {
                key: summarize([float(r[key]) for r in rows if r[key] is not None])
                for key in (
                    "trial_epochs",
                    "regret",
                    "stopped",
                    "top_stopped",
                    "top_seen",
                    "trials",
                    "late_stops",
                    "katib_threshold",
                    "median_of_first_means",
                )
            }
            print(f"{label} {policy}: {summary[label][policy]['trial_epochs']}", flush=True)
    meta = {
        "command": command_line(),
        "machine": machine_description(),
        "revision": git_revision(),
        "seeds": args.seeds,
        "parallel": args.parallel,
        "optimum": table.optimum,
    }
    result: dict[str, Any] = {"meta": meta, "summary": summary, "per_seed": per_seed}
    result["explanation"] = explanation(summary, per_seed) if {"random", "grid"} <= set(summary) else []
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    text = markdown(result, table)
    print(text)
    if not args.no_docs:
        write_section("early-stopping", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
