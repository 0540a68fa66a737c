"""Entry point: every finding for one experiment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.validation._finding import Finding


def validate_experiment(
    experiment: Mapping[str, Any],
    *,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Finding]:
    """Every error and warning for ``experiment``, all at once, in spec order.

    ``experiment`` may be raw or defaulted: :func:`katib_local.defaults.apply_defaults` is applied first
    (it is idempotent), as Kubernetes runs Katib's mutating webhook before the validating one.
    """
    raise NotImplementedError
