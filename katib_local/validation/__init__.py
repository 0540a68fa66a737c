"""Katib's admission-webhook rules and the suggestion services' settings rules, without a cluster."""

from katib_local.validation._experiment import validate_experiment
from katib_local.validation._finding import Finding, Severity

__all__ = ["Finding", "Severity", "validate_experiment"]
