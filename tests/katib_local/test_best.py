"""``katib-local best NAME`` on a local experiment: run by the real runner, read from its real store."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from katib_local.cli import main as katib_local_main
from katib_local.commands import best as best_command
from katib_local.controller.observation import MetricLog
from katib_local.controller.store import Store
from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.types import TrialStatus

from .fake_kube import cli, parse
from .runner_helpers import job_trial_spec, write_experiment

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "charts" / "inference" / "values.schema.json").read_text())
CHART_DEFAULTS = yaml.safe_load((REPO / "charts" / "inference" / "values.yaml").read_text())
NAME = "quad-best"

# A stand-in for the trainer (no TensorFlow here): one metric line, then a version directory holding a file
# named saved_model.pb where --model-dir says. Not a real SavedModel: tests/test_end_to_end_serving.py runs
# the real trainer.
EXPORTER = """
import argparse, datetime, pathlib
p = argparse.ArgumentParser()
p.add_argument("--x", type=float, required=True)
p.add_argument("--model-dir", required=True)
a = p.parse_args()
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
print(f"{stamp} epoch=1 objective={(a.x - 1.0) ** 2!r} loss={2 * (a.x - 1.0) ** 2!r}", flush=True)
version = pathlib.Path(a.model_dir) / "1"
version.mkdir(parents=True)
(version / "saved_model.pb").write_bytes(b"")
"""


def experiment(program: Path, model_dir: str | None) -> dict[str, Any]:
    command = [sys.executable, str(program), "--x=${trialParameters.x}"]
    if model_dir is not None:
        command.append(f"--model-dir={model_dir}")
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": NAME, "namespace": "kubeflow"},
        "spec": {
            "objective": {
                "type": "minimize",
                "objectiveMetricName": "objective",
                "additionalMetricNames": ["loss"],
            },
            "algorithm": {"algorithmName": "grid"},
            "parallelTrialCount": 1,
            "maxTrialCount": 2,
            "parameters": [
                {"name": "x", "parameterType": "categorical", "feasibleSpace": {"list": ["0.5", "1.0"]}}
            ],
            "trialTemplate": {
                "primaryContainerName": "trainer",
                "trialParameters": [
                    {"name": "x", "reference": "x"},
                    {"name": "trialName", "reference": "${trialSpec.Name}"},
                ],
                "trialSpec": job_trial_spec(
                    {
                        "name": "trainer",
                        "image": "python:3.12",
                        "command": command,
                    }
                ),
            },
        },
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-trial experiment (x=0.5 and x=1.0; objective (x-1)^2) run by ``katib-local run``."""
    base = tmp_path_factory.mktemp("best")
    program = base / "exporter.py"
    program.write_text(EXPORTER)
    path = write_experiment(
        base, experiment(program, f"/mnt/shared/models/{NAME}/${{trialParameters.trialName}}")
    )
    assert cli("run", str(path), "--root", str(base / "runs"), "--plain") == 0
    return base / "runs"


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of a values file over the chart's values (maps merge, everything else replaces)."""
    result = dict(base)
    for key, value in override.items():
        both_maps = isinstance(value, dict) and isinstance(base.get(key), dict)
        result[key] = merged(base[key], value) if both_maps else value
    return result


def best_trial_of(root: Path) -> tuple[str, str]:
    with Store(root) as store:
        trials = store.trials(NAME)
    (winner,) = [t for t in trials if t.assignments["x"] == "1.0"]
    return winner.name, next(t.name for t in trials if t is not winner)


def test_best_prints_parameters_metrics_and_model_and_writes_helm_values(
    runs: Path, tmp_path: Path, capsys
) -> None:
    winner, _ = best_trial_of(runs)
    values_file = tmp_path / "out" / "best-values.yaml"
    capsys.readouterr()
    assert cli("best", NAME, "--root", str(runs), "--helm-values", str(values_file)) == 0
    out = capsys.readouterr().out
    local_dir = runs / "volumes" / "hpo-shared" / "models" / NAME / winner
    assert f"Best trial: {winner}" in out
    assert "parameters: x=1.0" in out
    assert "objective=0 (objective)" in out and "loss=0" in out
    assert f"claim hpo-shared, subPath models/{NAME}/{winner}" in out
    assert f"local dir:  {local_dir} (SavedModel versions: 1)" in out
    # The runner really put the model where the location says.
    assert (local_dir / "1" / "saved_model.pb").is_file()

    text = values_file.read_text()
    assert text.startswith(
        f"# Written by: katib-local best {NAME} --root {runs} --helm-values {values_file}\n"
    )
    values = yaml.safe_load(text)
    assert values == {
        "model": {
            "name": NAME,
            "storage": {"type": "pvc", "claimName": "hpo-shared", "subPath": f"models/{NAME}/{winner}"},
            "source": {"experiment": NAME, "trial": winner},
        }
    }
    # Helm checks the schema against the chart's defaults with the file merged over them.
    jsonschema.validate(merged(CHART_DEFAULTS, values), SCHEMA)


def test_model_name_option(runs: Path, tmp_path: Path) -> None:
    values_file = tmp_path / "v.yaml"
    args = parse(
        "best", NAME, "--root", str(runs), "--helm-values", str(values_file), "--model-name", "rul_v2"
    )
    assert best_command.main(args) == 0
    assert yaml.safe_load(values_file.read_text())["model"]["name"] == "rul_v2"


def test_bad_model_name_writes_nothing(runs: Path, tmp_path: Path, capsys) -> None:
    values_file = tmp_path / "v.yaml"
    assert (
        cli("best", NAME, "--root", str(runs), "--helm-values", str(values_file), "--model-name", "bad/name")
        == 2
    )
    assert "model name 'bad/name'" in capsys.readouterr().err
    assert not values_file.exists()


def test_unwritable_helm_values_path_is_one_line(runs: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the values file's folder would be")
    assert cli("best", NAME, "--root", str(runs), "--helm-values", str(blocker / "v.yaml")) == 2
    err = capsys.readouterr().err
    assert "--helm-values" in err and "cannot write" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_root_is_one_line_for_any_command(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where --root's directory would be")
    example = Path(__file__).resolve().parents[2] / "examples" / "local-grid.yaml"
    assert katib_local_main(["run", str(example), "--root", str(blocker / "runs"), "--plain"]) == 2
    err = capsys.readouterr().err
    assert "katib-local: error:" in err and "not-a-dir" in err
    assert "Traceback" not in err


def test_best_trial_whose_model_is_gone(runs: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "runs"
    shutil.copytree(runs, root)
    winner, _ = best_trial_of(root)
    shutil.rmtree(root / "volumes" / "hpo-shared" / "models" / NAME / winner / "1")
    values_file = tmp_path / "v.yaml"
    capsys.readouterr()
    assert cli("best", NAME, "--root", str(root), "--helm-values", str(values_file)) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: best trial {winner} has no model: {root}/volumes/hpo-shared/models/{NAME}/{winner} holds no "
        "SavedModel version directory"
    )
    assert not values_file.exists()


def make_store(
    root: Path, doc: dict[str, Any], trials: list[tuple[str, str, TrialStatus, list[MetricLog]]]
) -> None:
    with Store(root) as store:
        spec = apply_defaults(doc)["spec"]
        store.create_experiment(NAME, "kubeflow", spec, "test")
        store.add_trials(NAME, [(name, {"x": x}) for name, x, _, _ in trials], [])
        for name, _, status, logs in trials:
            store.complete_trial(name, status, 0, "", logs)


def test_no_best_trial_yet(tmp_path: Path, capsys) -> None:
    doc = experiment(tmp_path / "p.py", "/mnt/shared/models/m/${trialParameters.trialName}")
    make_store(tmp_path, doc, [(f"{NAME}-aaaaaaaa", "0.5", TrialStatus.FAILED, [])])
    with Store(tmp_path) as store:  # a trial still running has a value but is not a candidate yet
        store.add_trials(NAME, [(f"{NAME}-bbbbbbbb", {"x": "1.0"})], [])
    assert cli("best", NAME, "--root", str(tmp_path)) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"error: experiment '{NAME}' has no completed trial with a objective value yet "
        "(2 trial(s), 1 completed)"
    )


def test_template_without_model_dir(tmp_path: Path, capsys) -> None:
    logs = [MetricLog("objective", "2026-11-23T10:00:00Z", "0.25")]
    make_store(
        tmp_path,
        experiment(tmp_path / "p.py", None),
        [(f"{NAME}-aaaaaaaa", "0.5", TrialStatus.SUCCEEDED, logs)],
    )
    assert cli("best", NAME, "--root", str(tmp_path)) == 1
    captured = capsys.readouterr()
    assert "parameters: x=0.5" in captured.out and "objective=0.25 (objective)" in captured.out
    (line,) = captured.err.splitlines()
    assert (
        line
        == f"error: best trial {NAME}-aaaaaaaa has no model: container 'trainer' has no --model-dir argument"
    )


def test_unknown_experiment_and_no_state(runs: Path, tmp_path: Path, capsys) -> None:
    assert cli("best", "nope", "--root", str(runs)) == 2
    assert f"no experiment 'nope' under {runs} (known: {NAME})" in capsys.readouterr().err
    assert cli("best", NAME, "--root", str(tmp_path / "empty")) == 2
    assert "no katib-local state under" in capsys.readouterr().err
