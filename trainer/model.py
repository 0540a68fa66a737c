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
"""

from __future__ import annotations

from collections.abc import Sequence

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
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None
) -> keras.KerasTensor:
    """``num_layers`` ``Dense(units, activation)`` layers on the flattened window, each with dropout after."""
    for i in range(cfg.num_layers):
        h = _dropout(cfg, _hidden_dense(cfg, reg, f"dense_{i + 1}")(h), f"dropout_{i + 1}")
    return h


def _recurrent_stack(
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None
) -> keras.KerasTensor:
    """``num_layers`` LSTM/GRU layers (Keras' cuDNN-eligible defaults), each with dropout after."""
    layer_cls = keras.layers.LSTM if cfg.architecture == "lstm" else keras.layers.GRU
    for i in range(cfg.num_layers):
        h = layer_cls(
            cfg.units,
            return_sequences=i < cfg.num_layers - 1,
            kernel_initializer=cfg.kernel_initializer,
            kernel_regularizer=reg,
            name=f"{cfg.architecture}_{i + 1}",
        )(h)
        h = _dropout(cfg, h, f"dropout_{i + 1}")
    return h


def _conv_stack(
    cfg: TrainerConfig, h: keras.KerasTensor, reg: keras.regularizers.Regularizer | None
) -> keras.KerasTensor:
    """``num_layers`` convolutions of ``filters`` x ``kernel_size``, a 1-filter convolution of kernel 3,
    flatten, dropout, ``Dense(units)``: every convolution keeps the window's length ("same" padding)."""
    convs = [(cfg.filters, cfg.kernel_size, f"conv_{i + 1}") for i in range(cfg.num_layers)]
    for filters, kernel_size, name in [*convs, (1, 3, "conv_out")]:
        h = keras.layers.Conv1D(
            filters,
            kernel_size,
            padding="same",
            activation=cfg.activation,
            kernel_initializer=cfg.kernel_initializer,
            kernel_regularizer=reg,
            name=name,
        )(h)
    h = _dropout(cfg, keras.layers.Flatten(name="flatten")(h), "dropout_1")
    return _hidden_dense(cfg, reg, "dense_1")(h)


def build_model(
    cfg: TrainerConfig, train_x: np.ndarray, target_mean: float, feature_names: Sequence[str] = ()
) -> keras.Model:
    """Build (not compile) the model for windows shaped like ``train_x`` = ``(n, window, n_features)``.

    ``train_x`` must be non-empty: the normalisation statistics are learned from it. ``feature_names`` (the
    columns of ``train_x``) locate the op settings for ``--condition-norm``. Features that are
    constant
    on the training windows get variance 0; Keras' Normalization then divides by ``max(sqrt(var), epsilon)``,
    so they map to 0 instead of NaN.
    """
    _, window, n_features = train_x.shape
    inputs = keras.Input(shape=(window, n_features), dtype="float32", name="window")
    h = _normalizer(cfg, train_x, feature_names)(inputs)
    reg = _regularizer(cfg.l2)
    if cfg.architecture == "dense":
        h = _dense_stack(cfg, keras.layers.Flatten(name="flatten")(h), reg)
    elif cfg.architecture == "cnn":
        h = _conv_stack(cfg, h, reg)
    else:
        h = _recurrent_stack(cfg, h, reg)
    outputs = keras.layers.Dense(
        1,
        kernel_regularizer=reg,
        bias_initializer=keras.initializers.Constant(float(target_mean)),
        dtype="float32",
        name="rul",
    )(h)
    return keras.Model(inputs, outputs, name=f"rul_{cfg.architecture}")
