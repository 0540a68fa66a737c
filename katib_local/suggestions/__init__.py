"""Katib's suggestion services, on the libraries Katib maps each algorithm to.

========================  ===========================================  =======================================
``algorithmName``         library (as in Katib v0.19)                  module
========================  ===========================================  =======================================
``random``, ``tpe``       hyperopt ``rand.suggest`` / ``tpe.suggest``  :mod:`._hyperopt`
``grid``                  optuna ``GridSampler``                       :mod:`._optuna`
``multivariate-tpe``      optuna ``TPESampler(multivariate=True)``     :mod:`._optuna`
``cmaes``, ``sobol``      ``cmaes.CMA`` / ``scipy.stats.qmc.Sobol``    :mod:`._goptuna` (Katib: goptuna)
``bayesianoptimization``  scikit-optimize ``Optimizer``                :mod:`._skopt`
========================  ===========================================  =======================================

cmaes and sobol use the libraries behind optuna's ``CmaEsSampler``/``QMCSampler`` directly, because those
samplers keep their sequential state in optuna system attributes that a trial history cannot restore (see
:mod:`._goptuna`).

Every suggester is stateless between calls: ``suggest(history, count)`` rebuilds the algorithm from the whole
history (Succeeded/EarlyStopped trials with an objective are learnt from; others are pending or ignored, per
algorithm) and is deterministic for a given ``random_state`` and history. Successive calls draw different
random numbers because the per-call seed is derived from ``random_state`` and the history length.

``hyperband``, ``pbt``, ``enas`` and ``darts`` are rejected by :func:`make_suggester` with a
:class:`SuggestionError` saying they are not supported locally; :func:`validate_algorithm_settings` still
checks hyperband's and pbt's settings as Katib would.
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
