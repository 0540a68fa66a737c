"""The live check's Experiment and comparison, without running anything live (no TensorFlow)."""

from bench._replay import KatibMedianStop, experiment, replay
from bench.early_stopping_live import SETTINGS, compare, live_experiment
from tests.bench.fake_table import fake_table
from trainer.config import parse_args


def test_the_live_trial_command_is_the_tables_with_one_thread() -> None:
    exp = live_experiment(seed=0, max_trials=20)
    spec = exp["spec"]
    assert spec["parallelTrialCount"] == 1 and spec["trialTemplate"]["retain"] is True
    command = spec["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0]["command"]
    values = {"optimizer": "sgd", "learning_rate": "0.001", "units": "64", "num_layers": "2"}
    argv = [
        w.replace("${trialParameters." + k + "}", v)
        for w in command[3:]
        for k, v in values.items()
        if "${trialParameters." + k + "}" in w
    ] + [w for w in command[3:] if "${" not in w]
    cfg = parse_args(argv)
    assert (cfg.optimizer, cfg.units, cfg.threads, cfg.epochs, cfg.patience) == ("sgd", 64, 1, 10, 0)


def test_compare_finds_full_agreement_when_the_live_run_is_the_replay() -> None:
    table = fake_table()
    trials = replay(
        table,
        experiment("random", 0, max_trials=12, parallel=1, medianstop=SETTINGS),
        KatibMedianStop(SETTINGS),
    ).trials
    live = [
        {
            "name": t.name,
            "status": t.status.value,
            "parameters": dict(t.assignments),
            "metrics": {"val_rmse": t.objective},
            "curve": list(t.reported),
        }
        for t in trials
    ]
    result = compare(table, live, seed=0, max_trials=12)
    n = len(trials)
    assert (result["same_configs"], result["same_status"], result["same_epochs"]) == (n, n, n)
    assert result["max_curve_diff"] == 0.0
