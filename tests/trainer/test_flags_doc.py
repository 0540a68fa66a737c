"""The README's flags table and ``python -m trainer --help`` must say the same thing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from trainer.flags_doc import render, section


def _help_entries() -> dict[str, tuple[str, str]]:
    """flag -> (default, valid range), read from the real ``--help`` output."""
    env = {**os.environ, "COLUMNS": "2000"}  # no wrapping: argparse would split long words like choice lists
    proc = subprocess.run(
        [sys.executable, "-m", "trainer", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    text = " ".join(proc.stdout.split())
    # an entry ends where the next flag, the next group heading or the epilog begins
    pattern = (
        r"(--[a-z0-9-]+) [A-Z0-9_\[\]]+ .*?\(default: (.*?); valid: (.*?)\)"
        r"(?= --[a-z]| [a-z]+: | metric lines)"
    )
    return {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(pattern, text)}


def _readme_entries(readme: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(r"^\| `(--[a-z0-9-]+)` \| `(.*?)` \| (.*?) \| .* \|$", section(readme), re.M)
    return {flag: (default, valid.replace("\\|", "|")) for flag, default, valid in rows}


def test_readme_flags_table_matches_help(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text()
    from_help = _help_entries()
    assert len(from_help) > 40  # the regex really read the help text
    assert _readme_entries(readme) == from_help, "run: python -m trainer.flags_doc --write README.md"
    assert section(readme) == render()


def test_readme_lists_the_exit_codes(repo_root: Path) -> None:
    body = section((repo_root / "README.md").read_text())
    for code in (0, 1, 2, 3, 143):
        assert re.search(rf"^\| {code} \| \S", body, re.M)
