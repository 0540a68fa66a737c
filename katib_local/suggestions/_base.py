"""The suggestion-service contract shared by every algorithm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from katib_local.experiment.types import TrialResult, TrialStatus


class SuggestionError(Exception):
    """The algorithm cannot run: unsupported name or invalid settings; one line, as Katib reports it.

    In Katib this fails the Suggestion, and the Experiment becomes Failed ("Suggestion has failed"). ``path``
    is the YAML path of the offending field when there is one.
    """

    def __init__(self, message: str, path: str = "spec.algorithm") -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class Suggester(Protocol):
    """One algorithm configured for one experiment."""

    def suggest(self, history: Sequence[TrialResult], count: int) -> list[dict[str, str]]:
        """``count`` new assignments (parameter name -> value string as Katib passes it).

        ``history`` is every trial so far, in creation order, any status. The algorithm state is rebuilt from
        it on every call, so the result depends only on ``history``, ``count`` and the settings (deterministic
        when ``random_state`` is set). Trials that are Succeeded or EarlyStopped with an objective are learnt
        from; Created/Running trials are pending.
        """
        ...


LEARNABLE = (TrialStatus.SUCCEEDED, TrialStatus.EARLY_STOPPED)


def completed(history: Sequence[TrialResult]) -> list[TrialResult]:
    """The trials Katib's services learn from: Succeeded or EarlyStopped with an objective value."""
    return [t for t in history if t.status in LEARNABLE and t.objective is not None]


def pending(history: Sequence[TrialResult]) -> list[TrialResult]:
    """Trials still Created or Running."""
    return [t for t in history if not t.status.is_terminal]
