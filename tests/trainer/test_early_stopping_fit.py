"""Early stopping and best-weight restore through the trainer's default step loop (groups of batches).

In-process on tiny synthetic data: the run is seeded, and its learning rate is high enough that the
validation loss gets worse after its best epoch, so early stopping ends the run and restores an earlier
epoch's weights (asserted, so the test keeps its point if the training curve ever changes).
"""

from __future__ import annotations

import pytest

from tests.trainer.conftest import TINY_DATA, TINY_MODEL
from trainer.config import parse_args
from trainer.data import prepare_data
from trainer.run import data_config

pytestmark = pytest.mark.tensorflow


def test_early_stopping_restores_the_best_epoch_and_that_is_what_the_model_scores() -> None:
    keras = pytest.importorskip("keras")
    from trainer.data import eval_batch_size, to_tf_dataset
    from trainer.fit import fit_model

    flags = [
        *TINY_DATA,
        *TINY_MODEL,
        "--epochs=12",
        "--patience=2",
        "--optimizer=sgd",
        "--learning-rate=0.05",
    ]
    cfg = parse_args([*flags, "--momentum=0.9"], env={})
    keras.utils.set_random_seed(cfg.seed)
    data = prepare_data(data_config(cfg))
    rows: list[dict[str, float]] = []
    result = fit_model(cfg, data, lambda values: rows.append({k: float(v) for k, v in values.items()}))

    best = min(rows, key=lambda row: row["val_loss"])
    assert best["epoch"] < len(rows) < cfg.epochs, rows  # it stopped, after a worse epoch than the best
    assert result.kept == {k: v for k, v in rows[int(best["epoch"]) - 1].items()}
    val = to_tf_dataset(data.val, eval_batch_size(len(data.val.y), cfg.batch_size), shuffle=False, seed=0)
    scores = result.model.evaluate(val, verbose=0, return_dict=True)
    assert scores["rmse"] == pytest.approx(
        best["val_rmse"], rel=1e-4
    )  # the restored weights are the best epoch's
