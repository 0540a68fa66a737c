"""``katib-local dashboard NAME [--root DIR | --cluster [-n NS]] [--port P] [--host H] [--interval S]``.

Serves optuna-dashboard for one Experiment's trials (history, parallel coordinates, parameter importance,
learning curves, CSV export) and follows it: the trials are re-read every ``--interval`` seconds, so trials
and epochs added while it runs appear on the page without a restart (the page itself refreshes every few
seconds). Locally it reads the SQLite state under ``--root`` (while ``katib-local run`` writes it); with
``--cluster`` it reads the Experiment and Trial objects through the cluster client.

Exit codes: 130 on Ctrl-C (the normal way to stop it), 2 when the port is taken or cannot be bound, for an
unknown experiment or missing state, 4 when the cluster refuses or cannot be reached at start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from katib_local import exitcodes
from katib_local.cluster import ClusterError
from katib_local.commands._cluster import add_cluster_args, error, open_client
from katib_local.commands._common import add_root, make_console, open_experiment
from katib_local.controller.store import Store
from katib_local.dashboard import ExperimentSnapshot, PortInUseError, cluster_snapshot, local_snapshot, serve


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "dashboard", help="serve optuna-dashboard for an experiment's trials, following it while it runs"
    )
    parser.add_argument("name", metavar="NAME", help="the Experiment's metadata.name")
    add_root(parser)
    add_cluster_args(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on; 0 = any free one (default 8080)"
    )
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between re-reads of the trials (default 2)"
    )
    parser.set_defaults(func=main)


def _announce(url: str, stop: Callable[[], None]) -> None:
    """The one line a user needs; ``stop`` is unused here (Ctrl-C ends the command)."""
    print(f"katib-local: dashboard at {url} (Ctrl-C to stop)", flush=True)


def main(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        error(f"--interval must be > 0, got {args.interval}")
        return exitcodes.USAGE
    if args.cluster:
        opened_client = open_client(args)
        if opened_client is None:
            return ClusterError.exit_code
        client, namespace = opened_client

        def snapshot() -> ExperimentSnapshot:
            return cluster_snapshot(
                client.get_experiment(namespace, args.name), client.list_trials(namespace, args.name)
            )

    else:
        opened = open_experiment(args.root, args.name, make_console(stderr=True))
        if opened is None:
            return exitcodes.USAGE
        opened[0].close()  # each read opens its own store: the sync thread may not share this one

        def snapshot() -> ExperimentSnapshot:
            with Store(args.root) as store:
                exp = store.get_experiment(args.name)
                if exp is None:
                    raise LookupError(f"experiment {args.name!r} is no longer under {args.root}")
                return local_snapshot(exp, store.trials(exp.name), args.root.resolve())

    try:
        serve(snapshot, args.host, args.port, args.interval, ready=lambda url, stop: _announce(url, stop))
    except PortInUseError as exc:
        error(str(exc))
        return exitcodes.USAGE
    except ClusterError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("katib-local: dashboard stopped", file=sys.stderr, flush=True)
        return exitcodes.INTERRUPTED
    return exitcodes.OK
