"""checkov (PyPI) finds no failed check in the chart's rendered output; every skip is annotated with a reason.

checkov cannot share the project's virtualenv: it pins ``packaging<24`` (pytest needs >=24) and, through
botocore, ``python-dateutil<3`` (the kubernetes client needs >=3). It therefore runs from its own virtualenv,
found in this order: ``$CHECKOV`` (path to the executable), ``.venv-checkov/bin/checkov`` in the repository,
``checkov`` on the PATH. The test skips, saying how to install it, when none exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import CI_VALUES, NAMESPACE, RELEASE, load_values

REPO_ROOT = Path(__file__).resolve().parents[2]


def find_checkov() -> str | None:
    """The checkov executable to run, or ``None``."""
    candidates = [os.environ.get("CHECKOV"), str(REPO_ROOT / ".venv-checkov" / "bin" / "checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("checkov")


@pytest.fixture(scope="module")
def checkov() -> str:
    executable = find_checkov()
    if executable is None:
        pytest.skip(
            "checkov not found: python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov "
            "(its own venv: it pins packaging<24 and python-dateutil<3, which the dev venv cannot hold), "
            "or set CHECKOV=/path/to/checkov"
        )
    return executable


@pytest.fixture(scope="module")
def checkov_report(checkov: str, chart: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One checkov run over every CI scenario, each rendered into its own file."""
    out_dir = tmp_path_factory.mktemp("rendered-chart")
    for values_file in CI_VALUES:
        rendered = chart.render(load_values(values_file), name=RELEASE, namespace=NAMESPACE, is_install=True)
        documents = [
            text for name, text in sorted(rendered.items()) if not name.endswith("NOTES.txt") and text.strip()
        ]
        (out_dir / values_file.name.replace("-values", "")).write_text("\n---\n".join(documents))
    result = subprocess.run(
        [
            checkov,
            "--directory",
            str(out_dir),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--compact",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode in (0, 1), f"checkov crashed ({result.returncode}): {result.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_checkov_scanned_every_scenario(checkov_report: dict[str, Any]) -> None:
    scanned = {Path(c["file_path"]).name for c in checkov_report["results"]["passed_checks"]}
    assert scanned == {p.name.replace("-values", "") for p in CI_VALUES}
    assert checkov_report["summary"]["parsing_errors"] == 0


def test_checkov_has_no_failed_check(checkov_report: dict[str, Any]) -> None:
    failed = [
        f"{c['check_id']} {c['check_name']} in {c['resource']} ({Path(c['file_path']).name})"
        for c in checkov_report["results"]["failed_checks"]
    ]
    assert failed == []


def test_every_checkov_skip_states_its_reason(checkov_report: dict[str, Any]) -> None:
    skipped = checkov_report["results"]["skipped_checks"]
    reasons = {
        (c["check_id"], c["resource"].split(".")[0]): c["check_result"]["suppress_comment"] for c in skipped
    }
    # The only skips: the digest pin (opt-in via image.digest) and probes on the one-shot test pod.
    assert set(reasons) <= {
        ("CKV_K8S_43", "Deployment"),
        ("CKV_K8S_43", "Pod"),
        ("CKV_K8S_8", "Pod"),
        ("CKV_K8S_9", "Pod"),
    }
    for key, reason in reasons.items():
        assert len(reason.split()) >= 8, f"{key}: skip reason too thin: {reason!r}"
