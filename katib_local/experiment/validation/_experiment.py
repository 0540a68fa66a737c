"""Entry point: every finding for one experiment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.validation._collector import check_metrics_collector
from katib_local.experiment.validation._finding import Finding
from katib_local.experiment.validation._shape import check_shape
from katib_local.experiment.validation._spec import (
    check_algorithm,
    check_counts,
    check_early_stopping,
    check_name,
    check_objective,
    check_parameters,
    check_resume_policy,
)
from katib_local.experiment.validation._template import check_trial_template
from katib_local.experiment.validation._warnings import katib_behaviour_warnings
from katib_local.suggestions import validate_algorithm_settings

INJECTION_LABEL = ("katib.kubeflow.org/metrics-collector-injection", "enabled")


def check_namespace(
    experiment: Mapping[str, Any], namespace_labels: Mapping[str, Mapping[str, str]] | None
) -> list[Finding]:
    """Rule 1, checked only when the experiment's Namespace object is among ``namespace_labels``.

    The namespace is ``metadata.namespace`` (``default`` when absent, as ``kubectl apply`` would use without
    ``-n``). A namespace not in ``namespace_labels`` gives no finding: it lives on the cluster.
    """
    namespace = (experiment.get("metadata") or {}).get("namespace") or "default"
    if namespace_labels is None or namespace not in namespace_labels:
        return []
    key, value = INJECTION_LABEL
    if namespace_labels[namespace].get(key) == value:
        return []
    name = (experiment.get("metadata") or {}).get("name")
    return [
        Finding(
            "metadata.namespace",
            f'Cannot create the Experiment "{name}" in namespace "{namespace}": the namespace lacks label '
            f'"{key}: {value}"',
            "error",
        )
    ]


def validate_experiment(
    experiment: Mapping[str, Any],
    *,
    namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Finding]:
    """Every error and warning for ``experiment``, all at once: errors first, each group in spec order.

    ``experiment`` may be raw or defaulted: :func:`katib_local.experiment.defaults.apply_defaults` is applied
    first (it is idempotent), as Kubernetes runs Katib's mutating webhook before the validating one. A field
    of the wrong JSON type (e.g. an unquoted number where Katib has a string) is reported alone, as Katib's
    decoding fails before any rule runs (:mod:`._shape`). Sections are checked independently (Katib stops at
    the first error; this reports them all). The suggestion service's settings and search-space rules run
    only when the webhook's parameter and algorithm rules pass, so one mistake is not reported twice.

    ``namespace_labels``: ``{namespace: labels}`` of Namespace objects applied together with the experiment
    (see :func:`katib_local.experiment.loader.namespace_labels`); the injection-label rule runs only for
    those.
    """
    shape = check_shape(experiment)
    if shape:
        return shape
    exp = apply_defaults(experiment)
    spec = exp.get("spec")
    if not isinstance(spec, Mapping):
        return [*check_name(exp), Finding("spec", "must be specified", "error")]
    findings = check_namespace(exp, namespace_labels) + check_name(exp)
    findings += check_counts(spec)
    findings += check_objective(spec)
    algorithm_findings = check_algorithm(spec)
    findings += algorithm_findings
    findings += check_early_stopping(spec)
    findings += check_resume_policy(spec)
    findings += check_trial_template(spec)
    parameter_findings = check_parameters(spec)
    findings += parameter_findings
    findings += check_metrics_collector(spec)
    if not algorithm_findings and not parameter_findings:
        findings += [Finding(p.path, p.message, "error") for p in validate_algorithm_settings(exp)]
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"] + katib_behaviour_warnings(spec)
    return errors + warnings
