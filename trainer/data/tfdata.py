"""to_tf_dataset: the only place in trainer.data that touches TensorFlow (imported inside the call)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.data.arrays import WindowArrays

if TYPE_CHECKING:
    import tensorflow as tf


def to_tf_dataset(arrays: WindowArrays, batch_size: int, *, shuffle: bool, seed: int) -> tf.data.Dataset:
    """``(x, y)`` batches: from_tensor_slices -> cache -> shuffle (when ``shuffle``) -> batch -> prefetch.

    Shuffling uses a buffer as large as the data (a full shuffle; windows of one unit sit next to each other,
    so a small buffer would give unit-correlated batches), seeded with ``seed`` and reshuffled each epoch.
    The last batch may be smaller than ``batch_size``. An empty ``arrays`` gives an empty dataset.

    Raises:
        ValueError: ``batch_size < 1``.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((arrays.x, arrays.y)).cache()
    if shuffle and len(arrays) > 0:
        dataset = dataset.shuffle(len(arrays), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
