"""Medianstop in a real run, checked against a hand computation of Katib's rule.

The trial program reports ``objective = (x-1)^2 + 1/e`` at epochs e = 1..4 (minimize). With
``min_trials_required=2, start_step=2`` and one trial at a time, Katib's rule for trial k is computed when k
is created, from the trials that had Succeeded by then: threshold = mean over them of
mean(first two values) = mean((x-1)^2 + 0.75). Trial k is stopped iff it has a rule and its best value after
two reports, (x-1)^2 + 0.5, is greater than the threshold.
"""

from __future__ import annotations

import pytest

from katib_local.cli import main
from tests.katib_local.runner_helpers import quadratic_experiment, trials_in_db, write_experiment

XS = ["1", "1.5", "0.5", "4", "5", "1.2", "6", "2"]


def test_medianstop_decisions_match_a_hand_computation(tmp_path):
    doc = quadratic_experiment(
        "quad-median",
        XS,
        max_trials=len(XS),
        epochs=4,
        settings=[("random_state", "3")],
        early_stopping={
            "algorithmName": "medianstop",
            "algorithmSettings": [
                {"name": "min_trials_required", "value": "2"},
                {"name": "start_step", "value": "2"},
            ],
        },
    )
    path = write_experiment(tmp_path, doc)
    assert main(["run", str(path), "--root", str(tmp_path / "runs"), "--plain"]) == 0
    trials = trials_in_db(tmp_path / "runs", "quad-median")
    assert len(trials) == len(XS)

    succeeded_means: list[float] = []
    stopped = 0
    for trial in trials:
        x = float(trial["assignments"]["x"])
        if len(succeeded_means) >= 2:
            threshold = sum(succeeded_means) / len(succeeded_means)
            assert len(trial["rules"]) == 1
            rule = trial["rules"][0]
            assert (rule["name"], rule["comparison"], rule["start_step"]) == ("objective", "greater", 2)
            assert rule["value"] == pytest.approx(threshold)
            expect_stop = (x - 1) ** 2 + 0.5 > threshold
        else:
            assert trial["rules"] == []
            expect_stop = False
        objective_rows = [float(v) for n, _, v in trial["logs"] if n == "objective"]
        if expect_stop:
            stopped += 1
            assert trial["status"] == "EarlyStopped", trial
            assert objective_rows == pytest.approx([(x - 1) ** 2 + 1, (x - 1) ** 2 + 0.5])
        else:
            assert trial["status"] == "Succeeded", trial
            assert len(objective_rows) == 4
            succeeded_means.append((x - 1) ** 2 + 0.75)
    assert stopped >= 1 and stopped < len(XS) - 2, "the seed must produce both kinds of decision"
