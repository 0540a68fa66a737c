"""The C-MAPSS bench's pure parts: the twin's trial flags, the data copy (no TensorFlow, no training)."""

from pathlib import Path

import pytest

from bench.cmapss_tuning import FILES, prepare_data, trial_flags
from trainer.config import parse_args


def test_trial_flags_render_the_twins_command_and_the_trainer_accepts_them() -> None:
    assignments = {
        "architecture": "gru",
        "optimizer": "adam",
        "num-layers": "2",
        "units": "64",
        "filters": "16",
        "kernel-size": "5",
        "learning-rate": "0.002",
        "batch-size": "256",
        "dropout": "0.1",
    }
    flags = trial_flags(assignments)
    assert "--architecture=gru" in flags and "--learning-rate=0.002" in flags
    assert not any("${" in f for f in flags), flags
    assert not any(
        f.startswith(("--log-dir", "--model-dir", "--checkpoint-dir", "--xla-cache-dir", "--trial-name"))
        for f in flags
    )
    cfg = parse_args(flags)
    assert cfg.data == "/mnt/shared/data/cmapss/train_FD001.txt"
    assert (cfg.rul_cap, cfg.window, cfg.drop_constant_std, cfg.units) == (125.0, 30, 1e-6, 64)


def test_prepare_data_copies_fd001_to_the_local_volume(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in FILES:
        (source / name).write_text(name)
    target = prepare_data(source, tmp_path / "root")
    assert target == tmp_path / "root" / "volumes" / "hpo-shared" / "data" / "cmapss"
    assert sorted(p.name for p in target.iterdir()) == sorted(FILES)


def test_prepare_data_names_the_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"train_FD001\.txt"):
        prepare_data(tmp_path, tmp_path / "root")


def test_markdown_reports_published_found_and_retrained_and_the_top5_spread() -> None:
    from bench.cmapss_tuning import markdown

    def trial(name: str, val: float, test: float) -> dict[str, object]:
        return {
            "name": name,
            "status": "Succeeded",
            "objective": val,
            "assignments": {"units": "32"},
            "metrics": {"val_rmse": val, "test_rmse": test, "test_score": 300.0},
        }

    trials = [trial(f"t{i}", 13.0 + i, 12.0 + 2 * i) for i in range(6)]
    saved = {"best_trial": trials[0], "trials_with_objective": 6, "all_trials": trials}
    run = {
        "saved": saved,
        "final": {"test_rmse": 12.0, "test_score": 300.0},
        "command": ["p", "-m", "t", "--x"],
    }
    text = markdown(run)
    assert "| LSTM, Zheng et al. 2017 (published*) | 16.14 |" in text
    assert "best of 6 trials" in text
    assert "12.00-20.00 on the test set (median 16.00)" in text
