"""``katib-local best NAME [--root DIR | --cluster [-n NS]] [--helm-values FILE]``: the best trial and its
model.

Prints the best trial's parameters, its metrics (each at its metric strategy's value) and where its model
is: the PVC and the directory in it, and for a local experiment the local directory and its SavedModel
versions. ``--helm-values FILE`` writes values for ``charts/inference`` that serve that model.

Exit status:

- 0: found, with a model (locally: a directory holding a SavedModel version; on a cluster: a model directory
  on a PVC, which cannot be looked into from here);
- 1: the experiment has no best trial yet, or its best trial has no model (one line says which and why;
  ``--helm-values`` then writes nothing);
- 2: unknown experiment (or no local state), bad model name;
- 4: the cluster cannot be reached or refused the call (``--cluster``).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from rich.console import Console

from katib_local import exitcodes
from katib_local.cluster import ClusterError
from katib_local.commands._cluster import add_cluster_args, error, open_client
from katib_local.commands._common import add_root, open_experiment
from katib_local.readback.best import BestTrial, NoBestTrialError, cluster_best, local_best
from katib_local.readback.helm_values import inference_values, write_values
from katib_local.readback.model_location import savedmodel_versions


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("best", help="the best trial's parameters, metrics and model (and Helm values)")
    parser.add_argument("name", metavar="NAME", help="the Experiment's metadata.name")
    add_root(parser)
    add_cluster_args(parser)
    parser.add_argument(
        "--helm-values",
        type=Path,
        metavar="FILE",
        help="write values for charts/inference that serve the best trial's model",
    )
    parser.add_argument(
        "--model-name", metavar="NAME", help="model name in TF Serving's URL (default: the experiment's name)"
    )
    parser.set_defaults(func=main)


def _lookup(args: argparse.Namespace) -> BestTrial | int:
    """The best trial, or the exit status after printing why there is none."""
    try:
        if args.cluster:
            opened = open_client(args)
            if opened is None:
                return ClusterError.exit_code
            client, namespace = opened
            return cluster_best(client.get_experiment(namespace, args.name), client)
        local = open_experiment(args.root, args.name, Console(stderr=True, soft_wrap=True))
        if local is None:
            return exitcodes.USAGE
        store, experiment = local
        with store:
            return local_best(store, experiment)
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    except NoBestTrialError as exc:
        error(str(exc))
        return exitcodes.FAILED


def _command(args: argparse.Namespace, namespace: str) -> str:
    """The command line that reproduces this lookup (for the values file's header)."""
    where = ["--cluster", "-n", namespace] if args.cluster else ["--root", str(args.root)]
    name = ["--model-name", args.model_name] if args.model_name else []
    return shlex.join(
        ["katib-local", "best", args.name, *where, *name, "--helm-values", str(args.helm_values)]
    )


def _value(value: float | str) -> str:
    return f"{value:.6g}" if isinstance(value, float) else value


def main(args: argparse.Namespace) -> int:
    found = _lookup(args)
    if isinstance(found, int):
        return found
    out = Console(highlight=False, soft_wrap=True, markup=False)
    where = "on the cluster" if args.cluster else f"under {args.root}"
    condition = found.condition.get("type", "-")
    out.print(f"Experiment {found.experiment} (namespace {found.namespace}, {where}): {condition}")
    out.print(f"Best trial: {found.trial}")
    params = " ".join(f"{k}={v}" for k, v in found.parameters.items())
    out.print(f"  parameters: {params or '-'}")
    metrics = " ".join(
        f"{k}={_value(v)}{' (objective)' if k == found.objective else ''}" for k, v in found.metrics.items()
    )
    out.print(f"  metrics:    {metrics or '-'}")
    if found.model is None:
        error(f"best trial {found.trial} has no model: {found.model_problem}")
        return exitcodes.FAILED
    model = found.model
    out.print(f"  model:      claim {model.claim_name}, subPath {model.sub_path}")
    if args.cluster:
        out.print(f"              ({model.container_path} in the trial; not looked into from here)")
    else:
        local_dir = model.local_dir(args.root)
        versions = savedmodel_versions(local_dir)
        if not versions:
            error(f"best trial {found.trial} has no model: {local_dir} holds no SavedModel version directory")
            return exitcodes.FAILED
        out.print(f"  local dir:  {local_dir} (SavedModel versions: {', '.join(map(str, versions))})")
    if args.helm_values is not None:
        try:
            values = inference_values(model, found.experiment, found.trial, args.model_name)
        except ValueError as exc:
            error(str(exc))
            return exitcodes.USAGE
        try:
            write_values(args.helm_values, values, _command(args, found.namespace), found.namespace)
        except OSError as exc:
            error(f"--helm-values {args.helm_values}: cannot write: {exc.strerror or exc}")
            return exitcodes.USAGE
        out.print(
            f"Helm values: {args.helm_values} (helm install {found.experiment} charts/inference "
            f"-n {found.namespace} -f {args.helm_values})"
        )
    return exitcodes.OK
