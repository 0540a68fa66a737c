"""search_efficiency's figures from objective sequences, and one replay per algorithm on a hand-made table."""

import pytest

from bench.search_efficiency import (
    ALGORITHMS,
    best_after,
    censored_median,
    evaluate,
    run_katib,
    trials_to_reach,
)
from tests.bench.fake_table import fake_table


def test_best_after_and_trials_to_reach_skip_failed_trials() -> None:
    objectives = [None, 20.0, 15.0, None, 12.0]
    assert best_after(objectives, 1) is None
    assert best_after(objectives, 3) == 15.0
    assert trials_to_reach(objectives, 12.0) == 5
    assert trials_to_reach(objectives, 11.0) is None


def test_censored_median_says_more_than_the_budget_when_half_never_got_there() -> None:
    assert censored_median([3, 5, None], 60) == "5"
    assert censored_median([3, None, None], 60) == ">60"
    assert censored_median([3, 4, None, None], 60) == "4", "lower median of an even count"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_replays_with_katib_settings(algorithm: str) -> None:
    table = fake_table()
    objectives = run_katib(table, algorithm, seed=0, max_trials=12, parallel=3, space="discrete")
    assert len(objectives) == 12
    assert all(o is None or o >= table.optimum for o in objectives)


def test_evaluate_summarises_over_seeds() -> None:
    table = fake_table()
    runs = {"grid": [run_katib(table, "grid", s, 120, 3, "discrete") for s in range(3)]}
    out = evaluate(runs, table, 120)["grid"]
    assert out["reached_optimum"] == 3, "the whole grid always finds the optimum"
    assert out["best_after"]["60"]["n"] == 3
