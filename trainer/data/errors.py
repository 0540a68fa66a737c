"""The one exception type of the data pipeline."""

from __future__ import annotations


class DataError(Exception):
    """A data problem the user must fix (missing file, wrong columns, bad values, too few units).

    ``str(e)`` is always ONE line that names the file, column, row or unit at fault, so the trainer's CLI can
    print it and exit 1 without a traceback. Programming errors are never wrapped in it.
    """
