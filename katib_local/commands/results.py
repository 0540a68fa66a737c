"""``katib-local results NAME [--format table|csv|json]``: every trial of a local experiment."""

from __future__ import annotations

import argparse
import sys

from katib_local import exitcodes
from katib_local.commands._cluster import add_cluster_args, cluster_results
from katib_local.commands._common import add_root, make_console, open_experiment
from katib_local.readback.results import ExperimentView, leaderboard, to_csv, to_json, trial_result


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("results", help="list a local experiment's trials (table, CSV or JSON)")
    parser.add_argument("name", metavar="NAME", help="the Experiment's metadata.name")
    add_root(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_cluster_args(parser)
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.cluster:
        return cluster_results(args)
    opened = open_experiment(args.root, args.name, make_console(stderr=True))
    if opened is None:
        return exitcodes.USAGE
    store, exp = opened
    with store:
        view = ExperimentView.of(exp.spec)
        results = [trial_result(t, view) for t in store.trials(exp.name)]
    if args.format == "csv":
        sys.stdout.write(to_csv(results, view))
    elif args.format == "json":
        sys.stdout.write(to_json(results) + "\n")
    else:
        last = exp.last_condition or {}
        make_console().print(leaderboard(results, view, f"{exp.name}: {last.get('type', '-')}"))
    return exitcodes.OK
