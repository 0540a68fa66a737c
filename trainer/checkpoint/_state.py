"""What a checkpoint captures from the live Keras objects, and how it is put back.

- Model: every entry of ``model.variables``, in order. That is the weights (trainable and not, including the
  ``Normalization`` statistics) AND the dropout layers' seed-generator states, so a resumed epoch draws the
  dropout masks the uninterrupted run would have drawn.
- Optimizer: every entry of ``optimizer.variables``: the step count (``iteration``, which positions the
  learning-rate schedules of :mod:`trainer.optim`) and the per-weight slots (Adam's moments, momentum...).
  The ``learning_rate`` variable is never restored: the command line's value applies, which is what PBT
  needs. A checkpoint of another optimizer class restores the step count only.
- Early stopping: ``wait``, ``best``, ``best_epoch``, ``stopped_epoch`` and the best weights, which
  ``restore_best_weights`` puts back at the end of training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

LEARNING_RATE = "learning_rate"


def variables_of(owner: keras.Model | keras.optimizers.Optimizer) -> list[tuple[str, list[int]]]:
    """``(path, shape)`` of each variable, in order (what the meta records to check a load)."""
    return [(str(v.path), [int(d) for d in v.shape]) for v in owner.variables]


def model_arrays(model: keras.Model) -> dict[str, np.ndarray]:
    return {f"model_{i:05d}": np.asarray(v.numpy()) for i, v in enumerate(model.variables)}


def restore_model(model: keras.Model, arrays: Mapping[str, np.ndarray]) -> None:
    """Assign the saved model variables by position (shapes were checked against the meta beforehand)."""
    for i, variable in enumerate(model.variables):
        variable.assign(arrays[f"model_{i:05d}"])


def optimizer_arrays(optimizer: keras.optimizers.Optimizer) -> dict[str, np.ndarray]:
    return {f"optimizer_{i:05d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}


def _keys(paths: Sequence[str]) -> list[tuple[str, int]]:
    """``(name, n)`` per path: the last path component and how often it came before. The scope in front of
    a slot's name depends on where the optimizer was built (``adam/...`` when built eagerly,
    ``loss_scale_optimizer/adam/...`` when built inside a traced step under mixed precision), so it is not
    part of the key; the order of ``optimizer.variables`` (a wrapper's own variables first) is."""
    seen: dict[str, int] = {}
    keys = []
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        keys.append((name, seen.get(name, 0)))
        seen[name] = seen.get(name, 0) + 1
    return keys


def restore_optimizer(
    model: keras.Model, saved: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> tuple[int, list[str]]:
    """Build the model's optimizer and assign the saved variables matched by name, order and shape.

    Returns the restored step count and the paths of current slots the checkpoint had no value for (they
    start fresh). ``saved`` is the meta's ``optimizer`` entry: ``{"class", "variables": [[path, shape]]}``.
    """
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    same_class = saved.get("class") == type(optimizer).__name__
    entries = list(saved.get("variables", []))
    by_key = {
        key: (i, list(shape))
        for i, (key, (_, shape)) in enumerate(zip(_keys([str(p) for p, _ in entries]), entries, strict=True))
    }
    fresh: list[str] = []
    current = list(optimizer.variables)
    for variable, key in zip(current, _keys([str(v.path) for v in current]), strict=True):
        name = key[0]
        if name == LEARNING_RATE:
            continue
        is_step = variable is optimizer.iterations
        entry = by_key.get(key) if same_class else None
        if entry is None and is_step:  # another optimizer class: take its (last) step counter
            steps = [v for k, v in by_key.items() if k[0] == "iteration"]
            entry = steps[-1] if steps else None
        if entry is None or entry[1] != [int(d) for d in variable.shape]:
            fresh.append(str(variable.path))
            continue
        variable.assign(arrays[f"optimizer_{entry[0]:05d}"])
    return int(optimizer.iterations.numpy()), fresh


def early_state(early: keras.callbacks.EarlyStopping) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The callback's counters (JSON) and its best weights (arrays; none before the first epoch)."""
    best = early.best
    state = {
        "wait": int(early.wait),
        "best": None if best is None or not math.isfinite(float(best)) else float(best),
        "best_epoch": int(early.best_epoch),
        "stopped_epoch": int(early.stopped_epoch),
        "best_weights": 0 if early.best_weights is None else len(early.best_weights),
    }
    weights = {f"best_{i:05d}": np.asarray(w) for i, w in enumerate(early.best_weights or [])}
    return state, weights


def restore_early(
    early: keras.callbacks.EarlyStopping, state: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> None:
    """Put the counters back; call after the callback's own ``on_train_begin`` (which resets them)."""
    early.wait = int(state["wait"])
    early.best = state["best"]
    early.best_epoch = int(state["best_epoch"])
    early.stopped_epoch = int(state["stopped_epoch"])
    count = int(state["best_weights"])
    early.best_weights = [arrays[f"best_{i:05d}"] for i in range(count)] if count else None
