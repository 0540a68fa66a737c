"""checkov finds no failed check in the chart's rendered output; every skip is annotated with a reason.

How checkov is found and run: ``tests/checkov_support.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..checkov_support import failed_checks, require_checkov, run_checkov, skip_reasons
from .conftest import CI_VALUES, NAMESPACE, RELEASE, load_values


@pytest.fixture(scope="module")
def checkov_report(chart: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One checkov run over every CI scenario, each rendered into its own file."""
    checkov = require_checkov()
    out_dir = tmp_path_factory.mktemp("rendered-chart")
    for values_file in CI_VALUES:
        rendered = chart.render(load_values(values_file), name=RELEASE, namespace=NAMESPACE, is_install=True)
        documents = [
            text for name, text in sorted(rendered.items()) if not name.endswith("NOTES.txt") and text.strip()
        ]
        (out_dir / values_file.name.replace("-values", "")).write_text("\n---\n".join(documents))
    return run_checkov(checkov, ["--directory", str(out_dir)], "kubernetes")


def test_checkov_scanned_every_scenario(checkov_report: dict[str, Any]) -> None:
    scanned = {Path(c["file_path"]).name for c in checkov_report["results"]["passed_checks"]}
    assert scanned == {p.name.replace("-values", "") for p in CI_VALUES}
    assert checkov_report["summary"]["parsing_errors"] == 0


def test_checkov_has_no_failed_check(checkov_report: dict[str, Any]) -> None:
    assert failed_checks(checkov_report) == []


def test_every_checkov_skip_states_its_reason(checkov_report: dict[str, Any]) -> None:
    reasons = skip_reasons(checkov_report)
    # The only skips: the digest pin (opt-in via image.digest) and probes on the one-shot test pod.
    assert set(reasons) <= {
        ("CKV_K8S_43", "Deployment"),
        ("CKV_K8S_43", "Pod"),
        ("CKV_K8S_8", "Pod"),
        ("CKV_K8S_9", "Pod"),
    }
    for key, reason in reasons.items():
        assert len(reason.split()) >= 8, f"{key}: skip reason too thin: {reason!r}"
