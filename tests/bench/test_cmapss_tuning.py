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
        "learning-rate": "0.002",
        "batch-size": "256",
        "dropout": "0.1",
    }
    flags = trial_flags(assignments)
    assert "--architecture=gru" in flags and "--learning-rate=0.002" in flags
    assert not any("${" in f for f in flags), flags
    assert not any(f.startswith(("--log-dir", "--model-dir", "--trial-name")) for f in flags)
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
