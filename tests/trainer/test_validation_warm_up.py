"""The first epoch's validation graph is traced in the background, and the epoch's own prediction then
uses it: no second trace, and the same numbers as a validation that traced for itself.

In-process on tiny synthetic data; the model is built and compiled as :func:`trainer.fit.fit_model` does,
without training (the weights do not matter here, only that both validations see the same ones).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.trainer.conftest import TINY_DATA, TINY_MODEL
from trainer.config import parse_args
from trainer.data import PreparedData, prepare_data
from trainer.run import data_config

pytestmark = pytest.mark.tensorflow


def _compiled_model(flags: list[str]) -> tuple[Any, PreparedData]:
    keras = pytest.importorskip("keras")
    import numpy as np

    from trainer.model import build_model

    cfg = parse_args([*TINY_DATA, *TINY_MODEL, *flags], env={})
    keras.utils.set_random_seed(cfg.seed)
    data = prepare_data(data_config(cfg))
    model = build_model(cfg, data.train.x, float(np.mean(data.train.y)), data.feature_names)
    model.compile(optimizer="adam", loss="mse", steps_per_execution=16)
    return model, data


@pytest.mark.parametrize("flags", [["--val-cuts=0"], ["--val-cuts=3"]], ids=["all-windows", "cut-windows"])
def test_the_epoch_uses_the_warmed_up_trace_and_scores_as_without_it(flags: list[str]) -> None:
    keras = pytest.importorskip("keras")
    from trainer.validation import AveragedWeights, EpochValidation

    model, data = _compiled_model(flags)
    warmed = EpochValidation(data, keras.losses.MeanSquaredError(), AveragedWeights(model))
    warmed.set_model(model)
    assert model.predict_function is None
    warmed.on_train_batch_end(0)  # the first group of steps is done: the warm-up starts
    warmed.on_train_end()  # joins it
    assert model.predict_function is not None
    assert model.predict_function.experimental_get_tracing_count() == 1  # traced in the background
    logs: dict[str, float] = {}
    warmed.on_epoch_end(0, logs)
    assert model.predict_function.experimental_get_tracing_count() == 1  # and not again for the epoch

    model_again, _ = _compiled_model(flags)  # the same seed: the same weights, traced by its own epoch
    model_again.set_weights(model.get_weights())
    cold = EpochValidation(data, keras.losses.MeanSquaredError(), AveragedWeights(model_again))
    cold.set_model(model_again)
    logs_cold: dict[str, float] = {}
    cold.on_epoch_end(0, logs_cold)
    assert logs == logs_cold
    assert set(logs) == {"val_loss", "val_rmse", "val_mae", "val_rmse_all"}
