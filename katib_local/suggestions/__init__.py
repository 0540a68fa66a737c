"""Katib's suggestion services, on the libraries Katib maps each algorithm to.

========================  ===========================================  =======================================
``algorithmName``         library (as in Katib v0.19)                  module
========================  ===========================================  =======================================
``random``, ``tpe``       hyperopt ``rand.suggest`` / ``tpe.suggest``  :mod:`._hyperopt`
``grid``                  optuna ``GridSampler``                       :mod:`._optuna`
``multivariate-tpe``      optuna ``TPESampler(multivariate=True)``     :mod:`._optuna`
``cmaes``, ``sobol``      ``cmaes.CMA`` / ``scipy.stats.qmc.Sobol``    :mod:`._goptuna` (Katib: goptuna)
``bayesianoptimization``  scikit-optimize ``Optimizer``                :mod:`._skopt`
``hyperband``             Katib's own service, reproduced              :mod:`._hyperband`
``pbt``                   Katib's own service, reproduced              :mod:`._pbt`
========================  ===========================================  =======================================

cmaes and sobol use the libraries behind optuna's ``CmaEsSampler``/``QMCSampler`` directly, because those
samplers keep their sequential state in optuna system attributes that a trial history cannot restore (see
:mod:`._goptuna`).

Every suggester but hyperband's and pbt's is stateless between calls: ``suggest(history, count)`` rebuilds
the algorithm from the whole history (Succeeded/EarlyStopped trials with an objective are learnt from; others
are pending or ignored, per algorithm) and is deterministic for a given ``random_state`` and history.
Successive calls draw different random numbers because the per-call seed is derived from ``random_state``
and the history length.

hyperband and pbt are :class:`StatefulSuggester` s: Katib keeps hyperband's state in the Suggestion's
algorithm settings and pbt's in its service's memory, so ``propose(history, count, state)`` takes the state
the previous reply left and returns the next one with its trials (which may be fewer than asked, carry names,
labels and a checkpoint directory to copy). :func:`make_service` builds either kind (the runner's entry);
:func:`make_suggester` only the stateless ones. ``enas`` and ``darts`` are rejected by both with a
:class:`SuggestionError` saying they are not supported locally.
"""

from katib_local.suggestions._base import (
    Proposal,
    ProposedTrial,
    StatefulSuggester,
    Suggester,
    SuggestionError,
)
from katib_local.suggestions._factory import (
    LOCAL_ALGORITHMS,
    STATEFUL_ALGORITHMS,
    UNSUPPORTED_ALGORITHMS,
    make_service,
    make_suggester,
    validate_algorithm_settings,
)

__all__ = [
    "LOCAL_ALGORITHMS",
    "STATEFUL_ALGORITHMS",
    "UNSUPPORTED_ALGORITHMS",
    "Proposal",
    "ProposedTrial",
    "StatefulSuggester",
    "Suggester",
    "SuggestionError",
    "make_service",
    "make_suggester",
    "validate_algorithm_settings",
]
