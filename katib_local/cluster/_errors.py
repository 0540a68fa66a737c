"""Why a cluster call did not do what was asked, each as one line a user can act on.

:func:`from_api_exception` turns the official client's ``ApiException`` into one of these, reading the API
server's answer the way ``kubectl`` does:

- 404 with a ``Status`` body (``reason: NotFound``) is a missing *object* (:class:`NotFoundError`), or a
  missing namespace when ``details.kind`` is ``namespaces`` (:class:`NamespaceNotFoundError`);
- 404 without one (the server's plain ``404 page not found``) is a missing *resource*: the
  ``experiments.kubeflow.org/v1beta1`` CRD is not installed (:class:`NoKatibCRDError`);
- 403 :class:`ForbiddenError`, 409 :class:`AlreadyExistsError`; 400/422 (an admission webhook such as
  Katib's denied the object) :class:`RejectedError`; anything else :class:`ClusterError` with the server's
  message.
"""

from __future__ import annotations

import json
from typing import Any

from katib_local import exitcodes

EXIT_CLUSTER = exitcodes.CLUSTER
"""Exit status of a cluster command the cluster refused or could not be reached for."""


class ClusterError(Exception):
    """A cluster call failed; ``str()`` is one line. ``exit_code`` is what a command returns for it."""

    exit_code = EXIT_CLUSTER


class NoKubeConfigError(ClusterError):
    """Neither a kube config nor an in-cluster service account is available."""


class NoKatibCRDError(ClusterError):
    """The API server has no ``kubeflow.org/v1beta1`` experiments resource: Katib is not installed."""


class NamespaceNotFoundError(ClusterError):
    """The namespace does not exist."""


class NamespaceNotLabelledError(ClusterError):
    """The namespace lacks ``katib.kubeflow.org/metrics-collector-injection: enabled``."""


class ForbiddenError(ClusterError):
    """RBAC refused the call (403)."""


class AlreadyExistsError(ClusterError):
    """An object of that name exists (409)."""


class RejectedError(ClusterError):
    """The API server or an admission webhook refused the object (400, 422)."""


class NotFoundError(ClusterError):
    """The named object does not exist (404 with a Status body). Exit status 2, as for an unknown local
    experiment."""

    exit_code = exitcodes.USAGE


def _status_body(body: Any) -> dict[str, Any] | None:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and parsed.get("kind") == "Status" else None


def from_api_exception(exc: Any, what: str) -> ClusterError:
    """The :class:`ClusterError` for an ``ApiException`` raised while doing ``what`` (e.g. ``"create
    experiment rul-random in namespace kubeflow"``)."""
    status = _status_body(getattr(exc, "body", None))
    code = int(getattr(exc, "status", 0) or 0)
    message = " ".join(str((status or {}).get("message") or getattr(exc, "reason", "") or exc).split())
    if code == 404:
        if status is None:
            return NoKatibCRDError(
                f"cannot {what}: the cluster has no experiments.kubeflow.org/v1beta1 resource "
                "(Katib is not installed; see docs/cluster-quickstart.md)"
            )
        if (status.get("details") or {}).get("kind") == "namespaces":
            return NamespaceNotFoundError(f"cannot {what}: {message}")
        return NotFoundError(f"cannot {what}: {message}")
    if code == 403:
        return ForbiddenError(f"cannot {what}: forbidden: {message}")
    if code == 409:
        return AlreadyExistsError(f"cannot {what}: {message} (delete it first, or change metadata.name)")
    if code in (400, 422):
        return RejectedError(f"cannot {what}: rejected: {message}")
    return ClusterError(f"cannot {what}: HTTP {code or '?'} {message}")
