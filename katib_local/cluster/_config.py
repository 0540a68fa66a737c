"""Connect to the cluster of the current kube context, or to the one this pod runs in.

Order, as ``kubectl`` and Katib's SDK do it: the kube config (``$KUBECONFIG``, read when :func:`connect` is
called, else ``~/.kube/config``; its current context, or ``context``), then the in-cluster service account.
The default namespace is the context's ``namespace``, the service account's namespace in a pod, else
``default``. Nothing is sent to the server here: a wrong server address shows up at the first call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from katib_local.cluster._client import KatibClient
from katib_local.cluster._errors import NoKubeConfigError

if TYPE_CHECKING:
    from kubernetes.client import ApiClient

_SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def _kube_config(kubeconfig: str | None, context: str | None) -> tuple[ApiClient, str] | None:
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    path = kubeconfig or os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())
    configuration = client.Configuration()
    try:
        config.load_kube_config(config_file=path, context=context, client_configuration=configuration)
        _, active = config.list_kube_config_contexts(config_file=path)
    except (ConfigException, OSError):
        return None
    if context is not None:
        contexts, _ = config.list_kube_config_contexts(config_file=path)
        active = next((c for c in contexts if c.get("name") == context), active)
    namespace = str(((active or {}).get("context") or {}).get("namespace") or "default")
    return client.ApiClient(configuration), namespace


def _in_cluster() -> tuple[ApiClient, str] | None:
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()
    try:
        config.load_incluster_config(client_configuration=configuration)
    except ConfigException:
        return None
    try:
        namespace = _SERVICE_ACCOUNT_NAMESPACE.read_text().strip() or "default"
    except OSError:
        namespace = "default"
    return client.ApiClient(configuration), namespace


def connect(kubeconfig: str | None = None, context: str | None = None) -> KatibClient:
    """A :class:`KatibClient` for the current kube context, else the in-cluster config.

    Raises :class:`NoKubeConfigError` when neither is available (no readable kube config with a current
    context, and not running in a pod).
    """
    from kubernetes import client  # here, not at import: ~0.6 s the local commands never pay

    found = _kube_config(kubeconfig, context) or _in_cluster()
    if found is None:
        where = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        raise NoKubeConfigError(
            f"no kube config: {where} is missing or has no current context, and this is not a pod in a "
            "cluster (set KUBECONFIG or run `kubectl config use-context NAME`)"
        )
    api, namespace = found
    return KatibClient(
        client.CustomObjectsApi(api), client.CoreV1Api(api), namespace, server=api.configuration.host
    )
