"""``katib-local validate``: output lines, summary and exit status."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from katib_local.experiment.validate_cmd import run_validate

DATA = Path(__file__).parent / "data" / "spec"
BASE = DATA / "base-experiment.yaml"


def run(*paths: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_validate(list(paths), out)
    return code, out.getvalue().splitlines()


def test_valid_file_prints_ok_and_exits_0() -> None:
    code, lines = run(BASE)
    assert code == 0
    assert lines == [f"{BASE}: base: ok", "1 experiment(s) in 1 file(s): 0 error(s), 0 warning(s)"]


def test_errors_and_warnings_are_labelled_with_file_name_and_path(tmp_path: Path) -> None:
    text = (
        BASE.read_text()
        .replace("maxTrialCount: 4", "maxTrialCount: 0")
        .replace("algorithmName: random", "algorithmName: grid")
    )
    text = text.replace(
        '- name: random_state\n        value: "1"', '- name: random_state\n        value: "-1"'
    )
    file = tmp_path / "broken.yaml"
    file.write_text(text)
    code, lines = run(file)
    assert code == 1
    assert f"{file}: base: spec.maxTrialCount: error: must be greater than 0" in lines
    assert any(
        line.startswith(f"{file}: base: spec.algorithm.algorithmSettings[0].value: error: ") for line in lines
    )
    assert lines[-1].startswith("1 experiment(s) in 1 file(s): ")


def test_namespace_from_another_file_is_used(tmp_path: Path) -> None:
    experiment, _ = BASE.read_text().split("\n---\n")
    (tmp_path / "experiment.yaml").write_text(experiment)
    (tmp_path / "namespace.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hpo\n")
    code, lines = run(tmp_path)
    assert code == 1
    assert any("metadata.namespace: error: " in line and "lacks label" in line for line in lines)


def test_directory_is_not_recursive_and_ignores_other_suffixes(tmp_path: Path) -> None:
    shutil.copy(BASE, tmp_path / "a.yml")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "bad.yaml").write_text("spec: [unclosed\n")
    (tmp_path / "notes.txt").write_text("spec: [unclosed\n")
    code, lines = run(tmp_path)
    assert code == 0
    assert lines[-1] == "1 experiment(s) in 1 file(s): 0 error(s), 0 warning(s)"


def test_unreadable_file_and_file_without_experiment_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("spec: [unclosed\n")
    other = tmp_path / "ns.yaml"
    other.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    code, lines = run(bad, other)
    assert code == 1
    assert lines[0].startswith(f"{bad}: error: invalid YAML")
    assert f"{other}: warning: no Experiment (kubeflow.org/v1beta1) in this file" in lines
    assert lines[-1] == "0 experiment(s) in 2 file(s): 0 error(s), 1 warning(s), 1 unreadable file(s)"


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    file = tmp_path / "bo.yaml"
    file.write_text(BASE.read_text().replace("algorithmName: random", "algorithmName: bayesianoptimization"))
    code, lines = run(file)
    assert code == 0
    assert any(": warning: bayesianoptimization samples every double log-uniformly" in line for line in lines)
