"""The TensorFlowEvent collector's matching rule (event files written with TensorBoard's own writer, no
TensorFlow), and the GPU pool."""

from __future__ import annotations

from pathlib import Path

import pytest

from katib_local.controller.collectors import read_tfevents
from katib_local.controller.gpus import GpuPool


def write_scalars(
    directory: Path, values: dict[str, list[float]], wall_time: float = 1_700_000_000.0
) -> None:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(directory))
    for tag, series in values.items():
        for step, value in enumerate(series):
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
            writer.add_event(event_pb2.Event(wall_time=wall_time + step, step=step, summary=summary))
    writer.close()


def test_plain_name_matches_tag_prefixes_in_every_subdirectory(tmp_path):
    write_scalars(tmp_path / "train", {"accuracy": [0.5, 0.6], "loss": [1.0]})
    write_scalars(tmp_path / "test", {"accuracy_top1": [0.4]})
    rows = read_tfevents(tmp_path, ["accuracy"])
    assert sorted(float(r.value) for r in rows) == pytest.approx([0.4, 0.5, 0.6])
    assert {r.name for r in rows} == {"accuracy"}
    assert min(r.time for r in rows) == "2023-11-14T22:13:20.000000Z"


def test_dir_slash_name_restricts_to_that_directory(tmp_path):
    write_scalars(tmp_path / "train", {"loss": [3.0]})
    write_scalars(tmp_path / "test", {"loss": [2.0]})
    rows = read_tfevents(tmp_path, ["test/loss"])
    assert [(r.name, float(r.value)) for r in rows] == [("test/loss", 2.0)]


def test_missing_directory_yields_nothing(tmp_path):
    assert read_tfevents(tmp_path / "absent", ["loss"]) == []


def test_gpu_pool_lends_whole_gpus_and_takes_them_back():
    pool = GpuPool(["0", "1", "2"])
    first = pool.take(2)
    assert first == ["0", "1"]
    assert pool.take(2) is None  # one free: the trial waits
    pool.release(first)
    assert pool.take(5) == ["2", "0", "1"]  # more than exist: every GPU there is
    assert GpuPool([]).take(1) == []
