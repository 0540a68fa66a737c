"""``katib-local``: one subcommand per module in :mod:`katib_local.commands`.

To add a subcommand, write a module with ``register(subparsers)`` that adds its parser and sets
``func=<callable(args) -> int>``, and list it in :data:`katib_local.commands.COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from katib_local import __version__
from katib_local.commands import COMMANDS
from katib_local.exitcodes import USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="katib-local",
        description="Run Katib Experiments on one machine with Katib's semantics.",
        epilog="Exit codes: 0 ok/experiment Succeeded, 1 experiment Failed or validation errors, "
        "2 usage or invalid input, 3 experiment locked by another runner, 4 the cluster refused or cannot be "
        "reached, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0) if isinstance(exc.code, int) else USAGE
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `katib-local results X | head`
        sys.stderr.close()
        return 0
    except OSError as exc:
        # A path the user gave that cannot be read or written (an unwritable --root, a directory where a
        # file should be): one line, not a traceback. State already in the SQLite store stays committed.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"katib-local: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    raise SystemExit(main())
