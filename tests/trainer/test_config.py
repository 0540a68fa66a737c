"""The flag parser, in-process: ranges, one-line usage errors, --name=value, defaults, --dry-run."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest

from trainer.config import TrainerConfig, build_parser, config_fields, flag_name, parse_args
from trainer.data import DataConfig
from trainer.errors import UsageError


def test_no_flags_gives_the_dataclass_defaults() -> None:
    cfg = parse_args([], env={})
    assert dataclasses.replace(cfg, experiment_name="", trial_name="") == TrainerConfig()


def test_data_flag_defaults_equal_data_config_defaults() -> None:
    # The trainer mirrors DataConfig's fields as flags; a default changed on one side only would silently
    # make `python -m trainer` and `prepare_data(DataConfig())` disagree.
    defaults = TrainerConfig()
    for f in dataclasses.fields(DataConfig):
        ours = getattr(defaults, "data" if f.name == "source" else f.name)
        assert ours == f.default, f.name


def test_equals_and_space_forms_agree() -> None:
    a = parse_args(["--learning-rate=0.01", "--architecture=gru", "--feature-columns=s1,s2"], env={})
    b = parse_args(["--learning-rate", "0.01", "--architecture", "gru", "--feature-columns", "s1,s2"], env={})
    assert a.learning_rate == b.learning_rate == 0.01
    assert a.architecture == b.architecture == "gru"
    assert a.feature_columns == b.feature_columns == ("s1", "s2")


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["--mixed-precision"], True), (["--mixed-precision=true"], True), (["--mixed-precision=false"], False)],
)
def test_boolean_forms(args: list[str], expected: bool) -> None:
    assert parse_args(args, env={}).mixed_precision is expected


def test_names_come_from_katib_env_when_flags_leave_them_empty() -> None:
    env = {"KATIB_TRIAL_NAME": "exp-abcd1234", "KATIB_EXPERIMENT_NAME": "exp"}
    cfg = parse_args([], env=env)
    assert (cfg.trial_name, cfg.experiment_name) == ("exp-abcd1234", "exp")
    assert parse_args(["--trial-name=mine"], env=env).trial_name == "mine"
    assert parse_args([], env={}).trial_name.startswith("trial-")


@pytest.mark.parametrize(
    ("args", "flag", "valid"),
    [
        (["--optimizer=adamw"], "--optimizer", "adam|nadam|rmsprop|sgd|adamax|adagrad"),
        (["--learning-rate=-0.1"], "--learning-rate", "(0, 10]"),
        (["--learning-rate", "-0.1"], "--learning-rate", "(0, 10]"),
        (["--learning-rate=nan"], "--learning-rate", "(0, 10]"),
        (["--units=0"], "--units", "[1, 2048]"),
        (["--filters=1025"], "--filters", "[1, 1024]"),
        (["--kernel-size=0"], "--kernel-size", "[1, 1000]"),
        (["--kernel-size=3.5"], "--kernel-size", "[1, 1000]"),
        (["--num-layers=2.5"], "--num-layers", "[1, 8]"),
        (["--dropout=1"], "--dropout", "[0, 1)"),
        (["--batch-size=70000"], "--batch-size", "[1, 65536]"),
        (["--mixed-precision=maybe"], "--mixed-precision", "true or false"),
        (["--feature-columns=a,,b"], "--feature-columns", "comma-separated"),
        (["--synthetic-min-life=300", "--synthetic-max-life=200"], "--synthetic-min-life", "max-life"),
        (["--val-fraction=0.6", "--test-fraction=0.5"], "--val-fraction", "< 1"),
        (["--window=30", "--min-history=31"], "--min-history", "<= --window (30)"),
        (["--hparams-tuned=learning_rate"], "--hparams-tuned", "not a tunable trainer flag"),
        (["--hparams-tuned=log-dir"], "--hparams-tuned", "not a tunable trainer flag"),
        (["--hparams-metrics=val_rmse:best"], "--hparams-metrics", "min, max, latest"),
        (["--hparams-metrics=val_rmse"], "--hparams-metrics", "name:strategy"),
        (["--hparams-metrics=val_rmse:min,val_rmse:max"], "--hparams-metrics", "twice"),
    ],
)
def test_usage_errors_are_one_line_naming_flag_and_range(args: list[str], flag: str, valid: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_args(args, env={})
    message = str(info.value)
    assert "\n" not in message
    assert flag in message
    assert valid in message


def test_unknown_flag_and_prefix_abbreviation_are_refused() -> None:
    with pytest.raises(UsageError, match="--no-such-flag"):
        parse_args(["--no-such-flag=1"], env={})
    with pytest.raises(UsageError, match="--learn"):  # no silent prefix matching of --learning-rate
        parse_args(["--learn=0.1"], env={})


def test_help_lists_every_flag_with_default_and_valid_range() -> None:
    text = " ".join(build_parser().format_help().split())
    for f in config_fields():
        name = flag_name(f.name)
        match = re.search(re.escape(name) + r" \S+ .*?\(default: (.*?); valid: (.*?)\)", text)
        assert match, f"{name} missing from --help with its default and range"
    assert "median stop has nothing to act on" in text
    for code in ("0", "1", "2", "3", "143"):
        assert re.search(rf"\b{code}\s+\S", text)


def test_dry_run_prints_json_and_never_imports_tensorflow() -> None:
    code = (
        "import sys; from trainer.cli import main;"
        "rc = main(['--dry-run', '--units=8', '--architecture=cnn', '--filters=16', '--kernel-size=5']);"
        "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'TF-ABSENT', rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    body, _, marker = proc.stdout.rpartition("}")
    resolved = json.loads(body + "}")
    assert resolved["units"] == 8 and resolved["architecture"] == "cnn"
    assert (resolved["filters"], resolved["kernel_size"]) == (16, 5)
    assert set(resolved) == {f.name for f in config_fields()}
    assert marker.split() == ["TF-ABSENT", "0"]
