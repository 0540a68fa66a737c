"""End to end on one machine, through the commands a user types:

``katib-local run`` (the project's example experiment, real trainer, cut to 2 trials of 1 epoch on tiny
synthetic data) -> ``katib-local best NAME --helm-values V`` -> ``charts/inference`` rendered with V by Helm's
own engine -> the TF Serving container's ``--model_name``/``--model_base_path`` and its PVC mount, mapped to
``<root>/volumes``, name a directory holding a SavedModel version -> ``python -m trainer.predict`` answers a
TF Serving REST body from it with one prediction per instance.

What stays unchecked here: TF Serving's binary itself and a cluster (see docs/cluster-client.md).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.katib_local.runner_helpers import TINY_EXAMPLE_FLAGS

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (dev extra) renders the chart")

pytestmark = pytest.mark.tensorflow

REPO = Path(__file__).resolve().parents[1]
NAME = "forecast-local-grid"  # examples/local-grid.yaml
TINY = [*TINY_EXAMPLE_FLAGS, "--epochs=1", "--patience=0"]  # appended to the example's trainer flags


def katib_local(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "katib_local", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        env={**os.environ, "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )


def tiny_example(path: Path) -> Path:
    doc: dict[str, Any] = yaml.safe_load((REPO / "examples" / "local-grid.yaml").read_text())
    (container,) = doc["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"]
    container["command"] += TINY
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_run_best_helm_values_chart_and_predict(tmp_path: Path) -> None:
    experiment = tiny_example(tmp_path / "experiment.yaml")
    run = katib_local(
        "run",
        str(experiment),
        "--root",
        "runs",
        "--max-trials",
        "2",
        "--parallel",
        "1",
        "--plain",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    best = katib_local("best", NAME, "--helm-values", "best-values.yaml", cwd=tmp_path)
    assert best.returncode == 0, best.stdout + best.stderr
    trial = best.stdout.split("Best trial: ", 1)[1].split()[0]
    assert trial.startswith(f"{NAME}-")

    values = yaml.safe_load((tmp_path / "best-values.yaml").read_text())
    chart = helm.Chart.load(REPO / "charts" / "inference")
    try:
        rendered = chart.render(values, name="rul", namespace="katib-forecast", is_install=True)
    finally:
        chart.close()
    objects = [
        doc
        for name, text in rendered.items()
        if not name.endswith("NOTES.txt")
        for doc in yaml.safe_load_all(text)
        if doc
    ]
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (server,) = [c for c in pod["containers"] if c["name"] == "tensorflow-serving"]
    flags = dict(a.split("=", 1) for a in server["args"] if a.startswith("--model_"))
    assert flags["--model_name"] == NAME
    (mount,) = [m for m in server["volumeMounts"] if m["mountPath"] == flags["--model_base_path"]]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    claim = volume["persistentVolumeClaim"]["claimName"]
    assert (claim, mount["subPath"]) == ("hpo-shared", f"models/{NAME}/{trial}")

    # The mount, mapped the way katib-local maps a PVC, is the directory the best trial exported into.
    served = tmp_path / "runs" / "volumes" / claim / mount["subPath"]
    assert (served / "1" / "saved_model.pb").is_file()

    predict = [sys.executable, "-m", "trainer.predict", "--model-dir", str(served)]
    signature = subprocess.run(
        [*predict, "--show-signature"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    shape = json.loads(signature.stdout)["inputs"]["window"]["shape"]
    steps, features = int(shape[1]), int(shape[2])
    instances = [[[0.1 * (i + s + f) for f in range(features)] for s in range(steps)] for i in range(3)]
    answer = subprocess.run(
        [*predict, "--request", "-"],
        input=json.dumps({"instances": instances}),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert answer.returncode == 0, answer.stderr
    predictions = json.loads(answer.stdout)["predictions"]
    assert len(predictions) == 3
    assert all(len(p) == 1 and math.isfinite(p[0]) for p in predictions)
