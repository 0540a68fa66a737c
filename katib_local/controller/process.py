"""One trial process: start it, stream its metrics, enforce its stop rules, and classify how it ended.

The process runs in its own session (so a Ctrl-C in the terminal reaches the runner, which then stops trials
itself) and, on Linux, with a parent-death signal, so that a runner killed with SIGKILL takes its trials with
it instead of leaving orphans that a resumed run would duplicate. Its stdout and stderr go, as with Katib's
StdOut collector, to ``metrics.log`` in the trial's directory.

A reader thread per trial parses lines as they come (StdOut: the pipe; File: the file, tailed until the
process exits), feeds the :class:`~katib_local.controller.medianstop.RuleChecker`, and on a stop decision
sends SIGTERM to the process group, as Katib's sidecar does. The observation of an early-stopped trial is
what had been reported up to the stopping line. Events go to the runner's queue; the runner's main thread
does all writes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from katib_local.controller.collectors import (
    CollectorError,
    CollectorSpec,
    TextParser,
    parse_json_line,
    read_json_file,
    read_text_file,
    read_tfevents,
)
from katib_local.controller.localize import LaunchSpec
from katib_local.controller.medianstop import RuleChecker, StopRule
from katib_local.controller.observation import UNAVAILABLE, MetricLog, has_metric
from katib_local.controller.timestamps import ZERO_TIME
from katib_local.experiment.types import TrialStatus

TERMINATION_GRACE_SECONDS = 30.0
"""Kubernetes' default ``terminationGracePeriodSeconds``: SIGTERM, then SIGKILL after this long."""
STOP_GRACE_SECONDS = 60.0
"""How long an early-stopped trial may take to exit after SIGTERM before SIGKILL (as Katib's sidecar)."""


@dataclass
class Outcome:
    """How a trial process ended, before classification."""

    name: str
    returncode: int
    early_stopped: bool
    rows: list[MetricLog]
    seconds: float
    collector_error: str | None = None
    deadline_exceeded: float | None = None


@dataclass(frozen=True)
class Report:
    """A live metric row from a running trial (for the display)."""

    name: str
    row: MetricLog


@dataclass(frozen=True)
class Finished:
    name: str
    outcome: Outcome


Event = Report | Finished


def _pdeathsig() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    prctl = libc.prctl
    pr_set_pdeathsig = 1

    def setup() -> None:  # runs in the child between fork and exec: keep it tiny
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return setup


_PREEXEC = _pdeathsig()


def process_start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/<pid>/stat`` (start time in clock ticks), to tell a process from a reused pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass
class TrialProcess:
    """A started trial. Create with :meth:`start` from the thread that outlives it (the runner's main thread:
    the parent-death signal is tied to the thread that forked)."""

    name: str
    launch: LaunchSpec
    collector: CollectorSpec
    rules: Sequence[StopRule]
    objective_name: str
    objective_type: str
    trial_dir: Path
    events: queue.Queue[Event]
    proc: subprocess.Popen[bytes] | None = None
    early_stopped: bool = False
    deadline_exceeded: bool = False
    _started: float = 0.0
    _timer: threading.Timer | None = None
    _rows: list[MetricLog] = field(default_factory=list)
    _thread: threading.Thread | None = None

    @property
    def log_path(self) -> Path:
        return self.trial_dir / "metrics.log"

    def start(self) -> int:
        """Launch the process and its reader thread; returns the pid."""
        for directory in self.launch.directories:
            directory.mkdir(parents=True, exist_ok=True)
        if self.launch.metrics_path is not None:
            target = self.launch.metrics_path
            (target if self.collector.kind == "TensorFlowEvent" else target.parent).mkdir(
                parents=True, exist_ok=True
            )
        self.trial_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.launch.env}
        log = self.log_path.open("wb")
        piped = self.collector.kind == "StdOut"
        self._started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                self.launch.argv,
                cwd=self.launch.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if piped else log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_PREEXEC,
            )
        except BaseException:
            log.close()
            raise
        self._thread = threading.Thread(
            target=self._pump, args=(log,), name=f"trial-{self.name}", daemon=True
        )
        self._thread.start()
        if self.launch.deadline_seconds is not None:
            self._timer = threading.Timer(self.launch.deadline_seconds, self._deadline)
            self._timer.daemon = True
            self._timer.start()
        return self.proc.pid

    def _deadline(self) -> None:
        """The Job's activeDeadlineSeconds passed: stop the trial as Kubernetes stops the pod."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.deadline_exceeded = True
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=TERMINATION_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)

    # reader thread ---------------------------------------------------------------------------------------
    def _pump(self, log: IO[bytes]) -> None:
        assert self.proc is not None
        checker = RuleChecker(self.rules, self.objective_name, self.objective_type)
        parser = TextParser(self.collector.metric_names, self.collector.formats)
        json_lines = self.collector.kind == "File" and self.collector.file_format == "JSON"

        def consume(line: str) -> None:
            if self.early_stopped:
                return
            try:
                rows = (
                    parse_json_line(line, self.collector.metric_names) if json_lines else parser.parse(line)
                )
            except CollectorError:
                return  # reported when the file is read after exit
            for row in rows:
                self._rows.append(row)
                self.events.put(Report(self.name, row))
                if checker.feed(row):
                    self.early_stopped = True
                    self.signal(signal.SIGTERM)
                    return

        try:
            if self.collector.kind == "StdOut":
                assert self.proc.stdout is not None
                for raw in self.proc.stdout:
                    log.write(raw)
                    log.flush()
                    consume(raw.decode("utf-8", errors="replace"))
            elif self.collector.kind == "File" and self.launch.metrics_path is not None:
                self._tail(self.launch.metrics_path, consume)
            self._wait_for_exit()
        finally:
            log.close()
            if self._timer is not None:
                self._timer.cancel()
        self.events.put(Finished(self.name, self._outcome()))

    def _tail(self, path: Path, consume: Callable[[str], None]) -> None:
        """Read complete lines of ``path`` as they appear, until the process has exited and all is read."""
        assert self.proc is not None
        offset, pending = 0, b""
        while True:
            exited = self.proc.poll() is not None
            if path.is_file():
                with path.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                offset += len(chunk)
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    consume(line.decode("utf-8", errors="replace"))
            if exited:
                if pending:
                    consume(pending.decode("utf-8", errors="replace"))
                return
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0.2)  # wakes at exit, or re-reads the file

    def _wait_for_exit(self) -> None:
        assert self.proc is not None
        if not self.early_stopped:
            self.proc.wait()
            return
        try:
            self.proc.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.proc.wait()

    def _outcome(self) -> Outcome:
        assert self.proc is not None
        seconds = time.monotonic() - self._started
        rows, error = list(self._rows), None
        if not self.early_stopped and self.proc.returncode == 0:
            try:
                rows = self._collect_after_exit(rows)
            except CollectorError as exc:
                rows, error = [], str(exc)
        deadline = self.launch.deadline_seconds if self.deadline_exceeded else None
        return Outcome(self.name, self.proc.returncode, self.early_stopped, rows, seconds, error, deadline)

    def _collect_after_exit(self, streamed: list[MetricLog]) -> list[MetricLog]:
        """What Katib's collector reads once the training process has exited."""
        path, names = self.launch.metrics_path, self.collector.metric_names
        if self.collector.kind == "StdOut":
            return streamed
        if path is None:
            return []
        if self.collector.kind == "File" and self.collector.file_format == "JSON":
            return read_json_file(path, names)
        if self.collector.kind == "File":
            return read_text_file(path, TextParser(names, self.collector.formats))
        if self.collector.kind == "TensorFlowEvent":
            return read_tfevents(path, names)
        raise CollectorError(f"metrics collector kind {self.collector.kind} is not supported locally")

    # control ---------------------------------------------------------------------------------------------
    def signal(self, signum: int) -> None:
        """Send ``signum`` to the trial's process group (the trial program and anything it started)."""
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def classify(outcome: Outcome, objective_name: str) -> tuple[TrialStatus, list[MetricLog], str]:
    """Katib's trial state from how the process ended: status, observation rows to store, message.

    - stopped by a rule → EarlyStopped, with the rows reported so far (the job then completes, as Katib's
      wrapper exits 0 after an early stop);
    - the Job's ``activeDeadlineSeconds`` passed → Failed (``DeadlineExceeded``), nothing reported;
    - nonzero exit → Failed, nothing reported (Katib's collector finds no ``completed`` marker);
    - exit 0 and the objective seen → Succeeded;
    - exit 0 and the objective never seen (or the collector failed) → MetricsUnavailable, with the single row
      ``<objective> = unavailable`` Katib writes.
    """
    if outcome.early_stopped:
        return TrialStatus.EARLY_STOPPED, outcome.rows, "Trial is early stopped"
    if outcome.deadline_exceeded is not None:
        why = f"Job was active longer than activeDeadlineSeconds ({outcome.deadline_exceeded:g} s)"
        return TrialStatus.FAILED, [], f"Trial has failed: DeadlineExceeded: {why}"
    if outcome.returncode != 0:
        code = outcome.returncode
        how = f"killed by signal {-code}" if code < 0 else f"exited with code {code}"
        if code == 127:
            how += " (command not found)"
        return TrialStatus.FAILED, [], f"Trial has failed: the trial process {how}"
    if outcome.collector_error is None and has_metric(outcome.rows, objective_name):
        return TrialStatus.SUCCEEDED, outcome.rows, "Trial has succeeded"
    why = outcome.collector_error or f"objective metric {objective_name!r} was never reported"
    return (
        TrialStatus.METRICS_UNAVAILABLE,
        [MetricLog(objective_name, ZERO_TIME, UNAVAILABLE)],
        f"Metrics are not available: {why}",
    )
