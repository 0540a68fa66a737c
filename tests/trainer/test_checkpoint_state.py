"""Optimizer state restores whatever scope its variables were built in (in-process, a tiny model)."""

from __future__ import annotations

from collections.abc import Iterator

import keras
import numpy as np
import pytest

from trainer.checkpoint import _state

pytestmark = pytest.mark.tensorflow


@pytest.fixture
def mixed_precision() -> Iterator[None]:
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


def _model() -> keras.Model:
    """Named layers and optimizer: a second model in this process gets the names a resumed process would."""
    layers = [
        keras.Input((4, 3)),
        keras.layers.LSTM(5, name="lstm"),
        keras.layers.Dense(1, dtype="float32", name="out"),
    ]
    model = keras.Sequential(layers, name="model")
    model.compile(optimizer=keras.optimizers.Adam(1e-2, name="adam"), loss="mse")
    return model


def test_slots_built_inside_a_training_step_restore_into_an_eagerly_built_optimizer(
    mixed_precision: None,
) -> None:
    """Under mixed precision a slot is ``loss_scale_optimizer/adam/...`` when the optimizer is built inside
    the first training step, and ``adam/...`` when built eagerly (as a resumed run does): same slot."""
    trained = _model()
    x, y = np.ones((8, 4, 3), "float32"), np.ones((8,), "float32")
    for _ in range(3):
        trained.train_on_batch(x, y)
    variables = _state.variables_of(trained.optimizer)
    saved = {"class": type(trained.optimizer).__name__, "variables": variables}
    arrays = _state.optimizer_arrays(trained.optimizer)
    assert any(path.startswith("loss_scale_optimizer/adam/") for path, _ in variables)

    resumed = _model()
    step, fresh = _state.restore_optimizer(resumed, saved, arrays)
    assert fresh == [] and step == 3
    assert any(
        str(v.path).startswith("adam/") and "momentum" in str(v.path) for v in resumed.optimizer.variables
    )
    for before, after in zip(trained.optimizer.variables, resumed.optimizer.variables, strict=True):
        if not str(before.path).endswith("learning_rate"):
            np.testing.assert_array_equal(before.numpy(), after.numpy())
