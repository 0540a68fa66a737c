"""The metric names the Experiments ask Katib for are names the trainer prints, in a form Katib reads.

The smoke Experiment's trial command is rendered as Katib renders it and run for real (2 epochs, CPU), with
the shared-volume paths moved under a temporary directory and stdout and stderr merged into one stream, as
Katib's StdOut collector wraps the command (``1>/var/log/katib/metrics.log 2>&1``). The stream is then read
with the collector's rules (KATIB_NOTES a.4): a line counts if it contains a configured metric name, its first
token is its RFC3339 timestamp, and every ``name=value`` match of the default filter whose name equals a
configured metric is one observation.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.manifests._support import (
    EXPERIMENT_FILES,
    REPO_ROOT,
    SHARED_MOUNT,
    SMOKE_FILE,
    flag_values,
    job_of,
    load_experiment,
    primary_container,
    render_job,
    sweep,
    trainer_argv,
    trial_name_for,
)

# pkg/metricscollector/v1beta1/common/const.go: DefaultFilter, verbatim.
KATIB_DEFAULT_FILTER = re.compile(r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)")


def metric_names(name: str) -> list[str]:
    objective = load_experiment(name)["spec"]["objective"]
    return [objective["objectiveMetricName"], *objective["additionalMetricNames"]]


def collect(text: str, names: list[str]) -> dict[str, list[tuple[datetime, float]]]:
    """Katib's TEXT parsing of a metrics file, for ``names``."""
    found: dict[str, list[tuple[datetime, float]]] = {n: [] for n in names}
    for line in text.splitlines():
        if not any(n in line for n in names):
            continue
        stamp = datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00"))
        for match in KATIB_DEFAULT_FILTER.finditer(line):
            if match.group(1).strip() in found:
                found[match.group(1).strip()].append((stamp, float(match.group(2))))
    return found


def test_every_experiment_asks_for_the_same_metric_names() -> None:
    reference = metric_names(SMOKE_FILE)
    for name in EXPERIMENT_FILES:
        assert metric_names(name) == reference, name


def test_the_collector_rules_read_a_documented_metric_line() -> None:
    line = "2026-11-23T10:15:02.123Z epoch=3 loss=203.1 val_loss=210.4 val_rmse=14.5 val_mae=10.9"
    got = collect(line, ["val_rmse", "loss"])
    assert [v for _, v in got["val_rmse"]] == [14.5]
    assert [v for _, v in got["loss"]] == [203.1], "val_loss is not loss: names must match exactly"


@pytest.mark.tensorflow
def test_smoke_trial_prints_every_metric_katib_collects(tmp_path: Path) -> None:
    experiment = load_experiment(SMOKE_FILE)
    job = render_job(experiment, next(sweep(experiment)))
    argv = [word.replace(SHARED_MOUNT, str(tmp_path)) for word in trainer_argv(job)]
    container_env = {e["name"]: e["value"] for e in primary_container(job_of(experiment))["env"]}
    result = subprocess.run(
        [sys.executable, "-m", "trainer", *argv],
        cwd=REPO_ROOT,
        env={**os.environ, **container_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]

    names = metric_names(SMOKE_FILE)
    observed = collect(result.stdout, names)
    missing = [n for n, values in observed.items() if not values]
    assert missing == [], f"never printed: {missing}\n{result.stdout[-3000:]}"
    epochs = int(flag_values(argv)["--epochs"])
    # The objective once per epoch and never again: each report is one median-stop step.
    assert len(observed["val_rmse"]) == epochs
    stamps = [stamp for stamp, _ in observed["val_rmse"]]
    assert stamps == sorted(stamps) and all(s.tzinfo is not None for s in stamps)
    for name in names:
        if name not in ("val_rmse", "val_mae"):
            assert len(observed[name]) == 1, f"{name} is printed once, at the end"

    trial = trial_name_for(experiment)
    exp = experiment["metadata"]["name"]
    assert any((tmp_path / "tensorboard" / exp / trial).rglob("events.out.tfevents.*"))
    assert (tmp_path / "models" / exp / trial / "1" / "saved_model.pb").is_file()
