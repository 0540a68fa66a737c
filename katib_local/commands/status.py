"""``katib-local status NAME``: an experiment's condition, trial counts and best trial."""

from __future__ import annotations

import argparse

from katib_local import exitcodes
from katib_local.commands._cluster import add_cluster_args, cluster_status
from katib_local.commands._common import add_root, make_console, open_experiment
from katib_local.controller.lifecycle import Counts
from katib_local.readback.results import ExperimentView, best, trial_result


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("status", help="a local experiment's condition, counts and best trial")
    parser.add_argument("name", metavar="NAME", help="the Experiment's metadata.name")
    add_root(parser)
    add_cluster_args(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.cluster:
        return cluster_status(args)
    console = make_console()
    opened = open_experiment(args.root, args.name, make_console(stderr=True))
    if opened is None:
        return exitcodes.USAGE
    store, exp = opened
    with store:
        trials = store.trials(exp.name)
    view = ExperimentView.of(exp.spec)
    results = [trial_result(t, view) for t in trials]
    counts = Counts.of(t.status for t in trials)
    last = exp.last_condition or {}
    console.print(f"Experiment {exp.name} (namespace {exp.namespace}, from {exp.source or '-'})")
    console.print(f"Condition: {last.get('type', '-')} {last.get('reason', '')}: {last.get('message', '')}")
    max_trials = exp.spec.get("maxTrialCount")
    limit = "∞" if max_trials is None else str(max_trials)
    console.print(
        f"Trials: {len(trials)} created, {counts.terminal}/{limit} done; "
        f"running {counts.running}, pending {counts.pending}, succeeded {counts.succeeded}, "
        f"failed {counts.failed}, early-stopped {counts.early_stopped}, "
        f"metrics-unavailable {counts.metrics_unavailable}"
    )
    top = best([r for r in results if r.status.is_terminal], view)
    if top is None:
        console.print("Best trial: none yet")
    else:
        params = ", ".join(f"{k}={v}" for k, v in top.assignments.items())
        console.print(f"Best trial: {top.name} {view.objective}={top.objective:.6g} ({params})")
    return exitcodes.OK
