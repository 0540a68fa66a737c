"""to_tf_dataset: batches of the right shapes, full coverage, seeded shuffling."""

from __future__ import annotations

import numpy as np
import pytest

from trainer.data import WindowArrays, to_tf_dataset


@pytest.mark.tensorflow
def test_batches_have_window_shapes_and_cover_every_window_once() -> None:
    n, window, features = 10, 4, 3
    arrays = WindowArrays(
        x=np.arange(n * window * features, dtype=np.float32).reshape(n, window, features),
        y=np.arange(n, dtype=np.float32),
        unit_ids=np.repeat(np.array([1, 2]), 5),
    )
    batches = list(to_tf_dataset(arrays, 4, shuffle=False, seed=0).as_numpy_iterator())
    assert [b[0].shape for b in batches] == [
        (4, window, features),
        (4, window, features),
        (2, window, features),
    ]
    assert [b[1].shape for b in batches] == [(4,), (4,), (2,)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), arrays.y)

    shuffled = to_tf_dataset(arrays, 4, shuffle=True, seed=1)
    first = np.concatenate([b[1] for b in shuffled.as_numpy_iterator()])
    again = np.concatenate([b[1] for b in to_tf_dataset(arrays, 4, shuffle=True, seed=1).as_numpy_iterator()])
    assert sorted(first.tolist()) == arrays.y.tolist()
    assert first.tolist() != arrays.y.tolist()
    np.testing.assert_array_equal(first, again)
    # x and y stay paired through the shuffle: y[i] == i and x[i, 0, 0] == i * window * features.
    for x, y in shuffled.as_numpy_iterator():
        np.testing.assert_array_equal(x[:, 0, 0], y * window * features)

    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        to_tf_dataset(arrays, 0, shuffle=False, seed=0)
