"""Metric lines in the format Katib's StdOut collector reads, and the metrics they carry (no TensorFlow).

A line is ``<RFC3339 UTC timestamp with ms>Z name=value name=value ...``. Katib takes the first space-
separated
token as the line's timestamp (so "latest" is right) and reads pairs with its default filter
``([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?([Ee][+-]?\\d+)?)``. Values are therefore written as plain decimals
or
``1e-05`` style exponents; a non-finite value is refused rather than printed as ``nan``, which the filter
would
silently read as an empty number. Every line is flushed at once: Katib's sidecar and an early-stop SIGTERM
must
see all lines printed so far.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TextIO

import numpy as np

Value = int | float


def rfc3339_now() -> str:
    """The current UTC time as RFC 3339 with milliseconds and ``Z``, e.g. ``2026-11-23T10:15:02.123Z``."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def format_value(value: Value) -> str:
    """Integers as integers; floats with 7 significant digits (``%g``). Raises ValueError on NaN/inf."""
    if isinstance(value, bool):
        raise TypeError("booleans are not metrics")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"non-finite metric value {value!r}")
    return f"{value:.7g}"


def format_line(metrics: Mapping[str, Value], timestamp: str | None = None) -> str:
    """One metric line: the timestamp then ``name=value`` pairs in the mapping's order."""
    pairs = " ".join(f"{name}={format_value(value)}" for name, value in metrics.items())
    return f"{timestamp or rfc3339_now()} {pairs}"


def emit(metrics: Mapping[str, Value], stream: TextIO | None = None) -> str:
    """Print one metric line to ``stream`` (default stdout), flushed; returns the line."""
    line = format_line(metrics)
    out = sys.stdout if stream is None else stream
    out.write(line + "\n")
    out.flush()
    return line


def rmse(pred: np.ndarray, truth: np.ndarray) -> float:
    """Root mean squared error, computed in float64 whatever the input dtype."""
    d = np.asarray(pred, np.float64).reshape(-1) - np.asarray(truth, np.float64).reshape(-1)
    return float(np.sqrt(np.mean(d * d)))


def mae(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean absolute error, in float64."""
    d = np.asarray(pred, np.float64).reshape(-1) - np.asarray(truth, np.float64).reshape(-1)
    return float(np.mean(np.abs(d)))


def phm08_score(pred: np.ndarray, truth: np.ndarray) -> float:
    """The PHM08 challenge's asymmetric score, summed over windows (lower is better, 0 is perfect).

    With ``d = pred - truth``: ``exp(-d/13) - 1`` for ``d < 0`` (early prediction, mild) and ``exp(d/10) - 1``
    for ``d >= 0`` (late prediction, a missed maintenance, penalised harder). So ``d = -13`` and ``d =
    10`` both
    score ``e - 1``. An empty input scores 0.
    """
    d = np.asarray(pred, np.float64).reshape(-1) - np.asarray(truth, np.float64).reshape(-1)
    per = np.where(d < 0, np.expm1(-d / 13.0), np.expm1(d / 10.0))
    return float(per.sum())
