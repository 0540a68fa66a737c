"""The checkpoint file on its own (nothing trained): atomic replacement, damaged files, structure checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.checkpoint import _compat, _file
from trainer.config import parse_args
from trainer.errors import TrainerError, UsageError


def test_a_write_that_dies_midway_leaves_the_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _file.write(tmp_path, {"epoch": 1}, {"model_00000": np.arange(3.0)})

    def dies(handle: object, **arrays: object) -> None:
        handle.write(b"PK\x03\x04 half a zip")  # type: ignore[attr-defined]
        raise KeyboardInterrupt  # the process is stopped in the middle of writing

    monkeypatch.setattr(np, "savez", dies)
    with pytest.raises(KeyboardInterrupt):
        _file.write(tmp_path, {"epoch": 2}, {"model_00000": np.arange(4.0)})
    monkeypatch.undo()
    assert list(tmp_path.glob(".checkpoint-*.tmp"))  # the stray temporary file is there...
    stored = _file.read(tmp_path)
    assert stored is not None and stored.meta == {"epoch": 1}  # ...and the checkpoint is the previous one
    assert stored.arrays["model_00000"].tolist() == [0.0, 1.0, 2.0]
    _file.clear_temporaries(tmp_path)
    assert not list(tmp_path.glob(".checkpoint-*.tmp")) and (tmp_path / _file.FILE_NAME).is_file()


def test_no_checkpoint_is_none_and_a_damaged_one_is_one_line(tmp_path: Path) -> None:
    assert _file.read(tmp_path / "missing") is None
    (tmp_path / _file.FILE_NAME).write_bytes(b"not a zip file")
    with pytest.raises(TrainerError, match=r"checkpoint\.npz is not a readable checkpoint") as err:
        _file.read(tmp_path)
    assert "\n" not in str(err.value)


def test_structure_differences_are_all_named_in_one_line() -> None:
    saved = _compat.structure(parse_args([]), ["s1", "s2", "s3"], [("dense/kernel", [3, 32])])
    here = _compat.structure(parse_args(["--architecture=gru", "--units=16"]), ["s1", "s2"], [])
    with pytest.raises(TrainerError) as err:
        _compat.check_structure("ckpt/checkpoint.npz", saved, here)
    message = str(err.value)
    assert "'lstm' there, 'gru' here" in message and "units 32 there, 16 here" in message
    assert "3 features there, 2 here" in message and "\n" not in message
    _compat.check_structure("ckpt/checkpoint.npz", saved, saved)  # the same model passes


def test_a_checkpoint_from_before_ensembles_is_one_model() -> None:
    variables = [("dense/kernel", [3, 32])]
    older = _compat.structure(parse_args([]), ["s1"], variables)
    del older["ensemble_size"]  # its meta predates the flag
    one = _compat.structure(parse_args([]), ["s1"], variables)
    _compat.check_structure("ckpt/checkpoint.npz", older, one)
    here = _compat.structure(parse_args(["--ensemble-size=3"]), ["s1"], variables)
    with pytest.raises(TrainerError, match="ensemble_size 1 there, 3 here"):
        _compat.check_structure("ckpt/checkpoint.npz", older, here)


def test_changed_settings_name_old_and_new_values_but_not_structure() -> None:
    saved = parse_args(["--learning-rate=0.01", "--dropout=0.2"]).hparams()
    now = parse_args(["--learning-rate=0.03", "--dropout=0.2", "--units=8"])
    assert _compat.changed_settings(saved, now) == ["learning_rate 0.01 -> 0.03"]


def test_checkpoint_dir_with_cross_validation_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"--checkpoint-dir: cannot be used with --cv-folds > 1 \(got 3\)"):
        parse_args(["--checkpoint-dir=ck", "--cv-folds=3"])
