"""Katib's collectors: the StdOut/TEXT filter, JSON lines, timestamps and min/max/latest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from katib_local.controller.collectors import (
    DEFAULT_FILTER,
    CollectorError,
    CollectorSpec,
    TextParser,
    parse_json_line,
)
from katib_local.controller.observation import UNAVAILABLE, MetricLog, metric_values, summarize
from katib_local.controller.timestamps import ZERO_TIME, parse_rfc3339


def test_default_filter_reads_katib_examples_and_only_configured_names():
    parser = TextParser(["loss", "accuracy", "Score"])
    rows = parser.parse("2024-05-01T10:00:00Z epoch 1: loss=0.3 accuracy=.98 Score=-7.53e-05 other=4")
    assert [(r.name, r.value) for r in rows] == [("loss", "0.3"), ("accuracy", ".98"), ("Score", "-7.53e-05")]
    assert {r.time for r in rows} == {"2024-05-01T10:00:00.000000Z"}


def test_line_without_any_metric_name_is_ignored_even_if_it_matches_the_regex():
    assert TextParser(["val_rmse"]).parse("2024-05-01T10:00:00Z loss=1 rmse=2") == []


def test_metric_name_must_equal_group_one_exactly():
    # "test_rmse" contains "rmse" but is not "rmse"; the line is considered, yet yields nothing for it
    rows = TextParser(["rmse"]).parse("test_rmse=3.0 rmse=2.0")
    assert [(r.name, r.value) for r in rows] == [("rmse", "2.0")]


def test_keras_colon_format_is_not_read_by_the_default_filter():
    assert TextParser(["val_loss"]).parse("val_loss: 0.8957") == []


def test_timestamp_is_first_token_else_zero_time():
    parser = TextParser(["loss"])
    assert parser.parse("loss=1")[0].time == ZERO_TIME
    assert parser.parse("INFO 2024-05-01T10:00:00Z loss=1")[0].time == ZERO_TIME
    assert parser.parse("2024-05-01T12:00:00+02:00 loss=1")[0].time == "2024-05-01T10:00:00.000000Z"
    assert parser.parse("2026-11-23T10:15:02.123456789Z loss=1")[0].time == "2026-11-23T10:15:02.123456Z"


def test_custom_metrics_format_with_two_groups():
    fmt = r"{metricName: ([\w|-]+), metricValue: ((-?\d+)(\.\d+)?)}"
    parser = TextParser(["accuracy"], [fmt])
    rows = parser.parse("{metricName: accuracy, metricValue: 0.93}")
    assert [(r.name, r.value) for r in rows] == [("accuracy", "0.93")]


@pytest.mark.parametrize("token", ["2024-05-01", "1700000000", "2024-05-01T10:00:00", "garbage"])
def test_non_rfc3339_tokens(token):
    assert parse_rfc3339(token) is None


def test_json_lines_keep_only_string_values():
    line = json.dumps({"timestamp": 1700000000.5, "accuracy": "0.9", "loss": 0.1})
    rows = parse_json_line(line, ["accuracy", "loss"])
    assert rows == [MetricLog("accuracy", "2023-11-14T22:13:20.500000Z", "0.9")]
    assert parse_json_line("", ["accuracy"]) == []
    with pytest.raises(CollectorError):
        parse_json_line("accuracy=0.9", ["accuracy"])


def test_latest_is_greatest_time_ties_go_to_the_later_row_min_max_ignore_non_numbers():
    logs = [
        MetricLog("m", "2024-01-01T00:00:02.000000Z", "5"),
        MetricLog("m", "2024-01-01T00:00:01.000000Z", "1"),
        MetricLog("m", "2024-01-01T00:00:02.000000Z", "3"),
        MetricLog("m", "2024-01-01T00:00:00.000000Z", ""),
    ]
    s = summarize("m", logs)
    assert (float(s.min), float(s.max), s.latest) == (1.0, 5.0, "3")
    assert metric_values(logs, {"m": "latest"}) == {"m": 3.0}
    assert metric_values(logs, {"m": "min"}) == {"m": 1.0}


def test_missing_metric_is_unavailable_and_min_falls_back_to_latest():
    assert summarize("x", []).pick("min") == UNAVAILABLE
    only_text = [MetricLog("m", ZERO_TIME, "abc")]
    assert summarize("m", only_text).pick("min") == "abc"
    assert metric_values(only_text, {"m": "min"}) == {}


def test_collector_spec_defaults(tmp_path: Path):
    spec = {"objective": {"objectiveMetricName": "a", "additionalMetricNames": ["b"]}}
    c = CollectorSpec.from_experiment(spec)
    assert (c.kind, c.path, c.formats, c.metric_names) == ("StdOut", None, (DEFAULT_FILTER,), ("a", "b"))
    f = CollectorSpec.from_experiment({**spec, "metricsCollectorSpec": {"collector": {"kind": "File"}}})
    assert (f.kind, f.path, f.file_format) == ("File", "/var/log/katib/metrics.log", "TEXT")
