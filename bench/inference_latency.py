"""Serving-signature latency and throughput of an exported forecaster on CPU.

    python bench/inference_latency.py [--model-dir DIR] [--repeats 500] [--rounds 5] [--write]

Measures what TF Serving runs for each request: the SavedModel's ``serving_default`` signature (the same
function ``trainer.predict`` calls), loaded with ``tf.saved_model.load``:

- latency of one window (batch 1): p50, p99 and mean over ``--repeats`` calls after ``--warmup`` calls;
- throughput at batch ``--batch-size`` (64): windows per second, ``--rounds`` rounds of ``--batch-repeats``
  calls each, reported as the median round with the slowest and fastest;
- the whole REST path in-process for one window (JSON text in, ``trainer.predict`` request checks, the call,
  JSON text out): p50 and p99, i.e. what a server adds around the signature call, without the network.

Each call's result is copied to NumPy, so the time includes finishing the computation. Without ``--model-dir``
the trainer (its default architecture, tiny synthetic data, one epoch) exports a model into a temporary
directory first: latency depends on the architecture and the window, not on the weights. With ``--write`` the
results replace the "Inference latency" section of docs/benchmarks.md, with the command, machine and versions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SECTION = "inference-latency"
DEFAULT_TRAINER_ARGS = ["--epochs=1", "--synthetic-units=20", "--stride=10", "--seed=1"]


@dataclass(frozen=True)
class Percentiles:
    """Summary of per-call times in milliseconds."""

    p50: float
    p99: float
    mean: float
    calls: int

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Percentiles:
        ms = np.asarray(seconds, dtype=np.float64) * 1e3
        return cls(
            p50=float(np.percentile(ms, 50)),
            p99=float(np.percentile(ms, 99)),
            mean=float(ms.mean()),
            calls=len(ms),
        )


@dataclass(frozen=True)
class Throughput:
    """Windows per second of each round of batched calls."""

    batch_size: int
    rounds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)


def time_calls(call: Callable[[], Any], repeats: int, warmup: int) -> list[float]:
    """Seconds taken by each of ``repeats`` calls of ``call``, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def export_tiny_model(directory: Path) -> Path:
    """Run the trainer (default architecture, tiny data) and return its model base directory."""
    model_dir = directory / "model"
    run = subprocess.run(
        [sys.executable, "-m", "trainer", *DEFAULT_TRAINER_ARGS, f"--model-dir={model_dir}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"inference_latency: the trainer failed: {run.stderr.strip().splitlines()[-1:]}")
    return model_dir


def model_description(version_dir: Path) -> str:
    """Architecture of the exported model from the trainer's run record, when it is there."""
    record_path = version_dir / "assets.extra" / "run.json"
    if not record_path.is_file():
        return "model without a trainer run record"
    record = json.loads(record_path.read_text())
    cfg = record.get("config", {})
    params = record.get("results", {}).get("summary", {}).get("params", "?")
    return (
        f"{cfg.get('architecture', '?')}, {cfg.get('num_layers', '?')} layer(s) x {cfg.get('units', '?')} "
        f"units, window {cfg.get('window', '?')}, {len(record.get('data', {}).get('features', []))} "
        f"features, {params} parameters"
    )


def measure(
    model_dir: Path, repeats: int, warmup: int, batch_size: int, batch_repeats: int, rounds: int
) -> dict[str, Any]:
    """Run the three measurements on the model in ``model_dir``."""
    from trainer.predict import Predictor, import_tensorflow_quietly

    import_tensorflow_quietly()
    import tensorflow as tf

    predictor = Predictor(model_dir)
    signature = predictor.signature(predictor.default_signature)
    (name, spec) = next(iter(signature.inputs.items()))
    assert spec.shape is not None, "the serving input has no static shape"
    window_shape = tuple(int(d) for d in spec.shape[1:] if d is not None)
    rng = np.random.default_rng(0)
    function = predictor._loaded.signatures[signature.name]

    def call_with(batch: Any) -> Callable[[], Any]:
        def _call() -> Any:
            return {k: v.numpy() for k, v in function(**{name: batch}).items()}

        return _call

    one = tf.constant(rng.normal(size=(1, *window_shape)).astype(np.float32))
    single = Percentiles.of(time_calls(call_with(one), repeats, warmup))

    batch = tf.constant(rng.normal(size=(batch_size, *window_shape)).astype(np.float32))
    call_batch = call_with(batch)
    time_calls(call_batch, 0, warmup)
    round_rates = []
    for _ in range(rounds):
        seconds = sum(time_calls(call_batch, batch_repeats, 0))
        round_rates.append(batch_size * batch_repeats / seconds)
    throughput = Throughput(batch_size=batch_size, rounds=round_rates)

    body_text = json.dumps({"instances": rng.normal(size=(1, *window_shape)).round(4).tolist()})

    def rest_call() -> str:
        return json.dumps(predictor.predict(json.loads(body_text)))

    rest = Percentiles.of(time_calls(rest_call, repeats, warmup))
    return {
        "model": model_description(predictor.path),
        "window_shape": window_shape,
        "single": single,
        "throughput": throughput,
        "rest": rest,
        "tf_version": tf.__version__,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
    }


def render_section(results: dict[str, Any], command: str, machine: str, revision: str) -> str:
    """The Markdown of the "Inference latency" section."""
    single: Percentiles = results["single"]
    rest: Percentiles = results["rest"]
    throughput: Throughput = results["throughput"]
    threads = results["intra_op_threads"] or "TensorFlow default (all cores)"
    single_cell = f"{single.p50:.2f} ms / {single.p99:.2f} ms / {single.mean:.2f} ms ({single.calls} calls)"
    rates = throughput.rounds
    batch_cell = (
        f"{throughput.median:,.0f} windows/s (median of {len(rates)} rounds; "
        f"slowest {min(rates):,.0f}, fastest {max(rates):,.0f})"
    )
    rest_cell = f"{rest.p50:.2f} ms / {rest.p99:.2f} ms ({rest.calls} calls)"
    return f"""## Inference latency

The exported model's `serving_default` signature, the function TF Serving calls for each request, on CPU
(loaded with `tf.saved_model.load`; each result copied to NumPy; warm-up calls excluded).

| measurement | result |
|---|---|
| one window (batch 1), latency p50 / p99 / mean | {single_cell} |
| batch {throughput.batch_size}, throughput | {batch_cell} |
| one window through the REST path in-process, latency p50 / p99 | {rest_cell} |

The REST path is JSON text in, `trainer.predict`'s request checks, the call, JSON text out: what a server
adds around the signature call, without the network.

- Model: {results["model"]}; input window shape {list(results["window_shape"])}.
- Command: `{command}`
- Machine: {machine}; TensorFlow {results["tf_version"]}; intra-op threads: {threads}; revision {revision}.
- Not measured here: TF Serving's own HTTP/gRPC stack and the network (no TF Serving binary on this
  machine). Shared CPUs make p99 noisy: compare figures only from the same machine.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bench/inference_latency.py",
        description="Serving-signature latency (batch 1) and throughput (batch 64) of a SavedModel on CPU.",
    )
    parser.add_argument(
        "--model-dir",
        help="SavedModel version or base directory (default: train a tiny one with the trainer)",
    )
    parser.add_argument("--repeats", type=int, default=500, help="timed single-window calls (default: 500)")
    parser.add_argument(
        "--warmup", type=int, default=50, help="untimed calls before each measurement (default: 50)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=64, help="batch of the throughput measurement (default: 64)"
    )
    parser.add_argument("--batch-repeats", type=int, default=50, help="batched calls per round (default: 50)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of batched calls (default: 5)")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="TensorFlow intra- and inter-op threads; 0 = TensorFlow's default",
    )
    parser.add_argument("--write", action="store_true", help="rewrite the section of docs/benchmarks.md")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for flag in ("repeats", "warmup", "batch_size", "batch_repeats", "rounds", "threads"):
        if getattr(args, flag) < (0 if flag in ("warmup", "threads") else 1):
            raise SystemExit(f"inference_latency: --{flag.replace('_', '-')} is out of range")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""  # CPU figures, even on a machine with a GPU
    if not __package__:  # run as a file (python bench/inference_latency.py): the repository root holds bench/
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.report import command_line, git_revision, machine_description, write_section

    with tempfile.TemporaryDirectory() as scratch:
        model_dir = Path(args.model_dir) if args.model_dir else export_tiny_model(Path(scratch))
        if args.threads:
            from trainer.predict import import_tensorflow_quietly

            import_tensorflow_quietly()
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        results = measure(
            model_dir, args.repeats, args.warmup, args.batch_size, args.batch_repeats, args.rounds
        )
    section = render_section(results, command_line(), machine_description(), git_revision())
    print(section)
    if args.write:
        write_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
