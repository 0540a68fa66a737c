"""Per-operating-condition normalisation: the NumPy fit (no TensorFlow) and the Keras layer against it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from trainer.condition_norm import (
    assign,
    build_layer,
    fit_condition_stats,
    kmeans,
    normalize,
    setting_columns,
)

# Six FD002-like conditions: (altitude kft, Mach, throttle resolver angle), as read off train_FD002.txt.
CONDITIONS = np.array(
    [[0, 0.0, 100], [10, 0.25, 100], [20, 0.7, 100], [25, 0.62, 60], [35, 0.84, 100], [42, 0.84, 100]], float
)


def fleet(n: int = 600, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Rows (3 settings + 2 sensors) whose sensor levels depend strongly on the condition; and the truth."""
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 6, size=n)
    settings = CONDITIONS[c] + rng.normal(0, [0.002, 0.0003, 0.0], size=(n, 3))
    sensor_a = 500 + 30 * c + rng.normal(0, 0.5, n)  # condition shift 30, noise 0.5
    sensor_b = np.full(n, 7.0)  # constant everywhere
    return np.column_stack([settings, sensor_a, sensor_b]), c


def test_setting_columns_are_found_by_name_and_their_absence_is_an_error() -> None:
    assert setting_columns(["op_setting_1", "sensor_2", "op_setting_3"]) == (0, 2)
    with pytest.raises(ValueError, match="op_setting"):
        setting_columns(["sensor_1"])


def test_kmeans_recovers_the_six_fd002_conditions() -> None:
    rows, truth = fleet()
    stats = fit_condition_stats(rows, (0, 1, 2), k=6, seed=0)
    labels = assign(rows, stats)
    # the clustering is a relabelling of the truth: each found condition holds exactly one true condition
    for j in range(6):
        assert len(set(truth[labels == j])) == 1
    assert sorted(stats.counts.tolist()) == sorted(np.bincount(truth).tolist())


def test_kmeans_is_seeded_and_never_asks_for_more_clusters_than_distinct_points() -> None:
    points = np.array([[0.0], [0.0], [1.0], [1.0]])
    assert len(kmeans(points, 5, seed=0)) == 2
    rows, _ = fleet()
    a = fit_condition_stats(rows, (0, 1, 2), k=6, seed=3)
    b = fit_condition_stats(rows, (0, 1, 2), k=6, seed=3)
    np.testing.assert_array_equal(a.centroids, b.centroids)


def test_each_condition_is_standardised_and_constant_features_are_centred_not_blown_up() -> None:
    rows, _ = fleet()
    stats = fit_condition_stats(rows, (0, 1, 2), k=6)
    out = normalize(rows, stats)
    labels = assign(rows, stats)
    for j in range(6):
        block = out[labels == j]
        np.testing.assert_allclose(block[:, 3].mean(), 0.0, atol=1e-9)
        np.testing.assert_allclose(block[:, 3].std(), 1.0, atol=1e-9)
    assert np.all(out[:, 4] == 0.0), "sensor_b is constant: std 1, centred to 0"
    assert np.all(out[:, 2] == 0.0), "the throttle angle is constant within each condition"
    # the 30-per-condition shift is gone: sensor_a no longer tells the conditions apart
    assert np.abs(out[:, 3]).max() < 5


def test_k_one_is_global_standardisation() -> None:
    rows, _ = fleet()
    stats = fit_condition_stats(rows, (0, 1, 2), k=1)
    sd = rows.std(axis=0)
    expected = (rows - rows.mean(axis=0)) / np.where(sd > 1e-6, sd, 1.0)
    np.testing.assert_allclose(normalize(rows, stats), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.tensorflow
def test_the_layer_computes_the_numpy_reference_on_windows_and_exports(tmp_path: Path) -> None:
    import keras
    import tensorflow as tf

    rows, _ = fleet(n=600)
    stats = fit_condition_stats(rows, (0, 1, 2), k=6)
    windows = rows.reshape(20, 30, 5).astype(np.float32)
    layer = build_layer(stats, n_features=5)
    got = np.asarray(layer(windows))
    np.testing.assert_allclose(got, normalize(windows, stats), rtol=1e-4, atol=1e-3)
    assert not layer.trainable_weights, "statistics are fixed, never trained"

    inputs = keras.Input(shape=(30, 5), dtype="float32")
    model = keras.Model(inputs, keras.layers.Dense(1)(build_layer(stats, n_features=5)(inputs)))
    model.export(str(tmp_path / "m"), verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "m"))  # keep a reference: serve() needs it alive
    served = loaded.serve(tf.constant(windows))
    np.testing.assert_allclose(np.asarray(served), np.asarray(model(windows)), rtol=1e-5, atol=1e-4)


@pytest.mark.tensorflow
def test_trainer_flag_puts_the_layer_first_and_refuses_data_without_op_settings(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.trainer.conftest import TINY_DATA, TINY_MODEL, trainer_env

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trainer", *TINY_DATA, *TINY_MODEL, "--epochs=1", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=trainer_env(),
            check=False,
        )

    ok = run("--condition-norm=3", f"--model-dir={tmp_path / 'm'}")
    assert ok.returncode == 0, ok.stderr
    assert "val_rmse=" in ok.stdout
    assert (tmp_path / "m" / "1" / "saved_model.pb").is_file()

    csv = tmp_path / "no_settings.csv"
    rows = ["unit,time,s1"] + [f"{u},{t},{t * 0.1 + u}" for u in range(1, 13) for t in range(1, 60)]
    csv.write_text("\n".join(rows) + "\n")
    refused = run("--condition-norm=3", f"--data={csv}")
    assert refused.returncode == 1
    assert "op_setting" in refused.stderr and "Traceback" not in refused.stderr
