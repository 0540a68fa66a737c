"""Trial names and trial-template rendering, as Katib's experiment controller does them.

Katib serialises ``trialTemplate.trialSpec`` to JSON text and replaces every ``${trialParameters.<name>}``
with
a plain string replacement (``manifest/generator.go``): a parameter's assigned value, or for a reference
such as
``${trialSpec.Name}`` the trial's metadata. The text is then parsed back. No escaping happens: a value with a
double quote breaks the JSON, which Katib reports as an error and so does this module.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

# k8s.io/apimachinery/pkg/util/rand: lowercase consonants and digits (no vowels, so no words).
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_META_REF = re.compile(
    r"\$\{trialSpec\.(Name|Namespace|Kind|APIVersion|Labels\[(.+)\]|Annotations\[(.+)\])\}"
)


class RenderError(Exception):
    """The trial template cannot be rendered for these assignments."""


def new_trial_name(experiment: str, taken: Collection[str], rng: random.Random | None = None) -> str:
    """``<experiment>-<8 random chars>``, distinct from every name in ``taken``."""
    rng = rng or random.SystemRandom()
    while True:
        name = f"{experiment}-{''.join(rng.choice(_NAME_ALPHABET) for _ in range(8))}"
        if name not in taken:
            return name


def _meta_value(reference: str, trial_name: str, namespace: str, spec: Mapping[str, Any]) -> str | None:
    match = _META_REF.fullmatch(reference)
    if match is None:
        return None
    key = match.group(1)
    metadata = spec.get("metadata") or {}
    if key == "Name":
        return trial_name
    if key == "Namespace":
        return namespace
    if key == "Kind":
        return str(spec.get("kind", ""))
    if key == "APIVersion":
        return str(spec.get("apiVersion", ""))
    if match.group(2) is not None:
        labels = metadata.get("labels") or {}
        if match.group(2) not in labels:
            raise RenderError(f"{reference}: the trial template has no label {match.group(2)!r}")
        return str(labels[match.group(2)])
    annotations = metadata.get("annotations") or {}
    if match.group(3) not in annotations:
        raise RenderError(f"{reference}: the trial template has no annotation {match.group(3)!r}")
    return str(annotations[match.group(3)])


def render_trial_spec(
    trial_spec: Mapping[str, Any],
    trial_parameters: Sequence[Mapping[str, Any]],
    assignments: Mapping[str, str],
    trial_name: str,
    namespace: str,
) -> dict[str, Any]:
    """The trial's manifest: placeholders substituted, ``metadata.name``/``namespace`` set to the trial's."""
    text = json.dumps(trial_spec)
    for param in trial_parameters:
        reference = str(param.get("reference", ""))
        value = _meta_value(reference, trial_name, namespace, trial_spec)
        if value is None:
            if reference not in assignments:
                raise RenderError(f"trial parameter {param.get('name')!r}: no assignment for {reference!r}")
            value = assignments[reference]
        text = text.replace(f"${{trialParameters.{param.get('name')}}}", value)
    try:
        rendered = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RenderError(f"the substituted trial template is not valid JSON: {exc}") from None
    metadata = rendered.setdefault("metadata", {})
    metadata["name"] = trial_name
    metadata["namespace"] = namespace
    return dict(rendered)
