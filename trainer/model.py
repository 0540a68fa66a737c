"""The forecaster: Normalization -> lstm|gru|dense|cnn hidden layers -> one linear output (Keras 3).

Design points:
- The first layer is a ``Normalization`` adapted on the TRAINING windows only, so the exported model takes raw
  readings and no statistics leak from validation or test units. It stays float32 under mixed precision: raw
  C-MAPSS readings reach ~9000, where float16 has a resolution of 8.
- Recurrent layers keep Keras' defaults that make them cuDNN-eligible on a GPU (tanh/sigmoid activations, no
  recurrent dropout, ``unroll=False``, ``use_bias=True``); dropout is a separate layer after each hidden
  layer (:class:`~trainer.dropout.PhiloxDropout`: Keras' ``Dropout`` with a mask that stays cheap under XLA).
  All recurrent layers return sequences except the last.
- ``dense`` flattens the window and stacks ``Dense(units, activation)`` layers.
- ``cnn`` is a 1-D convolutional stack in the manner of Li et al. (2018, "DCNN"): ``num_layers``
  ``Conv1D(filters, kernel_size, padding="same")`` layers along the window's time axis, then a 1-filter
  convolution of kernel 3 that keeps one value per time step, flatten, dropout, ``Dense(units, activation)``.
  "same" padding keeps the time length at the window, so a kernel longer than the window is accepted (the
  zero padding covers the rest). No pooling, as in the DCNN. Every layer compiles under XLA on CPU and GPU.
- The output bias starts at the training target's mean, so the first epochs fit the shape rather than the
  level.
- The output layer is float32 under mixed precision, so losses and metrics are computed in float32.
- ``--ensemble-size K > 1``: K members after the one normalisation layer, joined by :class:`MemberMean` (each
  member trains as it would alone; the model predicts their mean). Measured on C-MAPSS FD001 over seeds
  1-5 (``bench/cmapss_tuning.py levers``, docs/benchmarks.md): 5 members cut the test RMSE by about 0.4 but
  the validation figure by only 0.08, within its noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from trainer.config import TrainerConfig
from trainer.dropout import PhiloxDropout
from trainer.errors import TrainerError


def _regularizer(l2: float) -> keras.regularizers.Regularizer | None:
    return keras.regularizers.L2(l2) if l2 > 0 else None


def _normalizer(cfg: TrainerConfig, train_x: np.ndarray, feature_names: Sequence[str]) -> keras.layers.Layer:
    """The first layer: global ``Normalization``, or per-operating-condition statistics with
    ``--condition-norm K`` (:mod:`trainer.condition_norm`); both fitted on the training windows only."""
    n_features = train_x.shape[-1]
    rows = train_x.reshape(-1, n_features)
    if cfg.condition_norm > 0:
        from trainer.condition_norm import build_layer, fit_condition_stats, setting_columns

        try:
            columns = setting_columns(feature_names)
        except ValueError as err:
            raise TrainerError(f"--condition-norm={cfg.condition_norm}: {err}") from None
        return build_layer(fit_condition_stats(rows, columns, cfg.condition_norm, seed=cfg.seed), n_features)
    norm = keras.layers.Normalization(axis=-1, dtype="float32", name="normalize")
    norm.adapt(rows)
    return norm


def _dropout(cfg: TrainerConfig, h: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """``h`` after a dropout layer of rate ``--dropout``; ``h`` itself when the rate is 0 (no layer)."""
    return PhiloxDropout(cfg.dropout, name=name)(h) if cfg.dropout > 0 else h


def _hidden_dense(
    cfg: TrainerConfig, reg: keras.regularizers.Regularizer | None, name: str
) -> keras.layers.Dense:
    """A hidden ``Dense(units, activation)`` layer (dense's stack, cnn's head)."""
    return keras.layers.Dense(
        cfg.units,
        activation=cfg.activation,
        kernel_initializer=cfg.kernel_initializer,
        kernel_regularizer=reg,
        name=name,
    )


def _dense_stack(
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None, prefix: str
) -> keras.KerasTensor:
    """``num_layers`` ``Dense(units, activation)`` layers on the flattened window, each with dropout after."""
    for i in range(cfg.num_layers):
        h = _dropout(cfg, _hidden_dense(cfg, reg, f"{prefix}dense_{i + 1}")(h), f"{prefix}dropout_{i + 1}")
    return h


def _recurrent_stack(
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None, prefix: str
) -> keras.KerasTensor:
    """``num_layers`` LSTM/GRU layers (Keras' cuDNN-eligible defaults), each with dropout after."""
    layer_cls = keras.layers.LSTM if cfg.architecture == "lstm" else keras.layers.GRU
    for i in range(cfg.num_layers):
        h = layer_cls(
            cfg.units,
            return_sequences=i < cfg.num_layers - 1,
            kernel_initializer=cfg.kernel_initializer,
            kernel_regularizer=reg,
            name=f"{prefix}{cfg.architecture}_{i + 1}",
        )(h)
        h = _dropout(cfg, h, f"{prefix}dropout_{i + 1}")
    return h


def _conv_stack(
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None, prefix: str
) -> keras.KerasTensor:
    """``num_layers`` convolutions of ``filters`` x ``kernel_size``, a 1-filter convolution of kernel 3,
    flatten, dropout, ``Dense(units)``: every convolution keeps the window's length ("same" padding)."""
    convs = [(cfg.filters, cfg.kernel_size, f"{prefix}conv_{i + 1}") for i in range(cfg.num_layers)]
    for filters, kernel_size, name in [*convs, (1, 3, f"{prefix}conv_out")]:
        h = keras.layers.Conv1D(
            filters,
            kernel_size,
            padding="same",
            activation=cfg.activation,
            kernel_initializer=cfg.kernel_initializer,
            kernel_regularizer=reg,
            name=name,
        )(h)
    h = _dropout(cfg, keras.layers.Flatten(name=f"{prefix}flatten")(h), f"{prefix}dropout_1")
    return _hidden_dense(cfg, reg, f"{prefix}dense_1")(h)


@keras.saving.register_keras_serializable(package="trainer")
class MemberMean(keras.layers.Layer):
    """The ensemble's output: the members' mean at inference, every member in training.

    Input ``(batch, K)``: one prediction per member. At inference (``training=False``: validation, test,
    export, serving) the output is their mean, ``(batch, 1)``. In training the output is the ``(batch, K)``
    members themselves, so Keras' losses (``mse``, ``mae``, ``huber``: a mean over the last axis against the
    ``(batch, 1)`` target, broadcast) give each member its own loss, averaged. The mean would divide every
    member's gradient by K; the layer multiplies the gradient that flows back through it by K (its value is
    unchanged), so each member takes exactly the step it would take alone, whatever the optimizer, learning
    rate or momentum. Members share the batches and the normalisation layer (it has no trainable weights).
    """

    def call(self, members: Any, training: bool = False) -> Any:
        if training:
            k = members.shape[-1]
            return members + (k - 1) * (members - keras.ops.stop_gradient(members))
        return keras.ops.mean(members, axis=-1, keepdims=True)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], 1)


def _member(
    cfg: TrainerConfig,
    h: keras.KerasTensor,
    reg: keras.regularizers.Regularizer | None,
    target_mean: float,
    prefix: str = "",
) -> keras.KerasTensor:
    """One forecaster after the normalisation: hidden layers and the linear ``rul`` output ``(batch, 1)``;
    ``prefix`` starts each of its layers' names (an ensemble's members need distinct ones)."""
    if cfg.architecture == "dense":
        h = _dense_stack(cfg, keras.layers.Flatten(name=f"{prefix}flatten")(h), reg, prefix)
    elif cfg.architecture == "cnn":
        h = _conv_stack(cfg, h, reg, prefix)
    else:
        h = _recurrent_stack(cfg, h, reg, prefix)
    return keras.layers.Dense(
        1,
        kernel_regularizer=reg,
        bias_initializer=keras.initializers.Constant(float(target_mean)),
        dtype="float32",
        name=f"{prefix}rul",
    )(h)


def build_model(
    cfg: TrainerConfig, train_x: np.ndarray, target_mean: float, feature_names: Sequence[str] = ()
) -> keras.Model:
    """Build (not compile) the model for windows shaped like ``train_x`` = ``(n, window, n_features)``.

    ``train_x`` must be non-empty: the normalisation statistics are learned from it. ``feature_names`` (the
    columns of ``train_x``) locate the op settings for ``--condition-norm``. Features that are
    constant
    on the training windows get variance 0; Keras' Normalization then divides by ``max(sqrt(var), epsilon)``,
    so they map to 0 instead of NaN.

    With ``--ensemble-size K > 1`` the K members are built one after another (each draws its own initial
    weights and dropout seeds from Keras' seeded generator), their layers named ``m<i>_<layer>``
    (``m1_gru_1``, ``m1_rul``...), and joined by :class:`MemberMean`; with K = 1 the model is the single
    member, names unchanged.
    """
    _, window, n_features = train_x.shape
    inputs = keras.Input(shape=(window, n_features), dtype="float32", name="window")
    h = _normalizer(cfg, train_x, feature_names)(inputs)
    reg = _regularizer(cfg.l2)
    if cfg.ensemble_size == 1:
        outputs = _member(cfg, h, reg, target_mean)
    else:
        members = [_member(cfg, h, reg, target_mean, f"m{i + 1}_") for i in range(cfg.ensemble_size)]
        joined = keras.layers.Concatenate(axis=-1, dtype="float32", name="members")(members)
        outputs = MemberMean(dtype="float32", name="rul_mean")(joined)
    return keras.Model(inputs, outputs, name=f"rul_{cfg.architecture}")
