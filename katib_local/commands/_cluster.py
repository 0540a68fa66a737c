"""What the cluster-side commands share: ``--cluster``/``-n`` options, connecting, one-line errors, and the
cluster variants of ``status`` and ``results``.

The connection is made through ``args.connect`` (a zero-argument callable returning a
:class:`~katib_local.cluster.KatibClient`; :func:`katib_local.cluster.connect` by default), so tests hand the
commands a client over a fake API instead.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console

from katib_local import exitcodes
from katib_local.cluster import (
    ClusterError,
    KatibClient,
    connect,
    experiment_view,
    last_condition,
    trial_result,
)
from katib_local.readback.best import observed_metrics
from katib_local.readback.results import leaderboard, to_csv, to_json


def add_namespace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-n",
        "--namespace",
        metavar="NS",
        help="namespace on the cluster (default: the object's, else the kube context's, else 'default')",
    )
    parser.set_defaults(connect=connect)


def add_cluster_args(parser: argparse.ArgumentParser) -> None:
    """``--cluster`` and ``-n NS`` for a command that reads either local state or a cluster."""
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="read the Experiment from the cluster of the current kube context instead of --root",
    )
    add_namespace(parser)


def error(message: str) -> None:
    """One line on stderr, never wrapped."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)


def open_client(args: argparse.Namespace) -> tuple[KatibClient, str] | None:
    """The client and the namespace to use, or ``None`` after printing why there is no client."""
    try:
        client: KatibClient = args.connect()
    except ClusterError as exc:
        error(str(exc))
        return None
    return client, args.namespace or client.namespace


def cluster_results(args: argparse.Namespace) -> int:
    """``results NAME --cluster``: the Trials of a cluster Experiment, in ``results``' formats."""
    opened = open_client(args)
    if opened is None:
        return ClusterError.exit_code
    client, namespace = opened
    try:
        experiment = client.get_experiment(namespace, args.name)
        trials = client.list_trials(namespace, args.name)
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    view = experiment_view(experiment)
    results = [trial_result(t, view) for t in trials]
    if args.format == "csv":
        sys.stdout.write(to_csv(results, view))
    elif args.format == "json":
        sys.stdout.write(to_json(results) + "\n")
    else:
        title = f"{args.name} (namespace {namespace}): {last_condition(experiment).get('type', '-')}"
        Console().print(leaderboard(results, view, title))
    return exitcodes.OK


_COUNTERS = (
    "trials",
    "trialsRunning",
    "trialsPending",
    "trialsSucceeded",
    "trialsFailed",
    "trialsKilled",
    "trialsEarlyStopped",
    "trialMetricsUnavailable",
)
"""Katib's ``Experiment.status`` trial counters; from ``trialsSucceeded`` on, each counts a terminal trial."""


def _status_lines(experiment: dict[str, Any], namespace: str) -> list[str]:
    name = (experiment.get("metadata") or {}).get("name")
    status = experiment.get("status") or {}
    last = last_condition(experiment)
    max_trials = (experiment.get("spec") or {}).get("maxTrialCount")
    count = {key: int(status.get(key) or 0) for key in _COUNTERS}
    done = sum(count[key] for key in _COUNTERS[3:])
    limit = "∞" if max_trials is None else str(max_trials)
    lines = [
        f"Experiment {name} (namespace {namespace}, on the cluster)",
        f"Condition: {last.get('type', '-')} {last.get('reason', '')}: {last.get('message', '')}",
        f"Trials: {count['trials']} created, {done}/{limit} done; running {count['trialsRunning']}, "
        f"pending {count['trialsPending']}, succeeded {count['trialsSucceeded']}, "
        f"failed {count['trialsFailed']}, early-stopped {count['trialsEarlyStopped']}, "
        f"metrics-unavailable {count['trialMetricsUnavailable']}",
    ]
    optimal = status.get("currentOptimalTrial") or {}
    view = experiment_view(experiment)
    value = observed_metrics(optimal.get("observation") or {}, view).get(view.objective)
    if not optimal.get("bestTrialName") or value is None:
        lines.append("Best trial: none yet")
    else:
        params = ", ".join(
            f"{a.get('name')}={a.get('value')}" for a in optimal.get("parameterAssignments") or []
        )
        shown = f"{value:.6g}" if isinstance(value, float) else value
        lines.append(f"Best trial: {optimal['bestTrialName']} {view.objective}={shown} ({params})")
    return lines


def cluster_status(args: argparse.Namespace) -> int:
    """``status NAME --cluster``: condition, Katib's trial counters and the current optimal trial."""
    opened = open_client(args)
    if opened is None:
        return ClusterError.exit_code
    client, namespace = opened
    try:
        experiment = client.get_experiment(namespace, args.name)
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    console = Console(highlight=False, soft_wrap=True)
    for line in _status_lines(experiment, namespace):
        console.print(line, markup=False)
    return exitcodes.OK
