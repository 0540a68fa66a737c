"""Whether a checkpoint fits the model being built, and which settings changed since it was written.

Two kinds of difference, two answers:

- The model's structure (architecture, layers, width, operating-condition normalisation, window length,
  ensemble size, feature columns, and as the final word every variable's shape): the saved weights cannot
  be loaded, so :func:`check_structure` raises :class:`TrainerError` with one line listing each
  difference (exit 1).
- Anything else (learning rate, schedule, batch size, dropout, patience, epochs, data flags...): the
  checkpoint loads and the NEW values apply from the next epoch on; :func:`changed_settings` lists them for
  the one stderr line the trainer prints. This is Population Based Training's case: a child trial starts from
  a copy of its parent's checkpoint with perturbed hyperparameters.

No TensorFlow here: both sides are plain JSON-ready dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trainer.config import TrainerConfig
from trainer.errors import TrainerError

STRUCTURE_FLAGS = ("architecture", "num_layers", "units", "condition_norm", "window", "ensemble_size")
# Structure flags added after checkpoints were first written: a meta without one had this value.
ADDED_LATER = {"ensemble_size": 1}


def structure(
    cfg: TrainerConfig, feature_names: Sequence[str], variables: Sequence[tuple[str, Sequence[int]]]
) -> dict[str, Any]:
    """What a checkpoint must share with the model it is loaded into (stored in its meta)."""
    out: dict[str, Any] = {name: getattr(cfg, name) for name in STRUCTURE_FLAGS}
    out["features"] = list(feature_names)
    out["variables"] = [[path, [int(d) for d in shape]] for path, shape in variables]
    return out


def _differences(saved: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    found = [
        f"{name} {saved.get(name, ADDED_LATER.get(name))!r} there, {current[name]!r} here"
        for name in STRUCTURE_FLAGS
        if saved.get(name, ADDED_LATER.get(name)) != current[name]
    ]
    before, now = list(saved.get("features", [])), list(current["features"])
    if len(before) != len(now):
        found.append(f"{len(before)} features there, {len(now)} here")
    elif before != now:
        changed = [f"{a}->{b}" for a, b in zip(before, now, strict=True) if a != b]
        found.append(
            "feature columns differ (" + ", ".join(changed[:3]) + (", ..." if len(changed) > 3 else "") + ")"
        )
    if not found:
        shapes_then = [shape for _, shape in saved.get("variables", [])]
        shapes_now = [shape for _, shape in current["variables"]]
        if shapes_then != shapes_now:
            found.append(
                f"variable shapes differ ({len(shapes_then)} variables there, {len(shapes_now)} here)"
            )
    return found


def check_structure(where: str, saved: Mapping[str, Any], current: Mapping[str, Any]) -> None:
    """Raise :class:`TrainerError` naming every structural difference between the checkpoint at ``where``
    and the model being built; return quietly when they match."""
    found = _differences(saved, current)
    if found:
        raise TrainerError(
            f"--checkpoint-dir: {where} holds a checkpoint of another model: " + "; ".join(found)
        )


def changed_settings(saved: Mapping[str, Any], cfg: TrainerConfig) -> list[str]:
    """``name old -> new`` for every tunable setting that differs from the checkpoint's (structure excluded:
    :func:`check_structure` has already refused those). Settings unknown to the checkpoint (a newer trainer's
    flags) are not reported."""
    now = cfg.hparams()
    return [
        f"{name} {saved[name]!r} -> {value!r}"
        for name, value in now.items()
        if name in saved and name not in STRUCTURE_FLAGS and saved[name] != value
    ]
