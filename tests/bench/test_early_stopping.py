"""early_stopping's policies, measures and write-up on a hand-made table (no TensorFlow)."""

from typing import Any

from bench._replay import summarize
from bench.early_stopping import EXPERIMENTS, POLICIES, explanation, markdown, measures, run
from tests.bench.fake_table import fake_table

KEYS = ("trial_epochs", "regret", "stopped", "top_stopped", "top_seen", "trials", "late_stops")


def test_every_policy_replays_and_median_stop_saves_epochs() -> None:
    table = fake_table()
    costs = {
        p: measures(run(table, "random", p, seed=0, parallel=3), table)["trial_epochs"] for p in POLICIES
    }
    assert 40 * 3 <= costs["none"] <= 40 * 10, "10 epochs a trial, 3 for a failing one"
    assert costs["katib-3-4"] < costs["none"], "the fake table's slow configurations get stopped"
    assert costs["textbook-3-4"] < costs["none"]


def test_katib_stops_only_at_start_step_the_textbook_rule_may_stop_later() -> None:
    table = fake_table()
    katib = measures(run(table, "grid", "katib-3-4", seed=1, parallel=3), table, 4)
    assert katib["late_stops"] == 0
    assert katib["katib_threshold"] is not None and katib["unjudged"] >= 3


def test_markdown_and_explanation_render_from_a_summary() -> None:
    table = fake_table()
    per_seed: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    for label in ("random", "grid"):
        per_seed[label], summary[label] = {}, {}
        for policy in POLICIES:
            rows = [measures(run(table, label, policy, s, 3), table) for s in range(2)]
            per_seed[label][policy] = rows
            summary[label][policy] = {
                k: summarize([float(r[k]) for r in rows if r[k] is not None])
                for k in (*KEYS, "katib_threshold", "median_of_first_means")
            }
    result = {
        "meta": {"command": "c", "machine": "m", "revision": "r", "seeds": 2, "parallel": 3},
        "summary": summary,
        "per_seed": per_seed,
        "explanation": explanation(summary, per_seed),
    }
    text = markdown(result, table)
    assert "| random (40 trials) | `katib-3-4` |" in text
    assert f"grid ({EXPERIMENTS['grid'][1]} trials)" in text
    assert "Why the two rules differ" in text
