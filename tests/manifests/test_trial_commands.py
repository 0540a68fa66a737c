"""Every trial command a search can produce is one the trainer accepts, and one the shell cannot mangle.

For each Experiment, each parameter takes every value of its feasible space (min, max, each step or list
entry; an unstepped double also its midpoint) with the others fixed; the trial template is rendered as Katib
renders it (``${trialParameters.X}`` substituted in the template's JSON text, ``${trialSpec.Name}`` the trial
name) and the resulting ``python -m trainer`` arguments are parsed by the trainer's own parser. One rendered
command per Experiment also runs for real, as ``python -m trainer ... --dry-run``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from katib_local.controller.localize import localize
from tests.manifests._support import (
    CLAIM_NAME,
    EXPERIMENT_FILES,
    PLACEHOLDER,
    REPO_ROOT,
    SAFE_WORD,
    SHARED_MOUNT,
    feasible_values,
    flag_values,
    load_experiment,
    render_job,
    sweep,
    trainer_argv,
    trial_name_for,
)
from trainer.config import parse_args

experiments = pytest.mark.parametrize("name", EXPERIMENT_FILES)


def typed(parameter: dict[str, Any], value: str) -> Any:
    """What the trainer should hold for ``value`` of this parameter."""
    kind = parameter["parameterType"]
    if kind == "int":
        return int(value)
    if kind == "double":
        return float(value)
    if value in ("true", "false"):  # a categorical switch: the trainer's Boolean flag
        return value == "true"
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value


@experiments
def test_every_feasible_value_renders_to_a_command_the_trainer_parses(name: str) -> None:
    experiment = load_experiment(name)
    parameters = {p["name"]: p for p in experiment["spec"]["parameters"]}
    env = {"KATIB_TRIAL_NAME": "unused", "KATIB_EXPERIMENT_NAME": "unused"}
    rendered = 0
    for assignment in sweep(experiment):
        argv = trainer_argv(render_job(experiment, assignment))
        flags = flag_values(argv)
        config = parse_args(argv, env=env)
        for parameter, value in assignment.items():
            # Parameter names are the trainer's flag names; the value arrives verbatim and parses to itself.
            assert flags[f"--{parameter}"] == value
            expected = typed(parameters[parameter], value)
            held = getattr(config, parameter.replace("-", "_"))
            assert held == (pytest.approx(expected) if isinstance(expected, float) else expected), parameter
        assert config.trial_name == trial_name_for(experiment)
        assert config.experiment_name == experiment["metadata"]["name"]
        assert config.log_dir.endswith("/" + trial_name_for(experiment))
        rendered += 1
    expected = 1 + sum(len(feasible_values(p)) - 1 for p in parameters.values())
    assert rendered == expected


@experiments
def test_rendered_commands_hold_no_space_or_shell_character(name: str) -> None:
    """Katib joins command words with spaces, unquoted, and hands them to ``sh -c``."""
    experiment = load_experiment(name)
    for assignment in sweep(experiment):
        job = render_job(experiment, assignment)
        text = json.dumps(job)
        assert not PLACEHOLDER.search(text), "every placeholder is substituted"
        for word in job["spec"]["template"]["spec"]["containers"][0]["command"]:
            assert SAFE_WORD.fullmatch(word), f"unsafe command word {word!r}"
        for value in assignment.values():
            assert SAFE_WORD.fullmatch(value), f"unsafe value {value!r}"


@pytest.mark.parametrize("word", ["--units=64 --epochs=1", "--data=$HOME/x", "--a=b;c", "--dropout=0.1&"])
def test_the_shell_character_check_rejects_what_sh_would_split_or_expand(word: str) -> None:
    assert not SAFE_WORD.fullmatch(word)


@experiments
def test_one_rendered_command_runs_as_a_dry_run(name: str) -> None:
    """The real entry point, in a subprocess: ``python -m trainer ... --dry-run`` exits 0 with the config."""
    experiment = load_experiment(name)
    assignments = list(sweep(experiment))
    argv = trainer_argv(render_job(experiment, assignments[-1]))
    result = subprocess.run(
        [sys.executable, "-m", "trainer", *argv, "--dry-run"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    flags = flag_values(argv)
    assert config["log_dir"] == flags["--log-dir"]
    assert config["model_dir"] == flags["--model-dir"]
    assert config["epochs"] == int(flags["--epochs"])
    assert config["trial_name"] == trial_name_for(experiment)


@experiments
def test_katib_local_can_launch_the_trial_on_one_machine(name: str, tmp_path: Path) -> None:
    """``katib-local run`` takes the same file: the claim maps to ``<root>/volumes/hpo-shared``."""
    experiment = load_experiment(name)
    job = render_job(experiment, next(sweep(experiment)))
    launch = localize(
        job,
        experiment["spec"]["trialTemplate"]["primaryContainerName"],
        root=tmp_path,
        trial_dir=tmp_path / "trial",
        trial_name=trial_name_for(experiment),
    )
    assert launch.warnings == []
    assert launch.gpus == 1
    local_claim = tmp_path / "volumes" / CLAIM_NAME
    assert local_claim in launch.directories
    script = launch.argv[-1]
    assert " -m trainer " in script and SHARED_MOUNT not in script
    assert f"--log-dir={local_claim}/tensorboard/{experiment['metadata']['name']}/" in script
