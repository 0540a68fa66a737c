"""Turn a rendered trial manifest (a ``batch/v1`` Job) into a local process launch.

What runs is the primary container's ``command`` + ``args``, the way Katib's pod webhook runs it: joined with
spaces and handed to ``sh -c`` (so word splitting, globbing and ``$VAR`` expansion happen as on the cluster;
``exec`` makes the trial program the process the runner signals). Kubernetes' own ``$(VAR)`` expansion of
``command``/``args`` against the container's ``env`` is applied first. A leading ``python``/``python3``
becomes the
runner's interpreter, so the trial sees the same virtualenv. A command that already is ``sh -c SCRIPT`` or
``bash -c SCRIPT`` is run as given.

Volumes: a PVC maps to ``<root>/volumes/<claimName>/``, an ``emptyDir`` to a per-trial directory, a
``hostPath`` to itself. Every mount path (longest first) is rewritten to its local directory wherever it
starts
a path in the command, args and env values. The metrics collector's File/TensorFlowEvent directory gets a
per-trial directory unless a mount already covers it, as Katib mounts an emptyDir there.

The Job's ``activeDeadlineSeconds`` is kept: a trial still running then is stopped and Failed, as the Job
controller fails the Job with ``DeadlineExceeded`` (here counted from the process start, not from the Job's
creation, so time waiting for a GPU is not counted).

Resources: ``nvidia.com/gpu`` limits are whole GPUs assigned through ``CUDA_VISIBLE_DEVICES`` by the runner;
without a GPU limit the trial sees none (``CUDA_VISIBLE_DEVICES=""``), as a pod without the request does. A
``cpu`` limit bounds the math libraries' thread pools through ``OMP_NUM_THREADS``, ``TF_NUM_INTRAOP_THREADS``,
``TF_NUM_INTEROP_THREADS``, ``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` (unless the container sets them).

Refused (``LocalizeError``): a kind other than Job, no ``command``, init containers, a mounted volume of a
kind
that needs a cluster (configMap, secret, ...). Warned: other containers in the pod (not run), ``valueFrom``
and ``envFrom`` env (not resolved), values with spaces or shell characters (``sh`` re-splits them, here and on
the cluster).
"""

from __future__ import annotations

import math
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

_SHELL_CHARS = re.compile(r"[\s;&|<>()$`\\\"'*?\[\]#~{}!]")
_K8S_VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
)


class LocalizeError(Exception):
    """The trial cannot run on this machine as written."""


@dataclass
class LaunchSpec:
    """Everything needed to start one trial process.

    ``argv`` is what is executed (``sh -c ...``); ``display_command`` is the rendered command+args,
    rewritten, as
    a user would type it. ``env`` holds only the variables the trial adds to the runner's environment.
    ``directories`` are created before launch. ``metrics_path`` is the local File/TensorFlowEvent path.
    """

    argv: list[str]
    display_command: str
    env: dict[str, str]
    cwd: str | None
    gpus: int
    directories: list[Path] = field(default_factory=list)
    metrics_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    deadline_seconds: float | None = None


def _primary_pod_spec(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    kind = manifest.get("kind")
    if kind != "Job" or not str(manifest.get("apiVersion", "")).startswith("batch/"):
        raise LocalizeError(
            f"trial kind {manifest.get('apiVersion')}/{kind} is not supported locally: only batch/v1 Job "
            "runs on one machine (TFJob, PyTorchJob, TrainJob ... need their operators)"
        )
    return ((manifest.get("spec") or {}).get("template") or {}).get("spec") or {}


def parse_cpu(quantity: str | int | float) -> float:
    """A Kubernetes CPU quantity (``"500m"``, ``"2"``, ``1.5``) in cores."""
    text = str(quantity).strip()
    if text.endswith("m"):
        return float(text[:-1]) / 1000.0
    return float(text)


class _PathRewriter:
    """Replaces in-container mount paths with local directories where they begin a path."""

    def __init__(self, mapping: Mapping[str, Path]) -> None:
        self.mapping = {p.rstrip("/") or "/": d for p, d in mapping.items()}
        paths = sorted(self.mapping, key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in paths)
        self._regex = re.compile(rf"(?<![\w./-])({alternatives})(?=/|$|[^\w.-])") if paths else None

    def __call__(self, text: str) -> str:
        if self._regex is None:
            return text
        return self._regex.sub(lambda m: str(self.mapping[m.group(1)]), text)

    def local(self, container_path: str) -> Path | None:
        """The local path of an in-container path under some mount, else ``None``."""
        for mount in sorted(self.mapping, key=len, reverse=True):
            pure = PurePosixPath(container_path)
            if pure == PurePosixPath(mount) or PurePosixPath(mount) in pure.parents:
                rel = pure.relative_to(mount)
                return self.mapping[mount] / rel
        return None


def _expand_k8s_vars(text: str, env: Mapping[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: defined variables are replaced, ``$$`` is a literal ``$``."""

    def sub(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env[name] if name in env else match.group(0)

    return _K8S_VAR.sub(sub, text)


def localize(
    manifest: Mapping[str, Any],
    primary_container: str,
    *,
    root: Path,
    trial_dir: Path,
    trial_name: str,
    collector_kind: str = "StdOut",
    collector_path: str | None = None,
) -> LaunchSpec:
    """Build the launch of one trial from its rendered manifest. See the module docstring for the rules."""
    pod = _primary_pod_spec(manifest)
    warnings: list[str] = []
    if pod.get("initContainers"):
        names = [c.get("name") for c in pod["initContainers"]]
        raise LocalizeError(f"init containers {names} cannot run locally; remove them or run on a cluster")
    containers = pod.get("containers") or []
    primary = next((c for c in containers if c.get("name") == primary_container), None)
    if primary is None:
        raise LocalizeError(f"primary container {primary_container!r} is not in the trial's pod")
    others = [c.get("name") for c in containers if c is not primary]
    if others:
        warnings.append(f"containers {others} are not run locally: only the primary container runs")
    command = [str(x) for x in (primary.get("command") or [])]
    args = [str(x) for x in (primary.get("args") or [])]
    if not command:
        raise LocalizeError(
            f"container {primary_container!r} has no command: Katib would read the image's entrypoint, which "
            "cannot be done locally; set command explicitly"
        )

    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    mapping: dict[str, Path] = {}
    directories: list[Path] = []
    for mount in primary.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name"))
        if volume is None:
            raise LocalizeError(f"volume mount {mount.get('name')!r} names no volume of the pod")
        if "persistentVolumeClaim" in volume:
            base = root / "volumes" / str(volume["persistentVolumeClaim"].get("claimName"))
        elif "emptyDir" in volume:
            base = trial_dir / "emptydir" / str(volume.get("name"))
        elif "hostPath" in volume:
            base = Path(str(volume["hostPath"].get("path")))
        else:
            kinds = sorted(k for k in volume if k != "name")
            raise LocalizeError(
                f"volume {volume.get('name')!r} ({', '.join(kinds)}) needs a cluster; only "
                "persistentVolumeClaim, emptyDir and hostPath volumes run locally"
            )
        local = base / str(mount.get("subPath")) if mount.get("subPath") else base
        mapping[str(mount.get("mountPath"))] = local
        directories.append(local)

    rewrite = _PathRewriter(mapping)
    metrics_path: Path | None = None
    if collector_kind in ("File", "TensorFlowEvent") and collector_path:
        collector_dir = (
            collector_path
            if collector_kind == "TensorFlowEvent"
            else str(PurePosixPath(collector_path).parent)
        )
        if rewrite.local(collector_dir) is None:
            mapping[collector_dir] = trial_dir / "metrics-volume"
            directories.append(trial_dir / "metrics-volume")
            rewrite = _PathRewriter(mapping)
        metrics_path = rewrite.local(collector_path)

    env: dict[str, str] = {}
    for item in primary.get("env") or []:
        if "valueFrom" in item:
            warnings.append(
                f"env {item.get('name')}: valueFrom is not resolved locally; the variable is unset"
            )
            continue
        env[str(item.get("name"))] = rewrite(_expand_k8s_vars(str(item.get("value", "")), env))
    if primary.get("envFrom"):
        warnings.append("envFrom (configMap/secret) is not resolved locally")
    env["KATIB_TRIAL_NAME"] = trial_name
    env.setdefault("PYTHONUNBUFFERED", "1")

    resources = primary.get("resources") or {}
    limits = {**(resources.get("requests") or {}), **(resources.get("limits") or {})}
    gpus = int(limits.get("nvidia.com/gpu", 0) or 0)
    if "cpu" in limits:
        threads = str(max(1, math.ceil(parse_cpu(limits["cpu"]))))
        for var in _THREAD_VARS:
            env.setdefault(var, threads)

    words = [rewrite(_expand_k8s_vars(w, env)) for w in command + args]
    if words[0] in ("python", "python3"):
        words[0] = sys.executable
    display = " ".join(words)
    if len(words) >= 2 and words[0] in ("sh", "bash", "/bin/sh") and words[1] == "-c":
        argv = words
    else:
        for word in words[1:]:
            if _SHELL_CHARS.search(word):
                warnings.append(
                    f"argument {word!r} contains spaces or shell characters: Katib joins the command with "
                    "spaces and runs it with sh -c, so sh re-parses it (here too)"
                )
        argv = ["sh", "-c", "exec " + " ".join([shlex.quote(words[0]), *words[1:]])]

    working_dir = primary.get("workingDir")
    cwd = None
    if working_dir:
        local_wd = rewrite.local(str(working_dir))
        cwd = str(local_wd) if local_wd is not None else str(working_dir)
        if not Path(cwd).is_dir():
            warnings.append(
                f"workingDir {working_dir} does not exist here; the trial runs in the current directory"
            )
            cwd = None
    deadline = (manifest.get("spec") or {}).get("activeDeadlineSeconds")
    return LaunchSpec(
        argv,
        display,
        env,
        cwd,
        gpus,
        directories,
        metrics_path,
        warnings,
        deadline_seconds=float(deadline) if deadline is not None else None,
    )


def shell_words(words: Sequence[str]) -> str:
    """A copy-pasteable rendering of argv (for messages)."""
    return " ".join(shlex.quote(w) for w in words)
