"""Process-wide TensorFlow settings, applied once before any model is built.

Order matters: thread counts must be set before TensorFlow's runtime starts (the first op), and the global
mixed-precision policy before layers are created.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path

from trainer import __version__
from trainer.config import TrainerConfig

# Optional modules that Keras and TensorFlow import whenever they are installed (they are in this project's
# development environment: the search libraries need them), for features the trainer never uses; each
# import is in a ``try``/``except ImportError`` that goes on without the module. Measured on 2 CPU cores, the
# cost to every trial's start-up: scikit-learn 0.55 s (Keras' scikit-learn wrappers); pandas 0.35 s
# (``keras.src.trainers.data_adapters.array_slicing``, to accept DataFrames in ``fit``: the trainer hands
# Keras tf.data datasets and NumPy arrays only); h5py and scipy 0.12 s together (the Keras 2 that ships
# inside TensorFlow, ``tensorflow.python.keras``: its HDF5 saving and its sparse-input check; the trainer
# uses Keras 3, which imports both lazily, on use).
_OPTIONAL_AT_IMPORT = ("sklearn", "pandas", "h5py", "scipy")


@contextlib.contextmanager
def _optional_modules_blocked() -> Iterator[None]:
    """Block :data:`_OPTIONAL_AT_IMPORT` for the block: a None entry in ``sys.modules`` makes an import fail
    at once with ImportError (the import system's documented way to block a module). A module already
    imported is left alone. The entries are removed again on leaving, so a later import (the trainer's CSV
    and C-MAPSS readers use pandas; in-process callers may read data after TensorFlow is imported) loads the
    module normally; what was imported while it was blocked keeps working without it."""
    blocked = [name for name in _OPTIONAL_AT_IMPORT if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def import_tensorflow(debug: bool, xla_cache_dir: str = "") -> None:
    """Import TensorFlow with its C++ and Python logging quietened unless ``debug`` (all of it goes to
    stderr). ``xla_cache_dir`` turns on XLA's persistent cache of compiled steps there: TensorFlow reads
    ``TF_XLA_FLAGS`` once, so it is set before the import, added to any flags the user set."""
    if not debug:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if xla_cache_dir:
        Path(xla_cache_dir).mkdir(parents=True, exist_ok=True)
        flags = os.environ.get("TF_XLA_FLAGS", "")
        os.environ["TF_XLA_FLAGS"] = f"{flags} --tf_xla_persistent_cache_directory={xla_cache_dir}".strip()
    with _optional_modules_blocked():
        import keras  # noqa: F401  (imported by TensorFlow already; named so that the block surely covers it)
        import tensorflow as tf

    if not debug:
        tf.get_logger().setLevel(logging.ERROR)
        logging.getLogger("absl").setLevel(logging.ERROR)


def configure(cfg: TrainerConfig) -> None:
    """Threads, seeds, determinism and precision policy from the flags."""
    import keras
    import tensorflow as tf

    if cfg.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(cfg.threads)
        tf.config.threading.set_inter_op_parallelism_threads(cfg.threads)
    keras.utils.set_random_seed(cfg.seed)
    if cfg.deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.mixed_precision.set_global_policy("mixed_float16" if cfg.mixed_precision else "float32")


def environment() -> dict[str, str]:
    """Versions and devices, recorded with every run (run.json) so results can be traced and reproduced."""
    import keras
    import numpy as np
    import tensorflow as tf

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {
        "trainer": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "devices": ",".join(gpus) if gpus else "cpu",
    }
