"""``katib-local dashboard forecast-local-grid`` for a small real experiment: its HTTP API and its page in
headless Chromium show the trial count, parameters and best value that ``katib-local results`` gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.chromium import browser, screenshot, visible_texts
from tests.browser.small_experiment import NAME, SmallExperiment
from tests.katib_local.dashboard_helpers import attrs, running_dashboard, study
from tests.katib_local.runner_helpers import wait_until

pytestmark = [pytest.mark.tensorflow, pytest.mark.xdist_group("browser")]


def test_dashboard_api_and_page_match_katib_local_results(
    small_experiment: SmallExperiment, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    results = small_experiment.results
    best = small_experiment.best()
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    with running_dashboard(monkeypatch, NAME, "--root", str(small_experiment.root)) as base:
        detail = study(base)
        assert len(detail["trials"]) == len(results)
        assert [p["name"] for p in detail["intersection_search_space"]] == sorted(results[0]["parameters"])
        top = detail["best_trials"][0]
        assert top["values"] == [best["metrics"]["val_rmse"]]
        assert attrs(top)["trial_name"] == best["name"]
        assert detail["has_intermediate_values"]
        with browser(1600, 1000) as driver:
            driver.get(f"{base}/dashboard/studies/0")  # type: ignore[attr-defined]
            wait_until(
                lambda: _best_card_value(visible_texts(driver)) is not None, "the best trial card's value"
            )
            study_page = visible_texts(driver)
            screenshot(driver, shots / "dashboard-study.png")
            driver.get(f"{base}/dashboard/studies/0/trials")  # type: ignore[attr-defined]
            wait_until(lambda: "Trials" in visible_texts(driver), "the trial list")
            trials_page = visible_texts(driver)
            screenshot(driver, shots / "dashboard-trials.png")
    card = study_page.index(next(t for t in study_page if t.startswith("Best Trial")))
    assert study_page[card + 1] == f"{best['metrics']['val_rmse']}"
    params = study_page[card + 3]
    assert [p.split(":")[0] for p in params.split(", ")] == list(best["parameters"])
    assert trials_page[trials_page.index("Trials") - 1] == str(len(results))
    assert [t for t in trials_page if t.startswith("Trial ") and t[6:].isdigit()] == [
        f"Trial {i}" for i in range(len(results))
    ]


def _best_card_value(texts: list[str]) -> str | None:
    """The text after the "Best Trial" card's title once the card has rendered its value (a number), else
    None: the page draws the title before the value, and under load a read can fall in between."""
    titles = [i for i, t in enumerate(texts) if t.startswith("Best Trial")]
    if not titles or titles[0] + 1 >= len(texts):
        return None
    value = texts[titles[0] + 1]
    try:
        float(value)
    except ValueError:
        return None
    return value
