"""Read Experiment YAML files the way ``kubectl apply -f`` would see them.

A file may hold several documents (``---``); empty documents are skipped. Only mappings are returned; a
document that is a list or a scalar is an error, since ``kubectl`` would reject it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from kubeflow_katib_api.models import V1beta1Experiment

KATIB_API_VERSION = "kubeflow.org/v1beta1"


class LoaderError(Exception):
    """A file cannot be read or is not valid YAML. The message is one line: ``<file>: <reason>``."""


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """Every non-empty YAML document of ``path``, in file order.

    Raises:
        LoaderError: the file is unreadable, is not valid YAML, or holds a document that is not a mapping.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(f"{path}: cannot read: {exc}") from None
    try:
        raw = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise LoaderError(f"{path}: invalid YAML: {reason}") from None
    docs: list[dict[str, Any]] = []
    for index, doc in enumerate(raw):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise LoaderError(f"{path}: document {index + 1} is a {type(doc).__name__}, not a mapping")
        docs.append(doc)
    return docs


def find_experiments(docs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The documents with ``kind: Experiment`` and ``apiVersion: kubeflow.org/v1beta1``, in order."""
    return [
        dict(doc)
        for doc in docs
        if doc.get("kind") == "Experiment" and doc.get("apiVersion") == KATIB_API_VERSION
    ]


def namespace_labels(docs: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """``{namespace name: labels}`` for every ``v1`` Namespace among ``docs`` (labels ``{}`` when absent).

    Label values are turned into strings, as the API server would require them to be.
    """
    found: dict[str, dict[str, str]] = {}
    for doc in docs:
        if doc.get("kind") != "Namespace" or doc.get("apiVersion") != "v1":
            continue
        metadata = doc.get("metadata") or {}
        name = metadata.get("name")
        if not isinstance(name, str):
            continue
        labels = metadata.get("labels") or {}
        found[name] = {str(k): str(v) for k, v in labels.items()}
    return found


def to_model(experiment: Mapping[str, Any]) -> V1beta1Experiment:
    """``experiment`` loaded through Katib's own pydantic models (camelCase aliases).

    As with Katib's SDK, unknown fields are dropped and enum values are not checked: the model is a typed
    view, not a validator (:func:`katib_local.experiment.validation.validate_experiment` is).

    Raises:
        LoaderError: a field has a type the model cannot coerce (e.g. ``maxTrialCount: abc``).
    """
    try:
        return V1beta1Experiment.from_dict(dict(experiment))
    except Exception as exc:  # pydantic.ValidationError and ValueError alike
        reason = " ".join(str(exc).split())
        raise LoaderError(f"experiment does not load into V1beta1Experiment: {reason}") from None
