"""End to end on one machine: a trial's export on the shared volume -> the chart's values -> the rendered
TF Serving arguments and mounts -> a directory whose SavedModel answers a REST-format request, for a
recurrent and a convolutional model (the shared ``export`` fixture in tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import Export

from .conftest import RenderFn, served_model_dir

EXPERIMENT, TRIAL = "rul-e2e", "rul-e2e-5kq8r2mz"


@pytest.mark.tensorflow
@pytest.mark.xdist_group("trainer-predict")
def test_rendered_chart_serves_the_trials_savedmodel(
    tmp_path: Path, render: RenderFn, export: Export
) -> None:
    # The shared export (one tiny trial per architecture, lstm and cnn) placed where the trial writes it.
    volumes = tmp_path / "volumes"
    trial_dir = volumes / "hpo-shared" / "models" / EXPERIMENT / TRIAL
    shutil.copytree(export.base_dir, trial_dir)

    # The values `katib-local best --helm-values` writes for this trial.
    values = {
        "model": {
            "name": EXPERIMENT,
            "storage": {"type": "pvc", "claimName": "hpo-shared", "subPath": f"models/{EXPERIMENT}/{TRIAL}"},
            "source": {"experiment": EXPERIMENT, "trial": TRIAL},
        }
    }
    model_dir = served_model_dir(render(values), volumes)
    assert model_dir == trial_dir

    from trainer.predict import Predictor

    predictor = Predictor(model_dir)
    assert predictor.path == trial_dir / "1"
    window = predictor.signature("serving_default").inputs["window"]
    assert window.shape is not None
    steps, features = (int(d or 0) for d in window.shape[1:])
    assert (steps, features) == (export.window, export.n_features)
    windows = np.random.default_rng(0).normal(size=(3, steps, features)).tolist()
    predictions = predictor.predict({"instances": windows})["predictions"]
    assert len(predictions) == 3
    assert all(len(p) == 1 and np.isfinite(p[0]) for p in predictions)
