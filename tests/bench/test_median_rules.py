"""Katib's medianstop (katib_local's implementation, as the replay uses it) vs the textbook median rule, on
hand-made curves where they disagree, and the replay's use of Katib's rule (frozen per batch)."""

from collections.abc import Sequence

from bench._replay import KatibMedianStop, TextbookMedianStop, experiment, replay, textbook_should_stop
from katib_local.controller.medianstop import MedianStopSettings, RuleChecker, compute_rules
from katib_local.controller.observation import MetricLog
from katib_local.experiment.types import TrialStatus
from tests.bench.fake_table import fake_table


def logs(curve: Sequence[float]) -> list[MetricLog]:
    return [MetricLog("val_rmse", f"t{i:03d}", repr(v)) for i, v in enumerate(curve)]


def katib_stop_step(
    curve: Sequence[float], completed: Sequence[Sequence[float]], start_step: int = 4
) -> int | None:
    """The step at which Katib's sidecar stops ``curve`` (None: never), rules from ``completed``."""
    settings = MedianStopSettings(min_trials_required=3, start_step=start_step)
    rules = compute_rules(
        settings, "val_rmse", "minimize", {f"c{i}": logs(c) for i, c in enumerate(completed)}
    )
    checker = RuleChecker(rules, "val_rmse", "minimize")
    for step, row in enumerate(logs(curve), start=1):
        if checker.feed(row):
            return step
    return None


def textbook_stop_step(
    curve: Sequence[float], completed: Sequence[Sequence[float]], start_step: int = 4
) -> int | None:
    for step in range(1, len(curve) + 1):
        if textbook_should_stop(curve[:step], completed, start_step, min_trials=3):
            return step
    return None


def test_mean_of_means_is_pulled_up_by_one_slow_trial_the_median_is_not() -> None:
    completed = [[10.0] * 4, [12.0] * 4, [100.0] * 4]  # Katib threshold (10+12+100)/3 = 40.7; median 12
    trial = [20.0] * 4
    assert katib_stop_step(trial, completed) is None
    assert textbook_stop_step(trial, completed) == 4


def test_katib_judges_once_the_textbook_rule_keeps_judging() -> None:
    completed = [[20.0, 10.0, 5.0, 2.0, 1.0, 1.0, 1.0, 1.0]] * 3  # running average 9.25 at step 4, 7.6 at 5
    stalled = [9.0] * 8
    assert katib_stop_step(stalled, completed) is None, "9 < 9.25 at step 4, and never looked at again"
    assert textbook_stop_step(stalled, completed) == 5


def test_both_compare_the_best_value_so_far_not_the_latest() -> None:
    completed = [[20.0, 15.0, 12.0, 11.0]] * 3  # threshold 14.5 for both
    spiky = [30.0, 10.0, 40.0, 40.0]  # latest 40, best 10
    assert katib_stop_step(spiky, completed) is None
    assert textbook_stop_step(spiky, completed) is None


def test_neither_rule_acts_before_start_step_or_without_enough_completed_trials() -> None:
    bad = [99.0] * 8
    assert katib_stop_step(bad, [[10.0] * 8] * 2) is None, "2 < min_trials_required 3: no rule at all"
    assert textbook_stop_step(bad, [[10.0] * 8] * 2) is None
    assert katib_stop_step(bad, [[10.0] * 8] * 3) == 4
    assert textbook_stop_step(bad, [[10.0] * 8] * 3) == 4


def test_textbook_uses_only_completed_trials_that_reached_the_step() -> None:
    completed = [[10.0] * 4, [10.0] * 4, [10.0] * 4, [1.0] * 8]
    assert not textbook_should_stop([12.0] * 6, completed, start_step=4, min_trials=3), "one trial reached 6"


def test_replay_freezes_katib_rules_per_batch_the_first_batch_runs_unjudged() -> None:
    table = fake_table()
    settings = MedianStopSettings(min_trials_required=3, start_step=4)
    exp = experiment("random", 0, max_trials=30, parallel=3, medianstop=settings)
    result = replay(table, exp, KatibMedianStop(settings))
    first = result.trials[:3]
    assert all(not t.rules for t in first)
    assert all(t.status in (TrialStatus.SUCCEEDED, TrialStatus.FAILED) for t in first)
    later = [t for t in result.trials if t.rules]
    assert later, "trials created after 3 successes carry a rule"
    for t in result.trials:
        if t.status == TrialStatus.EARLY_STOPPED:
            assert len(t.reported) == 4, "Katib stops at start_step exactly"
            assert t.rules and min(t.reported) > t.rules[0].value
    # a batch shares one rule: trials created at the same tick carry the same threshold
    by_tick: dict[int, set[float]] = {}
    for t in later:
        by_tick.setdefault(t.created, set()).add(t.rules[0].value)
    assert all(len(values) == 1 for values in by_tick.values())


def test_replay_textbook_stops_at_any_step_from_start() -> None:
    table = fake_table()
    exp = experiment("random", 1, max_trials=40, parallel=3)
    result = replay(table, exp, TextbookMedianStop(start_step=4, min_trials=3))
    steps = {len(t.reported) for t in result.trials if t.status == TrialStatus.EARLY_STOPPED}
    assert steps and min(steps) >= 4
