"""``katib-local dashboard``: optuna-dashboard over one Experiment's trials, local or on a cluster.

The trials are written into an Optuna journal storage through Optuna's own API (never by hand) and kept in
step while the Experiment runs; see :mod:`katib_local.dashboard._mirror` for the mapping of states, values,
curves and attributes, and :mod:`katib_local.dashboard._snapshot` for what each source can provide.
"""

from katib_local.dashboard._distributions import distribution, param_value
from katib_local.dashboard._mirror import STATES, StudyMirror, optuna_state
from katib_local.dashboard._server import PortInUseError, bind, journal_storage, serve
from katib_local.dashboard._snapshot import (
    ExperimentSnapshot,
    TrialSnapshot,
    cluster_snapshot,
    local_snapshot,
)

__all__ = [
    "STATES",
    "ExperimentSnapshot",
    "PortInUseError",
    "StudyMirror",
    "TrialSnapshot",
    "bind",
    "cluster_snapshot",
    "distribution",
    "journal_storage",
    "local_snapshot",
    "optuna_state",
    "param_value",
    "serve",
]
