"""to_tf_dataset: the only place in trainer.data that touches TensorFlow (imported inside the call)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.data.arrays import WindowArrays

# 4096 windows of 30 steps x 256 units in float32 are 126 MB of activations per recurrent layer: the most an
# evaluation pass holds at once (C-MAPSS FD001's validation split is about 3,500 windows).
EVAL_BATCH_CAP = 4096

if TYPE_CHECKING:
    import tensorflow as tf


def to_tf_dataset(
    arrays: WindowArrays, batch_size: int, *, shuffle: bool, seed: int, drop_remainder: bool = False
) -> tf.data.Dataset:
    """``(x, y)`` batches: from_tensor_slices -> cache -> shuffle (when ``shuffle``) -> batch -> prefetch.

    Shuffling uses a buffer as large as the data (a full shuffle; windows of one unit sit next to each other,
    so a small buffer would give unit-correlated batches), seeded with ``seed`` and reshuffled each epoch.
    The last batch may be smaller than ``batch_size``, unless ``drop_remainder``: then every batch is full
    and the windows left over by an epoch's shuffle wait for a later epoch (each epoch sees a fresh
    order, so no window is left out for long), which keeps one batch shape and so one compiled step. With
    fewer windows than ``batch_size`` nothing is dropped: the one batch is smaller. An empty ``arrays``
    gives an empty dataset.

    Raises:
        ValueError: ``batch_size < 1``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((arrays.x, arrays.y)).cache()
    if shuffle and len(arrays) > 0:
        dataset = dataset.shuffle(len(arrays), seed=seed, reshuffle_each_iteration=True)
    drop = drop_remainder and len(arrays) >= batch_size
    return dataset.batch(batch_size, drop_remainder=drop).prefetch(tf.data.AUTOTUNE)


def train_steps(windows: int, batch_size: int) -> int:
    """Batches per training epoch as :func:`to_tf_dataset` with ``drop_remainder`` cuts them (at least 1)."""
    return max(1, windows // batch_size)


def eval_batch_size(windows: int, batch_size: int) -> int:
    """The batch for validation and test passes: all windows at once, up to :data:`EVAL_BATCH_CAP`.

    Evaluation metrics accumulate sums over windows, so the batch size changes nothing but speed (and
    float rounding); one batch means one shape, so one trace and one XLA compilation per pass, and the
    fewest calls. Never below the training ``batch_size``.
    """
    return max(batch_size, min(windows, EVAL_BATCH_CAP))
