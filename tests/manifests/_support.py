"""Shared helpers of the manifest tests: loading, kustomize rendering, Katib's trial rendering, schema checks.

Everything here runs offline: ``kubectl kustomize`` renders without a cluster, kubernetes-validate carries the
Kubernetes JSON schemas, and the trial rendering is Katib's own text substitution (via
:mod:`katib_local.experiment.rendering`). Results that are slow to compute (kustomize runs, schema
validations) are cached per process, so each object is validated once per Kubernetes version however many
tests look at it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import kubernetes_validate
import numpy as np
import yaml

from katib_local.experiment.rendering import render_trial_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = REPO_ROOT / "manifests"
CPU_COMPONENT = MANIFESTS / "components" / "cpu"

# The searches a user runs, and the one-trial smoke test that precedes them.
SEARCH_FILES = (
    "experiment-grid.yaml",
    "experiment-random.yaml",
    "experiment-bayesian.yaml",
    "experiment-tpe.yaml",
    "experiment-cmapss-bayesian.yaml",
)
# Katib's compute-saving services: hyperband (its rungs are the early stopping) and pbt (checkpoints).
SAVING_FILES = ("experiment-hyperband.yaml", "experiment-pbt.yaml")
SMOKE_FILE = "experiment-smoke.yaml"
EXPERIMENT_FILES = (SMOKE_FILE, *SEARCH_FILES, *SAVING_FILES)

K8S_VERSIONS = ("1.30", "1.31", "1.32", "1.33")

NAMESPACE = "katib-forecast"
CLAIM_NAME = "hpo-shared"
SHARED_MOUNT = "/mnt/shared"
TRAINER_IMAGE = "ghcr.io/katib-forecast/katib-forecast-trainer"
PRIMARY_CONTAINER = "trainer"

# What a rendered command word may contain: Katib joins the words with spaces, unquoted, and runs them with
# `sh -c`, so anything beyond these characters could be split or interpreted by the shell.
SAFE_WORD = re.compile(r"[A-Za-z0-9_./=:,+-]+")
PLACEHOLDER = re.compile(r"\$\{trialParameters\.([^}]*)\}")


# --------------------------------------------------------------------------------------------- loading


@functools.cache
def _load(name: str) -> str:
    return (MANIFESTS / name).read_text(encoding="utf-8")


def load_experiment(name: str) -> dict[str, Any]:
    """The single Experiment document of ``manifests/<name>`` (a fresh copy each call)."""
    docs = [d for d in yaml.safe_load_all(_load(name)) if d is not None]
    assert len(docs) == 1, f"{name}: expected one document, found {len(docs)}"
    doc = docs[0]
    assert isinstance(doc, dict)
    return doc


def load_documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(_load(name)) if d is not None]


def job_of(experiment: Mapping[str, Any]) -> dict[str, Any]:
    """The trial template's Job (``spec.trialTemplate.trialSpec``)."""
    job = experiment["spec"]["trialTemplate"]["trialSpec"]
    assert isinstance(job, dict)
    return job


def primary_container(job: Mapping[str, Any]) -> dict[str, Any]:
    containers = job["spec"]["template"]["spec"]["containers"]
    found = [c for c in containers if c.get("name") == PRIMARY_CONTAINER]
    assert len(found) == 1, f"expected one container named {PRIMARY_CONTAINER!r}"
    container = found[0]
    assert isinstance(container, dict)
    return container


# ------------------------------------------------------------------------------------------- kustomize


def kubectl() -> str:
    path = shutil.which("kubectl")
    assert path is not None, "kubectl is not on the PATH (the project's test setup provides v1.32)"
    return path


@functools.cache
def _kustomize_text(directory: str) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", directory], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"kubectl kustomize {directory} failed:\n{result.stderr}"
    return result.stdout


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """Every document ``kubectl kustomize DIRECTORY`` renders (run once per directory and process)."""
    return [d for d in yaml.safe_load_all(_kustomize_text(str(directory))) if d is not None]


def write_cpu_overlay(directory: Path) -> Path:
    """The overlay docs/cluster-quickstart.md tells a user to write: base plus the CPU component.

    kustomize refuses an overlay inside the tree it builds on, so it lives outside ``manifests/``; paths are
    relative, as in the docs.
    """
    directory.mkdir(parents=True, exist_ok=True)
    base = Path(os.path.relpath(MANIFESTS, directory))
    overlay = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [str(base)],
        "components": [str(base / "components" / "cpu")],
    }
    (directory / "kustomization.yaml").write_text(yaml.safe_dump(overlay), encoding="utf-8")
    return directory


# ---------------------------------------------------------------------------------- kubernetes schemas


@functools.cache
def _strict_error(canonical: str, version: str) -> str | None:
    try:
        kubernetes_validate.validate(json.loads(canonical), version, strict=True)
    except kubernetes_validate.ValidationError as err:
        where = "/".join(str(p) for p in err.path)
        return f"{where}: {err.message}"
    return None


def strict_schema_error(obj: Mapping[str, Any], version: str) -> str | None:
    """``None`` when ``obj`` validates strictly against Kubernetes ``version``'s schema, else the error.

    Memoised on the object's canonical JSON, so an object is validated once per version.
    """
    return _strict_error(json.dumps(obj, sort_keys=True), version)


# ------------------------------------------------------------------------------- Katib trial rendering


def trial_name_for(experiment: Mapping[str, Any]) -> str:
    """A trial name as Katib makes them: ``<experiment>-<8 lowercase consonants/digits>``."""
    return f"{experiment['metadata']['name']}-x7kq2m9z"


def render_job(experiment: Mapping[str, Any], assignments: Mapping[str, str]) -> dict[str, Any]:
    """The Job Katib would create for ``assignments`` (parameter name -> value string)."""
    template = experiment["spec"]["trialTemplate"]
    return render_trial_spec(
        template["trialSpec"],
        template["trialParameters"],
        assignments,
        trial_name_for(experiment),
        str(experiment["metadata"].get("namespace", NAMESPACE)),
    )


def katib_double(value: float) -> str:
    """A double as Katib's suggestion services pass it: Python's ``str`` of the float (``"0.2"``)."""
    return str(float(value))


def grid_values(parameter: Mapping[str, Any]) -> list[str]:
    """The values Katib's grid visits for one parameter (``convert_to_combinations``), as strings.

    int: ``range(min, max + 1, step)`` (step 1 when absent); double: ``np.arange(min, max + step, step)``,
    the last value dropped if it exceeds max (a double without step is rejected by Katib); list: the list.
    """
    kind = parameter["parameterType"]
    space = parameter["feasibleSpace"]
    if kind == "int":
        int_step = int(space.get("step", "1"))
        return [str(v) for v in range(int(space["min"]), int(space["max"]) + 1, int_step)]
    if kind == "double":
        assert "step" in space, f"{parameter['name']}: Katib's grid needs a step on every double"
        low, high, step = float(space["min"]), float(space["max"]), float(space["step"])
        values = [float(v) for v in np.arange(low, high + step, step)]
        if values and values[-1] > high:
            values.pop()
        return [katib_double(v) for v in values]
    return [str(v) for v in space["list"]]


def grid_size(parameters: Sequence[Mapping[str, Any]]) -> int:
    return math.prod(len(grid_values(p)) for p in parameters)


def feasible_values(parameter: Mapping[str, Any]) -> list[str]:
    """Values from the parameter's feasible space that a suggestion service may hand a trial.

    min and max as written and as numbers, every step, every list entry; a double without step adds its
    midpoint (and its geometric midpoint when log-uniform) as a typical unrounded value.
    """
    kind = parameter["parameterType"]
    space = parameter["feasibleSpace"]
    if kind in ("categorical", "discrete"):
        return [str(v) for v in space["list"]]
    values = [str(space["min"]), str(space["max"])]
    if kind == "int" or "step" in space:
        values += grid_values(parameter)
    else:
        low, high = float(space["min"]), float(space["max"])
        values += [katib_double(low), katib_double(high), katib_double((low + high) / 2)]
        if space.get("distribution") in ("logUniform", "logNormal") and low > 0:
            values.append(katib_double(math.sqrt(low * high)))
    return list(dict.fromkeys(values))


def sweep(experiment: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """Assignments that take every feasible value of each parameter once, the others at their first value.

    One assignment per (parameter, value): every value reaches the command line with the others valid.
    """
    parameters = experiment["spec"]["parameters"]
    base = {p["name"]: feasible_values(p)[0] for p in parameters}
    yield dict(base)
    for p in parameters:
        for value in feasible_values(p)[1:]:
            yield {**base, p["name"]: value}


def trainer_argv(job: Mapping[str, Any]) -> list[str]:
    """The arguments of ``python -m trainer`` in a (rendered) Job's primary container."""
    command = primary_container(job)["command"]
    assert command[:3] == ["python", "-m", "trainer"], command[:3]
    return [str(word) for word in command[3:]]


def flag_values(argv: Sequence[str]) -> dict[str, str]:
    """``{"--flag": "value"}`` of ``--flag=value`` words."""
    out: dict[str, str] = {}
    for word in argv:
        assert word.startswith("--") and "=" in word, f"not a --flag=value word: {word!r}"
        name, value = word.split("=", 1)
        assert name not in out, f"{name} given twice"
        out[name] = value
    return out
