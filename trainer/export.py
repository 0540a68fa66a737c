"""SavedModel export in TF Serving's layout, atomically.

``model.export`` writes into a temporary directory INSIDE ``model_dir`` (same filesystem, so the rename is
atomic), which is then renamed to ``<model_dir>/<version>/``. TF Serving polls ``model_dir`` for numeric
subdirectories; the temporary name starts with a dot and is not numeric, so Serving never loads half a model.

The export is made readable by every user (``a+rX``) before the rename: ``mkdtemp`` creates an owner-only
directory, and TF Serving usually runs as another non-root user (the inference chart's uid 10001) than the
trainer (uid 1000), so an owner-only model would never load. Nothing is made writable to others.

An existing ``<version>`` directory is refused (``TrainerError``, exit 1) rather than replaced: a SavedModel
that Serving may already have loaded must not change under it, and Katib reruns a trial under a new trial name
(so a new directory), never into an old one. If the process dies mid-export, only a ``.tmp-*`` directory is
left behind, which nothing reads.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.errors import TrainerError

# Importing this module must stay cheap: the CLI checks the target before TensorFlow loads.
if TYPE_CHECKING:
    import keras


def version_dir(model_dir: str | Path, version: int) -> Path:
    return Path(model_dir) / str(version)


def check_target_free(model_dir: str | Path, version: int) -> None:
    """Fail before training rather than after it when the target directory already exists."""
    target = version_dir(model_dir, version)
    if target.exists():
        raise TrainerError(
            f"--model-dir: {target} already exists; choose another --model-version or directory"
        )


def _make_readable_by_all(root: Path) -> None:
    """``chmod -R a+rX root``: everyone may read files and enter directories; write bits are untouched."""
    for path in [root, *root.rglob("*")]:
        extra = 0o555 if path.is_dir() else 0o444
        path.chmod(path.stat().st_mode | extra)


def export_saved_model(
    model: keras.Model, model_dir: str | Path, version: int, extra: Mapping[str, Any] | None = None
) -> Path:
    """Export ``model`` and return the final directory.

    The serving signature ``serving_default`` takes raw float32 windows ``(None, window, n_features)`` and
    returns the predicted remaining steps ``(None, 1)``. ``extra`` maps file names to JSON-able values written
    to ``assets.extra/`` (TF Serving's place for files it does not read), e.g. the run record.
    """
    root = Path(model_dir)
    root.mkdir(parents=True, exist_ok=True)
    check_target_free(root, version)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=root))
    try:
        model.export(str(tmp), format="tf_saved_model", verbose=False)
        if extra:
            (tmp / "assets.extra").mkdir(exist_ok=True)
            for name, value in extra.items():
                (tmp / "assets.extra" / name).write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
        _make_readable_by_all(tmp)
        target = version_dir(root, version)
        try:
            tmp.rename(target)
        except OSError as err:  # another writer won the race, or the filesystem refused
            raise TrainerError(f"--model-dir: cannot move the export to {target}: {err}") from err
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
