"""The values ``katib-local best --helm-values`` writes, rendered by Helm's own engine (helm-python-sdk)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from katib_local.readback.helm_values import inference_values, write_values
from katib_local.readback.model_location import ModelLocation
from tests.charts.conftest import only, served_model_dir, to_manifests

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (dev extra) renders the chart")

CHART = Path(__file__).resolve().parents[2] / "charts" / "inference"
LOCATION = ModelLocation("hpo-shared", "models/rul-random/rul-random-bx2lq5tw", "/mnt/shared/models/x")


@pytest.fixture(scope="module")
def chart() -> Iterator[Any]:
    loaded = helm.Chart.load(CHART)
    yield loaded
    loaded.close()


def render(chart: Any, values_file: Path) -> list[dict[str, Any]]:
    """``helm template rul charts/inference -n serving -f values_file`` (schema-checked by Helm)."""
    values = yaml.safe_load(values_file.read_text())
    return to_manifests(chart.render(values, name="rul", namespace="serving", is_install=True))


def test_values_are_the_charts_katib_best_scenario() -> None:
    """The chart's own ci/katib-best-values.yaml documents exactly this shape."""
    expected = yaml.safe_load((CHART / "ci" / "katib-best-values.yaml").read_text())
    assert inference_values(LOCATION, "rul-random", "rul-random-bx2lq5tw") == expected


@pytest.mark.parametrize("name", ["rul forecaster", "-rul", "a/b", "x" * 129, ""])
def test_model_name_the_chart_would_refuse(name: str) -> None:
    if name == "":  # empty means: the experiment's name
        assert inference_values(LOCATION, "exp", "t")["model"]["name"] == "exp"
        return
    with pytest.raises(ValueError, match="model name"):
        inference_values(LOCATION, "exp", "t", name)


def test_written_values_render_a_server_of_that_directory(chart: Any, tmp_path: Path) -> None:
    values_file = tmp_path / "best-values.yaml"
    values = inference_values(LOCATION, "rul-random", "rul-random-bx2lq5tw", "rul.v2")
    write_values(values_file, values, "cmd")
    header = values_file.read_text().splitlines()[:2]
    assert header == [
        "# Written by: cmd",
        f"# Serve it:   helm install rul-random charts/inference -n <namespace of the PVC> -f {values_file}",
    ]
    objects = render(chart, values_file)
    pod = only(objects, "Deployment")["spec"]["template"]
    (server,) = [c for c in pod["spec"]["containers"] if c["name"] == "tensorflow-serving"]
    assert "--model_name=rul.v2" in server["args"]
    assert "--model_base_path=/models/rul.v2" in server["args"]
    (mount,) = [m for m in server["volumeMounts"] if m["mountPath"] == "/models/rul.v2"]
    assert mount["subPath"] == LOCATION.sub_path and mount.get("readOnly") is True
    assert served_model_dir(objects, tmp_path / "volumes") == LOCATION.local_dir(tmp_path)
    annotations = " ".join(f"{k}={v}" for k, v in pod["metadata"].get("annotations", {}).items())
    assert "rul-random-bx2lq5tw" in annotations


def test_helm_refuses_a_values_file_without_the_model(chart: Any, tmp_path: Path) -> None:
    """What the file must carry: Helm refuses the chart without a subPath (it will not guess a model)."""
    values = inference_values(LOCATION, "rul-random", "t")
    values["model"]["storage"]["subPath"] = ""
    values_file = tmp_path / "v.yaml"
    write_values(values_file, values, "cmd")
    with pytest.raises(helm.HelmRenderError, match=r"model\.storage\.subPath is required"):
        render(chart, values_file)
