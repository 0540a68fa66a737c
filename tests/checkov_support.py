"""Find and run checkov, the infrastructure-as-code scanner, for the chart, manifest and Dockerfile tests.

checkov cannot share the project's virtualenv: it pins ``packaging<24`` (pytest needs >=24) and, through
botocore, ``python-dateutil<3`` (the kubernetes client needs >=3). ``make test`` installs it into
``.venv-checkov``; it is looked up in this order: ``$CHECKOV`` (path to the executable),
``.venv-checkov/bin/checkov`` in the repository, ``checkov`` on the PATH. Tests skip, saying how to install
it, when none exists. ``--skip-download`` keeps it offline (otherwise it calls its vendor's API and prints a
traceback when that fails).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_checkov() -> str | None:
    """The checkov executable to run, or ``None``."""
    candidates = [os.environ.get("CHECKOV"), str(REPO_ROOT / ".venv-checkov" / "bin" / "checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("checkov")


def require_checkov() -> str:
    """The checkov executable, or skip the calling test with the install command."""
    executable = find_checkov()
    if executable is None:
        pytest.skip(
            "checkov not found: python3 -m venv .venv-checkov && .venv-checkov/bin/pip install checkov "
            "(its own venv: it pins packaging<24 and python-dateutil<3, which the dev venv cannot hold), "
            "or set CHECKOV=/path/to/checkov"
        )
    return executable


def run_checkov(checkov: str, target: list[str], framework: str) -> dict[str, Any]:
    """Run checkov on ``target`` (``["--directory", d]`` or ``["--file", f]``); return its JSON report.

    Exit code 1 means failed checks (the report says which); anything else non-zero is a crash.
    """
    result = subprocess.run(
        [checkov, *target, "--framework", framework, "--skip-download", "--compact", "--output", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode in (0, 1), f"checkov crashed ({result.returncode}): {result.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def failed_checks(report: dict[str, Any]) -> list[str]:
    """One line per failed check: id, name, resource and file."""
    return [
        f"{c['check_id']} {c['check_name']} in {c['resource']} ({Path(c['file_path']).name})"
        for c in report["results"]["failed_checks"]
    ]


def skip_reasons(report: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(check id, resource kind or file) -> the reason written where the check is skipped."""
    return {
        (c["check_id"], c["resource"].split(".")[0]): c["check_result"]["suppress_comment"]
        for c in report["results"]["skipped_checks"]
    }
