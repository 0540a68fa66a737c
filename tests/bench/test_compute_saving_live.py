"""bench/compute_saving_live.py without running it: valid Experiments, and its section's arithmetic."""

from __future__ import annotations

import pytest

from bench.compute_saving_live import POLICIES, experiment, markdown, table_optimum
from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.validation import validate_experiment


@pytest.mark.parametrize("policy", POLICIES)
def test_every_policy_is_a_valid_experiment(policy: str) -> None:
    findings = validate_experiment(apply_defaults(experiment(policy, 0)))
    assert [f for f in findings if f.severity == "error"] == []
    command = experiment(policy, 0)["spec"]["trialTemplate"]["trialSpec"]["spec"]["template"]["spec"][
        "containers"
    ][0]["command"]
    if policy == "hyperband":
        assert "--epochs=${trialParameters.epochs}" in command
    if policy == "pbt":
        assert "--epochs-per-run=2" in command and not any(w.startswith("--units=${") for w in command)


def test_section_reports_savings_and_regret_against_the_table() -> None:
    runs = [
        {
            "policy": "none",
            "seed": s,
            "trials": 15,
            "trial_epochs": 150,
            "best": 13.0 + s,
            "statuses": {"Succeeded": 15},
        }
        for s in (0, 1)
    ] + [
        {
            "policy": "hyperband",
            "seed": s,
            "trials": 30,
            "trial_epochs": 120,
            "best": 12.5,
            "statuses": {"Succeeded": 30},
        }
        for s in (0, 1)
    ]
    text = markdown(runs, {"command": "c", "machine": "m", "revision": "r"})
    optimum = table_optimum()
    (hyperband,) = [line for line in text.splitlines() if line.startswith("| `hyperband`")]
    assert "| 20% |" in hyperband  # 1 - 120/150
    assert f"{12.5 - optimum:.3f} [{12.5 - optimum:.3f}, {12.5 - optimum:.3f}]" in hyperband
    assert "`none` 1.000, `hyperband` 0.000" in text  # the spread over seeds
