"""Model, optimiser and export, in-process with tiny random windows (no training needed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trainer.config import TrainerConfig
from trainer.errors import TrainerError

pytestmark = pytest.mark.tensorflow

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from trainer.export import export_saved_model  # noqa: E402  (after the importorskip guards)
from trainer.model import build_model  # noqa: E402
from trainer.optim import make_optimizer, make_schedule  # noqa: E402


@pytest.fixture
def windows() -> np.ndarray:
    # raw readings on very different scales, as real sensors are (C-MAPSS has values near 9000 and near 0.03)
    rng = np.random.default_rng(0)
    return (rng.normal(size=(64, 6, 3)) * [1.0, 50.0, 0.01] + [9000.0, 500.0, 0.03]).astype("float32")


@pytest.fixture
def float32_policy() -> Iterator[None]:
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_recurrent_stack_is_cudnn_eligible_and_starts_at_the_target_mean(windows: np.ndarray) -> None:
    cfg = dataclasses.replace(TrainerConfig(), architecture="lstm", num_layers=3, units=4, dropout=0.2)
    model = build_model(cfg, windows, target_mean=77.0)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.return_sequences for layer in recurrent] == [True, True, False]
    for layer in recurrent:  # Keras uses cuDNN only with these settings
        assert layer.cell.recurrent_dropout == 0 and layer.cell.activation is keras.activations.tanh
        assert not layer.unroll
    assert float(model.get_layer("rul").bias.numpy()[0]) == 77.0
    # normalisation is inside the model and learned from the training windows
    norm = model.get_layer("normalize")
    np.testing.assert_allclose(np.ravel(norm.mean), windows.reshape(-1, 3).mean(axis=0), rtol=1e-4)


def test_mixed_precision_keeps_normalisation_and_output_in_float32(
    windows: np.ndarray, float32_policy: None
) -> None:
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = build_model(dataclasses.replace(TrainerConfig(), architecture="gru", units=4), windows, 1.0)
    assert model.get_layer("normalize").compute_dtype == "float32"
    assert model.get_layer("gru_1").compute_dtype == "float16"
    assert model.get_layer("rul").compute_dtype == "float32"
    assert model(windows[:2]).dtype == "float32"


def test_dense_architecture_flattens_the_window(windows: np.ndarray) -> None:
    cfg = dataclasses.replace(TrainerConfig(), architecture="dense", num_layers=2, units=5, activation="elu")
    model = build_model(cfg, windows, 0.0)
    assert model.get_layer("flatten").output.shape[-1] == 6 * 3
    assert model.get_layer("dense_2").activation is keras.activations.elu


def test_cnn_convolves_along_time_keeping_the_window_length(windows: np.ndarray) -> None:
    # a kernel of 8 steps over a 6-step window is accepted: "same" padding fills the rest with zeros
    cfg = dataclasses.replace(
        TrainerConfig(), architecture="cnn", num_layers=2, filters=3, kernel_size=8, units=5, dropout=0.3
    )
    model = build_model(cfg, windows, 10.0)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [(c.name, c.filters, c.kernel_size, c.padding) for c in convs] == [
        ("conv_1", 3, (8,), "same"),
        ("conv_2", 3, (8,), "same"),
        ("conv_out", 1, (3,), "same"),
    ]
    assert all(c.activation is keras.activations.relu for c in convs)
    assert tuple(model.get_layer("conv_out").output.shape) == (None, 6, 1)  # one value per time step
    names = [layer.name for layer in model.layers]
    assert names[-4:] == ["flatten", "dropout_1", "dense_1", "rul"]  # dropout only before the dense head
    assert model.get_layer("dense_1").units == 5
    assert model.predict(windows, verbose=0).shape == (64, 1)


def test_step_schedule_halves_every_n_epochs() -> None:
    cfg = dataclasses.replace(TrainerConfig(), lr_schedule="step", lr_decay_epochs=2, lr_decay_rate=0.5)
    schedule = make_schedule(cfg, steps_per_epoch=10)
    assert not isinstance(schedule, float)
    assert [float(schedule(step)) for step in (0, 19, 20, 39, 40)] == pytest.approx(
        [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4]
    )
    cosine = make_schedule(dataclasses.replace(cfg, lr_schedule="cosine", epochs=4, lr_min_ratio=0.1), 10)
    assert not isinstance(cosine, float)
    assert float(cosine(40)) == pytest.approx(1e-4)
    sgd = make_optimizer(dataclasses.replace(TrainerConfig(), optimizer="sgd", momentum=0.9), 10)
    assert isinstance(sgd, keras.optimizers.SGD) and float(sgd.momentum) == pytest.approx(0.9)


def test_export_serves_raw_windows_exactly_like_predict(windows: np.ndarray, tmp_path: Path) -> None:
    model = build_model(dataclasses.replace(TrainerConfig(), units=4), windows, 50.0)
    target = export_saved_model(model, tmp_path / "m", 7, extra={"run.json": {"seed": 1}})
    assert target == tmp_path / "m" / "7"
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["7"]  # the temporary was renamed away
    serving = tf.saved_model.load(str(target)).signatures["serving_default"]
    served = next(iter(serving(tf.constant(windows)).values())).numpy()
    np.testing.assert_allclose(served, model.predict(windows, verbose=0), rtol=1e-5, atol=1e-4)
    with pytest.raises(TrainerError, match="already exists"):
        export_saved_model(model, tmp_path / "m", 7)


@pytest.mark.parametrize("jit", [False, True])
def test_philox_dropout_drops_and_rescales_like_keras_inside_and_outside_xla(jit: bool) -> None:
    from trainer.dropout import PhiloxDropout

    layer = PhiloxDropout(0.25, seed=3)
    ones = tf.ones((200, 30, 8))

    @tf.function(jit_compile=jit)
    def train(x: Any) -> Any:
        return layer(x, training=True)

    first, second = train(ones).numpy(), train(ones).numpy()
    kept = first != 0
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.75)}  # survivors scaled by 1 / (1 - rate)
    assert abs(1 - kept.mean() - 0.25) < 0.01  # 48,000 draws: the drop rate within 1 point
    assert (first != second).any()  # the layer's seed generator advances per call
    np.testing.assert_array_equal(layer(ones, training=False).numpy(), ones.numpy())  # identity at inference


def test_models_use_the_xla_friendly_dropout(windows: np.ndarray) -> None:
    from trainer.dropout import PhiloxDropout

    model = build_model(TrainerConfig(window=6, dropout=0.2), windows, 100.0)
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts and all(isinstance(layer, PhiloxDropout) for layer in dropouts)


def test_an_overridden_step_loop_setting_is_said_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    from trainer.fit import _step_loop

    loop = _step_loop(TrainerConfig(deterministic=True, jit_compile="true"), steps_per_epoch=10)
    assert not loop.jit_compile and loop.steps_per_execution == 10
    assert "trainer: note: --jit-compile=true overridden, training without XLA: --deterministic" in (
        capsys.readouterr().err
    )
