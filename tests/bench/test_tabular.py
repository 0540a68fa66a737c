import json
from pathlib import Path

import pytest

from bench._tabular import SPACE, Row, Table, config_key, parse_metric_lines, snap
from tests.bench.fake_table import BEST, fake_table

STDOUT = """\
2026-11-23T10:15:01.000Z epoch=1 loss=203.1 val_loss=210.4 val_rmse=14.5 val_mae=10.9
2026-11-23T10:15:02.000Z epoch=2 loss=150 val_loss=160 val_rmse=1.25e+01 val_mae=9.1
2026-11-23T10:15:03.000Z test_rmse=13.2 test_mae=9.9 test_score=321.5 train_seconds=3.2 params=5301
"""


def test_parse_metric_lines_reads_each_epoch_in_order_and_the_final_line() -> None:
    parsed = parse_metric_lines(STDOUT)
    assert parsed["val_rmse"] == [14.5, 12.5]
    assert parsed["final"]["test_rmse"] == 13.2
    assert parsed["final"]["params"] == 5301


def test_row_objective_is_katibs_min_strategy_and_failed_rows_have_none() -> None:
    ok = Row({}, (20.0, 15.0, 17.0), False, {})
    assert ok.objective == 15.0 and ok.epochs == 3
    failed = Row({}, (20.0, 15.0), True, {})
    assert failed.objective is None
    assert failed.epochs == 3, "the epoch the trial died in costs too"


def test_config_key_follows_space_order_whatever_the_mapping_order() -> None:
    shuffled = dict(reversed(list(BEST.items())))
    assert config_key(shuffled) == "optimizer=adam,learning-rate=0.003,units=64,num-layers=2"


@pytest.mark.parametrize(
    ("value", "log", "expected"),
    [
        ("0.00213", True, "0.003"),
        ("0.0017", True, "0.001"),
        ("0.0001", True, "0.0001"),
        ("0.02", True, "0.01"),
    ],
)
def test_snap_picks_the_nearest_value_on_a_log_scale(value: str, log: bool, expected: str) -> None:
    assert snap(value, SPACE["learning-rate"], log) == expected


def test_snap_linear_and_ties_go_to_the_first_choice() -> None:
    assert snap("40", ("16", "32", "64"), log=False) == "32"
    assert snap("48", ("16", "32", "64"), log=False) == "32"


def test_table_load_round_trip_and_optimum(tmp_path: Path) -> None:
    data = {
        "rows": {
            "a": {"config": dict(BEST), "val_rmse": [30.0, 12.0, 13.0], "exit_code": 0, "final": {}},
            "b": {"config": {**BEST, "units": "16"}, "val_rmse": [30.0, 11.0], "exit_code": 3},
        }
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    table = Table.load(path)
    assert table.optimum == 12.0, "the failed row's 11.0 is no result"
    assert [r.objective for r in table.ranked()] == [12.0]


def test_fake_table_has_its_optimum_at_best() -> None:
    table = fake_table()
    assert len(table) == 120
    assert table.ranked()[0].config == BEST
