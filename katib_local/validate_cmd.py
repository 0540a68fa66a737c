"""``katib-local validate FILE...``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO


def run_validate(paths: Sequence[Path], out: TextIO) -> int:
    """Validate every Experiment in ``paths``; print findings and a summary to ``out``; 1 on any error."""
    raise NotImplementedError
