"""Python's cyclic garbage collector, paused while a trial starts up.

Why: importing TensorFlow and Keras creates about 540,000 objects that live as long as the process, and
tracing the training step creates many more; every collection of the oldest generation walks all of them.
With the collector on, a third of a second or more of every trial's start-up went to walks that find
almost nothing (measured on 2 CPU cores: ``import tensorflow`` 3.1 s with it on, 2.7 s with it off; the
trainer's spawn-to-first-epoch-line in ``docs/benchmarks.md``).

What the pause changes: nothing a trial computes. Reference counting still frees every object the moment
it is unused; only objects in reference cycles wait, until the collector is back on (then its next runs
find them). So the pause is kept short: :func:`paused` is entered before TensorFlow is imported and the
trial resumes collection at its first epoch line, when the fixed start-up work is done.

Edge cases: a collector that was already off (a caller's choice) stays off, and is never turned on by
:func:`paused`; resuming twice is harmless.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def paused() -> Iterator[Callable[[], None]]:
    """Turn the cyclic collector off for the block; yields ``resume()``, which turns it back on early.

    On leaving, the collector is on again if it was on when the block was entered (whatever ``resume`` did).
    """
    was_on = gc.isenabled()
    gc.disable()

    def resume() -> None:
        if was_on:
            gc.enable()

    try:
        yield resume
    finally:
        resume()
