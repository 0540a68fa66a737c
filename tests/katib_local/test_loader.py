"""Reading Experiment YAML: documents, experiments, namespaces, Katib's pydantic models."""

from __future__ import annotations

from pathlib import Path

import pytest

from katib_local.experiment.loader import (
    LoaderError,
    find_experiments,
    load_yaml_documents,
    namespace_labels,
    to_model,
)

DATA = Path(__file__).parent / "data" / "spec"


def test_multi_document_file_gives_experiment_and_namespace() -> None:
    docs = load_yaml_documents(DATA / "base-experiment.yaml")
    assert [d["kind"] for d in docs] == ["Experiment", "Namespace"]
    assert [e["metadata"]["name"] for e in find_experiments(docs)] == ["base"]
    assert namespace_labels(docs) == {"hpo": {"katib.kubeflow.org/metrics-collector-injection": "enabled"}}


def test_empty_documents_skipped_and_other_kinds_ignored(tmp_path: Path) -> None:
    file = tmp_path / "mixed.yaml"
    file.write_text(
        "---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: bare}\n---\n"
        "apiVersion: kubeflow.org/v1alpha3\nkind: Experiment\nmetadata: {name: old}\n"
    )
    docs = load_yaml_documents(file)
    assert len(docs) == 2
    assert find_experiments(docs) == []
    assert namespace_labels(docs) == {"bare": {}}


@pytest.mark.parametrize(
    ("content", "reason"),
    [("spec: [unclosed\n", "invalid YAML"), ("- a\n- b\n", "document 1 is a list, not a mapping")],
)
def test_invalid_files_raise_one_line_with_file_name(tmp_path: Path, content: str, reason: str) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(content)
    with pytest.raises(LoaderError) as info:
        load_yaml_documents(file)
    message = str(info.value)
    assert message.startswith(f"{file}: ") and reason in message and "\n" not in message


def test_missing_file_raises_loader_error(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="cannot read"):
        load_yaml_documents(tmp_path / "absent.yaml")


def test_to_model_loads_camel_case_fields() -> None:
    experiment = find_experiments(load_yaml_documents(DATA / "base-experiment.yaml"))[0]
    model = to_model(experiment)
    assert model.spec is not None and model.spec.parameters is not None
    assert model.spec.max_trial_count == 4
    assert model.spec.parameters[1].feasible_space is not None
    assert model.spec.parameters[1].feasible_space.step == "8"
    assert model.spec.trial_template is not None
    assert model.spec.trial_template.primary_container_name == "training-container"


def test_to_model_rejects_uncoercible_counts() -> None:
    experiment = find_experiments(load_yaml_documents(DATA / "base-experiment.yaml"))[0]
    experiment["spec"]["maxTrialCount"] = "abc"
    with pytest.raises(LoaderError, match="V1beta1Experiment"):
        to_model(experiment)
