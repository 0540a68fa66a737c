"""The trainer's data pipeline: series from a source, split by unit, cut into windows.

Modules, one job each: ``config`` (DataConfig), ``errors`` (DataError), ``arrays`` (containers),
``synthetic`` / ``csv_source`` / ``cmapss`` (readers, chosen by ``sources``), ``tabular`` (numeric checks with
file line numbers), ``split`` (by unit, K-fold), ``features`` (drop constant columns), ``windows`` (windows,
targets, short units), ``pipeline`` (prepare_data, prepare_cv_folds), ``tfdata`` (to_tf_dataset).

Nothing here imports TensorFlow at import time (``--dry-run`` stays fast and TF-free); only
:func:`to_tf_dataset` imports it, inside the call.
"""

from trainer.data.arrays import PreparedData, WindowArrays
from trainer.data.config import DataConfig
from trainer.data.errors import DataError
from trainer.data.pipeline import prepare_cv_folds, prepare_data
from trainer.data.tfdata import eval_batch_size, to_tf_dataset, train_steps

__all__ = [
    "DataConfig",
    "DataError",
    "PreparedData",
    "WindowArrays",
    "eval_batch_size",
    "prepare_cv_folds",
    "prepare_data",
    "to_tf_dataset",
    "train_steps",
]
