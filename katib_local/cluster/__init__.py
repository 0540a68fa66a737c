"""The cluster side of ``katib-local``: Katib's Experiments and Trials through the official client.

``connect()`` reads the kube config (or the in-cluster service account); :class:`KatibClient` creates and
reads Experiments and Trials; every failure is a :class:`ClusterError` with a one-line message.
"""

from katib_local.cluster._client import EXPERIMENT_LABEL, GROUP, VERSION, KatibClient
from katib_local.cluster._config import connect
from katib_local.cluster._errors import (
    EXIT_CLUSTER,
    AlreadyExistsError,
    ClusterError,
    ForbiddenError,
    NamespaceNotFoundError,
    NamespaceNotLabelledError,
    NoKatibCRDError,
    NoKubeConfigError,
    NotFoundError,
    RejectedError,
)
from katib_local.cluster._objects import (
    experiment_view,
    is_finished,
    last_condition,
    trial_result,
    trial_status,
)
from katib_local.cluster._watch import watch

__all__ = [
    "EXIT_CLUSTER",
    "EXPERIMENT_LABEL",
    "GROUP",
    "VERSION",
    "AlreadyExistsError",
    "ClusterError",
    "ForbiddenError",
    "KatibClient",
    "NamespaceNotFoundError",
    "NamespaceNotLabelledError",
    "NoKatibCRDError",
    "NoKubeConfigError",
    "NotFoundError",
    "RejectedError",
    "connect",
    "experiment_view",
    "is_finished",
    "last_condition",
    "trial_result",
    "trial_status",
    "watch",
]
