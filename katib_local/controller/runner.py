"""The experiment loop: Katib's controllers for one experiment, in one process.

Each turn of the loop does what Katib's reconcile does: count trials, check the stop conditions in Katib's
order, ask the suggestion service for ``min(parallel, max - completed) - active`` new assignments, attach the
early-stopping rules computed for that batch, create the trials and start them. It then waits for the next
event from a trial (a metric line or an exit). Only this thread writes the database.

Decisions a user should know (see ``docs/katib-local.md``):

- When the experiment completes, trials still running are not killed, as in Katib: the runner waits for
  them and records them, but the experiment's condition does not change.
- Ctrl-C (or SIGTERM to the runner) sends SIGTERM to the running trials, waits for them, and puts them back
  to Created; nothing else changes. Rerunning resumes: terminal trials are kept; Created/Running ones are run
  again from scratch under the same name, with the same assignments and the same frozen rules (as a Job
  whose pod is restarted). A runner that died by SIGKILL leaves its trials Running in the database; their
  processes die with it (parent-death signal) and any that survive are killed before the rerun starts.
- A resumed run must use the same spec; only ``parallelTrialCount``, ``maxTrialCount`` and
  ``maxFailedTrialCount`` may change (Katib's editable fields). A completed experiment restarts only as Katib
  allows: Succeeded by max trials, ``resumePolicy`` LongRunning or FromVolume, and a larger ``maxTrialCount``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from katib_local.controller.collectors import CollectorSpec
from katib_local.controller.gpus import GpuPool, detect_gpus
from katib_local.controller.lifecycle import (
    SUGGESTION_END,
    SUGGESTION_FAILED,
    Counts,
    Decision,
    decide,
    trials_to_create,
)
from katib_local.controller.localize import LaunchSpec, LocalizeError, localize
from katib_local.controller.lock import RunnerLock
from katib_local.controller.medianstop import MedianStopSettings, compute_rules
from katib_local.controller.process import Event, Finished, Report, TrialProcess, classify, process_start_time
from katib_local.controller.retries import Failure, RetryPolicy
from katib_local.controller.store import ExperimentRow, Store, TrialRow
from katib_local.controller.suggestion_volume import (
    local_trial_dir,
    mount_suggestion_volume,
    prepare_trial_dir,
    trial_dir_setting,
)
from katib_local.experiment.rendering import RenderError, new_trial_name, render_trial_spec
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.readback.display import Display, Progress
from katib_local.readback.results import ExperimentView, best, trial_result
from katib_local.suggestions import (
    ProposedTrial,
    StatefulSuggester,
    Suggester,
    SuggestionError,
    make_service,
)

EDITABLE_FIELDS = ("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount")
INTERRUPT_GRACE_SECONDS = 30.0


class RunnerError(Exception):
    """The experiment cannot be run as asked (spec changed, not runnable locally, ...)."""


@dataclass(frozen=True)
class RunResult:
    """How a ``run`` call ended. ``condition`` is the experiment's last condition, if terminal."""

    name: str
    condition: Mapping[str, str] | None
    interrupted: bool = False
    already_completed: bool = False

    @property
    def succeeded(self) -> bool:
        return self.condition is not None and self.condition.get("type") == "Succeeded"


def experiment_dir(root: Path, name: str) -> Path:
    return root / "experiments" / name


def _strip_editable(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in EDITABLE_FIELDS}


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM to the runner behaves like Ctrl-C (stop trials, keep state)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Runner:
    """Runs one defaulted experiment under ``root``. Use :meth:`run` once."""

    def __init__(self, experiment: Mapping[str, Any], root: Path, display: Display, source: str = "") -> None:
        # Through JSON once, as it is stored: YAML scalars such as unquoted dates become strings, and a
        # resumed run compares like with like.
        self.doc = json.loads(json.dumps(dict(experiment), default=str))
        self.spec: dict[str, Any] = self.doc["spec"]
        metadata = self.doc.get("metadata") or {}
        self.name = str(metadata.get("name"))
        self.namespace = str(metadata.get("namespace") or "default")
        self.root = root
        self.display = display
        self.source = source
        self.view = ExperimentView.of(self.spec)
        self.collector = CollectorSpec.from_experiment(self.spec)
        self.template = self.spec.get("trialTemplate") or {}
        self.medianstop = MedianStopSettings.from_spec(self.spec.get("earlyStopping"))
        self.retries = RetryPolicy.from_template(self.template)
        self.events: queue.Queue[Event] = queue.Queue()
        self.running: dict[str, tuple[TrialProcess, list[str]]] = {}
        self.gpus = GpuPool(detect_gpus())
        self.progress = Progress(self.name, self.view.objective, max_trials=self.spec.get("maxTrialCount"))
        self.algorithm = str((self.spec.get("algorithm") or {}).get("algorithmName") or "")
        # Katib's pod webhook mounts the Suggestion's volume only in pods that get a collector sidecar.
        self.suggestion_trial_dir = trial_dir_setting(self.spec) if self.collector.kind != "Push" else None
        self.notes_shown: set[str] = set()

    # entry -----------------------------------------------------------------------------------------------
    def run(self) -> RunResult:
        """Run (or resume) the experiment until it completes or is interrupted.

        Raises:
            ExperimentLocked: another runner holds the experiment.
            RunnerError: the spec differs from the stored one, or a trial cannot run locally.
        """
        lock = RunnerLock(experiment_dir(self.root, self.name) / "runner.lock")
        lock.acquire()
        store = Store(self.root)
        try:
            exp = self._load_or_create(store)
            if exp.is_completed and not self._restart(store, exp):
                return RunResult(self.name, exp.last_condition, already_completed=True)
            self._recover(store)
            store.add_condition(self.name, "Running", "ExperimentRunning", "Experiment is running")
            try:
                suggester = make_service(self.doc)
            except SuggestionError as exc:
                store.add_condition(self.name, "Failed", SUGGESTION_FAILED, f"Suggestion has failed: {exc}")
                return RunResult(self.name, store.get_experiment(self.name).last_condition)  # type: ignore[union-attr]
            with _sigterm_as_interrupt():
                try:
                    self._loop(store, suggester)
                except KeyboardInterrupt:
                    self._interrupt(store)
                    return RunResult(self.name, None, interrupted=True)
            final = store.get_experiment(self.name)
            return RunResult(self.name, final.last_condition if final else None)
        finally:
            self._kill_all()
            store.close()
            lock.release()

    # setup -----------------------------------------------------------------------------------------------
    def _load_or_create(self, store: Store) -> ExperimentRow:
        exp = store.get_experiment(self.name)
        if exp is None:
            store.create_experiment(self.name, self.namespace, self.spec, self.source)
            store.add_condition(self.name, "Created", "ExperimentCreated", "Experiment is created")
            exp = store.get_experiment(self.name)
            assert exp is not None
            return exp
        if _strip_editable(exp.spec) != _strip_editable(self.spec):
            raise RunnerError(
                f"experiment {self.name!r} under {self.root} was run with a different spec; as in Katib only "
                f"{', '.join(EDITABLE_FIELDS)} may change. Use another --root or another metadata.name."
            )
        if exp.spec != self.spec:
            store.update_experiment_spec(self.name, self.spec)
        return exp

    def _restart(self, store: Store, exp: ExperimentRow) -> bool:
        """Whether a completed experiment restarts (Katib's ``IsCompletedExperimentRestartable``)."""
        last = exp.last_condition or {}
        count = len(store.trials(self.name, with_logs=False))
        max_trials = self.spec.get("maxTrialCount")
        if (
            last.get("type") == "Succeeded"
            and last.get("reason") == "ExperimentMaxTrialsReached"
            and self.spec.get("resumePolicy") in ("LongRunning", "FromVolume")
            and max_trials is not None
            and max_trials > count
        ):
            store.add_condition(self.name, "Restarting", "ExperimentRestarting", "Experiment is restarting")
            return True
        return False

    def _recover(self, store: Store) -> None:
        """Trials left Running by a runner that died: make sure their processes are gone, then re-queue."""
        for trial in store.trials(self.name, with_logs=False):
            if trial.status != TrialStatus.RUNNING:
                continue
            if trial.pid is not None and trial.pid_start is not None:
                _kill_leftover(trial.pid, trial.pid_start)
            store.reset_trial(trial.name, "re-run: the previous runner stopped while the trial was running")
            self.display.info(f"resume: {trial.name} was running when the last runner stopped; it runs again")

    # loop ------------------------------------------------------------------------------------------------
    def _loop(self, store: Store, suggester: Suggester | StatefulSuggester) -> None:
        draining = False
        while True:
            trials = store.trials(self.name)
            results = [trial_result(t, self.view) for t in trials]
            counts = Counts.of(t.status for t in trials)
            top = best([r for r in results if r.status.is_terminal], self.view)
            self._update_progress(counts, top)
            if not draining:
                decision = decide(self.spec, counts, top.objective if top else None)
                if decision is not None:
                    self._complete(store, decision, counts)
                    draining = True
            if not draining:
                self._trim_pending(store, trials, counts)
                wanted = trials_to_create(self.spec, counts)
                if wanted > 0:
                    created = self._create_batch(store, suggester, trials, results, wanted)
                    if created is None:
                        draining = True
                        continue
                    if created:
                        continue  # re-read, then start them
                self._start_pending(store, trials)
                if not self.running and not any(t.status == TrialStatus.CREATED for t in trials):
                    self._complete(
                        store,
                        Decision(
                            "Succeeded",
                            SUGGESTION_END,
                            "the algorithm suggested no further trials (Katib would wait indefinitely)",
                        ),
                        counts,
                    )
                    draining = True
            if draining and not self.running:
                return
            self._wait_for_finish(store)

    def _complete(self, store: Store, decision: Decision, counts: Counts) -> None:
        store.add_condition(self.name, decision.ctype, decision.reason, decision.message)
        self.display.info(f"experiment {self.name} {decision.ctype}: {decision.message}")
        if self.running:
            self.display.info(
                f"{len(self.running)} trial(s) still running: as in Katib they are not killed; waiting"
            )

    def _update_progress(self, counts: Counts, top: TrialResult | None) -> None:
        self.progress.counts = counts
        self.progress.max_trials = self.spec.get("maxTrialCount")
        self.progress.best = (top.name, top.objective) if top and top.objective is not None else None
        self.display.refresh(self.progress)

    def _trim_pending(self, store: Store, trials: list[TrialRow], counts: Counts) -> None:
        """Parallelism lowered on resume: delete the newest not-yet-started trials beyond it, as Katib."""
        excess = counts.active - int(self.spec.get("parallelTrialCount") or 3)
        if excess <= 0:
            return
        pending = [t for t in trials if t.status == TrialStatus.CREATED and t.name not in self.running]
        for trial in reversed(pending[-excess:]):
            with store.transaction() as conn:
                conn.execute("DELETE FROM trials WHERE name = ?", (trial.name,))
            self.display.info(f"{trial.name} deleted: parallelTrialCount was lowered")

    def _create_batch(
        self,
        store: Store,
        suggester: Suggester | StatefulSuggester,
        trials: list[TrialRow],
        results: list[TrialResult],
        wanted: int,
    ) -> list[str] | None:
        """Ask for ``wanted`` assignments and create the trials; ``None`` when the suggestion failed.

        A stateful service (hyperband, pbt) may answer fewer, or none while it waits for running trials; its
        state is stored with the trials it asked for, and PBT's checkpoint directories are made first.
        """
        state: dict[str, Any] | None = None
        try:
            if isinstance(suggester, StatefulSuggester):
                proposal = suggester.propose(results, wanted, store.suggestion_state(self.name))
                proposed, state = proposal.trials, proposal.state
                for note in proposal.notes:
                    if note not in self.notes_shown:
                        self.notes_shown.add(note)
                        self.display.warning(note)
            else:
                proposed = [ProposedTrial(dict(a)) for a in suggester.suggest(results, wanted)]
        except SuggestionError as exc:
            store.add_condition(self.name, "Failed", SUGGESTION_FAILED, f"Suggestion has failed: {exc}")
            self.display.warning(f"suggestion failed: {exc}")
            return None
        rules = []
        if self.medianstop is not None:
            succeeded = {t.name: t.logs for t in trials if t.status == TrialStatus.SUCCEEDED}
            rules = compute_rules(self.medianstop, self.view.objective, self.view.objective_type, succeeded)
        taken = {t.name for t in trials}
        batch: list[tuple[str, dict[str, str]]] = []
        labels: dict[str, dict[str, str]] = {}
        for trial in proposed:
            name = trial.name or new_trial_name(self.name, taken)
            taken.add(name)
            self._launch_spec(name, trial.assignments)  # fail before anything is written
            self._prepare_checkpoint_dir(name, trial)
            batch.append((name, dict(trial.assignments)))
            if trial.labels:
                labels[name] = dict(trial.labels)
        if batch:
            store.add_trials(self.name, batch, rules, labels=labels, suggestion_state=state)
        return [name for name, _ in batch]

    def _prepare_checkpoint_dir(self, name: str, trial: ProposedTrial) -> None:
        """PBT: the trial's directory on the Suggestion's volume, empty or a copy of its parent's."""
        if not (trial.new_checkpoint_dir or trial.checkpoint_from):
            return
        root = self.root.resolve()
        parent = trial.checkpoint_from
        source = local_trial_dir(root, self.name, self.algorithm, parent) if parent else None
        try:
            prepare_trial_dir(local_trial_dir(root, self.name, self.algorithm, name), source)
        except OSError as exc:
            raise RunnerError(f"trial {name}: cannot copy {parent}'s checkpoint directory: {exc}") from None

    def _launch_spec(self, name: str, assignments: Mapping[str, str]) -> LaunchSpec:
        try:
            manifest = render_trial_spec(
                self.template.get("trialSpec") or {},
                self.template.get("trialParameters") or [],
                assignments,
                name,
                self.namespace,
            )
            primary = str(self.template.get("primaryContainerName", ""))
            if self.suggestion_trial_dir is not None:
                manifest = mount_suggestion_volume(
                    manifest,
                    primary,
                    experiment=self.name,
                    algorithm=self.algorithm,
                    trial=name,
                    mount_path=self.suggestion_trial_dir,
                )
            return localize(
                manifest,
                primary,
                root=self.root.resolve(),
                trial_dir=self.trial_dir(name),
                trial_name=name,
                collector_kind=self.collector.kind,
                collector_path=self.collector.path,
            )
        except (RenderError, LocalizeError) as exc:
            raise RunnerError(f"trial {name}: {exc}") from None

    def trial_dir(self, name: str) -> Path:
        return (experiment_dir(self.root, self.name) / "trials" / name).resolve()

    def _start_pending(self, store: Store, trials: list[TrialRow]) -> None:
        for trial in trials:
            if trial.status != TrialStatus.CREATED or trial.name in self.running:
                continue
            launch = self._launch_spec(trial.name, trial.assignments)
            gpu_ids: list[str] = []
            if launch.gpus > 0:
                taken = self.gpus.take(launch.gpus)
                if taken is None:
                    continue  # waits for a release, as a pod waits for GPUs (it counts as active meanwhile)
                gpu_ids = taken
                if len(gpu_ids) < launch.gpus:
                    self.display.warning(
                        f"trials request {launch.gpus} nvidia.com/gpu; {len(self.gpus.total)} GPU(s) here: "
                        f"they run with CUDA_VISIBLE_DEVICES={','.join(gpu_ids)!r}"
                    )
            launch.env["CUDA_VISIBLE_DEVICES"] = ",".join(gpu_ids)
            for warning in launch.warnings:
                self.display.warning(warning)
            shutil.rmtree(self.trial_dir(trial.name), ignore_errors=True)  # a rerun starts from scratch
            proc = TrialProcess(
                trial.name,
                launch,
                self.collector,
                trial.rules,
                self.view.objective,
                self.view.objective_type,
                self.trial_dir(trial.name),
                self.events,
            )
            try:
                pid = proc.start()
            except OSError as exc:  # e.g. a workingDir that vanished, or no sh
                self.gpus.release(gpu_ids)
                raise RunnerError(
                    f"trial {trial.name}: cannot start {launch.display_command!r}: {exc}"
                ) from None
            store.mark_running(trial.name, pid, process_start_time(pid))
            self.running[trial.name] = (proc, gpu_ids)
            self.display.trial_started(trial.name, trial.assignments)

    def _wait_for_finish(self, store: Store) -> None:
        """Block until a trial ends (showing live reports meanwhile), then record it."""
        while True:
            event = self.events.get()
            if isinstance(event, Report):
                if event.row.name == self.view.objective:
                    self.progress.latest[event.name] = event.row.value
                    self.display.refresh(self.progress)
                continue
            assert isinstance(event, Finished)
            self._record(store, event)
            return

    def _record(self, store: Store, event: Finished) -> None:
        proc, gpu_ids = self.running.pop(event.name)
        proc.join()
        if self._retried(store, proc, gpu_ids, event):
            return
        self.gpus.release(gpu_ids)
        self.progress.latest.pop(event.name, None)
        status, rows, message = classify(event.outcome, self.view.objective)
        store.complete_trial(event.name, status, event.outcome.returncode, message, rows)
        trial = next(t for t in store.trials(self.name) if t.name == event.name)
        self.display.trial_finished(event.name, status, trial_result(trial, self.view).objective, message)

    def _retried(self, store: Store, proc: TrialProcess, gpu_ids: list[str], event: Finished) -> bool:
        """A failed attempt the Job would replace: start the same command again (same checkpoint directory,
        same GPUs, a fresh metrics.log as a new pod's), the trial staying Running. Early stops and deadlines
        are final, as is a success."""
        outcome = event.outcome
        if outcome.returncode == 0 or outcome.early_stopped or outcome.deadline_exceeded is not None:
            return False
        verdict = self.retries.judge(event.name, Failure.of(outcome.returncode, bool(proc.rules)))
        if not verdict.retry:
            self.display.info(f"{event.name}: {verdict.reason}")
            return False
        again = TrialProcess(
            proc.name,
            proc.launch,
            proc.collector,
            proc.rules,
            proc.objective_name,
            proc.objective_type,
            proc.trial_dir,
            self.events,
        )
        try:
            pid = again.start()
        except OSError as exc:
            self.display.info(f"{event.name}: cannot restart {proc.launch.display_command!r}: {exc}")
            return False
        store.mark_running(event.name, pid, process_start_time(pid))
        self.running[event.name] = (again, gpu_ids)
        self.display.info(f"{event.name}: {verdict.reason}; restarted with the same command")
        return True

    # stopping --------------------------------------------------------------------------------------------
    def _interrupt(self, store: Store) -> None:
        names = list(self.running)
        self.display.info(
            f"interrupted: stopping {len(names)} running trial(s); state is kept, rerun to resume"
        )
        for proc, _ in self.running.values():
            proc.signal(signal.SIGTERM)
        deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS
        for proc, _ in self.running.values():
            proc.join(max(0.0, deadline - time.monotonic()))
        self._kill_all()
        for name in names:
            store.reset_trial(name, "interrupted: the runner was stopped; the trial reruns on resume")
        self.running.clear()

    def _kill_all(self) -> None:
        for proc, _ in self.running.values():
            proc.signal(signal.SIGKILL)
            proc.join()


def _kill_leftover(pid: int, start: str) -> None:
    """SIGKILL the process group of ``pid`` if ``pid`` is still the process that was started; wait for it."""
    if process_start_time(pid) != start:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and process_start_time(pid) == start and not _is_zombie(pid):
        time.sleep(0.05)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
