"""Each Experiment's trial command gives TensorBoard's HParams tab the Experiment's own view: the parameters
it tunes (``--hparams-tuned``, as the flags they feed) and its metrics reduced with the strategies Katib
resolves for them (``--hparams-metrics``, Katib's defaulting applied). A cluster run and ``katib-local`` then
show the same columns, and the values match what Katib records for each trial."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from katib_local.experiment.defaults import apply_defaults
from tests.manifests._support import (
    EXPERIMENT_FILES,
    MANIFESTS,
    PLACEHOLDER,
    REPO_ROOT,
    flag_values,
    primary_container,
)
from trainer.config import parse_args
from trainer.katib_view import parse_strategies

FILES = [MANIFESTS / name for name in EXPERIMENT_FILES] + sorted((REPO_ROOT / "examples").glob("*.yaml"))


def _experiment(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and doc["kind"] == "Experiment"
    return doc


def _fed_flags(experiment: dict[str, Any]) -> list[str]:
    """For each parameter, in order, the trainer flag its trial parameter is substituted into."""
    template = experiment["spec"]["trialTemplate"]
    words = flag_values(primary_container(template["trialSpec"])["command"][3:])
    by_placeholder = {}
    for flag, value in words.items():
        match = PLACEHOLDER.fullmatch(value)
        if match:
            by_placeholder[match.group(1)] = flag[2:]
    trial_parameter = {tp["reference"]: tp["name"] for tp in template["trialParameters"]}
    return [by_placeholder[trial_parameter[p["name"]]] for p in experiment["spec"]["parameters"]]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_hparams_view_is_the_experiments_parameters_and_metric_strategies(path: Path) -> None:
    experiment = _experiment(path)
    argv = [w for w in primary_container(experiment["spec"]["trialTemplate"]["trialSpec"])["command"][3:]]
    words = flag_values(argv)
    cfg = parse_args([f"{k}={v}" for k, v in words.items() if not PLACEHOLDER.search(v)], env={})
    fed = _fed_flags(experiment)
    assert list(cfg.hparams_tuned) == fed
    # The Experiment's parameter names are the flags' names, so the columns read as in the Katib UI.
    assert fed == [p["name"] for p in experiment["spec"]["parameters"]]
    objective = apply_defaults(experiment)["spec"]["objective"]
    strategies = {s["name"]: s["value"] for s in objective["metricStrategies"]}
    names = [objective["objectiveMetricName"], *objective.get("additionalMetricNames", [])]
    assert parse_strategies(cfg.hparams_metrics) == tuple((n, strategies[n]) for n in names)
