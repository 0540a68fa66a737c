"""The Job's retry budget for a trial process: ``backoffLimit`` and ``podFailurePolicy``, judged locally.

On a cluster a trial's Job replaces a failed pod until its failures exceed ``backoffLimit`` (Kubernetes'
default 6 when unset), and Katib keeps the trial Running meanwhile (``job_util.go: GetDeployedJobStatus``
sees neither ``Complete`` nor ``Failed``). A ``podFailurePolicy`` decides per failed pod, first matching rule
wins: ``Ignore`` (replace it, not counted), ``FailJob`` (fail now), ``Count`` (the default handling).

The local stand-ins:

- **A disruption** is a trial process killed by a signal the runner did not send (early stop, deadline and
  Ctrl-C are the runner's own, and never reach this module). It matches ``onPodConditions`` patterns of
  type ``DisruptionTarget`` (status ``True``, the default), as a preempted or evicted pod does, and its exit
  code for ``onExitCodes`` is ``128 + signal`` (137 for SIGKILL), as a container's.
- **Any other failure** is the process's nonzero exit code, except that a trial with early-stopping rules
  exits 1 whatever the code: Katib wraps its command in ``<command> || <early-stop check>`` whose failure
  branch ends in ``exit 1`` (``pkg/webhook/v1beta1/pod/utils.go: getEarlyStoppingCommand``).
- ``containerName`` in ``onExitCodes`` matches the primary container (the only one run locally); a rule
  naming another container never matches. ``FailIndex`` (indexed Jobs only) acts as ``FailJob``.

The count is kept per trial for one ``katib-local run``: a resumed runner starts every budget afresh.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BACKOFF_LIMIT = 6
"""Kubernetes' default ``spec.backoffLimit`` of a Job."""


@dataclass(frozen=True)
class Failure:
    """One failed attempt as the Job controller would see it."""

    exit_code: int
    disrupted: bool
    signal_name: str = ""

    @classmethod
    def of(cls, returncode: int, has_stop_rules: bool) -> Failure:
        """From a process's return code (negative: killed by that signal); ``returncode`` must be nonzero."""
        if returncode < 0:
            try:
                name = signal.Signals(-returncode).name
            except ValueError:
                name = f"signal {-returncode}"
            return cls(128 - returncode, True, name)
        return cls(1 if has_stop_rules else returncode, False)

    def describe(self) -> str:
        if self.disrupted:
            return f"killed by {self.signal_name} from outside the runner (a disruption)"
        return f"exited with code {self.exit_code}"


@dataclass(frozen=True)
class Verdict:
    """What the Job controller does with one failure: ``retry`` or not, and why (for the display)."""

    retry: bool
    reason: str


@dataclass
class RetryPolicy:
    """A Job's ``backoffLimit`` and ``podFailurePolicy.rules``, with the failures counted so far per trial."""

    backoff_limit: int = DEFAULT_BACKOFF_LIMIT
    rules: Sequence[Mapping[str, Any]] = ()
    primary_container: str = ""
    counted: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_template(cls, template: Mapping[str, Any]) -> RetryPolicy:
        """From an Experiment's ``trialTemplate`` (its ``trialSpec`` is a ``batch/v1`` Job)."""
        job_spec = (template.get("trialSpec") or {}).get("spec") or {}
        limit = job_spec.get("backoffLimit")
        policy = job_spec.get("podFailurePolicy") or {}
        return cls(
            backoff_limit=DEFAULT_BACKOFF_LIMIT if limit is None else int(limit),
            rules=list(policy.get("rules") or []),
            primary_container=str(template.get("primaryContainerName") or ""),
        )

    def judge(self, trial: str, failure: Failure) -> Verdict:
        """Apply the first matching rule, else count the failure against ``backoffLimit``."""
        what = failure.describe()
        for index, rule in enumerate(self.rules):
            if not self._matches(rule, failure):
                continue
            action = str(rule.get("action"))
            where = f"podFailurePolicy rule {index + 1} ({action})"
            if action == "Ignore":
                return Verdict(True, f"{what}: {where}, not counted against backoffLimit")
            if action in ("FailJob", "FailIndex"):
                return Verdict(False, f"{what}: {where} fails the Job")
            break  # Count: the default handling below
        used = self.counted.get(trial, 0) + 1
        self.counted[trial] = used
        if used > self.backoff_limit:
            return Verdict(False, f"{what}: backoffLimit {self.backoff_limit} reached")
        return Verdict(True, f"{what}: failure {used} of backoffLimit {self.backoff_limit}")

    def _matches(self, rule: Mapping[str, Any], failure: Failure) -> bool:
        conditions = rule.get("onPodConditions")
        if conditions:
            return failure.disrupted and any(
                c.get("type") == "DisruptionTarget" and str(c.get("status", "True")) == "True"
                for c in conditions
            )
        codes = rule.get("onExitCodes")
        if not codes:
            return False
        container = codes.get("containerName")
        if container and container != self.primary_container:
            return False
        values = {int(v) for v in codes.get("values") or []}
        inside = failure.exit_code in values
        return inside if codes.get("operator") == "In" else not inside
