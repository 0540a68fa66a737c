"""``startup_seconds`` counts from the process's start: checked against the parent's clock around the spawn.

CLOCK_MONOTONIC is one clock for every process on Linux, so the child's start as it computes it
(its monotonic time minus :func:`trainer.startup.seconds_since_start`) must fall between the parent's
reading just before the spawn and just after it, within the clock's 10 ms tick (twice: start and now).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = "import time; from trainer.startup import seconds_since_start as s; print(time.monotonic() - s())"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc for the process start")
def test_the_clock_starts_when_the_process_does() -> None:
    before = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    after_spawn = time.monotonic()
    out, _ = proc.communicate(timeout=60)
    started = float(out)
    tick = 0.011
    assert before - 2 * tick <= started <= after_spawn + 2 * tick, (before, started, after_spawn)
