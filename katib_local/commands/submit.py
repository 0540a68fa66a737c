"""``katib-local submit FILE [-n NS] [--wait]``: validate an Experiment here, then create it on the cluster.

Order, so that each failure costs as little as possible and says one thing:

1. the file: one Experiment (``--name`` picks one of several), and ``-n`` must agree with its
   ``metadata.namespace`` when both are given (as ``kubectl`` insists);
2. Katib's webhook and suggestion-settings rules, offline (what ``katib-local validate`` reports);
3. the kube config; then the Namespace's ``katib.kubeflow.org/metrics-collector-injection: enabled`` label,
   read with ``CoreV1Api`` (without it Katib's webhook refuses the Experiment, and older Katib let trials
   hang with no metrics collector). A user allowed to create Experiments but not to read Namespaces gets a
   warning and the create goes ahead: the webhook still has the last word;
4. the create: no Katib CRD, forbidden, already exists and webhook denials each give one line.

``--wait`` then polls the Experiment every ``--interval`` seconds, printing each trial as it starts and
ends (and a live panel on a terminal), until it Succeeds or Fails; then prints the leaderboard.

Exit status: 0 created (with ``--wait``: Succeeded); 1 ``--wait``: Failed; 2 the file or its validation;
4 the cluster (no kube config, no Katib, namespace missing or not labelled, forbidden, already exists,
rejected, unreachable); 130 ``--wait`` interrupted (the Experiment keeps running on the cluster).
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

from rich.console import Console

from katib_local import exitcodes
from katib_local.cluster import (
    ClusterError,
    ForbiddenError,
    KatibClient,
    NamespaceNotLabelledError,
    experiment_view,
    last_condition,
    trial_result,
    watch,
)
from katib_local.commands._cluster import add_namespace, error, open_client
from katib_local.commands.run import load_experiment
from katib_local.experiment.loader import LoaderError, namespace_labels
from katib_local.experiment.validation import validate_experiment
from katib_local.readback.display import make_display
from katib_local.readback.results import leaderboard

INJECTION_LABEL = "katib.kubeflow.org/metrics-collector-injection"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("submit", help="validate an Experiment, then create it on the cluster")
    parser.add_argument("file", type=Path, metavar="FILE", help="YAML file holding a Katib Experiment")
    parser.add_argument("--name", help="which Experiment of FILE to submit, when it holds several")
    add_namespace(parser)
    parser.add_argument("--wait", action="store_true", help="follow the trials until the Experiment ends")
    parser.add_argument(
        "--interval",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds between polls with --wait (default: 10)",
    )
    parser.add_argument("--plain", action="store_true", help="plain lines instead of the live view")
    parser.set_defaults(func=main)


def _namespace(args: argparse.Namespace, doc: dict[str, Any]) -> str | None:
    """``-n`` or ``metadata.namespace``; ``None`` when neither (the kube context decides)."""
    in_file = (doc.get("metadata") or {}).get("namespace")
    if args.namespace and in_file and args.namespace != in_file:
        raise LoaderError(
            f"the namespace from the provided object {in_file!r} does not match the namespace "
            f"{args.namespace!r} given with -n: drop one"
        )
    return args.namespace or in_file


def _check_label(client: KatibClient, namespace: str, err: Console) -> None:
    """Raise :class:`NamespaceNotLabelledError` when the Namespace lacks the collector label; warn when it
    cannot be read."""
    try:
        labels = client.namespace_labels(namespace)
    except ForbiddenError as exc:
        err.print(f"warning: {exc}; the {INJECTION_LABEL} label is not checked")
        return
    if labels.get(INJECTION_LABEL) != "enabled":
        raise NamespaceNotLabelledError(
            f"namespace {namespace} lacks the label {INJECTION_LABEL}=enabled, so Katib's webhook refuses "
            f"the Experiment: kubectl label namespace {namespace} {INJECTION_LABEL}=enabled"
        )


def main(args: argparse.Namespace) -> int:
    out = Console(highlight=False, soft_wrap=True, markup=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
    try:
        doc, docs = load_experiment(args.file, args.name)
        namespace = _namespace(args, doc)
    except LoaderError as exc:
        error(str(exc))
        return exitcodes.USAGE
    findings = validate_experiment(doc, namespace_labels=namespace_labels(docs))
    for finding in findings:
        err.print(str(finding), style="red" if finding.severity == "error" else "yellow")
    if any(f.severity == "error" for f in findings):
        error(f"{args.file} is not a valid Katib Experiment; nothing was submitted")
        return exitcodes.USAGE
    opened = open_client(args)
    if opened is None:
        return ClusterError.exit_code
    client, namespace = opened[0], namespace or opened[1]
    name = str((doc.get("metadata") or {}).get("name"))
    body = copy.deepcopy(doc)
    body.setdefault("metadata", {})["namespace"] = namespace
    try:
        _check_label(client, namespace, err)
        client.create_experiment(namespace, body)
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    out.print(f"experiment.kubeflow.org/{name} created in namespace {namespace}")
    if not args.wait:
        return exitcodes.OK
    return _wait(args, client, namespace, name, out)


def _wait(args: argparse.Namespace, client: KatibClient, namespace: str, name: str, out: Console) -> int:
    display = make_display(out, live=False if args.plain else None)
    try:
        with display:
            final = watch(client, namespace, name, display, interval=args.interval)
        trials = client.list_trials(namespace, name)
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        out.print(
            f"stopped watching; {name} keeps running on the cluster (katib-local status {name} --cluster)"
        )
        return exitcodes.INTERRUPTED
    condition = last_condition(final)
    view = experiment_view(final)
    title = f"{name}: {condition.get('type')} ({condition.get('reason')})"
    Console(soft_wrap=True).print(leaderboard([trial_result(t, view) for t in trials], view, title))
    return exitcodes.OK if condition.get("type") == "Succeeded" else exitcodes.FAILED
