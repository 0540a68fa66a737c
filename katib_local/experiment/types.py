"""Plain types shared by the spec side (validation, suggestions) and the execution side (runner, store).

They mirror the names Katib uses, so state read from SQLite, from a cluster, or computed locally compares
directly with what Katib shows.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class TrialStatus(str, enum.Enum):
    """A trial's state, spelled as Katib's trial condition types.

    ``KILLED`` exists in Katib's API but no v0.19 controller sets it; it is kept so that state read from a
    cluster round-trips.
    """

    CREATED = "Created"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    METRICS_UNAVAILABLE = "MetricsUnavailable"
    EARLY_STOPPED = "EarlyStopped"
    KILLED = "Killed"

    @property
    def is_terminal(self) -> bool:
        return self not in (TrialStatus.CREATED, TrialStatus.RUNNING)


@dataclass(frozen=True)
class TrialResult:
    """What a suggestion service learns about one trial.

    ``assignments`` maps parameter name to its value as the string Katib passes (``"0.01"``, ``"3"``,
    ``"adam"``). ``objective`` is the value chosen by the objective's metric strategy, or ``None`` when the
    trial has none yet (running, failed, metrics unavailable). Katib's services learn from Succeeded and
    EarlyStopped trials that have an objective value; each algorithm filters for itself.
    """

    name: str
    assignments: Mapping[str, str]
    status: TrialStatus
    objective: float | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
