"""``katib-local run FILE [--root DIR] [--parallel N] [--max-trials N]``: run or resume an experiment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from katib_local import exitcodes
from katib_local.commands._common import add_root, make_console
from katib_local.controller.store import Store
from katib_local.experiment.defaults import apply_defaults
from katib_local.readback.display import make_display, tensorboard_hint
from katib_local.readback.results import ExperimentView, leaderboard, trial_result

if TYPE_CHECKING:
    from katib_local.controller.runner import RunResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="run an Experiment locally (rerun to resume)")
    parser.add_argument("file", type=Path, metavar="FILE", help="YAML file holding one Katib Experiment")
    add_root(parser)
    parser.add_argument("--parallel", type=int, metavar="N", help="override spec.parallelTrialCount")
    parser.add_argument("--max-trials", type=int, metavar="N", help="override spec.maxTrialCount")
    parser.add_argument("--name", help="which Experiment of FILE to run, when it holds several")
    parser.add_argument("--plain", action="store_true", help="plain log lines instead of the live view")
    parser.set_defaults(func=main)


def load_experiment(path: Path, name: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The chosen Experiment document of ``path`` and all its documents; ``LoaderError`` when ambiguous."""
    from katib_local.experiment.loader import LoaderError, find_experiments, load_yaml_documents

    docs = load_yaml_documents(path)
    experiments = find_experiments(docs)
    if name is not None:
        experiments = [e for e in experiments if (e.get("metadata") or {}).get("name") == name]
    if len(experiments) != 1:
        names = [(e.get("metadata") or {}).get("name") for e in find_experiments(docs)]
        what = "no Experiment" if not experiments else f"{len(experiments)} Experiments {names}"
        raise LoaderError(f"{path}: {what}{' named ' + name if name else ''}; pass --name to pick one")
    return experiments[0], docs


def apply_overrides(doc: dict[str, Any], parallel: int | None, max_trials: int | None) -> list[str]:
    """Apply the CLI overrides to a defaulted experiment in place; returns notes for the user."""
    spec, notes = doc["spec"], []
    if max_trials is not None:
        spec["maxTrialCount"] = max_trials
        if parallel is None and int(spec.get("parallelTrialCount") or 0) > max_trials:
            spec["parallelTrialCount"] = max_trials
            notes.append(f"parallelTrialCount lowered to {max_trials} to stay within --max-trials")
        failed = spec.get("maxFailedTrialCount")
        if failed is not None and failed > max_trials:
            spec["maxFailedTrialCount"] = max_trials
            notes.append(f"maxFailedTrialCount lowered to {max_trials} to stay within --max-trials")
    if parallel is not None:
        spec["parallelTrialCount"] = parallel
    return notes


def main(args: argparse.Namespace) -> int:
    # Imported here: the suggestion libraries (optuna, hyperopt, skopt) take a second to import, and the other
    # subcommands never need them.
    from katib_local.controller.lock import ExperimentLocked
    from katib_local.controller.runner import Runner, RunnerError
    from katib_local.experiment.loader import LoaderError, namespace_labels
    from katib_local.experiment.validation import validate_experiment

    console, err = make_console(), make_console(stderr=True)
    try:
        raw, docs = load_experiment(args.file, args.name)
    except LoaderError as exc:
        err.print(f"error: {exc}", highlight=False)
        return exitcodes.USAGE
    doc = apply_defaults(raw)
    notes = apply_overrides(doc, args.parallel, args.max_trials)
    findings = validate_experiment(doc, namespace_labels=namespace_labels(docs))
    for finding in findings:
        err.print(str(finding), style="red" if finding.severity == "error" else "yellow", highlight=False)
    if any(f.severity == "error" for f in findings):
        err.print(f"error: {args.file} is not a valid Katib Experiment; nothing was run")
        return exitcodes.USAGE
    for note in notes:
        console.print(f"note: {note}")
    display = make_display(console, live=False if args.plain else None)
    runner = Runner(doc, args.root, display, source=str(args.file))
    try:
        with display:
            result = runner.run()
    except ExperimentLocked as exc:
        err.print(f"error: {exc}")
        return exitcodes.LOCKED
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the first trial started
        err.print("interrupted; trials left Running are re-run when the experiment is resumed")
        return exitcodes.INTERRUPTED
    except RunnerError as exc:
        err.print(f"error: {exc}", highlight=False)
        return exitcodes.USAGE
    return report(console, args.root, doc, result)


def report(console: Console, root: Path, doc: dict[str, Any], result: RunResult) -> int:
    """Print the outcome, the leaderboard and the TensorBoard command; return the exit code."""
    if result.interrupted:
        console.print(f"interrupted; rerun the same command to resume {result.name}")
        return exitcodes.INTERRUPTED
    condition = result.condition or {}
    if result.already_completed:
        console.print(
            f"{result.name} is already completed ({condition.get('type')}: {condition.get('reason')}); "
            "showing its results. To run more trials, raise maxTrialCount with resumePolicy LongRunning, "
            "or use another --root."
        )
    view = ExperimentView.of(doc["spec"])
    with Store(root) as store:
        results = [trial_result(t, view) for t in store.trials(result.name)]
    console.print(
        leaderboard(results, view, f"{result.name}: {condition.get('type')} ({condition.get('reason')})")
    )
    claims = _pvc_claims(doc)
    for line in tensorboard_hint(
        [c for c in claims if (root / "volumes" / c / "tensorboard").is_dir()], str(root)
    ):
        console.print(f"TensorBoard: {line}", highlight=False, soft_wrap=True)
    return exitcodes.OK if result.succeeded else exitcodes.FAILED


def _pvc_claims(doc: dict[str, Any]) -> list[str]:
    template = (doc["spec"].get("trialTemplate") or {}).get("trialSpec") or {}
    pod = ((template.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [
        str(v["persistentVolumeClaim"].get("claimName"))
        for v in pod.get("volumes") or []
        if isinstance(v, dict) and "persistentVolumeClaim" in v
    ]
