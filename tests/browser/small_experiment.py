"""A small REAL experiment for the browser tests: ``examples/local-grid.yaml`` (the main job) cut to 3 trials
of 2 epochs on tiny synthetic data, run by ``katib-local`` with the real trainer (about 30 s on 2 cores).

The trial command keeps the example's ``--hparams-tuned`` and ``--hparams-metrics``, so TensorBoard shows
what it shows after ``make run``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from katib_local.cli import main
from tests.katib_local.runner_helpers import TINY_EXAMPLE_FLAGS

REPO = Path(__file__).resolve().parents[2]
NAME = "forecast-local-grid"
TRIALS = 3


@dataclass(frozen=True)
class SmallExperiment:
    root: Path
    exit_code: int
    results: list[dict[str, Any]]  # `katib-local results NAME --format json`

    @property
    def tensorboard_dir(self) -> Path:
        return self.root / "volumes" / "hpo-shared" / "tensorboard" / NAME

    def best(self) -> dict[str, Any]:
        return min(self.results, key=lambda r: r["metrics"]["val_rmse"])


def small_experiment_doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((REPO / "examples" / "local-grid.yaml").read_text())
    spec = doc["spec"]
    spec["maxTrialCount"] = spec["maxFailedTrialCount"] = TRIALS
    container = spec["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0]
    container["command"] = [*container["command"], *TINY_EXAMPLE_FLAGS, "--epochs=2"]
    container.pop("resources", None)
    return doc


def run_small_experiment(workdir: Path) -> SmallExperiment:
    """Run it into ``workdir/runs`` and read its results back as the CLI prints them."""
    import contextlib
    import io

    path = workdir / "small-grid.yaml"
    path.write_text(yaml.safe_dump(small_experiment_doc(), sort_keys=False))
    root = workdir / "runs"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(path), "--root", str(root), "--plain"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["results", NAME, "--root", str(root), "--format", "json"])
    return SmallExperiment(root, code, json.loads(out.getvalue()))
