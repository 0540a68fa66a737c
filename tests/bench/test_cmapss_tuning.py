"""The C-MAPSS bench without TensorFlow: the record's trainer_args, the seed runs (a fake trainer program,
``fake_trainer.py``), their cache and statistics, and the docs section built from stand-in results."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import cmapss_tuning
from bench._cmapss_docs import markdown
from bench.cmapss_tuning import files_of, prepare_data, record_of, twin_spec
from tests.bench import fake_trainer
from tests.katib_local.runner_helpers import REPO, quadratic_experiment, write_experiment
from trainer.config import parse_args

FAKE = Path(fake_trainer.__file__)


def stand_in_twin() -> dict[str, Any]:
    """An Experiment whose trial command holds every kind of flag ``record`` must keep or leave out."""
    command = [
        "python",
        "-m",
        "trainer",
        "--data=/mnt/shared/data/cmapss/train_FD001.txt",
        "--rul-cap=125",
        "--seed=42",
        "--architecture=${trialParameters.architecture}",
        "--units=${trialParameters.units}",
        "--filters=${trialParameters.filters}",
        "--kernel-size=${trialParameters.kernelSize}",
        "--epochs=30",
        "--threads=2",
        "--xla-cache-dir=/mnt/shared/xla-cache",
        "--experiment-name=e",
        "--trial-name=${trialParameters.trialName}",
        "--hparams-tuned=architecture,units",
        "--hparams-metrics=val_rmse:min",
        "--log-dir=/mnt/shared/tensorboard/e/${trialParameters.trialName}",
        "--model-dir=/mnt/shared/models/e/${trialParameters.trialName}",
        "--checkpoint-dir=/mnt/shared/checkpoints/e/${trialParameters.trialName}",
        "--model-version=1",
    ]
    params = {
        "architecture": "architecture",
        "units": "units",
        "filters": "filters",
        "kernelSize": "kernel-size",
    }
    return {
        "metadata": {"name": "e"},
        "spec": {
            "objective": {"type": "minimize", "objectiveMetricName": "val_rmse"},
            "maxTrialCount": 3,
            "trialTemplate": {
                "trialParameters": [{"name": k, "reference": v} for k, v in params.items()]
                + [{"name": "trialName", "reference": "${trialSpec.Name}"}],
                "trialSpec": {"spec": {"template": {"spec": {"containers": [{"command": command}]}}}},
            },
        },
    }


def result(name: str, status: str, objective: float | None, units: str) -> dict[str, Any]:
    """A ``katib-local results --format json`` row; its test metrics are one draw, never a headline."""
    metrics = {} if objective is None else {"val_rmse": objective, "test_rmse": 98.76, "test_score": 4321.0}
    params = {"architecture": "cnn", "units": units, "filters": "16", "kernel-size": "5"}
    return {"name": name, "status": status, "parameters": params, "metrics": metrics}


STAND_IN_RESULTS = [
    result("t-a", "Succeeded", 14.2, "32"),
    result("t-b", "EarlyStopped", 13.9, "64"),
    result("t-c", "Failed", None, "48"),
]


def test_record_keeps_the_lowest_objective_and_exactly_the_model_flags() -> None:
    saved = record_of(STAND_IN_RESULTS, stand_in_twin(), "twin.yaml")
    assert saved["chosen"] == {
        "name": "t-b",
        "status": "EarlyStopped",
        "assignments": {"architecture": "cnn", "units": "64", "filters": "16", "kernel-size": "5"},
        "objective": 13.9,
    }
    assert saved["trainer_args"] == [
        "--rul-cap=125",
        "--architecture=cnn",
        "--units=64",
        "--filters=16",
        "--kernel-size=5",
        "--epochs=30",
    ]
    assert saved["search_seed"] == 42
    assert [(t["name"], t["objective"]) for t in saved["trials"]] == [
        ("t-a", 14.2),
        ("t-b", 13.9),
        ("t-c", None),
    ]


def test_record_refuses_a_search_with_no_objective_and_an_unfillable_placeholder() -> None:
    with pytest.raises(SystemExit, match="no trial of the search has an objective"):
        record_of([STAND_IN_RESULTS[2]], stand_in_twin(), "twin.yaml")
    exp = stand_in_twin()
    command = exp["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"]["containers"][0][
        "command"
    ]
    command.append("--units2=${trialParameters.trialName}")
    with pytest.raises(SystemExit, match=r"--units2=.*has no assigned value"):
        record_of(STAND_IN_RESULTS, exp, "twin.yaml")


def test_the_twins_trainer_args_fill_every_parameter_once_and_the_trainer_accepts_them() -> None:
    exp = twin_spec()
    assignments = {
        "architecture": "cnn",
        "optimizer": "adam",
        "num-layers": "2",
        "units": "64",
        "filters": "24",
        "kernel-size": "7",
        "window": "40",
        "age-feature": "true",
        "learning-rate": "0.002",
        "batch-size": "256",
        "dropout": "0.1",
    }
    assert sorted(p["name"] for p in exp["spec"]["parameters"]) == sorted(assignments)
    row = {"name": "t", "status": "Succeeded", "parameters": assignments, "metrics": {"val_rmse": 13.0}}
    args = record_of([row], exp, "twin.yaml")["trainer_args"]
    assert not any("${" in a for a in args), args
    names = [a.split("=", 1)[0] for a in args]
    assert len(names) == len(set(names)), "one of each flag"
    assert not set(names) & set(cmapss_tuning.NOT_MODEL)
    assert not any(n.startswith("--hparams-") for n in names)
    cfg = parse_args([*args, "--data=x/train_FD001.txt"])
    for name, value in assignments.items():
        field = getattr(cfg, name.replace("-", "_"))
        if isinstance(field, bool):
            assert field == (value == "true"), name
        else:
            assert (field == value) if isinstance(field, str) else (float(field) == float(value)), name


@pytest.fixture
def bench_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every file the steps read or write under ``tmp_path``, the fake trainer as the trainer, a stand-in
    record, and the three files of FD001, FD002 and FD003 (empty: the fake reads none)."""
    for name, rel in (
        ("BEST_PATH", "best.json"),
        ("SEEDS_PATH", "seeds.json"),
        ("FD002_PATH", "fd002.json"),
        ("SWEEP_PATH", "sweep.json"),
        ("LEVERS_PATH", "levers.json"),
        ("CACHE_DIR", "cache"),
        ("DOCS_PATH", "benchmarks.md"),
    ):
        monkeypatch.setattr(cmapss_tuning, name, tmp_path / rel)
    monkeypatch.setattr(cmapss_tuning, "TRAINER", (sys.executable, str(FAKE)))
    monkeypatch.setenv("FAKE_TRAINER_LOG", str(tmp_path / "calls.jsonl"))
    saved = record_of(STAND_IN_RESULTS, stand_in_twin(), "twin.yaml")
    (tmp_path / "best.json").write_text(json.dumps(saved))
    data = tmp_path / "cmapss"
    data.mkdir()
    for subset in ("FD001", "FD002", "FD003"):
        for name in files_of(subset):
            (data / name).write_text("")
    return tmp_path


def calls(root: Path) -> list[list[str]]:
    log = root / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def main(root: Path, *args: str) -> int:
    return cmapss_tuning.main([*args, "--cmapss-dir", str(root / "cmapss")])


def test_seeds_trains_each_seed_once_resumes_from_the_cache_and_merges_subsets(bench_paths: Path) -> None:
    root = bench_paths
    assert main(root, "seeds") == 0
    trained = calls(root)
    args = json.loads((root / "best.json").read_text())["trainer_args"]
    assert [c[-1] for c in trained] == [f"--seed={s}" for s in (1, 2, 3, 4, 5)]
    assert all(c == [*args, f"--data={root / 'cmapss' / 'train_FD001.txt'}", c[-1]] for c in trained)
    fd001 = json.loads((root / "seeds.json").read_text())["FD001"]
    assert sorted(fd001["seeds"]) == ["1", "2", "3", "4", "5"]
    rmse = [fake_trainer.figures(s)["test_rmse"] for s in (1, 2, 3, 4, 5)]
    assert fd001["test_rmse_mean"] == pytest.approx(statistics.mean(rmse))
    assert fd001["test_rmse_sd"] == pytest.approx(statistics.stdev(rmse))
    assert fd001["seeds"]["2"]["val_rmse"] == pytest.approx(fake_trainer.val_rmse(2, fake_trainer.EPOCHS))
    assert fd001["seeds"]["2"]["epochs"] == fake_trainer.EPOCHS

    assert main(root, "seeds", "--seeds", "1,2,3,4,5,6") == 0
    assert [c[-1] for c in calls(root)[len(trained) :]] == ["--seed=6"], "seeds 1-5 came from the cache"
    assert main(root, "seeds", "--subset", "FD003") == 0
    merged = json.loads((root / "seeds.json").read_text())
    assert sorted(merged) == ["FD001", "FD003"] and merged["FD001"]["n"] == 6
    assert calls(root)[-1][-2] == f"--data={root / 'cmapss' / 'train_FD003.txt'}"


def test_a_cache_of_other_trainer_flags_is_trained_again(bench_paths: Path) -> None:
    root = bench_paths
    main(root, "seeds", "--seeds", "1,2")
    saved = json.loads((root / "best.json").read_text())
    saved["trainer_args"] = [*saved["trainer_args"], "--dropout=0.2"]
    (root / "best.json").write_text(json.dumps(saved))
    main(root, "seeds", "--seeds", "1,2")
    assert len(calls(root)) == 4 and all("--dropout=0.2" in c for c in calls(root)[2:])


def test_a_diverged_seed_is_cached_and_left_out_another_failure_stops_uncached(
    bench_paths: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = bench_paths
    monkeypatch.setenv("FAKE_TRAINER_DIVERGE", "3")
    main(root, "seeds", "--write-docs")
    fd001 = json.loads((root / "seeds.json").read_text())["FD001"]
    assert (fd001["n"], fd001["failed"]) == (4, {"3": fake_trainer.EPOCHS - 1})
    assert (
        "| 4 seeds finished, fewer than the 5 a figure needs; diverged: seeds 3 ("
        in (root / "benchmarks.md").read_text()
    )
    assert (root / "cache" / "FD001-seed3.json").is_file()
    monkeypatch.setenv("FAKE_TRAINER_FAIL", "1")
    with pytest.raises(SystemExit, match=r"seed 6: the trainer exited 1: trainer: .*no such file"):
        main(root, "seeds", "--seeds", "6")
    assert not (root / "cache" / "FD001-seed6.json").exists()


@pytest.mark.parametrize(
    ("seeds", "message"),
    [("1,42", "42 is the search's own seed"), ("1,x", "'x' is not a seed"), ("1,1", "given twice")],
)
def test_bad_seeds_are_usage_errors(
    bench_paths: Path, capsys: pytest.CaptureFixture[str], seeds: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(bench_paths, "seeds", "--seeds", seeds)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert calls(bench_paths) == []


def test_seeds_name_the_missing_data_file_and_the_missing_record(bench_paths: Path) -> None:
    with pytest.raises(SystemExit, match=r"train_FD004\.txt: no such file"):
        main(bench_paths, "seeds", "--subset", "FD004")
    (bench_paths / "best.json").unlink()
    with pytest.raises(SystemExit, match="run `record` after the search first"):
        main(bench_paths, "seeds")


def test_fd002_check_runs_both_normalisations_on_each_seed_and_docs_show_mean_sd(bench_paths: Path) -> None:
    root = bench_paths
    assert main(root, "fd002-check", "--write-docs") == 0
    runs = calls(root)
    assert sorted((c[-2], c[-1]) for c in runs) == sorted(
        (f"--condition-norm={k}", f"--seed={s}") for k in ("6", "0") for s in (1, 2, 3, 4, 5)
    )
    assert all(c[0] == f"--data={root / 'cmapss' / 'train_FD002.txt'}" for c in runs)
    data = json.loads((root / "fd002.json").read_text())
    assert sorted(data["runs"]) == ["0", "6"] and data["runs"]["6"]["n"] == 5
    text = (root / "benchmarks.md").read_text()
    rmse = [fake_trainer.figures(s)["test_rmse"] for s in (1, 2, 3, 4, 5)]
    expected = f"{statistics.mean(rmse):.2f} +/- {statistics.stdev(rmse):.2f}"
    (row,) = [line for line in text.splitlines() if line.startswith("| `--condition-norm=6")]
    assert expected in row


def seed_entry(args: list[str], rmse: list[float], score: list[float]) -> dict[str, Any]:
    """A stand-in cmapss_seeds.json entry, its statistics computed as the seeds step computes them."""
    seeds = {
        str(i + 1): {"test_rmse": r, "test_score": s, "test_mae": 9.0, "val_rmse": 13.5 + r / 100}
        for i, (r, s) in enumerate(zip(rmse, score, strict=True))
    }
    entry: dict[str, Any] = {"seeds": seeds, "n": len(seeds), "failed": {}, "trainer_args": args}
    for name in ("test_rmse", "test_score", "test_mae", "val_rmse"):
        values = [v[name] for v in seeds.values()]
        entry[f"{name}_mean"], entry[f"{name}_sd"] = statistics.mean(values), statistics.stdev(values)
    return {**entry, "command": "python bench/cmapss_tuning.py seeds", "machine": "m", "revision": "r"}


def test_docs_show_mean_sd_over_seeds_and_no_single_draw_of_the_search() -> None:
    saved = record_of(STAND_IN_RESULTS, stand_in_twin(), "twin.yaml")
    rmse, score = [12.1, 12.9, 13.4, 12.4, 13.0], [260.0, 290.0, 330.0, 270.0, 300.0]
    fd003 = [14.0, 14.5, 15.0, 14.2, 14.8]
    seeds = {
        "FD001": seed_entry(saved["trainer_args"], rmse, score),
        "FD003": seed_entry(saved["trainer_args"], fd003, score),
    }
    text = markdown(saved, seeds, None, twin_max=3)
    (row,) = [line for line in text.splitlines() if line.startswith("| this project")]
    assert f"{statistics.mean(rmse):.2f} +/- {statistics.stdev(rmse):.2f}" in row
    assert f"{statistics.mean(score):.0f} +/- {statistics.stdev(score):.0f}" in row
    assert "| MTSTAN, 2023 (as cited*) | 10.97 | 175 |" in text
    (fd003_row,) = [line for line in text.splitlines() if line.startswith("| FD003 |")]
    assert f"{statistics.mean(fd003):.2f} +/- {statistics.stdev(fd003):.2f}" in fd003_row
    assert "98.76" not in text and "4321" not in text, "a trial's test figures are single draws"
    assert "| t-b | 13.900 |" in text and "| t-a | 14.200 |" in text
    assert " ".join(saved["trainer_args"]) in text
    assert "FD002** (`python bench/cmapss_tuning.py fd002-check`): not yet measured over seeds" in text


def test_docs_give_no_figure_below_five_seeds_or_for_another_configuration() -> None:
    saved = record_of(STAND_IN_RESULTS, stand_in_twin(), "twin.yaml")
    seeds = {
        "FD001": seed_entry(saved["trainer_args"], [12.0, 13.0, 14.0], [1.0, 2.0, 3.0]),
        "FD003": seed_entry(["--units=8"], [12.0, 13.0, 14.0, 15.0, 16.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
    }
    single_draw = {"flags": [], "runs": {"6": {"exit_code": 0, "val_rmse": [17.2], "final": {}}}}
    text = markdown(saved, seeds, single_draw, twin_max=3)
    assert "+/-" not in text.replace("mean +/- sd", "")
    assert (
        "| 3 seeds finished, fewer than the 5 a figure needs (`python bench/cmapss_tuning.py seeds`) |"
        in text
    )
    assert "not yet measured over 5 seeds of this configuration" in text
    assert "not yet measured over seeds" in text


def test_prepare_data_copies_fd001_to_the_local_volume(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in files_of("FD001"):
        (source / name).write_text(name)
    target = prepare_data(source, tmp_path / "root")
    assert target == tmp_path / "root" / "volumes" / "hpo-shared" / "data" / "cmapss"
    assert sorted(p.name for p in target.iterdir()) == sorted(files_of("FD001"))


def test_prepare_data_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"train_FD001\.txt"):
        prepare_data(tmp_path, tmp_path / "root")


def test_docs_before_any_record_name_the_steps_and_give_no_figure(bench_paths: Path) -> None:
    (bench_paths / "best.json").unlink()
    (bench_paths / "benchmarks.md").write_text(
        "<!-- bench:cmapss:start -->\nold 12.65\n<!-- bench:cmapss:end -->\n"
    )
    assert main(bench_paths, "docs") == 0
    text = (bench_paths / "benchmarks.md").read_text()
    assert "12.65" not in text and "+/-" not in text.replace("mean +/- sd", "")
    assert "Chosen configuration: none recorded yet" in text
    assert "| 16.14 | 338 |" in text


def test_record_reads_the_trials_of_a_real_katib_local_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = quadratic_experiment("cmapss-record", ["0", "1", "3"], algorithm="grid", max_trials=3)
    template = doc["spec"]["trialTemplate"]
    template["trialParameters"] = [p for p in template["trialParameters"] if p["name"] == "x"]
    container = template["trialSpec"]["spec"]["template"]["spec"]["containers"][0]
    container["command"] = [w for w in container["command"] if not w.startswith("--tag-file")]
    path = write_experiment(tmp_path, doc)
    run = [sys.executable, "-m", "katib_local", "run", str(path), "--root", str(tmp_path / "root"), "--plain"]
    proc = subprocess.run(run, cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    monkeypatch.setattr(cmapss_tuning, "TWIN", path)
    assert cmapss_tuning.record(tmp_path / "root", tmp_path / "best.json") == 0
    saved = json.loads((tmp_path / "best.json").read_text())
    objectives = {t["assignments"]["x"]: t["objective"] for t in saved["trials"]}
    assert sorted(objectives) == ["0", "1", "3"] and {t["status"] for t in saved["trials"]} == {"Succeeded"}
    best_x = min(objectives, key=lambda x: objectives[x])
    assert saved["chosen"]["assignments"] == {"x": best_x}
    assert saved["trainer_args"] == [f"--x={best_x}", "--epochs=3"]


def test_docs_show_the_validation_sweep_with_its_objective_only() -> None:
    sweep = {
        "what": "w.",
        "machine": "m",
        "revision": "r",
        "runs": {
            "gru_w40": {
                "trainer_args": ["--rul-cap=125", "--window=30", "--units=8", "--window=40"],
                "seeds": {
                    "1": {"val_rmse": 12.0, "test_rmse": 98.76, "epochs": 3},
                    "2": {"val_rmse": 14.0, "test_rmse": 97.65, "epochs": 3},
                },
            }
        },
    }
    text = markdown(None, {}, None, twin_max=3, sweep=sweep)
    (row,) = [line for line in text.splitlines() if line.startswith("| gru_w40 |")]
    assert (
        row == f"| gru_w40 | `--units=8 --window=40` | 2 | 13.00 +/- {statistics.stdev([12.0, 14.0]):.2f} |"
    )
    assert "98.76" not in text and "97.65" not in text, "sweep test figures are fewer than 5 seeds"
    assert "How the search space was chosen" not in markdown(None, {}, None, twin_max=3)
    assert "**How the search space was chosen** (validation only)" in text
    # runs judged with test figures in view are disclosed, and the caption no longer says validation only
    disclosed = markdown(None, {}, None, twin_max=3, sweep={**sweep, "disclosure": "runs x saw test."})
    assert "(validation only)" not in disclosed and "Note: runs x saw test." in disclosed
    assert "Not all of the search space was chosen on validation" in disclosed
    assert "Not all of the search space" not in text


def test_levers_retrain_the_choice_with_each_change_appended_and_the_docs_show_them(
    bench_paths: Path,
) -> None:
    root = bench_paths
    with pytest.raises(SystemExit, match="run `seeds` first"):  # no seed runs yet: nothing to refit from
        main(root, "levers")
    assert calls(root) == []
    assert main(root, "seeds") == 0
    before = len(calls(root))
    assert main(root, "levers", "--write-docs") == 0
    trained = calls(root)[before:]
    args = json.loads((root / "best.json").read_text())["trainer_args"]
    data = f"--data={root / 'cmapss' / 'train_FD001.txt'}"
    longer = ["--epochs=100", "--patience=15"]
    # no --patience in the stand-in's args and its runs print EPOCHS epochs of 30: each kept its last epoch
    refit = ["--val-fraction=0.01", "--patience=0", f"--epochs={fake_trainer.EPOCHS}"]
    ensemble = ["--ensemble-size=5"]
    changes = (longer, ensemble, refit, [*ensemble, *refit])
    assert trained == [[*args, *extra, data, f"--seed={s}"] for extra in changes for s in range(1, 6)]
    tried = json.loads((root / "levers.json").read_text())
    assert tried["runs"]["all training units"]["extra_args"] == refit
    assert tried["runs"]["longer training"]["n"] == 5
    assert (
        tried["baseline"]["test_rmse_mean"]
        == json.loads((root / "seeds.json").read_text())["FD001"]["test_rmse_mean"]
    )
    text = (root / "benchmarks.md").read_text()
    assert "| longer training | `--epochs=100 --patience=15` |" in text
    assert "- (one unit)" in text  # the refit's val_rmse is one unit's: not shown
    # the fake's refit runs spread as its seed runs do, so the split-spread note (sd halved) is not claimed
    assert "Without the seeded validation split" not in text
    assert main(root, "levers") == 0 and len(calls(root)) == before + 20, "a rerun reads the cache"
    # another subset, some levers: its own seed runs first, then a file of its own, shown as its own table
    with pytest.raises(SystemExit, match=r"no FD003 seed runs .* run `seeds --subset FD003` first"):
        main(root, "levers", "--subset=FD003")
    assert main(root, "seeds", "--subset=FD003") == 0
    with pytest.raises(SystemExit, match="--levers: unknown faster"):
        main(root, "levers", "--subset=FD003", "--levers=faster")
    before = len(calls(root))
    assert main(root, "levers", "--subset=FD003", "--levers=all training units", "--write-docs") == 0
    fd003 = f"--data={root / 'cmapss' / 'train_FD003.txt'}"
    assert calls(root)[before:] == [[*args, *refit, fd003, f"--seed={s}"] for s in range(1, 6)]
    assert list(json.loads((root / "cmapss_levers_fd003.json").read_text())["runs"]) == ["all training units"]
    text = (root / "benchmarks.md").read_text()
    assert "FD003, a subset the search never saw" in text and text.count("**Changes tried after") == 2


def test_refit_epochs_is_the_median_epoch_the_seed_runs_kept() -> None:
    entry = {"seeds": {"1": {"epochs": 18}, "2": {"epochs": 12}, "3": {"epochs": 30}}}
    # stopped early after 18 and 12 epochs with patience 5: kept 13 and 7; the third ran all 30 and kept 30
    assert cmapss_tuning.refit_epochs(entry, ["--epochs=30", "--patience=5"]) == 13
    # the trainer's parser keeps the last value of a repeated flag, and so does the count
    assert cmapss_tuning.refit_epochs(entry, ["--epochs=30", "--patience=5", "--patience=2"]) == 16


def _summary(test_sd: float, args: list[str]) -> dict[str, Any]:
    return {
        "n": 5,
        "trainer_args": args,
        **{f"{k}_mean": 13.0 for k in ("val_rmse", "test_rmse", "test_score")},
        **{f"{k}_sd": test_sd for k in ("val_rmse", "test_rmse", "test_score")},
    }


def test_the_split_spread_note_follows_the_figures() -> None:
    from bench._cmapss_docs import lever_lines

    args = ["--window=50"]
    saved = {"trainer_args": args}
    seeds = {"FD001": _summary(0.66, args)}

    def tried(refit_sd: float) -> dict[str, Any]:
        refit = {**_summary(refit_sd, args), "extra_args": ["--val-fraction=0.01"]}
        return {"trainer_args": args, "machine": "m", "revision": "r", "runs": {"all training units": refit}}

    assert any("falls from 0.66 to 0.08" in line for line in lever_lines(tried(0.08), saved, seeds))
    assert not any("falls from" in line for line in lever_lines(tried(0.5), saved, seeds))
    # levers of an earlier choice stay, captioned as such, beside the seed runs stored with them
    earlier = lever_lines({**tried(0.08), "baseline": _summary(0.66, args)}, {"trainer_args": ["--w=3"]}, {})
    assert "an earlier search's choice, not the one recorded now" in earlier[0]
    assert any("falls from 0.66 to 0.08" in line for line in earlier)
    assert "not measured" in lever_lines(tried(0.08), {"trainer_args": ["--w=3"]}, {})[4]  # no baseline
