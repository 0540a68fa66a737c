"""checkov finds no failed check in what ``kubectl kustomize manifests`` renders and in the Dockerfile.

Every skip is written where it applies (a ``checkov.io/skipN`` annotation, a ``# checkov:skip`` comment) with
its reason. checkov does not look inside a Katib Experiment's trial template (a custom resource); the trial
Job's security settings are checked by tests/manifests instead. How checkov is found:
tests/checkov_support.py.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from .checkov_support import REPO_ROOT, failed_checks, require_checkov, run_checkov, skip_reasons


@pytest.fixture(scope="module")
def manifests_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    checkov = require_checkov()
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not on the PATH: it renders the kustomization")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(REPO_ROOT / "manifests")], capture_output=True, text=True, check=True
    ).stdout
    out = tmp_path_factory.mktemp("rendered-manifests") / "manifests.yaml"
    out.write_text(rendered)
    return run_checkov(checkov, ["--file", str(out)], "kubernetes")


@pytest.fixture(scope="module")
def dockerfile_report() -> dict[str, Any]:
    return run_checkov(require_checkov(), ["--file", str(REPO_ROOT / "Dockerfile")], "dockerfile")


def test_rendered_manifests_pass_every_checkov_check(manifests_report: dict[str, Any]) -> None:
    assert manifests_report["summary"]["passed"] > 0, "checkov scanned nothing"
    assert failed_checks(manifests_report) == []


def test_dockerfile_passes_every_checkov_check(dockerfile_report: dict[str, Any]) -> None:
    assert dockerfile_report["summary"]["passed"] > 0, "checkov scanned nothing"
    assert failed_checks(dockerfile_report) == []


@pytest.mark.parametrize("report_name", ["manifests_report", "dockerfile_report"])
def test_every_skip_states_its_reason(report_name: str, request: pytest.FixtureRequest) -> None:
    reasons = skip_reasons(request.getfixturevalue(report_name))
    for key, reason in reasons.items():
        assert len(reason.split()) >= 8, f"{key}: skip reason too thin: {reason!r}"


def test_skips_are_only_the_justified_ones(
    manifests_report: dict[str, Any], dockerfile_report: dict[str, Any]
) -> None:
    assert {check for check, _ in skip_reasons(manifests_report)} <= {"CKV_K8S_43", "CKV_K8S_40"}
    assert {check for check, _ in skip_reasons(dockerfile_report)} <= {"CKV_DOCKER_2", "CKV_DOCKER_7"}
