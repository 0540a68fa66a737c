"""How the trainer resolves --steps-per-execution and --jit-compile (no TensorFlow needed)."""

from __future__ import annotations

import pytest

from trainer.config import parse_args
from trainer.step_loop import AUTO_STEPS_PER_EXECUTION, StepLoop, resolve_step_loop


def _loop(*flags: str, steps: int = 100, on_gpu: bool = False) -> StepLoop:
    return resolve_step_loop(parse_args(list(flags), env={}), steps, on_gpu=on_gpu)


def test_auto_runs_groups_of_16_with_xla_on_a_cpu() -> None:
    loop = _loop()
    assert (loop.steps_per_execution, loop.jit_compile, loop.notes) == (AUTO_STEPS_PER_EXECUTION, True, ())


def test_a_group_never_holds_more_batches_than_an_epoch() -> None:
    assert _loop(steps=5).steps_per_execution == 5
    assert _loop("--steps-per-execution=64", steps=10).steps_per_execution == 10
    assert _loop("--steps-per-execution=1").steps_per_execution == 1


@pytest.mark.parametrize("architecture", ["lstm", "gru"])
def test_recurrent_layers_on_a_gpu_keep_cudnn_and_true_says_why(architecture: str) -> None:
    auto = _loop(f"--architecture={architecture}", on_gpu=True)
    assert not auto.jit_compile and auto.notes == ()  # auto: no XLA, nothing to report
    forced = _loop(f"--architecture={architecture}", "--jit-compile=true", on_gpu=True)
    assert not forced.jit_compile
    [note] = forced.notes
    assert "--jit-compile=true overridden" in note and "cuDNN" in note


@pytest.mark.parametrize("architecture", ["dense", "cnn"])
def test_dense_and_cnn_get_xla_on_a_gpu_and_a_cpu(architecture: str) -> None:
    for on_gpu in (True, False):
        loop = _loop(f"--architecture={architecture}", "--jit-compile=true", on_gpu=on_gpu)
        assert loop.jit_compile and loop.notes == ()
        assert _loop(f"--architecture={architecture}", on_gpu=on_gpu).jit_compile


def test_determinism_turns_xla_off_and_says_so_when_it_was_asked_for() -> None:
    assert not _loop("--deterministic").jit_compile
    forced = _loop("--deterministic", "--jit-compile=true")
    assert not forced.jit_compile and "--deterministic" in forced.notes[0]


def test_false_is_false_everywhere() -> None:
    assert not _loop("--jit-compile=false").jit_compile
    assert not _loop("--jit-compile=false", "--architecture=dense", on_gpu=True).jit_compile


def test_zero_steps_per_epoch_is_refused() -> None:
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _loop(steps=0)
