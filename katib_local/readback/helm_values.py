"""Values for ``charts/inference`` that serve a best trial's model: ``katib-local best --helm-values FILE``.

The file holds only what differs from the chart's defaults for this model (the ``ci/katib-best-values.yaml``
shape): the model's URL name, the PVC and the ``subPath`` of the model directory, and where it came from.
Everything else (image, probes, resources) stays in the chart's ``values.yaml``; layer more ``-f`` files on
top for those.

The model name defaults to the experiment's name: a Kubernetes name (lowercase letters, digits, ``-``, at
most 40 characters for a Katib Experiment) always matches the chart's pattern
``^[A-Za-z0-9][A-Za-z0-9_.-]*$``.
A name given by the user is checked against that pattern here, so a bad one fails before ``helm install``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from katib_local.readback.model_location import ModelLocation

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def inference_values(
    location: ModelLocation, experiment: str, trial: str, model_name: str | None = None
) -> dict[str, Any]:
    """The chart values that mount ``location`` read-only and serve it as ``model_name``.

    Raises ``ValueError`` when ``model_name`` (or the experiment name standing in for it) is not a valid
    TF Serving model name for the chart.
    """
    name = model_name or experiment
    if not MODEL_NAME.fullmatch(name):
        raise ValueError(
            f"model name {name!r}: use letters, digits, '_', '.', '-' (at most 128, starting with a "
            "letter or digit)"
        )
    return {
        "model": {
            "name": name,
            "storage": {"type": "pvc", "claimName": location.claim_name, "subPath": location.sub_path},
            "source": {"experiment": experiment, "trial": trial},
        }
    }


def write_values(path: Path, values: dict[str, Any], command: str, namespace: str | None = None) -> None:
    """Write ``values`` as YAML with a header naming the command that wrote it and how to use it.

    ``namespace`` is where the chart must go: the namespace of the PVC, which is the experiment's (its
    trials mounted the claim). Parent directories of ``path`` are created.
    """
    release = values["model"]["source"]["experiment"]
    header = (
        f"# Written by: {command}\n"
        f"# Serve it:   helm install {release} charts/inference -n {namespace or '<namespace of the PVC>'} "
        f"-f {path}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
