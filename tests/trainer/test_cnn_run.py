"""The convolutional model as a trial: it trains, prints Katib's metric lines and exports a SavedModel.

It reuses the shared ``export`` fixture's cnn run (tests/conftest.py), the same model the serving tests
answer requests with, so this costs no extra training.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import Export
from tests.trainer.katib_format import parse_line

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("trainer-predict")]


@pytest.mark.parametrize("export", ["cnn"], indirect=True)
def test_cnn_trial_prints_its_metric_lines_and_exports(export: Export) -> None:
    [(_, epoch), (_, summary)] = [parse_line(line) for line in export.stdout.splitlines()]
    assert {"epoch", "loss", "val_loss", "val_rmse", "val_mae"} <= set(epoch) and epoch["epoch"] == 1
    assert 0 < epoch["val_mae"] <= epoch["val_rmse"]
    assert summary["test_rmse"] == export.reported_test_rmse and summary["params"] > 0
    version = export.base_dir / "1"
    assert (version / "saved_model.pb").is_file()
    config = json.loads((version / "assets.extra" / "run.json").read_text())["config"]
    assert (config["architecture"], config["filters"], config["kernel_size"]) == ("cnn", 10, 10)
