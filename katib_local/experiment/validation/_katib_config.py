"""What the shipped ``katib-config.yaml`` (v0.19) registers: the webhook looks names up here."""

from __future__ import annotations

SUGGESTIONS = frozenset(
    {
        "random",
        "tpe",
        "grid",
        "multivariate-tpe",
        "hyperband",
        "bayesianoptimization",
        "cmaes",
        "sobol",
        "enas",
    }
    | {"darts", "pbt"}
)
EARLY_STOPPINGS = frozenset({"medianstop"})
METRICS_COLLECTORS = frozenset({"StdOut", "File", "TensorFlowEvent"})
"""Collector kinds with an image entry. ``PrometheusMetric`` has none, so the webhook rejects it."""
ALL_COLLECTOR_KINDS = frozenset({"StdOut", "File", "TensorFlowEvent", "PrometheusMetric", "Custom", "Push"})
