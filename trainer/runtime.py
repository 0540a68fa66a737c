"""Process-wide TensorFlow settings, applied once before any model is built.

Order matters: thread counts must be set before TensorFlow's runtime starts (the first op), and the global
mixed-precision policy before layers are created.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
from pathlib import Path

from trainer import __version__
from trainer.config import TrainerConfig


def import_tensorflow(debug: bool, xla_cache_dir: str = "") -> None:
    """Import TensorFlow with its C++ and Python logging quietened unless ``debug`` (all of it goes to
    stderr). ``xla_cache_dir`` turns on XLA's persistent cache of compiled steps there: TensorFlow reads
    ``TF_XLA_FLAGS`` once, so it is set before the import, added to any flags the user set."""
    if not debug:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Keras imports scikit-learn, for its scikit-learn wrappers, whenever it is installed (it is in this
    # project's development environment: the search libraries need it): 0.55 s of every trial's start-up on
    # 2 CPU cores, for wrappers the trainer never uses. A None entry in sys.modules makes that import fail at
    # once (the import system's documented way to block a module), and Keras then skips the wrappers. An
    # already imported scikit-learn is left alone.
    sys.modules.setdefault("sklearn", None)  # type: ignore[arg-type]
    if xla_cache_dir:
        Path(xla_cache_dir).mkdir(parents=True, exist_ok=True)
        flags = os.environ.get("TF_XLA_FLAGS", "")
        os.environ["TF_XLA_FLAGS"] = f"{flags} --tf_xla_persistent_cache_directory={xla_cache_dir}".strip()
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
