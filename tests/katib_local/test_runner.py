"""The runner end to end with the TF-free trial program: states, counts, stop order, collectors, CLI."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from katib_local.cli import main
from tests.katib_local.runner_helpers import quadratic_experiment, trials_in_db, write_experiment


def run(tmp_path: Path, doc: dict, *extra: str) -> int:
    return main(
        ["run", str(write_experiment(tmp_path, doc)), "--root", str(tmp_path / "runs"), "--plain", *extra]
    )


def results(tmp_path: Path, name: str, fmt: str, capsys) -> str:
    capsys.readouterr()
    assert main(["results", name, "--root", str(tmp_path / "runs"), "--format", fmt]) == 0
    return capsys.readouterr().out


def test_grid_experiment_runs_every_point_and_lists_results(tmp_path, capsys):
    doc = quadratic_experiment("quad-grid", ["0", "1", "2", "3"], parallel=2, max_trials=4)
    assert run(tmp_path, doc) == 0
    out = capsys.readouterr().out
    assert "ExperimentMaxTrialsReached" in out
    trials = trials_in_db(tmp_path / "runs", "quad-grid")
    assert sorted(t["assignments"]["x"] for t in trials) == ["0", "1", "2", "3"]
    assert {t["status"] for t in trials} == {"Succeeded"}

    data = json.loads(results(tmp_path, "quad-grid", "json", capsys))
    by_x = {d["parameters"]["x"]: d for d in data}
    # objective strategy min over epochs 1..3 -> (x-1)^2 + 1/3; loss gets the same (min) strategy by default
    for x, d in by_x.items():
        assert d["status"] == "Succeeded"
        assert d["metrics"]["objective"] == pytest.approx((float(x) - 1) ** 2 + 1 / 3)
        assert d["metrics"]["loss"] == pytest.approx(2 * ((float(x) - 1) ** 2 + 1 / 3))

    rows = list(csv.reader(io.StringIO(results(tmp_path, "quad-grid", "csv", capsys))))
    assert rows[0] == ["Status", "trialName", "objective", "loss", "x"]
    assert len(rows) == 5 and {r[0] for r in rows[1:]} == {"Succeeded"}

    table = results(tmp_path, "quad-grid", "table", capsys).splitlines()
    ranked = [line for line in table if "quad-grid-" in line]
    assert len(ranked) == 4
    assert "│ 1 " in ranked[0] and ranked[0].rstrip("│ ").endswith("1"), "best first: x=1"

    capsys.readouterr()
    assert main(["status", "quad-grid", "--root", str(tmp_path / "runs")]) == 0
    status = capsys.readouterr().out
    assert "Succeeded" in status and "x=1" in status  # best trial is x=1


def test_trial_sees_rendered_command_pvc_env_and_resources(tmp_path):
    doc = quadratic_experiment(
        "quad-env",
        ["2"],
        algorithm="random",
        max_trials=1,
        resources={"limits": {"cpu": "2", "nvidia.com/gpu": 1}},
    )
    assert run(tmp_path, doc) == 0
    (trial,) = trials_in_db(tmp_path / "runs", "quad-env")
    tag = json.loads(
        (tmp_path / "runs" / "volumes" / "hpo-shared" / "tags" / f"{trial['name']}.json").read_text()
    )
    assert tag["trial"] == trial["name"]
    assert "--x=2" in tag["argv"]
    assert tag["env"]["OMP_NUM_THREADS"] == "2"
    assert "CUDA_VISIBLE_DEVICES" in tag["env"]
    log = (
        tmp_path / "runs" / "experiments" / "quad-env" / "trials" / trial["name"] / "metrics.log"
    ).read_text()
    assert log.count("objective=") == 3


def test_goal_reached_ends_the_experiment_early(tmp_path, capsys):
    doc = quadratic_experiment("quad-goal", ["1", "1.1", "1.2", "1.3"], max_trials=4, goal=1.0)
    assert run(tmp_path, doc) == 0
    assert "ExperimentGoalReached" in capsys.readouterr().out
    assert len(trials_in_db(tmp_path / "runs", "quad-goal")) == 1


def test_failed_trials_count_toward_max_failed_and_fail_the_experiment(tmp_path, capsys):
    doc = quadratic_experiment(
        "quad-fail",
        ["1", "2", "3"],
        algorithm="random",
        max_trials=5,
        max_failed=2,
        extra_args=["--exit-code=1"],
    )
    assert run(tmp_path, doc) == 1
    assert "max failed count has reached" in capsys.readouterr().out
    trials = trials_in_db(tmp_path / "runs", "quad-fail")
    assert [t["status"] for t in trials] == ["Failed", "Failed"]
    assert all(t["exit_code"] == 1 and t["logs"] == [] for t in trials)


def test_trial_without_objective_is_metrics_unavailable_and_counts_as_failed(tmp_path, capsys):
    doc = quadratic_experiment(
        "quad-mu", ["1", "2"], algorithm="random", max_trials=3, max_failed=1, extra_args=["--no-objective"]
    )
    assert run(tmp_path, doc) == 1
    (trial,) = trials_in_db(tmp_path / "runs", "quad-mu")
    assert trial["status"] == "MetricsUnavailable"
    assert trial["logs"] == [("objective", "0001-01-01T00:00:00.000000Z", "unavailable")]


@pytest.mark.parametrize("fmt", ["TEXT", "JSON"])
def test_file_collector(tmp_path, fmt):
    extra = ["--out-file=/var/log/katib/m.log"] + (["--json"] if fmt == "JSON" else [])
    collector = {
        "collector": {"kind": "File"},
        "source": {"fileSystemPath": {"path": "/var/log/katib/m.log", "kind": "File", "format": fmt}},
    }
    doc = quadratic_experiment(
        f"quad-file-{fmt.lower()}",
        ["3"],
        algorithm="random",
        max_trials=1,
        extra_args=extra,
        collector=collector,
    )
    assert run(tmp_path, doc) == 0
    (trial,) = trials_in_db(tmp_path / "runs", doc["metadata"]["name"])
    assert trial["status"] == "Succeeded"
    assert [float(v) for n, _, v in trial["logs"] if n == "objective"] == pytest.approx([5.0, 4.5, 4 + 1 / 3])


def test_invalid_experiment_is_refused_before_anything_runs(tmp_path, capsys):
    doc = quadratic_experiment("quad-bad", ["1"], max_trials=1)
    doc["spec"]["objective"]["type"] = "sideways"
    assert run(tmp_path, doc) == 2
    assert not (tmp_path / "runs" / "katib-local.db").exists()


def test_changed_spec_is_refused_on_resume_but_budget_may_change(tmp_path, capsys):
    doc = quadratic_experiment("quad-spec", ["0", "1", "2", "3"], max_trials=1)
    assert run(tmp_path, doc) == 0
    assert run(tmp_path, doc) == 0  # completed, Never resume policy: shows results, runs nothing
    assert "already completed" in capsys.readouterr().out
    assert len(trials_in_db(tmp_path / "runs", "quad-spec")) == 1
    doc["spec"]["parameters"][0]["feasibleSpace"]["list"] = ["5"]
    assert run(tmp_path, doc) == 2


def test_long_running_experiment_restarts_with_a_larger_max_trial_count(tmp_path):
    doc = quadratic_experiment("quad-more", ["0", "1", "2", "3"], max_trials=2)
    doc["spec"]["resumePolicy"] = "LongRunning"
    assert run(tmp_path, doc) == 0
    assert run(tmp_path, doc, "--max-trials", "4") == 0
    trials = trials_in_db(tmp_path / "runs", "quad-more")
    assert sorted(t["assignments"]["x"] for t in trials) == ["0", "1", "2", "3"]


def test_python_m_katib_local_and_unknown_experiment(tmp_path):
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "katib_local", "status", "nope", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "no katib-local state" in proc.stderr


def test_active_deadline_fails_a_trial_that_runs_too_long(tmp_path):
    hold = tmp_path / "hold"
    hold.mkdir()  # never released: the trial would wait 120 s
    doc = quadratic_experiment(
        "quad-deadline",
        ["1"],
        algorithm="random",
        max_trials=1,
        extra_args=[f"--hold-dir={hold}"],
        active_deadline=1,
    )
    assert run(tmp_path, doc) == 0
    (trial,) = trials_in_db(tmp_path / "runs", "quad-deadline")
    assert trial["status"] == "Failed" and "DeadlineExceeded" in trial["message"]
    assert trial["logs"] == []
