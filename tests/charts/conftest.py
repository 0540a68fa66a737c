"""Render the inference chart with Helm's own engine (helm-python-sdk): no helm binary, no cluster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (dev extra) renders the chart")

CHART_DIR = Path(__file__).resolve().parents[2] / "charts" / "inference"
CI_VALUES = sorted((CHART_DIR / "ci").glob("*-values.yaml"))
RELEASE = "rul"
NAMESPACE = "serving"

Values = dict[str, Any]
Manifest = dict[str, Any]
RenderFn = Callable[[Values], list[Manifest]]


def load_values(path: Path) -> Values:
    """A values file as a dict (an empty file is ``{}``)."""
    loaded = yaml.safe_load(path.read_text())
    return loaded or {}


def to_manifests(rendered: dict[str, str]) -> list[Manifest]:
    """Every Kubernetes object in the rendered templates (NOTES.txt and empty templates dropped)."""
    objects: list[Manifest] = []
    for name, text in sorted(rendered.items()):
        if name.endswith("NOTES.txt"):
            continue
        objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return objects


def only(objects: list[Manifest], kind: str) -> Manifest:
    """The single object of ``kind``; fails the test when there are none or several."""
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, rendered {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def chart() -> Any:
    loaded = helm.Chart.load(CHART_DIR)
    yield loaded
    loaded.close()


@pytest.fixture(scope="session")
def render_raw(chart: Any) -> Callable[[Values], dict[str, str]]:
    """Template name -> rendered text, as ``helm template`` would (values are schema-checked first)."""

    def _render(values: Values) -> dict[str, str]:
        rendered: dict[str, str] = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
        return rendered

    return _render


@pytest.fixture(scope="session")
def render(render_raw: Callable[[Values], dict[str, str]]) -> RenderFn:
    """The rendered Kubernetes objects for ``values``."""

    def _render(values: Values) -> list[Manifest]:
        return to_manifests(render_raw(values))

    return _render


@pytest.fixture(scope="session")
def default_values() -> Values:
    return load_values(CHART_DIR / "ci" / "default-values.yaml")


def served_model_dir(objects: list[Manifest], volumes_root: Path) -> Path:
    """The local directory TF Serving's ``--model_base_path`` resolves to in the rendered Deployment.

    Follows the container argument to its volume mount, the mount to its volume, and a PVC volume to
    ``volumes_root/<claimName>/<subPath>`` (the layout ``katib-local`` gives PVCs on one machine).
    """
    pod = only(objects, "Deployment")["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "tensorflow-serving"]
    (base_path,) = [a.split("=", 1)[1] for a in container["args"] if a.startswith("--model_base_path=")]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == base_path]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    assert "persistentVolumeClaim" in volume, f"volume {volume['name']} is not a PVC"
    return volumes_root / volume["persistentVolumeClaim"]["claimName"] / mount.get("subPath", "")
