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
    assert "= 128 GFLOP/s at the reported (nominal) clock; the best measured rate is 50% of it." in text
    assert "(+2.00 s)" in text and "(+1.50 s)" in text
