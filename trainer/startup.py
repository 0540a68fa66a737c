"""Seconds since this process started, for the summary line's ``startup_seconds``.

A trial's fixed cost (interpreter, imports, data, model build, tracing and XLA compilation) is paid before
its first epoch line; ``startup_seconds`` is the time from process start to that line, which is also when
Katib first sees the trial report.

On Linux the start is the kernel's record of the process (``/proc/self/stat`` field 22, in clock ticks since
boot, against ``/proc/uptime``): it includes the interpreter's own start-up, to a resolution of one clock tick
(10 ms). Elsewhere, or if ``/proc`` cannot be read, it falls back to the moment this module was first
imported, which :mod:`trainer.cli` does before anything heavy; that misses only the interpreter's start.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_IMPORTED_AT = time.monotonic()


def _seconds_from_proc() -> float | None:
    try:
        # Field 2 (comm) may hold spaces or parentheses: split after its closing parenthesis.
        fields = Path("/proc/self/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        now = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    started = int(fields[19]) / ticks  # field 22 overall; fields[0] here is field 3
    return max(0.0, now - started)


def seconds_since_start() -> float:
    """Seconds since the process started (see the module docstring for the clock and its resolution)."""
    from_proc = _seconds_from_proc()
    return from_proc if from_proc is not None else time.monotonic() - _IMPORTED_AT
