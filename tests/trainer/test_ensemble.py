"""``--ensemble-size K``: K members in one model, each trained on its own loss; their mean predicted, served.

The model-level tests build tiny models in-process (no training); the trial test shares the ``export``
fixture's ``lstm-ensemble`` run (tests/conftest.py), a subprocess as Katib runs a trial.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pytest

from tests.conftest import Export
from tests.trainer.katib_format import parse_line
from trainer.config import TrainerConfig, parse_args
from trainer.errors import UsageError

pytestmark = pytest.mark.tensorflow

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from trainer.model import build_model  # noqa: E402  (after the importorskip guards)
from trainer.optim import make_loss  # noqa: E402


@pytest.fixture
def windows() -> np.ndarray:
    return np.random.default_rng(3).normal(size=(16, 5, 2)).astype("float32") * [1.0, 40.0] + [0.0, 500.0]


def _members(model: Any, x: np.ndarray) -> np.ndarray:
    """Each member's prediction ``(n, K)``: the layer that joins them, read directly."""
    joined = keras.Model(model.input, model.get_layer("members").output)
    return np.asarray(joined(x, training=False))


def test_the_model_predicts_the_mean_of_members_that_start_apart(windows: np.ndarray) -> None:
    cfg = dataclasses.replace(TrainerConfig(), architecture="gru", units=3, num_layers=2, ensemble_size=3)
    model = build_model(cfg, windows, target_mean=60.0)
    names = [layer.name for layer in model.layers]
    assert {"m1_gru_1", "m2_gru_2", "m3_rul", "members", "rul_mean"} <= set(names)
    assert names.count("normalize") == 1  # one normalisation shared by the members
    members = _members(model, windows)
    assert members.shape == (16, 3)
    # different initial weights, so different predictions
    assert np.min(np.ptp(members, axis=1)) > 0
    np.testing.assert_allclose(
        np.asarray(model.predict(windows, verbose=0)), members.mean(axis=1, keepdims=True), rtol=1e-6
    )
    kernels = [model.get_layer(f"m{i}_gru_1").get_weights()[0] for i in (1, 2, 3)]
    assert not np.allclose(kernels[0], kernels[1]) and not np.allclose(kernels[1], kernels[2])


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_each_member_gets_the_gradient_it_would_get_alone(windows: np.ndarray, loss: str) -> None:
    """Member 2 of an ensemble and a single model with member 2's weights: same loss gradient."""
    base = dataclasses.replace(TrainerConfig(), architecture="dense", units=4, dropout=0.0, loss=loss)
    ensemble = build_model(dataclasses.replace(base, ensemble_size=2), windows, 10.0)
    single = build_model(base, windows, 10.0)
    for name in ("dense_1", "dense_2", "rul"):
        single.get_layer(name).set_weights(ensemble.get_layer(f"m2_{name}").get_weights())
    y = np.linspace(0.0, 120.0, len(windows), dtype="float32")[:, None]
    loss_fn = make_loss(base)

    def gradients(model: Any, variables: list[Any]) -> list[np.ndarray]:
        with tf.GradientTape() as tape:
            value = loss_fn(y, model(windows, training=True))
        return [np.asarray(g) for g in tape.gradient(value, variables)]

    member_vars = [v for n in ("dense_1", "dense_2", "rul") for v in ensemble.get_layer(f"m2_{n}").weights]
    single_vars = [v for n in ("dense_1", "dense_2", "rul") for v in single.get_layer(n).weights]
    for got, want in zip(gradients(ensemble, member_vars), gradients(single, single_vars), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_ensemble_size_is_checked_at_parse_time() -> None:
    assert parse_args(["--ensemble-size=5"]).ensemble_size == 5
    with pytest.raises(UsageError, match=r"--ensemble-size.*\[1, 32\]"):
        parse_args(["--ensemble-size=0"])


@pytest.mark.xdist_group("trainer-predict")
@pytest.mark.parametrize("export", ["lstm-ensemble"], indirect=True)
def test_an_ensemble_trial_reports_exports_and_serves_its_mean(export: Export) -> None:
    from trainer import predict

    [(_, epoch), (_, summary)] = [parse_line(line) for line in export.stdout.splitlines()]
    assert epoch["epoch"] == 1 and epoch["val_rmse"] > 0
    version = export.base_dir / "1"
    assert json.loads((version / "assets.extra" / "run.json").read_text())["config"]["ensemble_size"] == 3
    signature = predict.read_signatures(version)[predict.DEFAULT_SIGNATURE]
    (output,) = signature.outputs.values()
    assert output.shape == (None, 1)  # one prediction per window: the members' mean
    assert predict.functions_requiring_xla(version) == []
    response = predict.Predictor(export.base_dir).predict({"instances": export.test_x.tolist()})
    values = np.array([p[0] for p in response["predictions"]], dtype=np.float64)
    rmse = math.sqrt(float(np.mean((values - export.test_y.astype(np.float64)) ** 2)))
    assert rmse == pytest.approx(summary["test_rmse"], rel=1e-4)
