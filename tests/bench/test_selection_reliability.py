"""selection_reliability's evaluation on hand-made curves (no TensorFlow): early stopping replayed as Keras
does it, rank correlation with ties, and the regret of choosing by each objective variant."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench.selection_reliability import (
    PANEL,
    WEIGHTS,
    WINDOWS,
    evaluate,
    markdown,
    ranks,
    replay_early_stopping,
    spearman,
)


def test_early_stopping_replay_stops_after_patience_epochs_without_a_strict_improvement() -> None:
    # best at epoch index 1; epochs 2, 3 do not improve (an equal value is no improvement): stop after 3
    assert replay_early_stopping([5.0, 3.0, 3.0, 4.0, 1.0], patience=2) == (4, 1)
    assert replay_early_stopping([5.0, 4.0, 3.0], patience=2) == (3, 2)  # never stopped: the whole curve
    assert replay_early_stopping([5.0, 6.0, 7.0], patience=0) == (3, 2)  # no early stopping: the last epoch


def test_ranks_share_ties_and_spearman_reads_order_only() -> None:
    assert ranks([3.0, 1.0, 3.0, 2.0]) == [3.5, 1.0, 3.5, 2.0]
    assert spearman([1, 2, 3, 4], [10, 20, 30, 400]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]))


def _record(config: str, seed: int, objective: list[float], test: list[float]) -> dict[str, Any]:
    """A run whose every variant sees the same validation curve (``objective``) and test curve."""
    curves = {f"{w}_{s}": list(objective) for w in WEIGHTS for s in WINDOWS}
    curves.update({f"{w}_test": list(test) for w in WEIGHTS})
    return {"dataset": "fake", "config": config, "seed": seed, "seconds": 1.0, "curves": curves}


def test_the_objective_ranking_first_a_config_that_tests_worse_is_charged_that_difference() -> None:
    a, b, c = list(PANEL)[:3]
    records = []
    for seed in (1, 2):
        # a: best validation (min 10 at epoch 2) but its kept epoch tests at 15; b: tests best, 12
        records.append(_record(a, seed, [12.0, 10.0, 11.0], [20.0, 15.0, 30.0]))
        records.append(_record(b, seed, [13.0, 11.0 + seed / 2, 14.0], [20.0, 12.0, 11.0]))
        records.append(_record(c, seed, [30.0, 20.0, 19.0], [40.0, 30.0, 25.0]))
    figures = evaluate(records)["fake"]["variants"]["raw/all"]
    assert figures["configs"][a]["objective_mean"] == 10.0
    assert figures["configs"][a]["test_mean"] == 15.0  # the test RMSE at the kept (best-objective) epoch
    assert figures["configs"][b]["test_sd"] == 0.0
    assert figures["regret_seed_mean"] == pytest.approx(3.0)  # chose a (15) over b (12)
    assert figures["regret_one_seed"] == pytest.approx(3.0)
    assert figures["spearman_seed_mean"] == pytest.approx(0.5)  # objective a<b<c, test b<a<c
    text = markdown({"command": "x", "revision": "r", "machine": "m", "datasets": evaluate(records)})
    assert "| before: raw weights, every validation window | 0.50 | 3.00 |" in text


def test_incomplete_configurations_are_left_out_of_the_panel_figures() -> None:
    a, b = list(PANEL)[:2]
    records = [_record(a, s, [2.0, 1.0], [3.0, 2.0]) for s in (1, 2)] + [_record(b, 1, [2.0], [3.0])]
    assert evaluate(records)["fake"]["configs"] == [a]


def _fd001(records: list[dict[str, Any]]) -> dict[str, Any]:
    for record in records:
        record["dataset"] = "fd001"
    return {"command": "x", "revision": "r", "machine": "m", "datasets": evaluate(records)}


def test_the_verdict_on_the_bars_is_worded_from_the_figures() -> None:
    a, b = list(PANEL)[:2]
    good = [_record(a, s, [11.0, 10.0], [13.0, 12.0]) for s in (1, 2)]
    good += [_record(b, s, [13.0, 12.0], [15.0, 14.0]) for s in (1, 2)]
    assert "): both met." in markdown(_fd001(good))  # ranked in test order: Spearman 1, regret 0
    # the fake's four variants see the same curves: a tie is named as one, not as whichever comes first
    assert "lowest one-seed regret: every variant alike (0.00)." in markdown(_fd001(good))
    bad = [_record(a, s, [11.0, 10.0], [15.0, 14.0]) for s in (1, 2)]
    bad += [_record(b, s, [13.0, 12.0], [13.0, 12.0]) for s in (1, 2)]
    assert "): neither met." in markdown(_fd001(bad))  # reversed: Spearman -1, regret 2


def test_a_previous_panel_is_shown_as_its_summary_tables_only() -> None:
    a, b = list(PANEL)[:2]
    records = [_record(c, s, [11.0, 10.0], [13.0, 12.0]) for c in (a, b) for s in (1, 2)]
    result = _fd001(records)
    text = markdown(result, previous=result)
    previous_part = text.split("**The previous panel**")[1]
    assert "| before: raw weights, every validation window |" in previous_part
    assert "Per configuration" not in previous_part
