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
    ],
)
def test_training_flops_are_three_forward_passes_of_the_matmuls(
    architecture: str, layers: int, units: int, window: int, features: int, forward: int
) -> None:
    assert training_flops_per_window(architecture, layers, units, window, features) == 3 * forward
