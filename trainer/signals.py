"""SIGTERM handling: Katib's early stop (and Kubernetes' pod deletion) sends SIGTERM, then SIGKILL after a
grace period. The handler runs the registered flushers (TensorBoard writer), flushes stdout/stderr, and ends
the process at once with 143 (128 + 15) via ``os._exit``: unwinding through TensorFlow's threads can take
many seconds, and nothing is left to save that the flushers did not save. Metric lines are flushed as they
are printed, so every line already printed survives.

Why a thread: Python runs a signal handler in the main thread only between bytecodes, and the main thread
spends a training run inside TensorFlow calls that each run a group of ``--steps-per-execution`` batches
(or one XLA compilation) and can last seconds. So :func:`install` also points Python's C-level handler at a
pipe (``signal.set_wakeup_fd``): the signal number is written there the instant the signal arrives, and a
daemon thread waiting on the pipe (TensorFlow releases the GIL while it computes) runs the same handler
without waiting for the main thread. Whichever of the two gets there first acts; the other blocks until the
process ends. The flushers get :data:`FLUSH_SECONDS` in all: a flusher stuck behind the main thread cannot
hold the exit back.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from trainer.errors import EXIT_TERMINATED

FLUSH_SECONDS = 2.0

_flushers: list[Callable[[], None]] = []
_ending = threading.Lock()
_installed = False


def on_terminate(flusher: Callable[[], None]) -> Callable[[], None]:
    """Register ``flusher`` to run on SIGTERM; returns a function that unregisters it."""
    _flushers.append(flusher)

    def remove() -> None:
        if flusher in _flushers:
            _flushers.remove(flusher)

    return remove


def _handle(signum: int, frame: FrameType | None) -> None:
    """Best effort at each step (a failing flusher must not delay the exit), then ``os._exit``."""
    _ending.acquire()  # never released: the second caller waits here for the exit
    deadline = threading.Timer(FLUSH_SECONDS, os._exit, args=(EXIT_TERMINATED,))
    deadline.daemon = True
    deadline.start()
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


def _watch(fd: int) -> None:
    """The wake-up pipe's reader: every byte is one signal's number; act on SIGTERM, ignore the rest."""
    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGTERM in data:
            _handle(signal.SIGTERM, None)


def install() -> None:
    """Install the handler and its watcher thread (main thread only, as Python requires; once per process)."""
    global _installed
    signal.signal(signal.SIGTERM, _handle)
    if _installed:
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)  # the C handler must never block on a full pipe
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    threading.Thread(target=_watch, args=(read_fd,), name="sigterm-watch", daemon=True).start()
    _installed = True
