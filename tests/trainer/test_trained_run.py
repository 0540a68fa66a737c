"""One real 3-epoch run on tiny synthetic data (the shared ``trained_run`` fixture) and everything it
produced: metric lines Katib can read, run.json, TensorBoard HParams served over HTTP, and the SavedModel."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from tests.tensorboard_server import get_json, post_json, tensorboard, wait_for_session
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
        assert set(values) == {"epoch", "loss", "val_loss", "val_rmse", "val_mae", "val_rmse_all"}
        assert values["epoch"] == n
        assert values["val_rmse"] > 0 and values["val_mae"] > 0
        assert values["val_mae"] <= values["val_rmse"]  # MAE <= RMSE always holds
        assert values["val_loss"] == pytest.approx(values["val_rmse"] ** 2, rel=1e-3)  # mse loss, no l2
    _, summary = parsed[3]
    assert set(summary) == {
        "test_rmse",
        "test_mae",
        "test_score",
        "train_seconds",
        "startup_seconds",
        "params",
    }
    assert summary["params"] > 0 and summary["train_seconds"] > 0
    # start-up ends at the first epoch line, which comes after the first epoch's training began
    first_line_after_fit_start = times[0] - (times[-1] - dt.timedelta(seconds=summary["train_seconds"]))
    assert summary["startup_seconds"] > first_line_after_fit_start.total_seconds()
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
    with tensorboard(trained_run.tensorboard_parent) as url:
        group = wait_for_session(url, trained_run.trial_name, "katib/val_rmse")
        experiment = post_json(url + "data/plugin/hparams/experiment", {"experimentName": ""})
    hparams = group["hparams"]
    assert hparams["learning_rate"] == pytest.approx(0.01)
    assert hparams["architecture"] == "lstm" and hparams["units"] == 8
    # Without --hparams-metrics: each stdout metric as Katib's min (per epoch) or latest (end of run) of the
    # PRINTED values, at the last epoch's step.
    printed = [parse_line(line)[1] for line in _lines(trained_run)]
    metrics = {m["name"]["tag"]: m for m in group["metricValues"]}
    assert metrics["katib/val_rmse"]["value"] == pytest.approx(
        min(p["val_rmse"] for p in printed[:3]), rel=1e-6
    )
    assert metrics["katib/val_rmse"]["trainingStep"] == 3
    assert metrics["katib/test_rmse"]["value"] == pytest.approx(printed[3]["test_rmse"], rel=1e-6)
    assert {"katib/test_score", "katib/loss", "katib/val_loss"} <= set(metrics)
    declared = {info["name"]: info for info in experiment["hparamInfos"]}
    assert declared["optimizer"]["domainDiscrete"] == sorted(
        ["adam", "nadam", "rmsprop", "sgd", "adamax", "adagrad"]
    )
    shown = {m["name"]["tag"]: m["displayName"] for m in experiment["metricInfos"]}
    assert shown["katib/val_rmse"] == "val_rmse" and shown["katib/test_rmse"] == "test_rmse"
    assert "val_rmse" not in shown  # the per-epoch tag (last epoch) is not a column


def test_tensorboard_keeps_the_per_epoch_scalars_and_the_exported_epoch(trained_run: TrainedRun) -> None:
    printed = [parse_line(line)[1] for line in _lines(trained_run)]
    with tensorboard(trained_run.tensorboard_parent) as url:
        wait_for_session(url, trained_run.trial_name, "katib/val_rmse")
        query = f"?run={trained_run.trial_name}&tag="
        per_epoch = get_json(url + "data/plugin/scalars/scalars" + query + "val_rmse")
        exported = get_json(url + "data/plugin/scalars/scalars" + query + "exported/val_rmse")
        epoch = get_json(url + "data/plugin/scalars/scalars" + query + "exported/epoch")
    assert [step for _, step, _ in per_epoch] == [1, 2, 3]
    assert [v for _, _, v in per_epoch] == pytest.approx([p["val_rmse"] for p in printed[:3]], rel=1e-5)
    # --patience=0: no weights are restored, so the exported model is the last epoch's.
    assert epoch[0][2] == 3 and exported[0][2] == pytest.approx(printed[2]["val_rmse"], rel=1e-5)
