"""Where a trial's model lives on the shared volume, read from its rendered trial manifest.

Katib keeps no model (the trial is a black box), so the only record of where a trial wrote its SavedModel is
the command line it ran. This module follows it:

1. the primary container (``trialTemplate.primaryContainerName``) of the first pod template in the manifest
   that has it: a ``batch/v1`` Job's ``spec.template``, or any replica of a TFJob/PyTorchJob;
2. its ``--model-dir=PATH`` (or ``--model-dir PATH``) in ``command`` + ``args``; a trial name given as
   ``$KATIB_TRIAL_NAME``, ``${KATIB_TRIAL_NAME}`` or ``$(KATIB_TRIAL_NAME)`` (the variable Katib's pod webhook
   sets) is replaced too;
3. the longest ``volumeMount`` whose ``mountPath`` contains PATH, and its volume, which must be a
   ``persistentVolumeClaim``: the model is at ``<claimName>`` / ``<mount subPath>/<PATH below mountPath>``.

On one machine ``katib-local`` maps a claim to ``<root>/volumes/<claimName>/`` (see
:mod:`katib_local.controller.localize`), so the same location names the local directory.

Edge cases, each a :class:`NoModelLocationError` with a one-line reason: no primary container, no
``--model-dir``, a path left with an unresolved variable (``$X``), a path under no mount (the container's own
filesystem) or under a volume that is not a PVC (an ``emptyDir`` is deleted with the pod), and a path that
leaves its mount with ``..``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_DIR_FLAG = "--model-dir"
TRIAL_NAME_ENV = "KATIB_TRIAL_NAME"
_TRIAL_NAME_VAR = re.compile(r"\$\(KATIB_TRIAL_NAME\)|\$\{KATIB_TRIAL_NAME\}|\$KATIB_TRIAL_NAME(?![\w])")


class NoModelLocationError(Exception):
    """The manifest names no model directory on a PersistentVolumeClaim; the message says why (one line)."""


@dataclass(frozen=True)
class ModelLocation:
    """A model directory on a PVC: ``claim_name`` and the directory's ``sub_path`` inside the volume.

    ``container_path`` is the directory as the trial saw it (``/mnt/shared/models/<exp>/<trial>``).
    ``sub_path`` is relative, normalised, never empty (a model at the volume's root is refused: the chart
    requires a subPath) and never contains ``..``.
    """

    claim_name: str
    sub_path: str
    container_path: str

    def local_dir(self, root: Path) -> Path:
        """The directory ``katib-local`` maps this location to: ``<root>/volumes/<claim>/<sub_path>``."""
        return root / "volumes" / self.claim_name / self.sub_path


def _pod_specs(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every mapping with a ``containers`` list, depth first (a Job's pod spec, each replica's pod spec)."""
    if isinstance(node, Mapping):
        if isinstance(node.get("containers"), list):
            yield node
        for value in node.values():
            yield from _pod_specs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pod_specs(item)


def model_dir_argument(words: Sequence[str], flag: str = MODEL_DIR_FLAG) -> str | None:
    """The value of ``flag`` in ``words`` (``--flag=value`` or ``--flag value``); the last one wins.

    Words of a ``sh -c SCRIPT`` command are split on whitespace first, so the flag is found inside a script.
    """
    tokens = [token for word in words for token in str(word).split()]
    value: str | None = None
    for index, token in enumerate(tokens):
        if token.startswith(flag + "="):
            value = token[len(flag) + 1 :]
        elif token == flag and index + 1 < len(tokens):
            value = tokens[index + 1]
    return value


def locate_model(
    manifest: Mapping[str, Any], primary_container: str, trial_name: str, flag: str = MODEL_DIR_FLAG
) -> ModelLocation:
    """The PVC location of the model directory the trial's primary container was told to write.

    ``manifest`` is the rendered trial (``${trialParameters.*}`` already substituted, as in a Trial's
    ``spec.runSpec`` or :func:`katib_local.experiment.rendering.render_trial_spec`).
    Raises :class:`NoModelLocationError`.
    """
    for pod in _pod_specs(manifest):
        container = next(
            (c for c in pod["containers"] if isinstance(c, Mapping) and c.get("name") == primary_container),
            None,
        )
        if container is not None:
            break
    else:
        raise NoModelLocationError(f"the trial's manifest has no container named {primary_container!r}")
    words = [*(container.get("command") or []), *(container.get("args") or [])]
    raw = model_dir_argument(words, flag)
    if raw is None:
        raise NoModelLocationError(f"container {primary_container!r} has no {flag} argument")
    path = _TRIAL_NAME_VAR.sub(trial_name, raw.strip("'\""))
    if "$" in path:
        raise NoModelLocationError(f"{flag}={raw}: the path keeps an unresolved variable")
    if not path.startswith("/"):
        raise NoModelLocationError(f"{flag}={raw}: a relative path is inside the container, not on a volume")
    path = posixpath.normpath(path)
    volumes = {v.get("name"): v for v in pod.get("volumes") or [] if isinstance(v, Mapping)}
    mounts = sorted(
        (m for m in container.get("volumeMounts") or [] if isinstance(m, Mapping)),
        key=lambda m: len(str(m.get("mountPath", ""))),
        reverse=True,
    )
    for mount in mounts:
        mount_path = posixpath.normpath(str(mount.get("mountPath", "")))
        if path != mount_path and not path.startswith(mount_path.rstrip("/") + "/"):
            continue
        volume = volumes.get(mount.get("name")) or {}
        claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
        if not claim:
            kinds = ", ".join(sorted(k for k in volume if k != "name")) or "undefined"
            raise NoModelLocationError(
                f"{flag}={path} is on volume {mount.get('name')!r} ({kinds}), not on a "
                "PersistentVolumeClaim: the model went with the pod"
            )
        relative = posixpath.relpath(path, mount_path)
        sub_path = posixpath.normpath(posixpath.join(str(mount.get("subPath") or ""), relative))
        if sub_path in (".", "") or sub_path.startswith(".."):
            raise NoModelLocationError(f"{flag}={path}: not a directory inside claim {claim!r}")
        return ModelLocation(str(claim), sub_path, path)
    raise NoModelLocationError(
        f"{flag}={path} is under no volume mount of {primary_container!r}: the model went with the pod"
    )


def savedmodel_versions(directory: Path) -> list[int]:
    """The numeric version directories under ``directory`` that hold a SavedModel, ascending.

    This is TF Serving's layout: it serves the highest version that has ``saved_model.pb`` (or
    ``saved_model.pbtxt``). Temporary export directories (non-numeric names) are ignored; a missing
    ``directory`` gives ``[]``.
    """
    if not directory.is_dir():
        return []
    return sorted(
        int(child.name)
        for child in directory.iterdir()
        if child.is_dir()
        and child.name.isdigit()
        and any((child / name).is_file() for name in ("saved_model.pb", "saved_model.pbtxt"))
    )
