"""Metrics collectors: how Katib's sidecars turn a trial's output into observation-log rows.

Three kinds run locally, each reading what its Katib counterpart reads:

- ``StdOut`` and ``File`` with format ``TEXT`` (Katib's file-metricscollector): a line is considered only
  if it
  contains one of the configured metric names as a substring; its first space-separated token is the timestamp
  (RFC3339, else the zero time); every match of every filter regex whose group 1 (trimmed) equals a configured
  name is recorded with group 2 (trimmed) as the value. The default filter is Katib's ``DefaultFilter``.
- ``File`` with format ``JSON``: one JSON object per line; only *string* values are recorded (numbers are
  ignored, Katib issue #2162); key ``timestamp`` is an RFC3339 string or epoch seconds.
- ``TensorFlowEvent``: every event file under the directory, scalars and tensors; tag ``t`` matches metric
  ``m``
  when ``t`` starts with the last ``/`` part of ``m`` and, for ``dir/name`` metrics, the event file's
  directory
  ends with ``dir``. TensorBoard's reader is imported only here, lazily: the package never needs TensorFlow.

Only configured names (objective and additional metrics) are ever recorded.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from katib_local.controller.observation import MetricLog
from katib_local.controller.timestamps import ZERO_TIME, from_epoch, parse_rfc3339

DEFAULT_FILTER = r"([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)"
"""Katib's default StdOut/File TEXT filter (``pkg/metricscollector/v1beta1/common/const.go``)."""


class CollectorError(Exception):
    """The collector could not read the trial's metrics (Katib's sidecar would report nothing)."""


@dataclass(frozen=True)
class CollectorSpec:
    """The parts of ``spec.metricsCollectorSpec`` that matter locally.

    ``path`` is the in-container path (``File``: the file; ``TensorFlowEvent``: the directory) and is ``None``
    for ``StdOut``. ``formats`` are the filter regexes (Katib's default when the spec gives none).
    """

    kind: str = "StdOut"
    path: str | None = None
    file_format: str = "TEXT"
    formats: tuple[str, ...] = (DEFAULT_FILTER,)
    metric_names: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_experiment(cls, spec: dict[str, Any]) -> CollectorSpec:
        """Read the (defaulted) experiment ``spec``; the metric names are objective + additional metrics."""
        objective = spec.get("objective") or {}
        names = [objective.get("objectiveMetricName", "")]
        names += [n for n in objective.get("additionalMetricNames") or [] if n]
        mcs = spec.get("metricsCollectorSpec") or {}
        kind = ((mcs.get("collector") or {}).get("kind")) or "StdOut"
        source = mcs.get("source") or {}
        fs = source.get("fileSystemPath") or {}
        formats = tuple((source.get("filter") or {}).get("metricsFormat") or ()) or (DEFAULT_FILTER,)
        path = fs.get("path")
        if kind == "File" and not path:
            path = "/var/log/katib/metrics.log"
        if kind == "TensorFlowEvent" and not path:
            path = "/var/log/katib/tfevent/"
        return cls(
            kind=kind,
            path=path if kind in ("File", "TensorFlowEvent") else None,
            file_format=(fs.get("format") or "TEXT") if kind == "File" else "TEXT",
            formats=formats,
            metric_names=tuple(n for n in names if n),
        )

    @property
    def streams_lines(self) -> bool:
        """Whether metrics arrive as lines (StdOut, File): only then can a stop rule be enforced live."""
        return self.kind in ("StdOut", "File")


class TextParser:
    """Katib's TEXT parsing, one line at a time (used live for early stopping and after exit)."""

    def __init__(self, metric_names: Sequence[str], formats: Sequence[str] = (DEFAULT_FILTER,)) -> None:
        self.metric_names = tuple(metric_names)
        # Go's RE2 classes (\w, \d, \s) are ASCII-only.
        self._regexes = [re.compile(f, re.ASCII) for f in formats]

    def parse(self, line: str) -> list[MetricLog]:
        """The rows one line yields; ``[]`` when it names no configured metric."""
        line = line.rstrip("\r\n")
        if not any(name in line for name in self.metric_names):
            return []
        time = parse_rfc3339(line.split(" ", 1)[0]) or ZERO_TIME
        rows: list[MetricLog] = []
        for regex in self._regexes:
            for match in regex.finditer(line):
                if regex.groups < 2:
                    continue
                name = (match.group(1) or "").strip()
                if name in self.metric_names:
                    rows.append(MetricLog(name, time, (match.group(2) or "").strip()))
        return rows


def parse_json_line(line: str, metric_names: Sequence[str]) -> list[MetricLog]:
    """Katib's JSON format for one line. Blank lines yield nothing; a line that is not a JSON object raises
    :class:`CollectorError` (Katib's collector fails the whole parse and reports nothing)."""
    if not line.strip():
        return []
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CollectorError(f"metrics line is not JSON ({exc.msg}): {line.strip()[:80]}") from None
    if not isinstance(obj, dict):
        raise CollectorError(f"metrics line is not a JSON object: {line.strip()[:80]}")
    stamp = obj.get("timestamp")
    time = ZERO_TIME
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        time = from_epoch(float(stamp))
    elif isinstance(stamp, str):
        time = parse_rfc3339(stamp) or ZERO_TIME
    return [MetricLog(m, time, obj[m]) for m in metric_names if isinstance(obj.get(m), str)]


def read_text_file(path: Path, parser: TextParser) -> list[MetricLog]:
    """All rows of a TEXT metrics file; a missing file yields none (the objective is then unavailable)."""
    if not path.is_file():
        return []
    rows: list[MetricLog] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            rows.extend(parser.parse(line))
    return rows


def read_json_file(path: Path, metric_names: Sequence[str]) -> list[MetricLog]:
    """All rows of a JSON-lines metrics file; a missing file yields none."""
    if not path.is_file():
        return []
    rows: list[MetricLog] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            rows.extend(parse_json_line(line, metric_names))
    return rows


def read_tfevents(directory: Path, metric_names: Sequence[str]) -> list[MetricLog]:
    """Rows from every TensorBoard event file under ``directory`` (recursively), Katib's matching rule."""
    if not directory.is_dir():
        return []
    from tensorboard.backend.event_processing import event_accumulator as ea  # lazy: heavy, optional
    from tensorboard.util import tensor_util

    rows: list[MetricLog] = []
    for dirpath, _dirs, files in sorted(os.walk(directory)):
        for fname in sorted(files):
            if "tfevents" not in fname:
                continue
            event_file = Path(dirpath) / fname
            acc = ea.EventAccumulator(str(event_file), size_guidance={ea.TENSORS: 0, ea.SCALARS: 0})
            try:
                acc.Reload()
            except Exception as exc:  # a corrupt or foreign file: Katib's loader would fail too
                raise CollectorError(f"cannot read event file {event_file}: {exc}") from None
            tags = acc.Tags()
            for name in metric_names:
                wanted = name.split("/")[-1]
                parent = name.rsplit("/", 1)[0] if "/" in name else ""
                if parent and not str(event_file.parent).endswith(parent):
                    continue
                for tag in tags.get(ea.TENSORS, []):
                    if tag.startswith(wanted):
                        for ev in acc.Tensors(tag):
                            value = tensor_util.make_ndarray(ev.tensor_proto)
                            rows.append(MetricLog(name, from_epoch(ev.wall_time), repr(float(value))))
                for tag in tags.get(ea.SCALARS, []):
                    if tag.startswith(wanted):
                        for sev in acc.Scalars(tag):
                            rows.append(MetricLog(name, from_epoch(sev.wall_time), repr(float(sev.value))))
    return rows
