"""Katib's suggestion services, on the libraries Katib maps each algorithm to.

========================  ===========================================  =======================================
``algorithmName``         library (as in Katib v0.19)                  module
========================  ===========================================  =======================================
``random``, ``tpe``       hyperopt ``rand.suggest`` / ``tpe.suggest``  :mod:`._hyperopt`
``grid``                  optuna ``GridSampler``                       :mod:`._optuna`
``multivariate-tpe``      optuna ``TPESampler(multivariate=True)``     :mod:`._optuna`
``cmaes``, ``sobol``      optuna ``CmaEsSampler`` / ``QMCSampler``     :mod:`._optuna` (Katib: goptuna)
``bayesianoptimization``  scikit-optimize ``Optimizer``                :mod:`._skopt`
========================  ===========================================  =======================================

``hyperband``, ``pbt``, ``enas`` and ``darts`` are rejected by :func:`make_suggester` with a
:class:`SuggestionError` saying they are not supported locally.
"""

from katib_local.suggestions._base import Suggester, SuggestionError
from katib_local.suggestions._factory import (
    LOCAL_ALGORITHMS,
    UNSUPPORTED_ALGORITHMS,
    make_suggester,
    validate_algorithm_settings,
)

__all__ = [
    "LOCAL_ALGORITHMS",
    "UNSUPPORTED_ALGORITHMS",
    "Suggester",
    "SuggestionError",
    "make_suggester",
    "validate_algorithm_settings",
]
