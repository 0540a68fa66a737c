"""Per-epoch validation: the objective and its companions, scored on the weights that would be exported.

:class:`EpochValidation` is the first callback at every epoch end. It predicts the validation windows and
writes into the epoch's logs, for every later callback (divergence check, early stopping, reporting):

- ``val_rmse``, ``val_mae``, ``val_loss``: on the objective's windows, which are the validation units' cut
  windows with ``--val-cuts K > 0`` (:mod:`trainer.data.cuts`) and every validation window otherwise.
  ``val_loss`` is the training loss on those windows, without the L2 penalty.
- ``val_rmse_all``: the RMSE over every validation window, whatever ``--val-cuts``.

With ``--ema-momentum M > 0`` the optimizer keeps the moving average of the weights (Keras' ``use_ema``).
:class:`EpochValidation` then puts the averaged weights into the model before predicting and leaves them
there through the following callbacks, so early stopping snapshots the averaged weights of its best epoch;
:class:`RawWeightsBack`, placed before the checkpoint callback, puts the raw weights back, so training and
checkpoints go on from the raw weights (the average itself is optimizer state and is checkpointed with it).
At the end of ``fit`` Keras writes the final average into the model, and early stopping's restore (when on)
then replaces it with its best epoch's: either way the model that is tested and exported is the one the
last or best printed ``val_rmse`` describes.

Start-up: the first prediction traces Keras' predict function and instantiates its graph (measured for the
default model on 2 CPU cores: the first epoch's validation took 0.37-0.54 s, a later epoch's 0.15-0.19 s).
:class:`EpochValidation` has that done in a background thread while the first epoch trains: it starts after
the first group of training steps (by then the training step is traced and compiled, and the main thread
waits inside TensorFlow with the GIL released) and is joined before the epoch's validation. The warm-up
predicts the same windows in the same chunks, so the epoch's prediction finds the very graphs it would have
traced itself and every printed number stays the same; its predictions are discarded, and it changes no
state (inference reads the weights; dropout is off). If it fails, the epoch's own prediction runs as before
and raises whatever it raises. The saving is smaller than the difference (about 0.1 s to the first epoch
line), as the warm-up shares the cores with the training steps. An epoch of one group of steps has nothing
to overlap: the warm-up then runs and is joined at once.

Edge cases: an epoch that raises between the two callbacks (divergence) leaves the averaged weights in the
model, which is then never exported. Validation splits larger than
:data:`~trainer.data.tfdata.EVAL_BATCH_CAP` windows are predicted in chunks of that size.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from trainer.data import PreparedData
from trainer.data.tfdata import EVAL_BATCH_CAP
from trainer.reporting import mae, rmse

VALIDATION_METRICS = ("val_loss", "val_rmse", "val_mae", "val_rmse_all")


def _ema_optimizer(model: keras.Model) -> keras.optimizers.Optimizer | None:
    """The optimizer that holds the weight average (inside a loss-scale wrapper), or None without one."""
    optimizer = getattr(model.optimizer, "inner_optimizer", model.optimizer)
    return optimizer if getattr(optimizer, "use_ema", False) else None


class AveragedWeights:
    """Puts the optimizer's moving average of the weights into the model and the raw weights back.

    Relies on Keras 3's ``_trainable_variables`` / ``_model_variables_moving_average`` pairing, which its
    own ``SwapEMAWeights`` callback and ``finalize_variable_values`` use. Without ``use_ema`` both calls do
    nothing.
    """

    def __init__(self, model: keras.Model) -> None:
        self._optimizer = _ema_optimizer(model)
        self._raw: list[np.ndarray] | None = None

    @property
    def active(self) -> bool:
        return self._optimizer is not None

    def swap_in(self) -> None:
        if self._optimizer is None or self._raw is not None:
            return
        optimizer = self._optimizer
        pairs = list(
            zip(optimizer._trainable_variables, optimizer._model_variables_moving_average, strict=True)
        )
        self._raw = [np.asarray(var.numpy()) for var, _ in pairs]
        for var, average in pairs:
            var.assign(average)

    def swap_out(self) -> None:
        if self._optimizer is None or self._raw is None:
            return
        for var, raw in zip(self._optimizer._trainable_variables, self._raw, strict=True):
            var.assign(raw)
        self._raw = None


def predict_windows(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Predictions ``(n,)`` float64 for windows ``x``, in chunks of at most EVAL_BATCH_CAP (one trace each
    distinct chunk shape)."""
    if len(x) == 0:
        return np.empty((0,), dtype=np.float64)
    chunks = [
        np.asarray(model.predict_on_batch(x[start : start + EVAL_BATCH_CAP]), dtype=np.float64).reshape(-1)
        for start in range(0, len(x), EVAL_BATCH_CAP)
    ]
    return np.concatenate(chunks)


class EpochValidation(keras.callbacks.Callback):
    """Score the validation split at each epoch end into the logs (see the module docstring)."""

    def __init__(self, data: PreparedData, loss: keras.losses.Loss, weights: AveragedWeights) -> None:
        super().__init__()
        self._all = data.val
        self._objective = data.val_cuts if data.val_cuts is not None else data.val
        # One prediction pass per epoch: the cut windows ride along behind every validation window.
        self._x = self._all.x if data.val_cuts is None else np.concatenate([data.val.x, data.val_cuts.x])
        self._loss = loss
        self._weights = weights
        self._warm_up: threading.Thread | None = None
        # Keras keeps the dtype policy per thread: the warm-up traces under the run's own.
        self._policy = keras.config.dtype_policy()

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        if self._warm_up is None:
            self._warm_up = threading.Thread(target=self._warm, name="validation-warm-up", daemon=True)
            self._warm_up.start()

    def _warm(self) -> None:
        keras.config.set_dtype_policy(self._policy)
        with contextlib.suppress(Exception):  # a real failure is raised by the epoch's own prediction
            predict_windows(self.model, self._x)

    def _join_warm_up(self) -> None:
        if self._warm_up is not None:
            self._warm_up.join()

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        self._join_warm_up()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._join_warm_up()
        self._weights.swap_in()
        pred = predict_windows(self.model, self._x)
        pred_all = pred[: len(self._all)]
        pred_objective = pred_all if self._objective is self._all else pred[len(self._all) :]
        y = self._objective.y
        values = {
            "val_loss": float(self._loss(y.astype(np.float32), pred_objective.astype(np.float32))),
            "val_rmse": rmse(pred_objective, y),
            "val_mae": mae(pred_objective, y),
            "val_rmse_all": rmse(pred_all, self._all.y),
        }
        if logs is not None:
            logs.update(values)


class RawWeightsBack(keras.callbacks.Callback):
    """Put the raw weights back after the callbacks that must see the averaged ones."""

    def __init__(self, weights: AveragedWeights) -> None:
        super().__init__()
        self._weights = weights

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        self._weights.swap_out()
