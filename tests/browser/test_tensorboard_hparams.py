"""TensorBoard's HParams tab after a katib-local run agrees with Katib: by default it lists exactly the
Experiment's parameters, and each trial's objective equals ``katib-local results``' (Katib's ``min``, not the
last epoch's value). Checked over TensorBoard's HTTP API, then as a person sees it in headless Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import browser, screenshot, visible_texts
from tests.browser.small_experiment import SmallExperiment
from tests.katib_local.runner_helpers import wait_until
from tests.tensorboard_server import post_json, tensorboard, wait_for_sessions

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("browser")]

PARAMETERS = ["optimizer", "learning-rate", "units"]  # examples/local-grid.yaml's parameters
METRICS = ["val_rmse", "val_mae", "test_rmse", "test_score", "train_seconds"]  # objective + additional


@pytest.fixture(scope="module")
def tensorboard_url(small_experiment: SmallExperiment) -> Iterator[str]:
    """One TensorBoard on the experiment's log directory, every trial's session loaded."""
    with tensorboard(small_experiment.tensorboard_dir) as url:
        wait_for_sessions(url, {r["name"] for r in small_experiment.results})
        yield url


def test_hparams_api_lists_the_experiments_parameters_and_katibs_values(
    small_experiment: SmallExperiment, tensorboard_url: str
) -> None:
    names = {r["name"] for r in small_experiment.results}
    groups = wait_for_sessions(tensorboard_url, names)
    experiment = post_json(tensorboard_url + "data/plugin/hparams/experiment", {"experimentName": ""})
    assert sorted(h["name"] for h in experiment["hparamInfos"]) == sorted(PARAMETERS)
    assert [m["displayName"] for m in experiment["metricInfos"]] == METRICS
    assert len(groups) == len(names)
    for result in small_experiment.results:
        group = next(g for g in groups if g["name"].rstrip("/").endswith(result["name"]))
        shown = {m["name"]["tag"].removeprefix("katib/"): m["value"] for m in group["metricValues"]}
        for metric in METRICS:
            # equal to 4 decimals (TensorBoard keeps float32: 22.60685 comes back as 22.6068497)
            assert shown[metric] == pytest.approx(result["metrics"][metric], abs=5e-5), (
                result["name"],
                metric,
            )
        assert group["hparams"]["optimizer"] == result["parameters"]["optimizer"]
        assert float(group["hparams"]["learning-rate"]) == pytest.approx(
            float(result["parameters"]["learning-rate"])
        )


def _table(texts: list[str], trial_names: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    """The table view's header (after "Trial ID", "Show Metrics") and each trial's row of cells."""
    start = texts.index("Trial ID") + 2
    first_row = next(i for i in range(start, len(texts)) if texts[i] in trial_names)
    header = texts[start:first_row]
    rows = {}
    for i in range(first_row, len(texts)):
        if texts[i] in trial_names and texts[i] not in rows:
            rows[texts[i]] = texts[i + 1 : i + 1 + len(header)]
    return header, rows


def test_hparams_tab_in_chromium_shows_the_parameters_and_the_best_objective(
    small_experiment: SmallExperiment, tensorboard_url: str, tmp_path: Path
) -> None:
    names = {r["name"] for r in small_experiment.results}
    best = small_experiment.best()
    with browser(1800, 700) as driver:
        driver.get(tensorboard_url + "#hparams")  # type: ignore[attr-defined]
        wait_until(lambda: names <= set(visible_texts(driver)), "the HParams table's rows", timeout=60)
        texts = visible_texts(driver)
        screenshot(driver, Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "tensorboard-hparams.png")
    header, rows = _table(texts, names)
    assert sorted(header[: len(PARAMETERS)]) == sorted(PARAMETERS)  # TensorBoard sorts hparams by name
    assert header[len(PARAMETERS) :] == METRICS
    assert texts.count("Number of matching session groups: 3") == 1
    row = dict(zip(header, rows[best["name"]], strict=True))
    # TensorBoard prints 5 significant digits (JavaScript's toPrecision(5)).
    assert row["val_rmse"] == f"{best['metrics']['val_rmse']:#.5g}"
    assert row["optimizer"] == best["parameters"]["optimizer"]
