"""Webhook rules on ``spec.trialTemplate`` (notes section d, rules 20-35).

The template is checked as Katib's controller uses it: the inline ``trialSpec`` serialised to JSON text, each
``${trialParameters.<name>}`` replaced by a sample value of its reference (the parameter's ``min`` or first
list entry, or a placeholder for ``${trialSpec.*}`` metadata), parsed back. A ``batch/v1`` ``Job`` must then
be a valid Job: it is checked against the Kubernetes JSON schema in strict mode (``kubernetes-validate``,
unknown fields rejected), with container ``resources`` exempt as in Katib. A ConfigMap template cannot be
fetched without a cluster, so only its reference (rule 25) is checked; :mod:`._warnings` says so.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

import kubernetes_validate

from katib_local.experiment.validation._finding import Finding

KUBERNETES_VERSION = "1.32"
"""Schema version the Job template is checked against (the kubectl on this project's machines)."""
TRIAL_PARAMETER = re.compile(r"\$\{trialParameters\.([^}]*)\}")
META_REFERENCE = re.compile(
    r"^\$\{trialSpec\.(Name|Namespace|Kind|APIVersion|Labels\[[^\]]+\]|Annotations\[[^\]]+\])\}$"
)
_POD_SPEC_PATHS = (("spec", "template", "spec"),)


def _error(path: str, message: str) -> Finding:
    return Finding(path, message, "error")


def _sample_values(spec: Mapping[str, Any]) -> dict[str, str]:
    """A representative value per parameter name (its min, or its first list entry)."""
    samples: dict[str, str] = {}
    for parameter in spec.get("parameters") or []:
        if not isinstance(parameter, Mapping):
            continue
        space = parameter.get("feasibleSpace") or {}
        values = space.get("list") or []
        sample = space.get("min") if space.get("min") is not None else (values[0] if values else "0")
        samples[str(parameter.get("name"))] = str(sample)
    return samples


def check_trial_parameters(spec: Mapping[str, Any], template: Mapping[str, Any]) -> list[Finding]:
    """Rules 23 and 27-29: declared trialParameters, their names and references."""
    raw = template.get("trialParameters")
    if raw is None:
        return [_error("spec.trialTemplate.trialParameters", "must be specified")]
    if not isinstance(raw, list):
        return [_error("spec.trialTemplate.trialParameters", "must be a list")]
    parameter_names = {p.get("name") for p in spec.get("parameters") or [] if isinstance(p, Mapping)}
    findings: list[Finding] = []
    names: set[str] = set()
    references: set[str] = set()
    for index, entry in enumerate(raw):
        path = f"spec.trialTemplate.trialParameters[{index}]"
        name = entry.get("name") if isinstance(entry, Mapping) else None
        reference = entry.get("reference") if isinstance(entry, Mapping) else None
        if not name or not reference or "{" in str(name) or "}" in str(name):
            findings.append(
                _error(path, "name and reference must be specified and name must not contain '{' or '}'")
            )
            continue
        if name in names:
            findings.append(_error(f"{path}.name", f"parameter name {name} can't be duplicated"))
        if reference in references:
            findings.append(
                _error(f"{path}.reference", f"parameter reference {reference} can't be duplicated")
            )
        names.add(name)
        references.add(reference)
        nas = not spec.get("parameters") and spec.get("nasConfig")  # NAS services name their own assignments
        if not nas and reference not in parameter_names and not META_REFERENCE.match(str(reference)):
            findings.append(
                _error(
                    f"{path}.reference",
                    f"parameter reference {reference} does not exist in spec.parameters: "
                    f"{', '.join(sorted(map(str, parameter_names)))} (or use "
                    f"${{trialSpec.Name}}-style metadata)",
                )
            )
    return findings


def _strip_resources(job: dict[str, Any]) -> dict[str, Any]:
    """``job`` without container ``resources`` (Katib exempts them from the strict conversion)."""
    stripped = copy.deepcopy(job)
    spec = stripped.get("spec")
    template = spec.get("template") if isinstance(spec, dict) else None
    pod = template.get("spec") if isinstance(template, dict) else None
    if isinstance(pod, dict):
        for key in ("containers", "initContainers"):
            containers = pod.get(key)
            for container in containers if isinstance(containers, list) else []:
                if isinstance(container, dict):
                    container.pop("resources", None)
    return stripped


def check_job(job: dict[str, Any]) -> list[Finding]:
    """Rule 35: a ``batch/v1`` Job template must be a valid Job (strict schema; resources exempt)."""
    try:
        kubernetes_validate.validate(_strip_resources(job), KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = "spec.trialTemplate.trialSpec" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.absolute_path
        )
        message = exc.message
        return [_error(path, f"invalid spec.trialTemplate: unable to convert to Job: {message}")]
    return []


def check_trial_template(spec: Mapping[str, Any]) -> list[Finding]:
    """Rules 20-35 for a defaulted spec."""
    template = spec.get("trialTemplate")
    if not isinstance(template, Mapping):
        return [_error("spec.trialTemplate", "must be specified")]
    findings: list[Finding] = []
    if not template.get("primaryContainerName"):
        findings.append(_error("spec.trialTemplate.primaryContainerName", "must be specified"))
    if not template.get("successCondition") or not template.get("failureCondition"):
        findings.append(
            _error("spec.trialTemplate", "successCondition and failureCondition must be specified")
        )
    findings += check_trial_parameters(spec, template)
    trial_spec, config_map = template.get("trialSpec"), template.get("configMap")
    if trial_spec is None and config_map is None:
        return [
            *findings,
            _error(
                "spec.trialTemplate",
                "spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified",
            ),
        ]
    if trial_spec is not None and config_map is not None:
        return [
            *findings,
            _error(
                "spec.trialTemplate",
                "only one of spec.trialTemplate.trialSpec or spec.trialTemplate.configMap can be specified",
            ),
        ]
    if config_map is not None:
        if not isinstance(config_map, Mapping) or not all(
            config_map.get(k) for k in ("configMapName", "configMapNamespace", "templatePath")
        ):
            findings.append(
                _error(
                    "spec.trialTemplate.configMap",
                    "configMapName, configMapNamespace and templatePath must be specified",
                )
            )
        return findings
    if not isinstance(trial_spec, Mapping):
        return [
            *findings,
            _error("spec.trialTemplate.trialSpec", "unable to parse spec.trialTemplate: not a mapping"),
        ]
    return findings + _check_rendered(spec, template, trial_spec)


def _check_rendered(
    spec: Mapping[str, Any], template: Mapping[str, Any], trial_spec: Mapping[str, Any]
) -> list[Finding]:
    """Rules 30-35 on the JSON text of the inline template."""
    findings: list[Finding] = []
    text = json.dumps(trial_spec)
    declared = {
        str(p.get("name")): str(p.get("reference"))
        for p in template.get("trialParameters") or []
        if isinstance(p, Mapping) and p.get("name")
    }
    used = set(TRIAL_PARAMETER.findall(text))
    for index, name in enumerate(declared):
        if name not in used:
            findings.append(
                _error(
                    f"spec.trialTemplate.trialParameters[{index}].name",
                    f"parameter name: {name} in spec.trialParameters not found in spec.trialTemplate",
                )
            )
    undeclared = sorted(used - set(declared))
    if undeclared:
        findings.append(
            _error(
                "spec.trialTemplate.trialSpec",
                f"parameters: {undeclared} in spec.trialTemplate not found in spec.trialParameters",
            )
        )
    samples = _sample_values(spec)

    def substitute(match: re.Match[str]) -> str:
        reference = declared.get(match.group(1), "")
        value = samples.get(reference, "sample")
        return json.dumps(value)[1:-1]

    try:
        rendered = json.loads(TRIAL_PARAMETER.sub(substitute, text))
    except json.JSONDecodeError as exc:
        return [
            *findings,
            _error(
                "spec.trialTemplate.trialSpec", f"unable to convert spec.trialTemplate to unstructured: {exc}"
            ),
        ]
    metadata = rendered.get("metadata") or {}
    if isinstance(metadata, Mapping) and (metadata.get("name") or metadata.get("namespace")):
        findings.append(
            _error(
                "spec.trialTemplate.trialSpec.metadata",
                "metadata.name and metadata.namespace in spec.trialTemplate must be omitted",
            )
        )
    if not rendered.get("apiVersion") or not rendered.get("kind"):
        findings.append(
            _error(
                "spec.trialTemplate.trialSpec", "APIVersion and Kind in spec.trialTemplate must be specified"
            )
        )
    elif rendered.get("apiVersion") == "batch/v1" and rendered.get("kind") == "Job":
        findings += check_job(rendered)
    findings += check_primary_container(template, rendered)
    return findings


def _container_names(node: Any) -> list[str]:
    """Names of every container in every ``containers`` list of a rendered template, in document order.

    Searched anywhere in the tree, so a Job (``spec.template.spec``) and operators' kinds (a TFJob's
    ``spec.tfReplicaSpecs.*.template.spec``) are both covered.
    """
    names: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "containers" and isinstance(value, list):
                names += [str(c["name"]) for c in value if isinstance(c, Mapping) and c.get("name")]
            else:
                names += _container_names(value)
    elif isinstance(node, list):
        for item in node:
            names += _container_names(item)
    return names


def check_primary_container(template: Mapping[str, Any], rendered: Mapping[str, Any]) -> list[Finding]:
    """``primaryContainerName`` must name a container of the trial's pod.

    Katib's Experiment webhook does not check it; its pod webhook does, when each trial's pod is created
    (``pkg/webhook/v1beta1/pod/inject_webhook.go``: "Unable to find primary container ... in mutated pod
    containers ..."), so on a cluster every trial would fail to start. A template with no ``containers``
    list at all (an unknown kind) is not judged.
    """
    primary = template.get("primaryContainerName")
    names = _container_names(rendered)
    if not primary or not names or primary in names:
        return []
    return [
        _error(
            "spec.trialTemplate.primaryContainerName",
            f"{primary!r} names no container of the trial's pod (containers: {', '.join(names)}); "
            "on a cluster Katib's pod webhook would refuse every trial's pod: "
            f'"Unable to find primary container {primary}"',
        )
    ]
