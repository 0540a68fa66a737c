"""to_tf_dataset: the only place in trainer.data that touches TensorFlow (imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trainer.data.arrays import WindowArrays

if TYPE_CHECKING:
    import tensorflow as tf


def to_tf_dataset(arrays: WindowArrays, batch_size: int, *, shuffle: bool, seed: int) -> tf.data.Dataset:
    """Wrap windows in a batched, prefetched ``tf.data.Dataset`` of ``(x, y)``."""
    raise NotImplementedError
