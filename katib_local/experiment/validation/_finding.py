"""One validation result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """A problem at ``path`` (YAML path such as ``spec.parameters[2].feasibleSpace.step``).

    ``error``: Katib rejects the experiment (webhook) or fails it (suggestion service, trial creation).
    ``warning``: Katib accepts it but behaves in a way a user should know about, or it cannot be checked
    locally.
    """

    path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"
