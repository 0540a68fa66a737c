"""Entry point: parse flags, then hand over to the run, mapping every outcome to a documented exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from trainer import signals, startup  # noqa: F401  (startup: its fallback clock starts at import)
from trainer.config import parse_args
from trainer.errors import EXIT_OK, EXIT_USAGE, UsageError


def main(argv: Sequence[str] | None = None) -> int:
    """Run one trial; returns the process exit code (see :mod:`trainer.errors`)."""
    signals.install()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        cfg = parse_args(args)
    except UsageError as err:
        print(f"trainer: error: {err}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    if cfg.dry_run:
        print(json.dumps(cfg.to_dict(), indent=2, sort_keys=True), flush=True)
        return EXIT_OK
    from trainer.run import run_main  # imports data, later TensorFlow

    return run_main(cfg)
