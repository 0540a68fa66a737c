"""``katib-local dashboard``: Katib trials mirrored into Optuna's journal storage and served by
optuna-dashboard, for a local experiment while it runs and for a cluster one over the FAKE API."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

from katib_local.dashboard import (
    ExperimentSnapshot,
    StudyMirror,
    TrialSnapshot,
    distribution,
    journal_storage,
    param_value,
)
from katib_local.experiment.types import TrialStatus
from katib_local.readback.results import ExperimentView

from .dashboard_helpers import attrs, running_dashboard, study
from .fake_kube import INJECTION, fake_client, trial_object
from .runner_helpers import REPO, quadratic_experiment, start_runner, wait_until, write_experiment

VIEW = ExperimentView(
    objective="val_rmse",
    objective_type="minimize",
    additional=("test_rmse",),
    parameters=("lr", "units", "width", "optimizer"),
    strategies={"val_rmse": "min", "test_rmse": "latest"},
)
PARAMETERS = [
    {
        "name": "lr",
        "parameterType": "double",
        "feasibleSpace": {"min": "0.001", "max": "0.1", "distribution": "logUniform"},
    },
    {"name": "units", "parameterType": "int", "feasibleSpace": {"min": "4", "max": "16", "step": "4"}},
    {"name": "width", "parameterType": "discrete", "feasibleSpace": {"list": ["16", "32"]}},
    {"name": "optimizer", "parameterType": "categorical", "feasibleSpace": {"list": ["adam", "sgd"]}},
]
ASSIGN = {"lr": "0.01", "units": "8", "width": "32", "optimizer": "sgd"}
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def test_katib_feasible_spaces_become_optuna_distributions() -> None:
    lr, units, width, optimizer = (distribution(p) for p in PARAMETERS)
    assert lr == FloatDistribution(0.001, 0.1, log=True)
    assert units == IntDistribution(4, 16, step=4)
    assert width == CategoricalDistribution([16, 32])
    assert optimizer == CategoricalDistribution(["adam", "sgd"])
    stepped = distribution(
        {"name": "d", "parameterType": "double", "feasibleSpace": {"min": "0", "max": "0.2", "step": "0.2"}}
    )
    assert stepped == FloatDistribution(0.0, 0.2, step=0.2)
    assert [
        param_value(n, d, ASSIGN[n])
        for n, d in zip(("lr", "units", "width", "optimizer"), (lr, units, width, optimizer), strict=True)
    ] == [0.01, 8, 32, "sgd"]
    with pytest.raises(ValueError, match="units"):
        param_value("units", units, "6")  # off the step grid


def _snapshot(*trials: TrialSnapshot) -> ExperimentSnapshot:
    return ExperimentSnapshot("exp", VIEW, PARAMETERS, list(trials))


def _trial(name: str, status: TrialStatus, curve: tuple[float, ...], **metrics: float) -> TrialSnapshot:
    return TrialSnapshot(
        name,
        status,
        ASSIGN,
        metrics,
        curve,
        f"/models/{name}",
        T0,
        T0 if status.value not in ("Running", "Created") else None,
    )


def test_mirror_maps_katib_trials_and_is_idempotent() -> None:
    with journal_storage() as storage:
        first = _snapshot(
            _trial("t-ok", TrialStatus.SUCCEEDED, (14.0, 12.5, 13.0), val_rmse=12.5, test_rmse=13.25),
            _trial("t-stopped", TrialStatus.EARLY_STOPPED, (20.0,), val_rmse=20.0),
            _trial("t-failed", TrialStatus.FAILED, ()),
            _trial("t-nometrics", TrialStatus.METRICS_UNAVAILABLE, ()),
            _trial("t-run", TrialStatus.RUNNING, (15.0,), val_rmse=15.0),
        )
        mirror = StudyMirror(storage, first)
        assert mirror.sync(first) == 5
        assert mirror.sync(first) == 0  # nothing new: nothing written
        loaded = optuna.load_study(study_name="exp", storage=storage)
        by_name = {t.user_attrs["trial_name"]: t for t in loaded.trials}
        assert {n: t.state for n, t in by_name.items()} == {
            "t-ok": TrialState.COMPLETE,
            "t-stopped": TrialState.PRUNED,
            "t-failed": TrialState.FAIL,
            "t-nometrics": TrialState.FAIL,
            "t-run": TrialState.RUNNING,
        }
        ok = by_name["t-ok"]
        assert ok.value == 12.5 and ok.intermediate_values == {1: 14.0, 2: 12.5, 3: 13.0}
        assert ok.params == {"lr": 0.01, "units": 8, "width": 32, "optimizer": "sgd"}
        assert ok.distributions["lr"] == FloatDistribution(0.001, 0.1, log=True)
        assert ok.user_attrs["test_rmse"] == 13.25 and ok.user_attrs["model"] == "/models/t-ok"
        assert by_name["t-stopped"].value == 20.0
        assert loaded.direction == optuna.study.StudyDirection.MINIMIZE
        assert loaded.user_attrs["objective_strategy"] == "min"
        assert loaded.best_trial.user_attrs["trial_name"] == "t-ok"
        # The running trial goes on: two more epochs, then it succeeds; a new trial appears.
        later = _snapshot(
            *first.trials[:4],
            _trial("t-run", TrialStatus.SUCCEEDED, (15.0, 11.0, 11.5), val_rmse=11.0, test_rmse=12.0),
            _trial("t-new", TrialStatus.CREATED, ()),
        )
        assert mirror.sync(later) == 2
        loaded = optuna.load_study(study_name="exp", storage=storage)
        run = next(t for t in loaded.trials if t.user_attrs["trial_name"] == "t-run")
        assert run.state == TrialState.COMPLETE and run.value == 11.0
        assert run.intermediate_values == {1: 15.0, 2: 11.0, 3: 11.5}
        assert loaded.best_trial.number == run.number
        assert len(loaded.trials) == 6 and loaded.trials[-1].state == TrialState.WAITING


def test_dashboard_follows_a_running_local_experiment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened while trial 2 of 3 is mid-run: it shows trial 1, then trial 2's next epochs and trial 3,
    created after the dashboard started."""
    hold = tmp_path / "hold"
    hold.mkdir()
    doc = quadratic_experiment(
        "follow",
        ["0", "1", "2"],
        max_trials=3,
        epochs=3,
        extra_args=[f"--hold-dir={hold}", "--run-through=1"],
    )
    path = write_experiment(tmp_path, doc)
    root = tmp_path / "runs"
    runner = start_runner(path, root, tmp_path / "run.log")
    try:
        wait_until(lambda: any(hold.glob("*.held")), "trial 2 holding after epoch 1", proc=runner)
        with running_dashboard(monkeypatch, "follow", "--root", str(root)) as base:

            def trials() -> list[dict[str, Any]]:
                return list(study(base)["trials"])

            # The trial can hold before the runner has recorded it as running (it does so after the
            # spawn returns), so wait for the dashboard to show what the store will hold.
            wait_until(
                lambda: (
                    [(t["state"], len(t["intermediate_values"])) for t in trials()]
                    == [("Complete", 3), ("Running", 1)]
                ),
                "trial 1 Complete and trial 2 Running with its first epoch",
                proc=runner,
            )
            (hold / "release").touch()
            wait_until(
                lambda: [t["state"] for t in trials()] == ["Complete"] * 3,
                "three Complete trials",
                timeout=90,
            )
            final = trials()
            assert all(len(t["intermediate_values"]) == 3 for t in final)
            detail = study(base)
            best = detail["best_trials"][0]
            assert attrs(best)["trial_name"].startswith("follow-")
            assert best["values"] == [pytest.approx(min(t["values"][0] for t in final))]
        assert runner.wait(60) == 0
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()


NAME, NS = "forecast-local-grid", "katib-forecast"


def test_dashboard_reads_a_cluster_experiment_through_the_fake_api(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    client, api, _ = fake_client({NS: dict(INJECTION)})
    experiment = yaml.safe_load((REPO / "examples" / "local-grid.yaml").read_text())
    api.put("experiments", experiment)
    params = {"optimizer": "adam", "learning-rate": "0.001", "units": "16"}
    api.put(
        "trials",
        trial_object(
            NAME,
            f"{NAME}-a",
            NS,
            params,
            "Succeeded",
            {"val_rmse": ("12.5", "30", "13"), "test_rmse": ("15", "15", "15.5")},
        ),
    )
    api.put(
        "trials",
        trial_object(
            NAME,
            f"{NAME}-b",
            NS,
            {**params, "optimizer": "sgd"},
            "EarlyStopped",
            {"val_rmse": ("14", "30", "14.5")},
        ),
    )
    with running_dashboard(monkeypatch, NAME, "--cluster", "-n", NS, client=client) as base:
        detail = study(base)
        states = {attrs(t)["trial_name"]: t["state"] for t in detail["trials"]}
        assert states == {f"{NAME}-a": "Complete", f"{NAME}-b": "Pruned"}
        assert detail["best_trials"][0]["values"] == [12.5]
        assert {p["name"] for p in detail["intersection_search_space"]} == {
            "optimizer",
            "learning-rate",
            "units",
        }
        api.put("trials", trial_object(NAME, f"{NAME}-c", NS, {**params, "units": "32"}, "Running"))
        wait_until(lambda: len(study(base)["trials"]) == 3, "the Trial created after the start")


def _local_state(tmp_path: Path) -> Path:
    path = write_experiment(tmp_path, quadratic_experiment("tiny", ["0"], max_trials=1, epochs=1))
    root = tmp_path / "runs"
    proc = start_runner(path, root, tmp_path / "run.log")
    assert proc.wait(60) == 0
    return root


def _dashboard_process(root: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "katib_local", "dashboard", "tiny", "--root", str(root), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_ctrl_c_is_130_a_taken_port_or_an_unknown_experiment_one_line_and_2(tmp_path: Path) -> None:
    root = _local_state(tmp_path)
    proc = _dashboard_process(root, 0)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "dashboard at http://127.0.0.1:" in line
    port = int(line.split("127.0.0.1:")[1].split("/")[0])
    taken = _dashboard_process(root, port)
    _, err = taken.communicate(timeout=60)
    assert taken.returncode == 2
    assert err.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use (choose another with --port)"
    ]
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err
    unknown = subprocess.run(
        [sys.executable, "-m", "katib_local", "dashboard", "nope", "--root", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert unknown.returncode == 2 and "no experiment 'nope'" in unknown.stderr
