"""``katib-local validate FILE...``: Katib's webhook and suggestion-service rules on Experiment YAML files.

* A directory argument means every ``*.yaml``/``*.yml`` file directly inside it (not recursive), sorted by
name.
* Namespace objects from **all** the given files are used for the injection-label rule, so ``katib-local
  validate manifests/`` checks the experiments against the namespace defined beside them.
* Output, one line per finding: ``<file>: <experiment name>: <path>: error|warning: <message>``; an experiment
  with no finding gets ``<file>: <experiment name>: ok``; a file that cannot be read or parsed gets ``<file>:
  error: <reason>``; a file argument with no Experiment gets a warning line. Then one summary line.
* Exit status 1 when there is any error, an unreadable file, or no Experiment at all; else 0 (warnings
allowed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from katib_local.experiment.loader import LoaderError, find_experiments, load_yaml_documents, namespace_labels
from katib_local.experiment.validation import Finding, validate_experiment

YAML_SUFFIXES = (".yaml", ".yml")


def expand_paths(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """``(file, given_explicitly)`` for each argument; directories expand to their YAML files."""
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if Path(path).is_dir():
            files += [
                (p, False) for p in sorted(Path(path).iterdir()) if p.suffix in YAML_SUFFIXES and p.is_file()
            ]
        else:
            files.append((Path(path), True))
    return files


def format_finding(file: Path, experiment: str, finding: Finding) -> str:
    return f"{file}: {experiment}: {finding.path}: {finding.severity}: {finding.message}"


def run_validate(paths: Sequence[Path], out: TextIO) -> int:
    """Validate every Experiment in ``paths``; print findings and a summary to ``out``; 1 on any error."""
    loaded: list[tuple[Path, bool, list[dict[str, Any]]]] = []
    failed_files = 0
    for file, explicit in expand_paths(paths):
        try:
            loaded.append((file, explicit, load_yaml_documents(file)))
        except LoaderError as exc:
            failed_files += 1
            print(f"{file}: error: {str(exc).removeprefix(f'{file}: ')}", file=out)
    labels: dict[str, dict[str, str]] = {}
    for _, _, docs in loaded:
        labels.update(namespace_labels(docs))
    experiments = errors = warnings = 0
    for file, explicit, docs in loaded:
        found = find_experiments(docs)
        if not found and explicit:
            warnings += 1
            print(f"{file}: warning: no Experiment (kubeflow.org/v1beta1) in this file", file=out)
        for experiment in found:
            experiments += 1
            name = (experiment.get("metadata") or {}).get("name") or "<unnamed>"
            findings = validate_experiment(experiment, namespace_labels=labels)
            for finding in findings:
                print(format_finding(file, name, finding), file=out)
            errors += sum(f.severity == "error" for f in findings)
            warnings += sum(f.severity == "warning" for f in findings)
            if not findings:
                print(f"{file}: {name}: ok", file=out)
    print(
        f"{experiments} experiment(s) in {len(loaded) + failed_files} file(s): "
        f"{errors} error(s), {warnings} warning(s)"
        + (f", {failed_files} unreadable file(s)" if failed_files else ""),
        file=out,
    )
    if errors or failed_files or not experiments:
        return 1
    return 0
