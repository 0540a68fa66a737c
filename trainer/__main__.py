"""``python -m trainer``: see :mod:`trainer.cli`.

The process ends with ``os._exit`` once stdout and stderr are flushed, skipping the interpreter's teardown:
with TensorFlow loaded that teardown takes about 0.65 s on 2 CPU cores (measured: ``python -c "import
tensorflow"`` exits 0.64-0.70 s after its import returned), paid by every trial for nothing. Nothing is lost:
by the time :func:`~trainer.cli.main` returns, every file the run writes has been closed (TensorBoard writer,
``run.json``, the SavedModel) and every metric line was flushed as it was printed. Called in-process
(tests), :func:`~trainer.cli.main` returns normally.
"""

import contextlib
import os
import sys

from trainer.cli import main

code = main()
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a closed pipe must not turn success into a traceback
        stream.flush()
os._exit(code)
