"""Webhook rules on ``spec.metricsCollectorSpec`` (notes section d, rules 41-47), on the defaulted spec."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from katib_local.experiment.validation._finding import Finding
from katib_local.experiment.validation._katib_config import ALL_COLLECTOR_KINDS, METRICS_COLLECTORS

TWO_GROUPS = re.compile(r".*\(.*\).*\(.*\).*")
"""Katib's check that a filter has two top subexpressions (name, value)."""


def _error(path: str, message: str) -> Finding:
    return Finding(path, message, "error")


def _top_level_groups(pattern: str) -> int:
    """Capturing groups at nesting depth 0 (Go's regexp and Python's agree for these simple patterns)."""
    depth = count = 0
    escaped = in_class = False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            if depth == 0 and not pattern.startswith("(?", index):
                count += 1
            depth += 1
        elif char == ")":
            depth -= 1
    return count


def check_filters(source: Mapping[str, Any]) -> list[Finding]:
    """Rule 47: each ``filter.metricsFormat`` compiles and has two top-level groups."""
    findings: list[Finding] = []
    formats = ((source.get("filter") or {}).get("metricsFormat")) or []
    for index, pattern in enumerate(formats):
        path = f"spec.metricsCollectorSpec.source.filter.metricsFormat[{index}]"
        try:
            re.compile(str(pattern))
        except re.error as exc:
            findings.append(_error(path, f"invalid filter: {exc}"))
            continue
        if not TWO_GROUPS.match(str(pattern)) or _top_level_groups(str(pattern)) < 2:
            findings.append(_error(path, f"invalid filter {pattern!r}: two top subexpressions are required"))
    return findings


def check_metrics_collector(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 41-46 by collector kind, then rule 47."""
    collector_spec = spec.get("metricsCollectorSpec") or {}
    collector = collector_spec.get("collector") or {}
    kind = collector.get("kind")
    source = collector_spec.get("source") or {}
    fs_path = source.get("fileSystemPath") or {}
    base = "spec.metricsCollectorSpec"
    findings: list[Finding] = []
    if kind not in ALL_COLLECTOR_KINDS:
        return [_error(f"{base}.collector.kind", f"invalid metrics collector kind: {kind}")]
    if kind == "PrometheusMetric" or (
        kind in ("StdOut", "File", "TensorFlowEvent") and kind not in METRICS_COLLECTORS
    ):
        findings.append(
            _error(
                f"{base}.collector.kind",
                "GetMetricsCollectorConfigData failed: katib-config has no metrics collector image "
                f"for {kind}",
            )
        )
    if kind == "File":
        path = str(fs_path.get("path") or "")
        if fs_path.get("kind") != "File" or not path.startswith("/"):
            findings.append(
                _error(f"{base}.source.fileSystemPath", "file path where metrics file exists is required")
            )
        fmt = fs_path.get("format")
        if fmt not in ("TEXT", "JSON"):
            findings.append(
                _error(
                    f"{base}.source.fileSystemPath.format", "format of metrics file is required: TEXT or JSON"
                )
            )
        elif fmt == "JSON" and source.get("filter") is not None:
            findings.append(
                _error(f"{base}.source.filter", "filter must be nil when format of metrics file is json")
            )
    elif kind == "TensorFlowEvent":
        path = str(fs_path.get("path") or "")
        if fs_path.get("kind") != "Directory" or not path.startswith("/"):
            findings.append(
                _error(
                    f"{base}.source.fileSystemPath",
                    "directory path where tensorflow event files exist is required (kind Directory, "
                    "absolute path)",
                )
            )
        if fs_path.get("format"):
            findings.append(
                _error(f"{base}.source.fileSystemPath.format", "format must be empty for TensorFlowEvent")
            )
    elif kind == "PrometheusMetric":
        http_get = source.get("httpGet") or {}
        port = http_get.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or port <= 0:
            findings.append(_error(f"{base}.source.httpGet.port", "must be a positive integer value"))
        if not str(http_get.get("path") or "").startswith("/"):
            findings.append(_error(f"{base}.source.httpGet.path", "path is invalid: must start with '/'"))
    elif kind == "Custom":
        if not collector.get("customCollector"):
            findings.append(
                _error(f"{base}.collector.customCollector", "metrics collector kind: Custom is required")
            )
        if fs_path and (
            not str(fs_path.get("path") or "").startswith("/")
            or fs_path.get("kind") not in ("File", "Directory")
        ):
            findings.append(_error(f"{base}.source", ".spec.metricsCollectorSpec.source is invalid"))
    return findings + check_filters(source)
