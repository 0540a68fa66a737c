import pytest

from bench.trainer_throughput import training_flops_per_window


@pytest.mark.parametrize(
    ("architecture", "layers", "units", "window", "features", "forward"),
    [
        # LSTM: per step 2 * 4u * (d + u); layer 1 d=13, layer 2 d=32; output 2 * 32.
        ("lstm", 2, 32, 30, 13, 30 * 2 * 4 * 32 * (13 + 32) + 30 * 2 * 4 * 32 * (32 + 32) + 2 * 32),
        # GRU: three gates instead of four.
        ("gru", 1, 16, 10, 4, 10 * 2 * 3 * 16 * (4 + 16) + 2 * 16),
        # dense: flattened window 10 * 4 = 40 -> 8 -> 8 -> 1.
        ("dense", 2, 8, 10, 4, 2 * 40 * 8 + 2 * 8 * 8 + 2 * 8),
        # cnn (default filters 10, kernel 10): 4 -> 10 -> 10 channels over 30 steps, the kernel-3 1-filter
        # convolution, Dense(8) on the 30 flattened values, output 2 * 8.
        (
            "cnn",
            2,
            8,
            30,
            4,
            30 * 2 * 10 * 4 * 10 + 30 * 2 * 10 * 10 * 10 + 30 * 2 * 3 * 10 + 2 * 30 * 8 + 2 * 8,
        ),
    ],
)
def test_training_flops_are_three_forward_passes_of_the_matmuls(
    architecture: str, layers: int, units: int, window: int, features: int, forward: int
) -> None:
    assert training_flops_per_window(architecture, layers, units, window, features) == 3 * forward


def _row(rate: float, config: str = "") -> dict[str, object]:
    return {"config": config, "windows_per_s": rate, "epoch_seconds": [1.0], "windows_per_epoch": 1}


def test_side_by_side_rows_are_ratios_to_the_stock_rows_of_the_same_run() -> None:
    from bench.trainer_throughput import STOCK_GRID, render

    stock = {f"stock spe={s} jit={j}": _row(1000.0 + 100 * k, f"c{k}") for k, (s, j) in enumerate(STOCK_GRID)}
    record = {
        "kind": "side-by-side",
        "machine": "m",
        "tensorflow": "t",
        "keras": "k",
        "revision": "r",
        "command": "c",
        "epochs_timed": 3,
        "cpu_bound": {"cores": 2, "mhz": 1000.0, "flops_per_cycle": 128, "flops_per_s": 128e9},
        "matmul": [{"size": 1024, "rounds": 7, "flops_per_s": 64e9}],
        "models": [
            {"model": "M", "flops_per_window": 1_000_000, "rows": {"trainer": _row(2800.0, "ours"), **stock}}
        ],
        "startup": {
            name: {"runs": [value], "median": value}
            for name, value in (
                ("import_tensorflow", 3.0),
                ("trainer_cold_cache", 5.0),
                ("trainer_warm_cache", 4.5),
            )
        },
    }
    text = render([record])
    fastest = 1000.0 + 100 * (len(STOCK_GRID) - 1)
    assert f"| M | trainer | ours | 2,800 | 2.80x | {2800 / fastest:.2f}x | 2.8 | 4.4% |" in text
    assert "clock; the best measured rate is 50% of it (within" in text
    assert "(+2.00 s)" in text and "(+1.50 s)" in text


def test_startup_measured_on_its_own_names_its_revision_command_and_load() -> None:
    from bench.trainer_throughput import render_startup

    figures = {
        name: {"runs": runs, "median": sorted(runs)[1]}
        for name, runs in (
            ("import_tensorflow", [3.1, 3.0, 3.3]),
            ("trainer_cold_cache", [6.0, 5.5, 5.8]),
            ("trainer_warm_cache", [4.4, 4.5, 4.6]),
        )
    }
    alone = {**figures, "revision": "abc1234", "command": "python b.py --startup-only", "niceness": -20}
    alone["load_average"] = [5.5, 4.3]
    (text,) = render_startup(alone, "record-rev")
    assert "`import tensorflow` alone 3.10 s [3.00-3.30]" in text
    assert "4.50 s [4.40-4.60] with a warm one (+1.40 s)" in text and "(+2.70 s)" in text
    assert "revision abc1234; `python b.py --startup-only`; at niceness -20" in text
    assert "load average of 5.5 at its start and 4.3 at its end" in text
    # measured with the rest of the record: nothing more to say
    (same,) = render_startup({**figures, "revision": "record-rev", "command": "c"}, "record-rev")
    assert "Measured on its own" not in same and "Measured on its own" in text
