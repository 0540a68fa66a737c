"""The checkpoint file: one ``.npz`` holding every array plus a JSON ``meta`` entry, replaced atomically.

A single file (not a directory) because POSIX can replace a file in one step (``os.replace``) but not
a non-empty directory. The writer fills ``.checkpoint-<pid>.tmp`` in the same directory, fsyncs it, renames
it over ``checkpoint.npz`` and fsyncs the directory: a kill at any moment leaves either the previous
checkpoint or the new one, never a mix, and at worst a stray temporary file, which the next writer's
:func:`clear_temporaries` removes. Reading uses ``allow_pickle=False``: the meta entry is a plain unicode
array.

No TensorFlow here: the file is numpy and JSON, readable by any tool (``numpy.load``).
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from trainer.errors import TrainerError

FILE_NAME = "checkpoint.npz"
META_KEY = "meta"
_TEMP_GLOB = ".checkpoint-*.tmp"


@dataclass(frozen=True)
class Stored:
    """A checkpoint as read back: the JSON ``meta`` and the arrays by key."""

    meta: dict[str, Any]
    arrays: dict[str, np.ndarray]


def path_in(directory: str | Path) -> Path:
    return Path(directory) / FILE_NAME


def clear_temporaries(directory: str | Path) -> None:
    """Remove temporary files left by a writer that was killed mid-write (never the checkpoint itself)."""
    for stray in Path(directory).glob(_TEMP_GLOB):
        with contextlib.suppress(OSError):
            stray.unlink()


def write(directory: str | Path, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Path:
    """Write ``meta`` and ``arrays`` as the directory's checkpoint, atomically; returns its path.

    ``arrays`` must not use the key ``meta``. The directory is created if missing.
    """
    if META_KEY in arrays:
        raise ValueError(f"array key {META_KEY!r} is reserved")
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / FILE_NAME
    temp = folder / f".checkpoint-{os.getpid()}.tmp"
    payload = {META_KEY: np.array(json.dumps(dict(meta), sort_keys=True)), **arrays}
    with temp.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **payload)
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(final)
    _fsync_directory(folder)
    return final


def _fsync_directory(folder: Path) -> None:
    """Make the rename itself durable (a node crash right after it must not bring the old name back)."""
    with contextlib.suppress(OSError):  # some filesystems (and platforms) cannot open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read(directory: str | Path) -> Stored | None:
    """The directory's checkpoint, or None when it has none (a missing directory has none either).

    Raises :class:`TrainerError` (one line naming the file) when the file exists but cannot be read as a
    checkpoint of this trainer: it was not written by :func:`write`, or was damaged after writing.
    """
    path = path_in(directory)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        meta = json.loads(str(arrays.pop(META_KEY)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as err:
        raise TrainerError(f"--checkpoint-dir: {path} is not a readable checkpoint ({err})") from None
    if not isinstance(meta, dict):
        raise TrainerError(f"--checkpoint-dir: {path} is not a readable checkpoint (meta is not an object)")
    return Stored(meta=meta, arrays=arrays)
