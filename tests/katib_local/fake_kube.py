"""A fake Kubernetes API for the cluster commands' tests: no API server can run here.

``FakeCustomObjectsApi`` and ``FakeCoreV1Api`` are FAKES of the official client's ``CustomObjectsApi`` and
``CoreV1Api`` (only the methods katib-local calls), and the only test doubles in these tests. They keep
objects in dicts and fail as the API server does, with ``kubernetes.client.ApiException``:

- an unknown resource (a CRD that is not installed): 404 with the plain body ``404 page not found``;
- an unknown object: 404 with a ``Status`` body (``reason: NotFound``, ``details.kind`` = the plural);
- a create into a namespace that does not exist: 404 ``Status`` with ``details.kind: namespaces``;
- a name taken: 409 ``AlreadyExists``; a verb the caller's RBAC lacks: 403 ``Forbidden``.

Created objects get ``metadata.uid``, ``creationTimestamp`` and ``resourceVersion``. ``then(...)`` queues
changes applied one per read of an Experiment, so a test walks ``submit --wait`` to its end without sleeping.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Callable
from typing import Any

from kubernetes.client import ApiException, V1Namespace, V1ObjectMeta

from katib_local.cluster import KatibClient

KATIB = ("kubeflow.org", "v1beta1")
INJECTION = {"katib.kubeflow.org/metrics-collector-injection": "enabled"}


def _status_error(code: int, reason: str, message: str, kind: str, name: str) -> ApiException:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"name": name, "kind": kind},
        "code": code,
    }
    return ApiException(status=code, reason=reason, body=json.dumps(body))


class FakeCoreV1Api:
    """FAKE of ``CoreV1Api``: ``read_namespace`` over a dict of namespace -> labels."""

    def __init__(self, namespaces: dict[str, dict[str, str]] | None = None, forbidden: bool = False) -> None:
        self.namespaces = dict(namespaces or {})
        self.forbidden = forbidden

    def read_namespace(self, name: str) -> V1Namespace:
        if self.forbidden:
            raise _status_error(
                403,
                "Forbidden",
                f'namespaces "{name}" is forbidden: User "alice" cannot get resource "namespaces" '
                'in API group "" at the cluster scope',
                "namespaces",
                name,
            )
        if name not in self.namespaces:
            raise _status_error(404, "NotFound", f'namespaces "{name}" not found', "namespaces", name)
        return V1Namespace(metadata=V1ObjectMeta(name=name, labels=dict(self.namespaces[name]) or None))


class FakeCustomObjectsApi:
    """FAKE of ``CustomObjectsApi``: create/get/list of namespaced custom objects kept in dicts.

    ``resources``: the ``(group, version, plural)`` the server knows (Katib's experiments and trials by
    default; empty = Katib not installed). ``namespaces``: where objects may be created (shared with
    :class:`FakeCoreV1Api`). ``forbidden``: verbs (``create``, ``get``, ``list``) answered with 403.
    """

    def __init__(
        self,
        namespaces: dict[str, dict[str, str]] | None = None,
        resources: set[tuple[str, str, str]] | None = None,
        forbidden: set[str] | None = None,
    ) -> None:
        self.namespaces = namespaces if namespaces is not None else {}
        self.resources = resources if resources is not None else {(*KATIB, "experiments"), (*KATIB, "trials")}
        self.forbidden = forbidden or set()
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (plural, namespace, name) -> object
        self.calls: list[tuple[str, str, str]] = []  # (verb, plural, name) in order
        self._pending: dict[tuple[str, str, str], list[Callable[[FakeCustomObjectsApi], None]]] = {}
        self._serial = 0

    # test-side helpers --------------------------------------------------------------------------------
    def put(self, plural: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Store ``obj`` as the server (or Katib's controller) would have it; returns the stored copy."""
        meta = obj.setdefault("metadata", {})
        self._serial += 1
        meta.setdefault("uid", f"uid-{self._serial}")
        meta.setdefault("creationTimestamp", f"2026-11-23T10:00:{self._serial:02d}Z")
        meta["resourceVersion"] = str(self._serial)
        self.objects[(plural, meta.get("namespace", "default"), meta["name"])] = obj
        return obj

    def then(self, namespace: str, name: str, *steps: Callable[[FakeCustomObjectsApi], None]) -> None:
        """Queue ``steps``: each later get of Experiment ``name`` first applies the next one."""
        self._pending.setdefault(("experiments", namespace, name), []).extend(steps)

    # CustomObjectsApi ---------------------------------------------------------------------------------
    def _check(self, verb: str, group: str, version: str, plural: str, name: str = "") -> None:
        self.calls.append((verb, plural, name))
        if (group, version, plural) not in self.resources:
            raise ApiException(status=404, reason="Not Found", body="404 page not found\n")
        if verb in self.forbidden:
            raise _status_error(
                403,
                "Forbidden",
                f'{plural}.{group} "{name}" is forbidden: User "alice" cannot {verb} resource "{plural}" '
                f'in API group "{group}"',
                plural,
                name,
            )

    def create_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        name = body["metadata"]["name"]
        self._check("create", group, version, plural, name)
        if namespace not in self.namespaces:
            raise _status_error(
                404, "NotFound", f'namespaces "{namespace}" not found', "namespaces", namespace
            )
        if (plural, namespace, name) in self.objects:
            raise _status_error(
                409, "AlreadyExists", f'{plural}.{group} "{name}" already exists', plural, name
            )
        stored = copy.deepcopy(body)
        stored["metadata"]["namespace"] = namespace
        return copy.deepcopy(self.put(plural, stored))

    def get_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, name: str
    ) -> dict[str, Any]:
        self._check("get", group, version, plural, name)
        steps = self._pending.get((plural, namespace, name))
        if steps:
            steps.pop(0)(self)
        if (plural, namespace, name) not in self.objects:
            raise _status_error(404, "NotFound", f'{plural}.{group} "{name}" not found', plural, name)
        return copy.deepcopy(self.objects[(plural, namespace, name)])

    def list_namespaced_custom_object(
        self, group: str, version: str, namespace: str, plural: str, *, label_selector: str | None = None
    ) -> dict[str, Any]:
        self._check("list", group, version, plural)
        wanted = dict(s.split("=", 1) for s in label_selector.split(",")) if label_selector else {}
        items = [
            copy.deepcopy(obj)
            for (p, ns, _), obj in sorted(self.objects.items())
            if p == plural
            and ns == namespace
            and all((obj["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]
        return {"apiVersion": f"{group}/{version}", "kind": "List", "items": items}


def fake_client(
    namespaces: dict[str, dict[str, str]] | None = None, default_namespace: str = "default", **custom: Any
) -> tuple[KatibClient, FakeCustomObjectsApi, FakeCoreV1Api]:
    """A real :class:`KatibClient` over the fakes; ``namespaces`` maps each existing namespace to labels."""
    spaces = {"kubeflow": dict(INJECTION)} if namespaces is None else namespaces
    objects = FakeCustomObjectsApi(spaces, **custom)
    core = FakeCoreV1Api(spaces)
    return KatibClient(objects, core, default_namespace, server="https://fake.invalid"), objects, core


def parse(*argv: str, client: KatibClient | None = None) -> argparse.Namespace:
    """``katib-local ARGV`` parsed by the CLI's own parser; with ``client``, commands use it."""
    from katib_local.cli import build_parser

    args = build_parser().parse_args(list(argv))
    if client is not None:
        args.connect = lambda: client
    return args


# Katib objects, as the controller writes them ----------------------------------------------------------


def condition(ctype: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": ctype, "status": "True", "reason": reason, "message": message}


def trial_object(
    experiment: str,
    name: str,
    namespace: str,
    assignments: dict[str, str],
    state: str,
    metrics: dict[str, tuple[str, str, str]] | None = None,
    run_spec: dict[str, Any] | None = None,
    primary: str = "training-container",
) -> dict[str, Any]:
    """A Trial object: ``metrics`` maps name -> (min, max, latest) strings; conditions as Katib leaves them
    (``Created`` and ``Running`` kept, ``Running`` flipped to False once terminal)."""
    conditions = [condition("Created", "TrialCreated")]
    if state != "Created":
        running = condition("Running", "TrialRunning")
        if state != "Running":
            running["status"] = "False"
        conditions.append(running)
    if state not in ("Created", "Running"):
        conditions.append(condition(state, f"Trial{state}", f"Trial has {state.lower()}"))
    status: dict[str, Any] = {"conditions": conditions}
    if metrics:
        status["observation"] = {
            "metrics": [{"name": k, "min": v[0], "max": v[1], "latest": v[2]} for k, v in metrics.items()]
        }
    spec: dict[str, Any] = {
        "parameterAssignments": [{"name": k, "value": v} for k, v in assignments.items()],
        "primaryContainerName": primary,
    }
    if run_spec is not None:
        spec["runSpec"] = run_spec
    return {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Trial",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"katib.kubeflow.org/experiment": experiment},
        },
        "spec": spec,
        "status": status,
    }


def cli(*argv: str, client: KatibClient | None = None) -> int:
    """Run ``katib-local ARGV`` in process (as ``katib_local.cli.main`` does) and return its exit status."""
    args = parse(*argv, client=client)
    return int(args.func(args))
