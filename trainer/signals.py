"""SIGTERM handling: Katib's early stop (and Kubernetes' pod deletion) sends SIGTERM, then SIGKILL after a
grace
period. The handler runs the registered flushers (TensorBoard writer), flushes stdout/stderr, and ends the
process at once with 143 (128 + 15) via ``os._exit``: unwinding through TensorFlow's threads can take many
seconds, and nothing is left to save that the flushers did not save. Metric lines are flushed as they are
printed, so every line already printed survives.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

from trainer.errors import EXIT_TERMINATED

_flushers: list[Callable[[], None]] = []


def on_terminate(flusher: Callable[[], None]) -> Callable[[], None]:
    """Register ``flusher`` to run on SIGTERM; returns a function that unregisters it."""
    _flushers.append(flusher)

    def remove() -> None:
        if flusher in _flushers:
            _flushers.remove(flusher)

    return remove


def _handle(signum: int, frame: FrameType | None) -> None:
    """Best effort at each step (a failing flusher must not delay the exit), then ``os._exit``."""
    for flusher in list(_flushers):
        with contextlib.suppress(Exception):
            flusher()
    with contextlib.suppress(Exception):
        sys.stderr.write("trainer: terminated by SIGTERM\n")
    for stream in (sys.stdout, sys.__stdout__, sys.stderr, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(EXIT_TERMINATED)


def install() -> None:
    """Install the handler (main thread only, as Python requires)."""
    signal.signal(signal.SIGTERM, _handle)
