"""The Suggestion's volume that PBT trials share with their service: where each trial's directory lives.

On a cluster (Katib v0.19.0):

- The Suggestion's PVC is named ``<suggestion>-<algorithm>`` (``util.GetSuggestionPersistentVolumeClaimName``;
  the Suggestion is named as the Experiment) and is created, and mounted at ``/opt/katib/data`` in the
  suggestion pod, only when ``resumePolicy`` is ``FromVolume`` (``suggestion_controller.go``,
  ``composer.go``).
- The PBT service keeps one directory per trial, ``/opt/katib/data/<experiment>/<trial>``: empty for a
  first-generation trial, a ``copytree`` of the parent's for a child, made when the job is queued
  (``pkg/suggestion/v1beta1/pbt/service.py``).
- The pod webhook (``pkg/webhook/v1beta1/pod/inject_webhook.go``, ``mutateSuggestionVolume``) mounts that PVC
  in the trial's primary container at the path of the ``suggestion_trial_dir`` setting, with
  ``subPath: <experiment>/<trial>``, whenever the Suggestion's settings have a non-empty
  ``suggestion_trial_dir``, and only for a pod that gets the metrics-collector sidecar (not with the Push
  collector).

Locally the PVC is ``<root>/volumes/<experiment>-<algorithm>/`` (as any claim), so a trial's directory is
``<root>/volumes/<experiment>-pbt/<experiment>/<trial>/``; :func:`mount_suggestion_volume` adds the same
volume and mount to the rendered Job that the webhook adds to the pod, and :func:`prepare_trial_dir` makes the
directory as the service does.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

VOLUME_NAME = "suggestion-volume"
"""``consts.ContainerSuggestionVolumeName``."""
SETTING = "suggestion_trial_dir"
"""``consts.SuggestionVolumeMountKey``."""


def claim_name(experiment: str, algorithm: str) -> str:
    return f"{experiment}-{algorithm}"


def trial_dir_setting(spec: Mapping[str, Any]) -> str | None:
    """The ``suggestion_trial_dir`` setting, ``None`` when absent or empty (then nothing is mounted)."""
    for entry in (spec.get("algorithm") or {}).get("algorithmSettings") or []:
        if isinstance(entry, Mapping) and entry.get("name") == SETTING and entry.get("value"):
            return str(entry["value"])
    return None


def local_trial_dir(root: Path, experiment: str, algorithm: str, trial: str) -> Path:
    """Where the service's ``/opt/katib/data/<experiment>/<trial>`` is on this machine."""
    return root / "volumes" / claim_name(experiment, algorithm) / experiment / trial


def mount_suggestion_volume(
    manifest: Mapping[str, Any], primary: str, *, experiment: str, algorithm: str, trial: str, mount_path: str
) -> dict[str, Any]:
    """A copy of the rendered Job with the webhook's suggestion volume mounted in ``primary``.

    A trailing ``/`` of ``mount_path`` is dropped (Kubernetes mounts ``/a/b/`` at ``/a/b``), so that command
    arguments are rewritten whether they spell it with or without one. A manifest whose pod has no
    container named ``primary`` is returned unchanged (the runner's localisation reports it).
    """
    job = copy.deepcopy(dict(manifest))
    pod = ((job.get("spec") or {}).get("template") or {}).get("spec")
    if not isinstance(pod, dict):
        return job
    container = next((c for c in pod.get("containers") or [] if c.get("name") == primary), None)
    if container is None:
        return job
    container.setdefault("volumeMounts", []).append(
        {"name": VOLUME_NAME, "mountPath": mount_path.rstrip("/") or "/", "subPath": f"{experiment}/{trial}"}
    )
    pod.setdefault("volumes", []).append(
        {"name": VOLUME_NAME, "persistentVolumeClaim": {"claimName": claim_name(experiment, algorithm)}}
    )
    return job


def prepare_trial_dir(directory: Path, parent: Path | None) -> None:
    """Make a trial's directory as Katib's PBT service does: removed if present, then a copy of ``parent``'s,
    or empty when ``parent`` is ``None``.

    Raises:
        OSError: the parent's directory is missing or cannot be copied (Katib's ``copytree`` raises too).
    """
    if directory.is_dir():
        shutil.rmtree(directory)
    if parent is None:
        directory.mkdir(parents=True, exist_ok=True)
    else:
        directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(parent, directory)
