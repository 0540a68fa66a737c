"""Katib's admission-webhook rules and the suggestion services' settings rules, without a cluster."""

from katib_local.experiment.validation._experiment import validate_experiment
from katib_local.experiment.validation._finding import Finding, Severity
from katib_local.experiment.validation._warnings import CONFIGMAP_UNRESOLVED

__all__ = ["CONFIGMAP_UNRESOLVED", "Finding", "Severity", "validate_experiment"]
