"""hyperband as Katib v0.19's service computes it: brackets, rungs, the resource per rung, the kept state.

The expected values are derived here from the formulas of ``pkg/suggestion/v1beta1/hyperband/service.py``,
written out again (not taken from katib_local), together with the request sizes the controller makes: the
first request is ``parallelTrialCount``; a bracket's first rung is asked for in the same turn as the last rung
of the bracket before it, so it gets the slots that rung leaves free.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from katib_local.cli import main
from katib_local.controller.store import Store
from katib_local.experiment.search_space import parse_parameters
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.suggestions import SuggestionError, validate_algorithm_settings
from tests.katib_local.counter_helpers import counter_experiment, stateful
from tests.katib_local.runner_helpers import trials_in_db, write_experiment


def hyperband(name: str, r_l: str, eta: str, parallel: int, max_trials: int | None, epochs=(1, 30)) -> dict:
    settings = [("r_l", r_l), ("eta", eta), ("resource_name", "epochs"), ("random_state", "11")]
    return counter_experiment(
        name, "hyperband", settings, parallel=parallel, max_trials=max_trials, epochs=epochs
    )


def run(tmp_path: Path, doc: dict) -> int:
    path = write_experiment(tmp_path, doc)
    return main(["run", str(path), "--root", str(tmp_path / "runs"), "--plain"])


def loss(trial: dict) -> float:
    return min(float(value) for name, _, value in trial["logs"] if name == "loss")


def test_r_l_9_eta_3_runs_the_brackets_with_katib_rung_sizes_and_resources(tmp_path, capsys):
    # Requests: new trials = min(parallel, maxTrialCount - completed) - active (Katib's ReconcileTrials), and
    # the service overwrites n with that number. parallel 9, maxTrialCount 28.
    # s_max = int(log 9 / log 3) = 2.
    # Bracket s=2, r = 9 * 3**-2 = 1: first request n = 9 -> 9 trials at int(1) = 1 epoch.
    #   Child i=0->1 once all 9 finished: n = min(9, 28 - 9) = 9, n_i = ceil(9 * 3**0) = 9, keep ceil(9/3) = 3
    #   at int(1 * 3**1) = 3 epochs. Child i=1->2: n = min(9, 28 - 12) = 9, n_i = ceil(9 * 3**-1) = 3, keep
    #   ceil(3/3) = 1 at int(1 * 3**2) = 9 epochs: the bracket's last rung (i == s).
    # Bracket s=1, r = 9 * 3**-1 = 3, asked in the same turn: n = 9 - 1 active = 8 trials at 3 epochs.
    #   Child i=0->1 once those 8 finished: completed = 20 + d, active = 1 - d (d: whether the 9-epoch trial
    #   has finished), n = min(9, 28 - 20 - d) - (1 - d) = 7 either way, n_i = 7, keep ceil(7/3) = 3 at
    #   int(3 * 3**1) = 9 epochs: the last rung of s=1.
    # Bracket s=0, r = 9, asked in the same turn: n = min(9, 28 - 20 - d) - (1 - d) - 3 = 4 trials at 9.
    # Then current_s = -1: no more suggestions, and 28 trials reach maxTrialCount.
    assert int(math.log(9) / math.log(3)) == 2
    expected = [1] * 9 + [3] * 3 + [9] * 1 + [3] * 8 + [9] * 3 + [9] * 4
    doc = hyperband("hb-nine", "9", "3", parallel=9, max_trials=len(expected))
    assert run(tmp_path, doc) == 0
    out = capsys.readouterr().out
    assert "kubeflow/katib#1168" in out  # the smaller rung is run, and the user is told Katib stalls there
    trials = trials_in_db(tmp_path / "runs", "hb-nine")
    assert [int(t["assignments"]["epochs"]) for t in trials] == expected
    assert {t["status"] for t in trials} == {"Succeeded"}
    # each trial printed as many epochs as its resource: a child rung trains from scratch
    assert all(
        len([r for r in t["logs"] if r[0] == "loss"]) == int(t["assignments"]["epochs"]) for t in trials
    )

    def kept(rung: list[dict], top: int) -> list[str]:
        return [t["assignments"]["x"] for t in sorted(rung, key=loss)[:top]]

    assert [t["assignments"]["x"] for t in trials[9:12]] == kept(trials[0:9], 3)
    assert [t["assignments"]["x"] for t in trials[12:13]] == kept(trials[9:12], 1)
    assert [t["assignments"]["x"] for t in trials[21:24]] == kept(trials[13:21], 3)
    assert len({t["assignments"]["x"] for t in trials[24:]}) == 4  # a new bracket: new random samples

    with Store(tmp_path / "runs") as store:
        state = store.suggestion_state("hb-nine")
    assert state is not None
    # The last reply's settings: current_s -1 (finished); n is the last request (4) and r the round-tripped
    # int(float("9.0")) = 9, since the last bracket change does not recompute them once current_s < 0.
    settings = state["settings"]
    assert [settings[k] for k in ("current_s", "current_i", "n", "r", "evaluating_trials")] == [
        "-1",
        "0",
        "4",
        "9",
        "0",
    ]
    assert (settings["s_max"], settings["b_l"], settings["eta"], settings["r_l"]) == (
        "2",
        "27.0",
        "3.0",
        "9.0",
    )


def test_a_fractional_r_is_truncated_on_the_round_trip(tmp_path):
    # r_l = 20, eta = 3: s_max = int(2.73) = 2, r = 20/9 = 2.22. The first rung uses int(r) = 2; the stored
    # "2.2222222222222223" comes back as int(float(...)) = 2, so the child rungs get int(2 * 3) = 6 and
    # int(2 * 9) = 18 epochs: the bracket's last rung never reaches r_l. Bracket s=1 then has r = 20/3 = 6.67
    # (fresh, not yet round-tripped): int(6.67) = 6 epochs for 9 - 1 = 8 trials; maxTrialCount 21 stops there.
    r = 20 * 3.0**-2
    assert int(math.log(20) / math.log(3)) == 2 and int(r) == 2
    expected = [int(r)] * 9 + [int(r) * 3] * 3 + [int(r) * 9] + [int(20 * 3.0**-1)] * 8
    assert expected[12] == 18 and expected[-1] == 6
    doc = hyperband("hb-twenty", "20", "3", parallel=9, max_trials=len(expected))
    assert run(tmp_path, doc) == 0
    trials = trials_in_db(tmp_path / "runs", "hb-twenty")
    assert [int(t["assignments"]["epochs"]) for t in trials] == expected


def _history(doc: dict, statuses: list[TrialStatus], epochs: str) -> list[TrialResult]:
    return [
        TrialResult(
            f"t{i}", {"x": f"0.{i}", "epochs": epochs}, status, 0.1 * i if status.is_terminal else None
        )
        for i, status in enumerate(statuses)
    ]


def test_a_rung_waits_for_its_trials_and_fails_on_a_trial_that_did_not_succeed():
    doc = hyperband("hb-unit", "9", "3", parallel=9, max_trials=None)
    service = stateful(doc)
    first = service.propose([], 9, None)
    assert len(first.trials) == 9 and {t.assignments["epochs"] for t in first.trials} == {"1"}
    assert first.state is not None and first.state["settings"]["evaluating_trials"] == "9"
    running = _history(doc, [TrialStatus.SUCCEEDED] * 8 + [TrialStatus.RUNNING], "1")
    assert (
        service.propose(running, 1, first.state).trials == []
    )  # Katib's service raises; the controller retries
    for bad in (TrialStatus.FAILED, TrialStatus.EARLY_STOPPED):
        ended = _history(doc, [TrialStatus.SUCCEEDED] * 8 + [bad], "1")
        with pytest.raises(SuggestionError, match=f"ended {bad.value}"):
            service.propose(ended, 1, first.state)
    # A MetricsUnavailable trial is not sent to the service: the rung reaches back to an older trial.
    older = [TrialResult("old", {"x": "0.9", "epochs": "1"}, TrialStatus.SUCCEEDED, 5.0)]
    rung = _history(doc, [TrialStatus.SUCCEEDED] * 8 + [TrialStatus.METRICS_UNAVAILABLE], "1")
    kept = service.propose(older + rung, 9, first.state).trials
    assert [t.assignments for t in kept] == [
        {"x": "0.0", "epochs": "3"},
        {"x": "0.1", "epochs": "3"},
        {"x": "0.2", "epochs": "3"},
    ]


def test_validation_follows_katib_hyperband_rules():
    base = hyperband("hb-valid", "9", "3", parallel=9, max_trials=None)
    assert validate_algorithm_settings(base) == []
    # parallelTrialCount >= ceil(eta ** int(log(r_l)/log(eta))): 9 for r_l 9, eta 3
    narrow = {**base, "spec": {**base["spec"], "parallelTrialCount": 8}}
    assert [(p.path, p.message) for p in validate_algorithm_settings(narrow)] == [
        ("spec.parallelTrialCount", "parallelTrialCount must be not less than 9.")
    ]
    # Katib's validation truncates eta to an integer: eta 2.5 is checked as 2 (int(log 9/log 2) = 3 -> 8)
    half = hyperband("hb-half", "9", "2.5", parallel=8, max_trials=None)
    assert validate_algorithm_settings(half) == []
    elsewhere = hyperband("hb-elsewhere", "9", "3", parallel=9, max_trials=None)
    elsewhere["spec"]["algorithm"]["algorithmSettings"][2]["value"] = "units"
    assert [p.message for p in validate_algorithm_settings(elsewhere)] == [
        "value of resource_name setting must be in parameters."
    ]
    discrete = hyperband("hb-discrete", "9", "3", parallel=9, max_trials=None)
    discrete["spec"]["parameters"].append(
        {"name": "rate", "parameterType": "discrete", "feasibleSpace": {"list": ["0.1", "0.2"]}}
    )
    assert parse_parameters(discrete)[-1].type == "discrete"
    assert [p.path for p in validate_algorithm_settings(discrete)] == [
        "spec.parameters[2].feasibleSpace.list"
    ]
