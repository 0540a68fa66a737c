"""The suggestion-service contract shared by every algorithm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

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


@dataclass(frozen=True)
class ProposedTrial:
    """One trial a stateful service asks for.

    ``name`` is set when the service names its trials (Katib's PBT: ``<experiment>-<uuid4>``), else the
    controller names it. ``labels`` go on the trial (PBT's generation and parent). ``checkpoint_from`` is the
    trial whose checkpoint directory is copied into this trial's before it starts; ``new_checkpoint_dir``
    asks for an empty one (PBT's first generation).
    """

    assignments: dict[str, str]
    name: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    checkpoint_from: str | None = None
    new_checkpoint_dir: bool = False


@dataclass(frozen=True)
class Proposal:
    """A stateful service's answer to one request.

    ``trials`` may be fewer than requested (hyperband's rungs; see :mod:`._hyperband`), or none while the
    service waits for running trials. ``state`` is what to keep for the next call (``None``: keep the old
    one), stored with the new trials in one transaction, as Katib stores a reply's algorithm settings in the
    Suggestion status together with its assignments. ``notes`` are one-line remarks for the user.
    """

    trials: list[ProposedTrial]
    state: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()


@runtime_checkable
class StatefulSuggester(Protocol):
    """A service whose answer depends on state kept between calls, not only on the trial history."""

    def propose(
        self, history: Sequence[TrialResult], count: int, state: Mapping[str, Any] | None
    ) -> Proposal:
        """Up to ``count`` new trials given ``history`` (creation order) and the state the last call kept.

        Raises:
            SuggestionError: the service fails for good (Katib would fail or stall the experiment).
        """
        ...
