"""Early stopping and best-weight restore through the trainer's default step loop (groups of batches).

In-process on tiny synthetic data: the run is seeded, and its learning rate is high enough that the
validation RMSE gets worse after its best epoch, so early stopping ends the run and restores an earlier
epoch's weights (asserted, so the test keeps its point if the training curve ever changes). Run twice: on
the raw weights and every validation window, and on the averaged weights (``--ema-momentum``) and the
validation units' cut windows (``--val-cuts``), where the restored model must score the printed val_rmse on
the cut windows and val_rmse_all on every window.
"""

from __future__ import annotations

import pytest

from tests.trainer.conftest import TINY_DATA, TINY_MODEL
from trainer.config import parse_args
from trainer.data import prepare_data
from trainer.run import data_config

pytestmark = pytest.mark.tensorflow


@pytest.mark.parametrize(
    "objective",
    [("--ema-momentum=0", "--val-cuts=0"), ("--ema-momentum=0.8", "--val-cuts=3")],
    ids=["raw-all-windows", "averaged-cuts"],
)
def test_early_stopping_restores_the_best_epoch_and_that_is_what_the_model_scores(
    objective: tuple[str, ...],
) -> None:
    keras = pytest.importorskip("keras")
    from trainer.fit import fit_model
    from trainer.reporting import rmse
    from trainer.validation import predict_windows

    flags = [
        *TINY_DATA,
        *TINY_MODEL,
        "--epochs=12",
        "--patience=2",
        "--optimizer=sgd",
        "--learning-rate=0.05",
        *objective,
    ]
    cfg = parse_args([*flags, "--momentum=0.9"], env={})
    keras.utils.set_random_seed(cfg.seed)
    data = prepare_data(data_config(cfg))
    rows: list[dict[str, float]] = []
    result = fit_model(cfg, data, lambda values: rows.append({k: float(v) for k, v in values.items()}))

    best = min(rows, key=lambda row: row["val_rmse"])
    assert best["epoch"] < len(rows) < cfg.epochs, rows  # it stopped, after a worse epoch than the best
    assert result.kept == {k: v for k, v in rows[int(best["epoch"]) - 1].items()}
    scored = data.val_cuts if data.val_cuts is not None else data.val
    assert (data.val_cuts is not None) == ("--val-cuts=3" in objective)
    # the restored weights are the best epoch's, averaged ones included
    assert rmse(predict_windows(result.model, scored.x), scored.y) == pytest.approx(
        best["val_rmse"], rel=1e-4
    )
    assert rmse(predict_windows(result.model, data.val.x), data.val.y) == pytest.approx(
        best["val_rmse_all"], rel=1e-4
    )
