"""The replayed Katib loop on a hand-made table: counts, costs, failures, snapping (no TensorFlow)."""

from bench._replay import continuous_parameters, experiment, replay, summarize, to_table_config
from katib_local.experiment.types import TrialStatus
from tests.bench.fake_table import BEST, fake_table


def test_grid_over_the_whole_table_visits_every_configuration_once_and_finds_the_optimum() -> None:
    table = fake_table()
    result = replay(table, experiment("grid", 3, max_trials=120, parallel=3))
    keys = [tuple(sorted(t.config.items())) for t in result.trials]
    assert len(keys) == 120 and len(set(keys)) == 120
    assert result.best() == table.optimum
    reach = result.trials_to_reach(table.optimum)
    assert reach is not None and result.trials[reach - 1].config == BEST
    failed = [t for t in result.trials if t.status == TrialStatus.FAILED]
    assert len(failed) == 6, "sgd x lr 0.01 x 3 units x 2 layers"
    assert all(t.epochs == 3 and t.objective is None for t in failed)
    assert result.trial_epochs == 114 * 10 + 6 * 3


def test_max_trial_count_and_parallelism_are_katibs() -> None:
    table = fake_table()
    result = replay(table, experiment("random", 0, max_trials=10, parallel=3))
    assert len(result.trials) == 10, "failed trials count toward maxTrialCount; no trial beyond it"
    assert all(t.status.is_terminal for t in result.trials)
    starts = sorted({t.created for t in result.trials})
    assert starts[0] == 0 and sum(t.created == 0 for t in result.trials) == 3


def test_same_seed_same_replay() -> None:
    table = fake_table()
    a = replay(table, experiment("tpe", 5, max_trials=15, parallel=3))
    b = replay(table, experiment("tpe", 5, max_trials=15, parallel=3))
    assert [t.assignments for t in a.trials] == [t.assignments for t in b.trials]


def test_continuous_suggestions_are_snapped_and_the_algorithm_is_told_what_it_suggested() -> None:
    table = fake_table()
    exp = experiment("random", 2, max_trials=6, parallel=3, parameters=continuous_parameters())
    result = replay(table, exp)
    for t in result.trials:
        assert t.config == to_table_config(t.assignments)
        assert t.result().assignments == t.assignments
    assert any(
        t.assignments["learning-rate"] not in ("0.0001", "0.0003", "0.001", "0.003", "0.01")
        for t in result.trials
    )


def test_summarize_reports_median_quartiles_and_range() -> None:
    s = summarize([1.0, 2.0, 3.0, 4.0, 5.0])
    assert (s["median"], s["q1"], s["q3"], s["min"], s["max"], s["n"]) == (3.0, 2.0, 4.0, 1.0, 5.0, 5)
    assert summarize([7.0])["median"] == 7.0
    assert summarize([]) == {}
