"""One real 3-epoch run on tiny synthetic data (the shared ``trained_run`` fixture) and everything it
produced: metric lines Katib can read, run.json, TensorBoard HParams served over HTTP, and the SavedModel."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.tensorboard_server import post_json, tensorboard, wait_for_session
from tests.trainer.conftest import TrainedRun
from tests.trainer.katib_format import parse_line
from trainer.config import parse_args
from trainer.data import prepare_data
from trainer.reporting import phm08_score, rmse
from trainer.run import data_config

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("trainer_run")]


def _lines(run: TrainedRun) -> list[str]:
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.splitlines()


def test_stdout_is_three_epoch_lines_then_the_summary(trained_run: TrainedRun) -> None:
    lines = _lines(trained_run)
    assert len(lines) == 4, lines
    parsed = [parse_line(line) for line in lines]  # each starts with an RFC 3339 timestamp
    times = [when for when, _ in parsed]
    assert times == sorted(times)
    for n, (_, values) in enumerate(parsed[:3], start=1):
        assert set(values) == {"epoch", "loss", "val_loss", "val_rmse", "val_mae"}
        assert values["epoch"] == n
        assert values["val_rmse"] > 0 and values["val_mae"] > 0
        assert values["val_mae"] <= values["val_rmse"]  # MAE <= RMSE always holds
        assert values["val_loss"] == pytest.approx(values["val_rmse"] ** 2, rel=1e-3)  # mse loss, no l2
    _, summary = parsed[3]
    assert set(summary) == {"test_rmse", "test_mae", "test_score", "train_seconds", "params"}
    assert summary["params"] > 0 and summary["train_seconds"] > 0
    # the objective appears once per epoch and nowhere else (median stop counts reports)
    assert sum(" val_rmse=" in line for line in lines) == 3


def test_keras_progress_bar_and_warnings_stay_off_stdout(trained_run: TrainedRun) -> None:
    for line in _lines(trained_run):
        assert "loss:" not in line and "WARNING" not in line and "/step" not in line
    assert "tensorflow 2." in trained_run.stderr  # the version banner goes to stderr


def test_run_json_records_seed_versions_and_config(trained_run: TrainedRun) -> None:
    record = json.loads((trained_run.log_dir / "run.json").read_text())
    assert record["seed"] == 42
    assert record["environment"]["tensorflow"].startswith("2.")
    assert record["environment"]["keras"].startswith("3.")
    assert record["config"]["units"] == 8 and record["trial"] == trained_run.trial_name
    same = json.loads((trained_run.model_dir / "1" / "assets.extra" / "run.json").read_text())
    assert same == record


def test_savedmodel_serves_raw_windows_and_reproduces_the_printed_test_metrics(
    trained_run: TrainedRun,
) -> None:
    import tensorflow as tf

    lines = _lines(trained_run)
    _, summary = parse_line(lines[-1])
    version_dir = trained_run.model_dir / "1"
    assert (version_dir / "saved_model.pb").is_file()
    assert not [p for p in trained_run.model_dir.iterdir() if p.name != "1"]  # no temporary left behind

    # The same flags give the same unit split, so the test windows are the ones the trainer scored.
    data = prepare_data(data_config(parse_args(trained_run.args, env={})))
    assert data.test is not None
    serving = tf.saved_model.load(str(version_dir)).signatures["serving_default"]
    (spec,) = serving.structured_input_signature[1].values()
    assert spec.dtype == tf.float32 and spec.shape.as_list() == [None, *data.test.x.shape[1:]]
    pred = next(iter(serving(tf.constant(data.test.x)).values())).numpy().reshape(-1)
    assert rmse(pred, data.test.y) == pytest.approx(summary["test_rmse"], rel=1e-4)
    assert phm08_score(pred, data.test.y) == pytest.approx(summary["test_score"], rel=1e-4)
    assert np.isfinite(pred).all()


def test_tensorboard_serves_the_hparams_session(trained_run: TrainedRun) -> None:
    _, last_epoch = parse_line(_lines(trained_run)[2])
    with tensorboard(trained_run.tensorboard_parent) as url:
        group = wait_for_session(url, trained_run.trial_name, "val_rmse")
        experiment = post_json(url + "data/plugin/hparams/experiment", {"experimentName": ""})
    hparams = group["hparams"]
    assert hparams["learning_rate"] == pytest.approx(0.01)
    assert hparams["architecture"] == "lstm" and hparams["units"] == 8
    metrics = {m["name"]["tag"]: m for m in group["metricValues"]}
    assert metrics["val_rmse"]["value"] == pytest.approx(last_epoch["val_rmse"], rel=1e-5)
    assert metrics["val_rmse"]["trainingStep"] == 3
    assert {"test_rmse", "test_score"} <= set(metrics)
    declared = {info["name"]: info for info in experiment["hparamInfos"]}
    assert declared["optimizer"]["domainDiscrete"] == sorted(
        ["adam", "nadam", "rmsprop", "sgd", "adamax", "adagrad"]
    )
    assert {m["name"]["tag"] for m in experiment["metricInfos"]} >= {"val_rmse", "val_mae", "test_rmse"}
