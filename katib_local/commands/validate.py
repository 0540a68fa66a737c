"""``katib-local validate FILE...``: Katib's webhook and suggestion-settings rules, offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("validate", help="check Experiment files as Katib's webhook would")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from katib_local.experiment.validate_cmd import (
        run_validate,  # heavy (suggestion libraries): only when used
    )

    return run_validate(args.files, sys.stdout)
