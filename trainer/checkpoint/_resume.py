"""One fit's checkpointing: load and check at start, restore, then save after every epoch.

Order of events in a fit with ``--checkpoint-dir``:

1. :meth:`Checkpointing.open` (model built and compiled, before ``fit``): reads the directory's checkpoint if
   any, refuses another model's (one line, exit 1), restores model and optimizer variables, reports changed
   settings on stderr, and knows the epochs already done (``initial_epoch``) and their metric rows.
2. :meth:`skip_shuffles` advances the training dataset's shuffle seed past the epochs already done, so epoch
   N+1 sees the order it would have seen without the interruption.
3. ``on_train_begin`` (the callback sits right after ``EarlyStopping``, whose own ``on_train_begin`` resets
   it) puts the early-stopping counters and best weights back.
4. :meth:`save` after each epoch, once ``EarlyStopping`` has judged it and BEFORE the epoch's metric line is
   printed: a kill between the two loses that line (the epoch is in the checkpoint's rows) but never prints an
   epoch twice.

A checkpoint written when early stopping fired marks the fit finished: a restart trains no further epoch
(:meth:`last_epoch`), and ``EarlyStopping.on_train_end`` restores the best weights as it would have.

``--epochs-per-run N`` (PBT): the fit's last epoch is the checkpoint's epoch plus N, fixed when the trial
first starts and saved with its checkpoints as ``target`` (``{"trial": name, "epochs": last}``). A restart of
the same trial (same ``--trial-name``) finds its own target and keeps it; a checkpoint written by another
trial (a PBT parent's copy) gets a new target, and the parent's "finished" mark does not stop the child.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import keras

from trainer import __version__
from trainer.checkpoint import _compat, _file, _state
from trainer.config import TrainerConfig
from trainer.reporting import Value

FORMAT = 1
SHUFFLES_PER_EPOCH = 2


def _note(message: str) -> None:
    print(f"trainer: {message}", file=sys.stderr, flush=True)


class Checkpointing(keras.callbacks.Callback):
    """Use :meth:`open`; the constructor does no I/O. ``rows`` are the metric rows of the epochs done so far
    (restored ones first), ``initial_epoch`` the number restored."""

    def __init__(
        self,
        cfg: TrainerConfig,
        model: keras.Model,
        feature_names: Sequence[str],
        early: keras.callbacks.EarlyStopping | None,
    ) -> None:
        super().__init__()
        self._cfg = cfg
        self._dir = Path(cfg.checkpoint_dir)
        self._model = model
        self._early = early
        self._structure = _compat.structure(cfg, feature_names, _state.variables_of(model))
        self._early_saved: tuple[dict[str, Any], dict[str, Any]] | None = None
        self.rows: list[dict[str, Value]] = []
        self.initial_epoch = 0
        self.finished = False
        self._stored_target: dict[str, Any] = {}
        self._target: int | None = None

    @classmethod
    def open(
        cls,
        cfg: TrainerConfig,
        model: keras.Model,
        feature_names: Sequence[str],
        early: keras.callbacks.EarlyStopping | None,
    ) -> Checkpointing:
        """Checkpointing for ``model`` (built and compiled) in ``cfg.checkpoint_dir``, restored from the
        checkpoint found there. Raises :class:`~trainer.errors.TrainerError` for an unreadable checkpoint or
        one of another model."""
        self = cls(cfg, model, feature_names, early)
        _file.clear_temporaries(self._dir)
        stored = _file.read(self._dir)
        if stored is not None:
            self._restore(stored)
        return self

    def _restore(self, stored: _file.Stored) -> None:
        meta = stored.meta
        where = str(_file.path_in(self._dir))
        _compat.check_structure(where, meta.get("structure", {}), self._structure)
        _state.restore_model(self._model, stored.arrays)
        step, fresh = _state.restore_optimizer(self._model, meta.get("optimizer", {}), stored.arrays)
        self.rows = [dict(row) for row in meta["rows"]]
        self.initial_epoch = int(meta["epoch"])
        self.finished = bool(meta.get("stopped", False))
        self._stored_target = dict(meta.get("target") or {})
        if self._early is not None and meta.get("early") is not None:
            self._early_saved = (meta["early"], stored.arrays)
        done = (
            "early stopping had ended it"
            if self.finished
            else f"continuing at epoch {self.initial_epoch + 1}"
        )
        _note(f"resuming from {where}: {self.initial_epoch} epochs done, optimizer step {step}; {done}")
        changed = _compat.changed_settings(meta.get("hparams", {}), self._cfg)
        if changed:
            _note("settings differ from the checkpoint's; the new values apply: " + ", ".join(changed))
        if fresh:
            _note(f"optimizer slots not in the checkpoint start fresh: {len(fresh)} ({fresh[0]}, ...)")

    def last_epoch(self, epochs: int) -> int:
        """The ``epochs`` argument for ``fit``: ``--epochs`` (or the ``--epochs-per-run`` target), or the
        epochs done when there is nothing left (finished by early stopping, or the target already reached),
        so ``fit`` runs no epoch."""
        per_run = self._cfg.epochs_per_run
        if per_run > 0:
            own = self._stored_target.get("trial") == self._cfg.trial_name
            if own and isinstance(self._stored_target.get("epochs"), int):
                self._target = int(self._stored_target["epochs"])
            else:
                self._target = self.initial_epoch + per_run
                self.finished = False  # another trial's checkpoint: this trial trains its own epochs
            epochs = self._target
        return self.initial_epoch if self.finished else max(epochs, self.initial_epoch)

    def skip_shuffles(self, dataset: Any) -> None:
        """Advance a ``reshuffle_each_iteration`` dataset's seed past the epochs done: each ``iter()`` draws
        the next epoch's order, and ``fit`` makes one iterator per epoch."""
        for _ in range(SHUFFLES_PER_EPOCH * self.initial_epoch):
            iter(dataset)

    def on_train_begin(self, logs: Any = None) -> None:
        if self._early is not None and self._early_saved is not None:
            _state.restore_early(self._early, *self._early_saved)

    def save(self, rows: Sequence[dict[str, Value]]) -> None:
        """Write the state after the epoch of ``rows[-1]`` (``rows``: every epoch so far, restored too)."""
        optimizer = self._model.optimizer
        meta: dict[str, Any] = {
            "format": FORMAT,
            "trainer": __version__,
            "epoch": len(rows),
            "stopped": bool(self._model.stop_training),
            "rows": [dict(row) for row in rows],
            "structure": self._structure,
            "hparams": self._cfg.hparams(),
            "optimizer": {"class": type(optimizer).__name__, "variables": _state.variables_of(optimizer)},
            "early": None,
            "target": None
            if self._target is None
            else {"trial": self._cfg.trial_name, "epochs": self._target},
        }
        arrays = {**_state.model_arrays(self._model), **_state.optimizer_arrays(optimizer)}
        if self._early is not None:
            meta["early"], best = _state.early_state(self._early)
            arrays.update(best)
        _file.write(self._dir, meta, arrays)
