"""Training throughput and start-up of the trainer, side by side with stock Keras, in one run.

For each model (the trainer's default 2x32 LSTM at batch 64, a 2x128 LSTM at batch 256, and the DCNN-sized
``cnn`` at batch 512; a subset with ``--model``), on the same data (the trainer's built-in synthetic fleet)
and the same batch:

1. **the trainer's own path**: :func:`trainer.fit.fit_model`, exactly as a trial runs it (its tf.data
   pipeline, callbacks, resolved ``--steps-per-execution`` and ``--jit-compile``);
2. **stock Keras, default**: the same architecture with Keras' own ``Dropout``, ``compile()`` with its
   defaults, ``fit(x, y)`` on NumPy arrays;
3. **stock Keras, fastest**: the best of ``steps_per_execution`` in {16, 64} x ``jit_compile`` in {off, on}.

Throughput is training windows per second of epoch wall time, validation pass included (the same for every
row), as the median over the timed epochs after one warm-up epoch (tracing and compilation excluded).

The matmul rate is TensorFlow's float32 ``matmul`` of n x n operands, each call completed (its result read
back) before the clock stops, the median of several rounds, and is checked against the CPU's physical bound:
cores x 16 float32 lanes (AVX-512) x 2 FMA units x 2 FLOP x clock. A rate above the bound means the
measurement is wrong. The share of it is the analytical training FLOP rate (below) over the matmul rate.

Start-up is wall time from spawning ``python -m trainer`` (default model and data) to its first epoch line
on the pipe, beside the time from spawning ``python -c "import tensorflow"`` to its first line, each the
median of a few runs, with an empty and then a warm ``--xla-cache-dir``. ``--startup-only`` measures just
that (a few minutes) into the ``--json`` record, with its own revision, command and load average, and
leaves the record's other figures as they were.

FLOPs per training window are counted analytically (multiply-add = 2 FLOPs, backward pass = 2x forward): an
LSTM layer over T steps with input width d and u units costs ``T * 2 * 4u * (d + u)`` forward, a GRU
``T * 2 * 3u * (d + u)``, a dense layer ``2 * inputs * outputs``; element-wise work is left out, so the rate
is a slight underestimate.

Usage:
    python bench/trainer_throughput.py --json out/trainer-throughput-cpu.json
    nice -n -20 python bench/trainer_throughput.py --startup-only --startup-runs 9 \
        --json out/trainer-throughput-cpu.json
    python bench/trainer_throughput.py --render out/trainer-throughput-cpu.json \
        bench/results/trainer-throughput-h100-*.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import command_line, git_revision, machine_description, write_section
from trainer.config import TrainerConfig, parse_args

SECTION = "trainer-throughput"
MODELS = {
    "default": [],
    "2x128": ["--units=128", "--batch-size=256"],
    # The DCNN's own sizes (Li et al. 2018): 4 convolutions of 10 filters x 10 steps, Dense(100), batch 512.
    "cnn": [
        "--architecture=cnn",
        "--num-layers=4",
        "--filters=10",
        "--kernel-size=10",
        "--units=100",
        "--dropout=0.5",
        "--activation=tanh",
        "--batch-size=512",
    ],
}
STOCK_GRID = [(1, False), (16, False), (16, True), (64, False), (64, True)]
"""(steps_per_execution, jit_compile) tried for stock Keras; the first is Keras' default."""
FLOAT32_LANES = 16  # AVX-512
FMA_UNITS = 2  # per core, Xeon Scalable parts with AVX-512 (Gold/Platinum)


def training_flops_per_window(
    architecture: str,
    num_layers: int,
    units: int,
    window: int,
    features: int,
    filters: int = 10,
    kernel_size: int = 10,
) -> int:
    """FLOPs to train on one window (forward + backward, matmuls only), for the trainer's model shapes.

    The backward pass is counted as twice the forward pass (gradients for inputs and for weights). A ``dense``
    model flattens the window first; recurrent layers run over every step, the last one included. A ``cnn``
    runs ``num_layers`` "same"-padded convolutions over every step (``2 * kernel * inputs * filters`` each),
    then the 1-filter kernel-3 convolution, then ``Dense(units)`` on the flattened ``window`` values (the
    zero padding's multiplications are counted, as the convolution computes them).
    """
    forward = 0
    width = features
    if architecture == "cnn":
        for _ in range(num_layers):
            forward += window * 2 * kernel_size * width * filters
            width = filters
        forward += window * 2 * 3 * width + 2 * window * units
        width = units
    elif architecture == "dense":
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


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _epoch_timer() -> tuple[Callable[[], None], list[float]]:
    """A function to call at each epoch end, and the list of epoch durations it fills (from the first call
    on: the gap before the first end is the warm-up epoch and is not recorded)."""
    ends: list[float] = []
    durations: list[float] = []

    def mark() -> None:
        now = time.perf_counter()
        if ends:
            durations.append(now - ends[-1])
        ends.append(now)

    return mark, durations


def trainer_path(cfg: TrainerConfig, data: Any) -> dict[str, Any]:
    """Windows/s of :func:`trainer.fit.fit_model` on ``data``: epochs 2.. of one fit (``cfg.epochs``)."""
    from trainer.data import train_steps
    from trainer.fit import fit_model

    mark, durations = _epoch_timer()
    result = fit_model(cfg, data, lambda values: mark())
    windows = train_steps(len(data.train.y), cfg.batch_size) * cfg.batch_size
    loop = result.step_loop
    return {
        "config": f"steps_per_execution={loop.steps_per_execution}, jit_compile={loop.jit_compile}"
        if loop
        else "",
        "windows_per_epoch": windows,
        "epoch_seconds": durations,
        "windows_per_s": windows / statistics.median(durations),
    }


def _stock_model(cfg: TrainerConfig, train_x: Any, train_y: Any) -> Any:
    """The trainer's architecture with Keras' own Dropout layer (what a user writing it by hand gets)."""
    import keras
    import numpy as np

    from trainer import model as model_module

    patched = model_module.PhiloxDropout
    model_module.PhiloxDropout = keras.layers.Dropout  # type: ignore[misc]
    try:
        return model_module.build_model(cfg, train_x, float(np.mean(train_y)))
    finally:
        model_module.PhiloxDropout = patched  # type: ignore[misc]


def stock_keras(cfg: TrainerConfig, data: Any, steps_per_execution: int, jit: bool) -> dict[str, Any]:
    """Windows/s of stock ``compile()``/``fit(x, y)`` with the given loop settings; epochs as above."""
    import keras

    keras.utils.set_random_seed(cfg.seed)
    model = _stock_model(cfg, data.train.x, data.train.y)
    kwargs: dict[str, Any] = {}
    if (steps_per_execution, jit) != STOCK_GRID[0]:
        kwargs = {"steps_per_execution": steps_per_execution, "jit_compile": jit}
    model.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="mse", **kwargs)

    mark, durations = _epoch_timer()
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: mark())
    model.fit(
        data.train.x,
        data.train.y,
        batch_size=cfg.batch_size,
        validation_data=(data.val.x, data.val.y),
        epochs=cfg.epochs,
        callbacks=[callback],
        verbose=0,
    )
    windows = len(data.train.y)
    return {
        "config": "Keras defaults"
        if not kwargs
        else f"steps_per_execution={steps_per_execution}, jit_compile={jit}",
        "windows_per_epoch": windows,
        "epoch_seconds": durations,
        "windows_per_s": windows / statistics.median(durations),
    }


def matmul_rate(size: int, rounds: int = 7) -> dict[str, Any]:
    """Median float32 matmul rate (FLOP/s) of ``size x size`` operands; every timed call completed."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = tf.constant(rng.standard_normal((size, size)), tf.float32)
    b = tf.constant(rng.standard_normal((size, size)), tf.float32)
    float(tf.linalg.matmul(a, b)[0, 0])  # warm-up (thread pools, oneDNN kernel choice)
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        float(tf.linalg.matmul(a, b)[0, 0])  # reading an element waits for the whole product
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {"size": size, "rounds": rounds, "median_seconds": median, "flops_per_s": 2 * size**3 / median}


def cpu_bound() -> dict[str, Any]:
    """The float32 FLOP/s bound: cores x lanes x FMA units x 2 x clock (clock: the kernel's reported MHz,
    the nominal clock on this virtual machine; turbo cannot be read from inside it)."""
    cores = len(os.sched_getaffinity(0))
    mhz = 0.0
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("cpu MHz"):
            mhz = float(line.split(":", 1)[1])
            break
    per_cycle = cores * FLOAT32_LANES * FMA_UNITS * 2
    return {"cores": cores, "mhz": mhz, "flops_per_cycle": per_cycle, "flops_per_s": per_cycle * mhz * 1e6}


def _first_line_seconds(command: Sequence[str], marker: str, env: dict[str, str]) -> float:
    """Wall seconds from spawning ``command`` to the first stdout line containing ``marker``; the process is
    then ended (its remaining work is not start-up)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if marker in line:
                return time.perf_counter() - start
        raise RuntimeError(f"{command[:3]}... ended without a line containing {marker!r}")
    finally:
        proc.kill()
        proc.wait()


def startup(runs: int) -> dict[str, Any]:
    """Median spawn-to-first-epoch-line of the trainer (cold and warm XLA cache) and of importing
    TensorFlow alone, interleaved so that drifting machine load hits all three alike."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    import_tf = [sys.executable, "-c", "import tensorflow; print('imported', flush=True)"]
    times: dict[str, list[float]] = {
        "import_tensorflow": [],
        "trainer_cold_cache": [],
        "trainer_warm_cache": [],
    }
    load = os.getloadavg()[0]
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            trainer = [sys.executable, "-m", "trainer", "--epochs=2", f"--xla-cache-dir={cache}"]
            times["import_tensorflow"].append(_first_line_seconds(import_tf, "imported", env))
            times["trainer_cold_cache"].append(_first_line_seconds(trainer, "epoch=1 ", env))
            times["trainer_warm_cache"].append(_first_line_seconds(trainer, "epoch=1 ", env))
    result: dict[str, Any] = {
        name: {"runs": values, "median": statistics.median(values)} for name, values in times.items()
    }
    result["load_average"] = [load, os.getloadavg()[0]]
    result["niceness"] = os.nice(0)  # the children inherit it
    return result


def startup_only(runs: int, json_path: Path | None) -> dict[str, Any]:
    """:func:`startup` alone, stamped with its own revision and command, written into the record at
    ``json_path`` (created if missing; its other figures are kept as they were)."""
    record = json.loads(json_path.read_text()) if json_path and json_path.exists() else {}
    record["startup"] = {**startup(runs), "revision": git_revision(), "command": command_line()}
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(record, indent=2) + "\n")
    return record["startup"]


def sigterm_latency() -> dict[str, Any]:
    """Seconds from SIGTERM to the trainer's exit while one long group of batches runs: a whole epoch of
    batch-1 steps in one call (``--steps-per-execution`` above the epoch's batches), signalled as soon as
    epoch 1's line is out, so that epoch 2's group has just started."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    flags = ["--synthetic-units=20", "--batch-size=1", "--steps-per-execution=100000", "--epochs=3"]
    command = [sys.executable, "-m", "trainer", *flags, "--jit-compile=false", "--patience=0"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    proc.stdout.readline()
    epoch_one = time.perf_counter() - start
    signalled = time.perf_counter()
    proc.terminate()
    code = proc.wait()
    return {
        "flags": flags,
        "exit_code": code,
        "first_epoch_seconds": epoch_one,
        "seconds": time.perf_counter() - signalled,
    }


def measure_model(name: str, flags: Sequence[str], epochs: int) -> dict[str, Any]:
    """Every row of one model: the trainer's path, then stock Keras over :data:`STOCK_GRID`."""
    import keras

    from trainer.data import prepare_data
    from trainer.run import data_config

    cfg = parse_args([*flags, f"--epochs={epochs + 1}", "--patience=0"], env={})
    keras.utils.set_random_seed(cfg.seed)
    data = prepare_data(data_config(cfg))
    rows = {"trainer": trainer_path(cfg, data)}
    for spe, jit in STOCK_GRID:
        rows[f"stock spe={spe} jit={jit}"] = stock_keras(cfg, data, spe, jit)
    flops = training_flops_per_window(
        cfg.architecture,
        cfg.num_layers,
        cfg.units,
        cfg.window,
        data.train.x.shape[2],
        filters=cfg.filters,
        kernel_size=cfg.kernel_size,
    )
    return {
        "name": name,
        "flags": list(flags),
        "model": (
            f"{cfg.num_layers}x{cfg.units} {cfg.architecture}, window {cfg.window}, "
            f"batch {cfg.batch_size}, dropout {cfg.dropout}"
        ),
        "train_windows": len(data.train.y),
        "flops_per_window": flops,
        "rows": rows,
    }


def run_all(models: Sequence[str], epochs: int, startup_runs: int) -> dict[str, Any]:
    _quiet_tensorflow()
    import keras
    import tensorflow as tf

    matmul = [matmul_rate(n) for n in (1024, 2048, 4096)]
    return {
        "kind": "side-by-side",
        "machine": machine_description(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "epochs_timed": epochs,
        "revision": git_revision(),
        "command": command_line(),
        "python": platform.python_version(),
        "cpu_bound": cpu_bound(),
        "matmul": matmul,
        "models": [measure_model(name, MODELS[name], epochs) for name in models],
        "startup": startup(startup_runs),
        "sigterm": sigterm_latency(),
    }


def _stock_fastest(model: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    stock = {k: v for k, v in model["rows"].items() if k.startswith("stock")}
    return max(stock.items(), key=lambda kv: kv[1]["windows_per_s"])


def render_side_by_side(rec: dict[str, Any]) -> list[str]:
    """Markdown lines for one side-by-side record."""
    bound = rec["cpu_bound"]
    peak = max(m["flops_per_s"] for m in rec["matmul"])
    lines = [
        "| model | row | step loop | windows/s | vs stock default | vs stock fastest | GFLOP/s "
        "| share of matmul |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for model in rec["models"]:
        default = model["rows"][f"stock spe={STOCK_GRID[0][0]} jit={STOCK_GRID[0][1]}"]["windows_per_s"]
        _, fastest = _stock_fastest(model)
        for key, row in [
            ("trainer", model["rows"]["trainer"]),
            ("stock default", model["rows"]["stock spe=1 jit=False"]),
            ("stock fastest", fastest),
        ]:
            rate = row["windows_per_s"]
            gflops = rate * model["flops_per_window"] / 1e9
            lines.append(
                f"| {model['model']} | {key} | {row['config']} | {rate:,.0f} | {rate / default:.2f}x "
                f"| {rate / fastest['windows_per_s']:.2f}x | {gflops:.1f} | {gflops * 1e9 / peak:.1%} |"
            )
    lines += [
        "",
        "Every stock configuration tried (windows/s):",
        "",
    ]
    for model in rec["models"]:
        tried = ", ".join(
            f"{k.removeprefix('stock ')}: {v['windows_per_s']:,.0f}"
            for k, v in model["rows"].items()
            if k.startswith("stock")
        )
        lines.append(f"- {model['model']}: {tried}")
    lines += [
        "",
        "Reading it: stock Keras gets slower, not faster, with XLA on these models, because Keras' `Dropout`",
        "draws its mask with a generator that is about 20x slower inside XLA on CPU (`trainer/dropout.py`",
        "has the measurement); the trainer draws it with Philox, so XLA pays. The trainer also validates in",
        "one batch (up to 4,096 windows) instead of Keras' per-batch loop, and keeps every training batch",
        "full, so its step compiles once. The wider model is closer to compute-bound, so the loop matters",
        "less there.",
    ]
    matmul = "; ".join(f"n={m['size']}: {m['flops_per_s'] / 1e9:.0f}" for m in rec["matmul"])
    rounds = rec["matmul"][0]["rounds"]
    lines += [
        "",
        f"Matmul (TensorFlow float32, median of {rounds} completed calls), GFLOP/s: {matmul}. "
        f"Physical bound: {bound['cores']} cores x {FLOAT32_LANES} float32 lanes x {FMA_UNITS} FMA units "
        f"x 2 FLOP x {bound['mhz']:,.0f} MHz = {bound['flops_per_s'] / 1e9:.0f} GFLOP/s at the reported "
        f"(nominal) clock; the best measured rate is {peak / bound['flops_per_s']:.0%} of it"
        + (
            " (above the bound: either the cores run above the nominal clock, which the virtual machine "
            "does not report, or the measurement is wrong)"
            if peak > bound["flops_per_s"]
            else " (within the bound, as a well-blocked matmul kernel can get)"
        )
        + ". The share column divides by the best measured matmul rate.",
        "",
    ]
    lines += render_startup(rec["startup"], rec["revision"])
    if "sigterm" in rec:
        sig = rec["sigterm"]
        lines += [
            "",
            f"SIGTERM while one group of batches runs (`{' '.join(sig['flags'])}`: a whole epoch per call, "
            f"{sig['first_epoch_seconds']:.1f} s to the first epoch line): exit {sig['exit_code']} "
            f"{sig['seconds']:.2f} s after the signal.",
        ]
    return lines


def _median_and_range(figure: dict[str, Any]) -> str:
    runs = figure["runs"]
    return f"{figure['median']:.2f} s [{min(runs):.2f}-{max(runs):.2f}]"


def render_startup(st: dict[str, Any], record_revision: str) -> list[str]:
    """The start-up paragraph: medians with their range over the runs, and the trainer's excess over
    ``import tensorflow``; where the start-up was measured on its own (``--startup-only``), its revision,
    command and load average."""
    tf_import = st["import_tensorflow"]["median"]
    cold, warm = st["trainer_cold_cache"]["median"], st["trainer_warm_cache"]["median"]
    runs = len(st["import_tensorflow"]["runs"])
    text = (
        f"Start-up, spawn to first line (median of {runs} interleaved runs, [min-max]): `import tensorflow` "
        f"alone {_median_and_range(st['import_tensorflow'])}; the trainer (default model and data, to its "
        f"first epoch line) {_median_and_range(st['trainer_cold_cache'])} with an empty XLA cache "
        f"(+{cold - tf_import:.2f} s) and {_median_and_range(st['trainer_warm_cache'])} with a warm one "
        f"(+{warm - tf_import:.2f} s). The trainer's figure includes its whole first epoch of training and "
        "validation. What keeps it short, each with its measured saving in its module's docstring: Keras' "
        "optional imports the trainer never uses are blocked (`trainer/runtime.py`), the garbage collector "
        "is off until the first epoch line (`trainer/gc_pause.py`), the first validation graph is traced "
        "while the first epoch trains (`trainer/validation.py`), the optimizer is built before the first "
        "trace and only the training step is compiled (`trainer/fit.py`)."
    )
    if st.get("revision", record_revision) != record_revision:
        text += f" Measured on its own: revision {st['revision']}; `{st['command']}`"
        if "load_average" in st:
            start, end = st["load_average"]
            text += (
                f"; at niceness {st['niceness']}, with a 1-minute load average of {start:.1f} at its start "
                f"and {end:.1f} at its end (other work ran beside it)"
            )
        text += "."
    return [text]


def render_gpu_records(records: Sequence[dict[str, Any]]) -> list[str]:
    """The earlier GPU records (Keras torch backend, stored in bench/results/), one row per precision."""
    lines = [
        "| device | backend | model | mixed precision | batched windows/s | batch-1 windows/s | speed-up "
        "| achieved GFLOP/s | matmul GFLOP/s (dtype) | share of matmul | cuDNN RNN kernels seen |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rec in records:
        for r in rec["results"]:
            names = [k.split("<")[0].removeprefix("void ") for k in r["cudnn_kernels"]]
            rnn = sorted({n for n in names if "RNN" in n or "LSTM" in n})
            kernels = ", ".join(f"`{k}`" for k in rnn) or "none seen"
            lines.append(
                f"| {rec['device']} | {rec['backend']} {rec['backend_version']} | {rec['model']} "
                f"| {'on' if r['mixed_precision'] else 'off'} | {r['batched_windows_per_s']:,.0f} "
                f"| {r['single_windows_per_s']:,.0f} | {r['speedup']:.0f}x "
                f"| {r['achieved_flops'] / 1e9:,.2f} | {r['matmul_flops'] / 1e9:,.0f} ({r['matmul_dtype']}) "
                f"| {r['share_of_matmul']:.2%} | {kernels} |"
            )
    lines += ["", "Their commands:", ""]
    lines += [
        f"- {rec['device']}: {rec['machine']}; revision {rec['revision']}; `{rec['command']}`"
        for rec in records
    ]
    return lines


def render(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown section for ``docs/benchmarks.md``: side-by-side records first, then GPU records."""
    lines = ["## Trainer throughput and start-up", ""]
    for rec in (r for r in records if r.get("kind") == "side-by-side"):
        lines += [
            "The trainer's own training path beside stock Keras on the same model, data and batch, and",
            "trial start-up beside `import tensorflow` alone, all in one run "
            f"(`bench/trainer_throughput.py`; {rec['machine']}; TensorFlow {rec['tensorflow']}, "
            f"Keras {rec['keras']}; revision {rec['revision']}; `{rec['command']}`). Windows/s: training",
            f"windows per second of epoch wall time, validation included, median of {rec['epochs_timed']} "
            "epochs after a warm-up epoch.",
            "",
            *render_side_by_side(rec),
            "",
        ]
    gpu = [r for r in records if r.get("device", "CPU") != "CPU" and "results" in r]
    if gpu:
        lines += [
            "### Earlier GPU records (Keras torch backend)",
            "",
            "Taken before the step-loop work, with Keras' torch backend on the trainer's model: the GPU",
            "machine had no TensorFlow, so the TensorFlow GPU path of the trial image (cuDNN LSTM, and XLA",
            "for dense models) has not been measured. Batched vs one window per step:",
            "",
            *render_gpu_records(gpu),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write this machine's record here")
    parser.add_argument("--render", nargs="+", type=Path, help="render these records into docs/benchmarks.md")
    parser.add_argument("--epochs", type=int, default=3, help="epochs timed after the warm-up (default 3)")
    parser.add_argument("--startup-runs", type=int, default=3, help="start-up measurements (default 3)")
    parser.add_argument("--model", action="append", choices=list(MODELS), help="models (default: all)")
    parser.add_argument("--sigterm-only", action="store_true", help="measure SIGTERM latency into --json")
    parser.add_argument("--startup-only", action="store_true", help="measure start-up alone into --json")
    args = parser.parse_args(argv)
    if args.startup_only:
        print(json.dumps(startup_only(args.startup_runs, args.json)))
        return 0
    if args.sigterm_only:
        record = json.loads(args.json.read_text()) if args.json and args.json.exists() else {}
        record["sigterm"] = sigterm_latency()
        print(json.dumps(record["sigterm"]))
        if args.json:
            args.json.write_text(json.dumps(record, indent=2) + "\n")
        return 0
    if args.render:
        records = [json.loads(p.read_text()) for p in args.render]
        write_section(SECTION, render(records))
        print(f"wrote section {SECTION!r} of docs/benchmarks.md from {len(records)} record(s)")
        return 0
    record = run_all(args.model or list(MODELS), args.epochs, args.startup_runs)
    text = json.dumps(record, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
