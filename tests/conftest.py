"""Fixtures shared by every test tree."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip with the reason when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: it holds Katib's reference files and the C-MAPSS data (see README)")
    return SHARED


@pytest.fixture(scope="session")
def cmapss_dir(shared_dir: Path) -> Path:
    path = shared_dir / "datasets" / "cmapss"
    if not (path / "train_FD001.txt").is_file():
        pytest.skip(f"{path}/train_FD001.txt is absent: download C-MAPSS as the README says")
    return path


@pytest.fixture(scope="session")
def katib_dir(shared_dir: Path) -> Path:
    path = shared_dir / "katib"
    if not (path / "examples").is_dir():
        pytest.skip(f"{path}/examples is absent: Katib's example Experiments come with ../shared")
    return path


# One tiny trial per architecture family whose export the serving tests share: the recurrent default and the
# convolutional one (their graphs differ most: cuDNN-eligible recurrent layers vs. XLA-compiled convolutions).
EXPORT_ARCHITECTURES = ("lstm", "cnn")
# Further trials a test asks for by name (indirect parametrisation), not run for every serving test.
EXPORT_RUNS: dict[str, tuple[str, ...]] = {
    "lstm": ("--architecture=lstm",),
    "cnn": ("--architecture=cnn",),
    "lstm-ensemble": ("--architecture=lstm", "--ensemble-size=3"),
}
EXPORT_TRAINER_ARGS = (
    "--epochs=1",
    "--synthetic-units=20",
    "--stride=10",
    "--window=30",
    "--units=8",
    "--num-layers=1",
    "--seed=11",
)


@dataclass(frozen=True)
class Export:
    """A trainer run's export and what the trainer said about it."""

    architecture: str
    base_dir: Path
    stdout: str
    test_x: np.ndarray
    test_y: np.ndarray
    n_features: int
    window: int
    reported_test_rmse: float


@pytest.fixture(scope="session", params=EXPORT_ARCHITECTURES)
def export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Export:
    """A real trial (a subprocess, as Katib runs one) that exported a SavedModel, once per architecture.

    Tests using it carry ``xdist_group("trainer-predict")`` so ``--dist loadgroup`` trains each model once.
    ``@pytest.mark.parametrize("export", ["cnn"], indirect=True)`` picks one of :data:`EXPORT_RUNS`.
    """
    label: str = request.param
    base_dir = tmp_path_factory.mktemp(f"trial-{label}") / "model"
    argv = [*EXPORT_TRAINER_ARGS, *EXPORT_RUNS[label], f"--model-dir={base_dir}"]
    run = subprocess.run(
        [sys.executable, "-m", "trainer", *argv], capture_output=True, text=True, check=False, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    match = re.search(r"\btest_rmse=(\S+)", run.stdout)
    assert match, run.stdout

    from trainer.config import parse_args
    from trainer.data import prepare_data
    from trainer.run import data_config

    cfg = parse_args(argv)
    data = prepare_data(data_config(cfg))
    assert data.test is not None
    return Export(
        architecture=cfg.architecture,
        base_dir=base_dir,
        stdout=run.stdout,
        test_x=data.test.x,
        test_y=data.test.y,
        n_features=len(data.feature_names),
        window=30,
        reported_test_rmse=float(match.group(1)),
    )
