"""Katib's count arithmetic and stop order."""

from __future__ import annotations

from katib_local.controller.lifecycle import (
    GOAL_REACHED,
    MAX_TRIALS_REACHED,
    Counts,
    Decision,
    decide,
    trials_to_create,
)


def reason(decision: Decision | None) -> str | None:
    return None if decision is None else decision.reason


def test_new_trials_formula():
    spec = {"parallelTrialCount": 3, "maxTrialCount": 5}
    assert trials_to_create(spec, Counts()) == 3
    assert trials_to_create(spec, Counts(running=2, succeeded=1)) == 1
    assert trials_to_create(spec, Counts(running=1, succeeded=3)) == 1  # min(3, 5-3) - 1
    assert trials_to_create(spec, Counts(running=2, succeeded=3)) == 0
    assert trials_to_create({"parallelTrialCount": 2}, Counts(succeeded=99, running=1)) == 1


def test_metrics_unavailable_frees_a_slot_but_counts_as_terminal():
    spec = {"parallelTrialCount": 3, "maxTrialCount": 3}
    counts = Counts(running=2, metrics_unavailable=1)
    assert trials_to_create(spec, counts) == 1  # Katib creates a 4th trial
    assert reason(decide(spec, Counts(succeeded=2, metrics_unavailable=1), None)) == MAX_TRIALS_REACHED


def test_stop_order_goal_then_failed_then_max():
    spec = {"objective": {"type": "minimize", "goal": 0.1}, "maxFailedTrialCount": 2, "maxTrialCount": 4}
    assert reason(decide(spec, Counts(failed=2, succeeded=2), 0.05)) == GOAL_REACHED
    failed = decide(spec, Counts(failed=1, metrics_unavailable=1, succeeded=2), 0.5)
    assert failed is not None and failed.ctype == "Failed"
    assert reason(decide(spec, Counts(failed=1, succeeded=3, early_stopped=0), 0.5)) == MAX_TRIALS_REACHED
    assert decide(spec, Counts(failed=1, succeeded=1, early_stopped=1), 0.5) is None


def test_maximize_goal_and_zero_max_failed_is_ignored():
    spec = {"objective": {"type": "maximize", "goal": 0.9}, "maxFailedTrialCount": 0}
    assert reason(decide(spec, Counts(failed=5), 0.95)) == GOAL_REACHED
    assert decide(spec, Counts(failed=5), 0.85) is None
