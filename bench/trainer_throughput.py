"""Training throughput of the trainer's default model: batched vs sample-by-sample, and FLOP efficiency.

What it measures, all in one process, on whichever Keras backend is active (TensorFlow here; the GPU figures
in docs/benchmarks.md were taken with Keras' torch backend, because no TensorFlow build fits the GPU machine):

1. windows/s training the default model (``python -m trainer`` defaults: 2x32 LSTM, window 30, batch 64) on
   the default synthetic data, fed from in-memory arrays, after one warm-up epoch;
2. windows/s of the same model fed one window per step (batch size 1), the approach the original blog posts
   started from;
3. the FLOP rate those imply (analytical count, below) as a share of this device's measured dense matmul rate
   (float32; and float16 when ``--mixed-precision`` is measured on a GPU).
4. on a GPU: whether the recurrent layers ran on cuDNN kernels (from the backend's profiler).

FLOPs per training window are counted analytically (multiply-add = 2 FLOPs, backward pass = 2x forward): an
LSTM layer over T steps with input width d and u units costs ``T * 2 * 4u * (d + u)`` forward, a GRU
``T * 2 * 3u * (d + u)``, a dense layer ``2 * inputs * outputs``; element-wise work is left out, so the rate
is a slight underestimate.

Usage:
    python bench/trainer_throughput.py --json out/cpu.json                 # measure on this machine
    KERAS_BACKEND=torch python bench/trainer_throughput.py --json gpu.json --mixed-precision both
    python bench/trainer_throughput.py --render out/cpu.json gpu.json      # rewrites the docs section
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import command_line, git_revision, machine_description, write_section
from trainer.config import TrainerConfig, parse_args

SECTION = "trainer-throughput"


def training_flops_per_window(
    architecture: str, num_layers: int, units: int, window: int, features: int
) -> int:
    """FLOPs to train on one window (forward + backward, matmuls only), for the trainer's model shapes.

    The backward pass is counted as twice the forward pass (gradients for inputs and for weights). A ``dense``
    model flattens the window first; recurrent layers run over every step, the last one included.
    """
    forward = 0
    width = features
    if architecture == "dense":
        width = window * features
        for _ in range(num_layers):
            forward += 2 * width * units
            width = units
    else:
        gates = 4 if architecture == "lstm" else 3
        for _ in range(num_layers):
            forward += window * 2 * gates * units * (width + units)
            width = units
    forward += 2 * width  # the single-unit output layer
    return 3 * forward


def _sync(value: Any) -> None:
    """Wait for the device: converting a result to NumPy blocks until it is computed."""
    import keras

    keras.ops.convert_to_numpy(keras.ops.sum(value))


def matmul_rate(dtype: str, size: int, repeats: int = 5, inner: int = 8) -> float:
    """Best observed matmul rate (FLOP/s) of ``size x size`` operands of ``dtype`` on the default device."""
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    a = keras.ops.convert_to_tensor(rng.standard_normal((size, size)).astype("float32"), dtype=dtype)
    b = keras.ops.convert_to_tensor(rng.standard_normal((size, size)).astype("float32"), dtype=dtype)
    _sync(keras.ops.matmul(a, b))
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        out = a
        for _ in range(inner):
            out = keras.ops.matmul(a, b)
        _sync(out)
        best = min(best, (time.perf_counter() - start) / inner)
    return 2 * size**3 / best


def _timed(run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _compiled_model(cfg: TrainerConfig, train_x: Any, train_y: Any, steps_per_epoch: int) -> Any:
    import numpy as np

    from trainer.model import build_model
    from trainer.optim import make_loss, make_optimizer

    model = build_model(cfg, train_x, float(np.mean(train_y)))
    model.compile(optimizer=make_optimizer(cfg, steps_per_epoch), loss=make_loss(cfg))
    return model


def cudnn_kernels(model: Any, x: Any, y: Any) -> list[str]:
    """Names of GPU kernels containing 'cudnn' or 'rnn' seen in one training step (torch backend only)."""
    import keras

    if keras.backend.backend() != "torch":
        return []
    import torch
    from torch.profiler import ProfilerActivity, profile

    if not torch.cuda.is_available():
        return []
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        model.train_on_batch(x, y)
        torch.cuda.synchronize()
    names = {evt.key for evt in prof.key_averages()}
    return sorted(n for n in names if "cudnn" in n.lower() or "rnn" in n.lower())[:8]


def measure(cfg: TrainerConfig, epochs: int, single_windows: int) -> dict[str, Any]:
    """Batched and batch-1 throughput of ``cfg``'s model on its data, plus FLOP efficiency."""
    import keras

    from trainer.data import prepare_data
    from trainer.run import data_config

    if cfg.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    else:
        keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(cfg.seed)
    data = prepare_data(data_config(cfg))
    x, y = data.train.x, data.train.y
    steps = math.ceil(len(y) / cfg.batch_size)
    model = _compiled_model(cfg, x, y, steps)
    model.fit(x, y, batch_size=cfg.batch_size, epochs=1, verbose=0)  # warm-up: tracing/compilation
    batched = _timed(lambda: model.fit(x, y, batch_size=cfg.batch_size, epochs=epochs, verbose=0))
    batched_rate = epochs * len(y) / batched

    single = _compiled_model(cfg, x, y, single_windows)
    n = min(single_windows, len(y))
    single.fit(x[:16], y[:16], batch_size=1, epochs=1, verbose=0)  # warm-up
    single_time = _timed(lambda: single.fit(x[:n], y[:n], batch_size=1, epochs=1, verbose=0))
    single_rate = n / single_time

    flops = training_flops_per_window(cfg.architecture, cfg.num_layers, cfg.units, cfg.window, x.shape[2])
    gpu = _gpu_name()
    compute_dtype = "float16" if cfg.mixed_precision else "float32"
    peak = matmul_rate(compute_dtype, 4096 if gpu else 1024)
    kernels = cudnn_kernels(model, x[: cfg.batch_size], y[: cfg.batch_size]) if gpu else []
    return {
        "mixed_precision": cfg.mixed_precision,
        "train_windows": len(y),
        "features": int(x.shape[2]),
        "batched_windows_per_s": batched_rate,
        "single_windows_per_s": single_rate,
        "speedup": batched_rate / single_rate,
        "flops_per_window": flops,
        "achieved_flops": batched_rate * flops,
        "matmul_flops": peak,
        "matmul_dtype": compute_dtype,
        "share_of_matmul": batched_rate * flops / peak,
        "cudnn_kernels": kernels,
    }


def _gpu_name() -> str:
    import keras

    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else ""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return (
            str(tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")) if gpus else ""
        )
    if backend == "jax":
        import jax

        return str(jax.devices()[0].device_kind) if jax.default_backend() == "gpu" else ""
    return ""


def run_all(argv_model: Sequence[str], epochs: int, single_windows: int, mixed: str) -> dict[str, Any]:
    """Measure each requested precision; returns one JSON-able record for this machine and backend."""
    import keras

    gpu = _gpu_name()
    modes = {"off": [False], "on": [True], "both": [False, True]}[mixed]
    if not gpu:
        modes = [False]  # mixed float16 on a CPU is emulated and slower: not a figure worth reporting
    results = []
    for mp in modes:
        cfg = parse_args([*argv_model, f"--mixed-precision={'true' if mp else 'false'}"], env={})
        results.append(measure(cfg, epochs, single_windows))
    cfg = parse_args(list(argv_model), env={})
    return {
        "machine": machine_description(),
        "device": gpu or "CPU",
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "backend_version": _backend_version(keras.backend.backend()),
        "model": (
            f"{cfg.num_layers}x{cfg.units} {cfg.architecture}, window {cfg.window}, batch {cfg.batch_size}"
        ),
        "epochs_timed": epochs,
        "single_windows": single_windows,
        "revision": git_revision(),
        "command": command_line(),
        "python": platform.python_version(),
        "results": results,
    }


def _backend_version(backend: str) -> str:
    module = {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax"}.get(backend)
    if module is None:
        return "unknown"
    return str(__import__(module).__version__)


def render(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown section for ``docs/benchmarks.md`` from one or more machine records."""
    lines = [
        "## Trainer throughput",
        "",
        "Training windows per second of the trainer's default model on the default synthetic data, fed",
        "from in-memory arrays, against the same model fed one window per step (batch size 1); and the FLOP",
        "rate achieved (analytical matmul count, backward = 2x forward) as a share of the same device's",
        "measured dense matmul rate. Warm-up (tracing, compilation) excluded. Source:",
        "`bench/trainer_throughput.py`.",
        "",
        "| device | backend | model | mixed precision | batched windows/s | batch-1 windows/s | speed-up "
        "| achieved GFLOP/s | matmul GFLOP/s (dtype) | share of matmul | cuDNN RNN kernels seen |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rec in records:
        for r in rec["results"]:
            names = [k.split("<")[0].removeprefix("void ") for k in r["cudnn_kernels"]]
            rnn = [n for n in names if "RNN" in n or "LSTM" in n]
            kernels = ", ".join(f"`{k}`" for k in sorted(set(rnn))) or "n/a (CPU)"
            if rec["device"] != "CPU" and not rnn:
                kernels = "none seen"
            lines.append(
                f"| {rec['device']} | {rec['backend']} {rec['backend_version']} | {rec['model']} "
                f"| {'on' if r['mixed_precision'] else 'off'} | {r['batched_windows_per_s']:,.0f} "
                f"| {r['single_windows_per_s']:,.0f} | {r['speedup']:.0f}x "
                f"| {r['achieved_flops'] / 1e9:,.2f} | {r['matmul_flops'] / 1e9:,.0f} ({r['matmul_dtype']}) "
                f"| {r['share_of_matmul']:.2%} | {kernels} |"
            )
    lines += [
        "",
        "Reading it: batching is the whole story on a CPU (18x over one window per step). The default",
        "model is tiny (about 14k parameters), so on a GPU each step is dominated by per-step overhead,",
        "not arithmetic: the H100 trains it about as fast as 2 CPU cores. A wider model and batch",
        "(2x256, batch 512) is where the GPU pays (31k windows/s). cuDNN's RNN kernels ran in every GPU",
        "measurement (its persistent LSTM kernels for the small model, its standard RNN cell kernels at",
        "2x256). Mixed precision (float16) was slower than float32 at both sizes on this backend, so the",
        "manifests leave `--mixed-precision` off. The GPU figures are Keras' torch backend on the trainer's",
        "own model: the GPU machine had no TensorFlow and none could be carried to it, so the TensorFlow",
        "GPU path of the trial image was not measured.",
        "",
        "Machines and commands:",
        "",
    ]
    for rec in records:
        lines.append(
            f"- {rec['device']}: {rec['machine']}; Keras {rec['keras']}; model {rec['model']}; "
            f"{rec['epochs_timed']} epochs timed, {rec['single_windows']} windows at batch 1; "
            f"revision {rec['revision']}; `{rec['command']}`"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write this machine's record here")
    parser.add_argument("--render", nargs="+", type=Path, help="render these records into docs/benchmarks.md")
    parser.add_argument("--epochs", type=int, default=2, help="batched epochs timed (default 2)")
    parser.add_argument(
        "--single-windows", type=int, default=512, help="windows fed at batch 1 (default 512)"
    )
    parser.add_argument("--mixed-precision", choices=["off", "on", "both"], default="both", help="GPU only")
    parser.add_argument("model_flags", nargs="*", help="trainer flags after --, e.g. -- --units=64")
    args = parser.parse_args(argv)
    if args.render:
        records = [json.loads(p.read_text()) for p in args.render]
        write_section(SECTION, render(records))
        print(f"wrote section {SECTION!r} of docs/benchmarks.md from {len(records)} record(s)")
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    record = run_all(args.model_flags, args.epochs, args.single_windows, args.mixed_precision)
    text = json.dumps(record, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
