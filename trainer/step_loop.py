"""How Keras runs the training loop: steps per execution and XLA, resolved from the flags and the device.

Measured on 2 CPU cores (``bench/trainer_throughput.py``, figures in ``docs/benchmarks.md``): running 16
batches per ``tf.function`` call and compiling the step with XLA trains the default model about 2x faster
than Keras' defaults (one batch per call, no XLA on CPU). So ``auto`` (``--steps-per-execution=0``,
``--jit-compile=auto``) means:

- steps per execution: :data:`AUTO_STEPS_PER_EXECUTION`, never more than the batches in an epoch (a group
  of steps never spans two epochs: Keras starts a new group at each epoch);
- XLA: on, except where it cannot work, where the safe setting is taken and said on stderr:
  - ``--deterministic``: TensorFlow's op determinism is not supported under XLA (Keras refuses the pair);
  - an LSTM or GRU on a GPU: the layers run cuDNN's fused kernels, which XLA cannot compile (Keras turns XLA
    off for such a model); cuDNN is the faster path there. ``dense`` and ``cnn`` (plain matrix products
    and convolutions) keep XLA on CPU and GPU alike.

What the contracts become with several steps per call (tests check each; SIGTERM's delay is measured by
``bench/trainer_throughput.py``, as it is a time):

- divergence: Keras reports the running loss once per group, so a non-finite loss in any batch of a group
  is seen when that group ends: at most ``steps_per_execution - 1`` batches later, always inside the same
  epoch, before that epoch's metric line;
- SIGTERM: the handler does not wait for the group to finish (:mod:`trainer.signals` acts from a thread);
- the first epoch is cheaper to reach than Keras' own XLA path: the optimizer is built before the first
  trace (else the step is traced twice) and only the training step is compiled (:mod:`trainer.fit`);
- metric lines, early stopping and best-weight restore work per epoch, as before; the exported model does
  not depend on either setting (XLA changes float rounding of training, not the model's graph).
"""

from __future__ import annotations

from dataclasses import dataclass

from trainer.config import TrainerConfig

AUTO_STEPS_PER_EXECUTION = 16


@dataclass(frozen=True)
class StepLoop:
    """The resolved settings, and one note per flag value that was overridden (for stderr)."""

    steps_per_execution: int
    jit_compile: bool
    notes: tuple[str, ...] = ()


def _xla_blocker(cfg: TrainerConfig, on_gpu: bool) -> str | None:
    """Why XLA cannot be used for this run, or None."""
    if cfg.deterministic:
        return "--deterministic: TensorFlow's op determinism is not supported under XLA"
    if on_gpu and cfg.architecture in ("lstm", "gru"):
        return f"{cfg.architecture} on a GPU runs cuDNN's fused kernels, which XLA cannot compile"
    return None


def resolve_step_loop(cfg: TrainerConfig, steps_per_epoch: int, *, on_gpu: bool) -> StepLoop:
    """The step-loop settings for ``cfg`` on this device (see the module docstring for the rules).

    ``steps_per_epoch`` (>= 1) caps the steps per execution. ``--jit-compile=true`` where XLA cannot work is
    not an error: training proceeds without XLA and the returned note says why.
    """
    if steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
    wanted = cfg.steps_per_execution or AUTO_STEPS_PER_EXECUTION
    steps = min(wanted, steps_per_epoch)
    blocker = _xla_blocker(cfg, on_gpu)
    notes: list[str] = []
    if cfg.jit_compile == "false":
        jit = False
    elif blocker is None:
        jit = True
    else:
        jit = False
        if cfg.jit_compile == "true":
            notes.append(f"--jit-compile=true overridden, training without XLA: {blocker}")
    return StepLoop(steps_per_execution=steps, jit_compile=jit, notes=tuple(notes))
