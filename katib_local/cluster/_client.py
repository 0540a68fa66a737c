"""A thin client for Katib's objects on a cluster, over the official ``kubernetes`` client.

Katib's own SDK does the same through ``CustomObjectsApi`` (group ``kubeflow.org``, version ``v1beta1``,
plurals ``experiments`` and ``trials``); this client adds only the translation of failures into
:mod:`katib_local.cluster._errors` and plain ``dict`` objects, exactly the JSON the API server returns.

The two APIs are passed in, so a test drives the client with fakes of ``CustomObjectsApi`` and
``CoreV1Api``; :func:`katib_local.cluster.connect` builds the real ones from the kube config. The
``kubernetes`` package itself is imported only when a cluster is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from urllib3.exceptions import HTTPError

from katib_local.cluster._errors import ClusterError, NotFoundError, from_api_exception

GROUP = "kubeflow.org"
VERSION = "v1beta1"
EXPERIMENTS = "experiments"
TRIALS = "trials"
EXPERIMENT_LABEL = "katib.kubeflow.org/experiment"
"""The label Katib puts on every Trial of an Experiment."""

T = TypeVar("T")


class CustomObjects(Protocol):
    """The part of ``kubernetes.client.CustomObjectsApi`` this client calls."""

    def create_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, body: dict[str, Any]
    ) -> Any: ...

    def get_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, name: str
    ) -> Any: ...

    def list_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, *, label_selector: str | None = None
    ) -> Any: ...


class CoreV1(Protocol):
    """The part of ``kubernetes.client.CoreV1Api`` this client calls."""

    def read_namespace(self, name: str) -> Any: ...


class KatibClient:
    """Katib Experiments and Trials in a cluster, as plain dicts.

    ``namespace`` is the default namespace of the kube context (``default`` when it names none); commands
    use it when neither ``-n`` nor the object's ``metadata.namespace`` gives one. ``server`` names the API
    server in messages.
    """

    def __init__(
        self, custom: CustomObjects, core: CoreV1, namespace: str = "default", server: str = "the cluster"
    ) -> None:
        self.custom = custom
        self.core = core
        self.namespace = namespace
        self.server = server

    def _call(self, what: str, call: Callable[[], T]) -> T:
        # Imported here: loading the kubernetes package takes ~0.6 s that the local commands never pay.
        from kubernetes.client.exceptions import ApiException

        try:
            return call()
        except ApiException as exc:
            raise from_api_exception(exc, what) from None
        except HTTPError as exc:  # connection refused, TLS, timeouts: urllib3 below the client
            reason = " ".join(str(getattr(exc, "reason", None) or exc).split())
            raise ClusterError(f"cannot {what}: cannot reach {self.server}: {reason}") from None

    def create_experiment(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create ``body`` (an Experiment) in ``namespace``; the server's copy of it is returned."""
        name = (body.get("metadata") or {}).get("name")
        created: dict[str, Any] = self._call(
            f"create experiment {name} in namespace {namespace}",
            lambda: self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, EXPERIMENTS, body),
        )
        return created

    def get_experiment(self, namespace: str, name: str) -> dict[str, Any]:
        """The Experiment; :class:`~katib_local.cluster.NotFoundError` when there is none of that name."""
        found: dict[str, Any] = self._call(
            f"get experiment {name} in namespace {namespace}",
            lambda: self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, EXPERIMENTS, name),
        )
        return found

    def get_trial(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The Trial, or ``None`` when it does not exist (deleted with its Experiment, or never created)."""
        try:
            found: dict[str, Any] = self._call(
                f"get trial {name} in namespace {namespace}",
                lambda: self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, TRIALS, name),
            )
        except NotFoundError:
            return None
        return found

    def list_trials(self, namespace: str, experiment: str) -> list[dict[str, Any]]:
        """The Experiment's Trials (by Katib's label), oldest first (creation time, then name)."""
        listed = self._call(
            f"list trials of experiment {experiment} in namespace {namespace}",
            lambda: self.custom.list_namespaced_custom_object(
                GROUP, VERSION, namespace, TRIALS, label_selector=f"{EXPERIMENT_LABEL}={experiment}"
            ),
        )
        items: list[dict[str, Any]] = list((listed or {}).get("items") or [])
        return sorted(
            items,
            key=lambda t: (
                str((t.get("metadata") or {}).get("creationTimestamp") or ""),
                str((t.get("metadata") or {}).get("name") or ""),
            ),
        )

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """The Namespace's labels; :class:`~katib_local.cluster.NamespaceNotFoundError` or
        :class:`~katib_local.cluster.ForbiddenError` (a user may create Experiments in a namespace without the
        right to read the Namespace object) otherwise."""
        found = self._call(f"read namespace {namespace}", lambda: self.core.read_namespace(namespace))
        metadata = getattr(found, "metadata", None)
        labels = getattr(metadata, "labels", None) if metadata is not None else None
        if labels is None and isinstance(found, dict):
            labels = (found.get("metadata") or {}).get("labels")
        return {str(k): str(v) for k, v in (labels or {}).items()}
