"""Helpers shared by subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from katib_local.controller.store import DB_NAME, ExperimentRow, Store

DEFAULT_ROOT = Path("runs")
PIPE_WIDTH = 200
"""Width used when stdout is not a terminal: rich would otherwise squeeze tables into 80 columns in logs."""


def make_console(stderr: bool = False) -> Console:
    """A console for tables and messages: the terminal's width, or :data:`PIPE_WIDTH` in a pipe or a log."""
    console = Console(stderr=stderr)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(stderr=stderr, width=PIPE_WIDTH)
    return console


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="state and volumes directory (default: ./runs)"
    )


def open_experiment(root: Path, name: str, err: Console) -> tuple[Store, ExperimentRow] | None:
    """The store and experiment row, or ``None`` after printing why not (no state, unknown name)."""
    if not (root / DB_NAME).is_file():
        err.print(f"error: no katib-local state under {root} (run an experiment first, or pass --root)")
        return None
    store = Store(root)
    exp = store.get_experiment(name)
    if exp is None:
        known = ", ".join(store.list_experiments()) or "none"
        store.close()
        err.print(f"error: no experiment {name!r} under {root} (known: {known})")
        return None
    return store, exp
