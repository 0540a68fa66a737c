"""Fixtures shared by every test tree."""

from __future__ import annotations

from pathlib import Path

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
