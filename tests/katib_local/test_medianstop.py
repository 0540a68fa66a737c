"""Katib's medianstop: threshold = mean of per-trial means over Succeeded trials; one check at start_step."""

from __future__ import annotations

import pytest

from katib_local.controller.medianstop import (
    MedianStopSettings,
    RuleChecker,
    StopRule,
    compute_rules,
    threshold,
)
from katib_local.controller.observation import MetricLog


def _logs(values, name="acc"):
    return [MetricLog(name, f"2024-01-01T00:00:{i:02d}.000000Z", str(v)) for i, v in enumerate(values)]


def test_threshold_is_mean_of_means_of_first_start_step_values_not_a_median():
    settings = MedianStopSettings(min_trials_required=3, start_step=2)
    logs = {"a": _logs([1, 3, 100]), "b": _logs([2, 2]), "c": _logs([10, 20, 30])}
    # means of the first two values: 2, 2, 15 -> mean 19/3 (a median would be 2)
    assert threshold(settings, "acc", logs) == pytest.approx(19 / 3)


def test_no_rule_before_min_trials_required():
    settings = MedianStopSettings(min_trials_required=3, start_step=2)
    assert compute_rules(settings, "acc", "maximize", {"a": _logs([1]), "b": _logs([2])}) == []


def test_comparison_follows_objective_type():
    settings = MedianStopSettings(min_trials_required=1, start_step=1)
    assert compute_rules(settings, "acc", "maximize", {"a": _logs([0.5])}) == [
        StopRule("acc", 0.5, "less", 1)
    ]
    assert compute_rules(settings, "acc", "minimize", {"a": _logs([0.5])})[0].comparison == "greater"


def test_settings_defaults_and_parse():
    assert MedianStopSettings.from_spec(None) is None
    assert MedianStopSettings.from_spec({"algorithmName": "medianstop"}) == MedianStopSettings(3, 4)
    spec = {"algorithmName": "medianstop", "algorithmSettings": [{"name": "start_step", "value": "2"}]}
    assert MedianStopSettings.from_spec(spec) == MedianStopSettings(3, 2)


def _feed(checker, values, name="loss"):
    return [checker.feed(row) for row in _logs(values, name)]


def test_checked_once_at_exactly_start_step_on_best_so_far_minimize():
    rule = StopRule("loss", 1.0, "greater", 3)
    # best-so-far at the 3rd report is min(0.5, 2, 3) = 0.5: not > 1.0 -> never stopped, even when later worse
    assert _feed(RuleChecker([rule], "loss", "minimize"), [0.5, 2, 3, 9, 9]) == [False] * 5
    # min(2, 3, 1.5) = 1.5 > 1.0 -> stopped at the 3rd report
    assert _feed(RuleChecker([rule], "loss", "minimize"), [2, 3, 1.5, 9]) == [False, False, True, False]


def test_maximize_uses_less_and_max_so_far():
    rule = StopRule("acc", 0.8, "less", 2)
    assert _feed(RuleChecker([rule], "acc", "maximize"), [0.9, 0.1], "acc") == [False, False]
    assert _feed(RuleChecker([rule], "acc", "maximize"), [0.1, 0.7], "acc") == [False, True]


def test_other_metrics_do_not_count_as_reports():
    rule = StopRule("loss", 1.0, "greater", 2)
    checker = RuleChecker([rule], "loss", "minimize")
    assert not checker.feed(MetricLog("acc", "t", "5"))
    assert not checker.feed(MetricLog("loss", "t", "5"))
    assert checker.feed(MetricLog("loss", "t", "5"))


def test_no_rules_never_stop():
    assert _feed(RuleChecker([], "loss", "minimize"), [9, 9, 9, 9]) == [False] * 4
