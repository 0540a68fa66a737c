"""The trainer image, checked without a Docker engine: hadolint, and a reading of the Dockerfile that
proves the manifests' ``python -m trainer`` can run in its final stage."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

Instruction = tuple[str, str]


def _instructions(dockerfile: Path) -> list[Instruction]:
    """(KEYWORD, arguments) per instruction, with line continuations joined and comments dropped."""
    out: list[Instruction] = []
    pending = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        out.append((keyword.upper(), args.strip()))
        pending = ""
    return out


def _stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for keyword, args in instructions:
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


@pytest.fixture(scope="module")
def instructions(repo_root: Path) -> list[Instruction]:
    return _instructions(repo_root / "Dockerfile")


def test_hadolint_is_clean(repo_root: Path) -> None:
    exe = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    proc = subprocess.run([exe, str(repo_root / "Dockerfile")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_base_is_the_official_gpu_image_of_the_tensorflow_we_test(instructions: list[Instruction]) -> None:
    tf_version = importlib.metadata.version("tensorflow")
    args = dict(a.split("=", 1) for k, a in instructions if k == "ARG" and "=" in a)
    assert args["BASE_IMAGE"] == f"tensorflow/tensorflow:{tf_version}-gpu"
    assert all(a.split()[0] == "${BASE_IMAGE}" for k, a in instructions if k == "FROM")


def test_final_stage_runs_as_non_root_with_no_build_leftovers(instructions: list[Instruction]) -> None:
    final = _stages(instructions)[-1]
    users = [a for k, a in final if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    keywords = [k for k, _ in final]
    assert "RUN" not in keywords[keywords.index("USER") :]  # nothing runs as root after the switch
    copies = [a for k, a in final if k == "COPY"]
    assert copies and all(a.startswith("--from=build /wheels") for a in copies)  # wheel only, no sources
    run = " ".join(a for k, a in final if k == "RUN")
    assert "--no-cache-dir" in run and "rm -rf /tmp/wheels" in run
    assert "apt-get" not in run and "gcc" not in run


def test_entrypoint_leaves_the_manifest_command_alone(instructions: list[Instruction]) -> None:
    final = _stages(instructions)[-1]
    entrypoints = [a for k, a in final if k == "ENTRYPOINT"]
    assert entrypoints and json.loads(entrypoints[-1]) == []
    env = " ".join(a for k, a in final if k == "ENV")
    assert "PYTHONUNBUFFERED=1" in env


def test_the_copied_tree_is_enough_for_python_m_trainer(
    instructions: list[Instruction], repo_root: Path, tmp_path: Path
) -> None:
    """Copy exactly what the build stage copies (after .dockerignore), then run the manifests' command
    against that tree alone (``-S``: no site-packages, so not the editable install), from another working
    directory."""
    ignore = [p.strip() for p in (repo_root / ".dockerignore").read_text().splitlines()]
    ignore = [p for p in ignore if p and not p.startswith("#")]

    def ignored(rel: str) -> bool:
        verdict = False
        for pattern in ignore:
            negate = pattern.startswith("!")
            pat = pattern[1:].rstrip("/") if negate else pattern.rstrip("/")
            if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel, pat + "/*") or rel.startswith(pat + "/"):
                verdict = not negate
        return verdict

    src = tmp_path / "src"
    build = _stages(instructions)[0]
    for keyword, args in build:
        if keyword != "COPY":
            continue
        *sources, _dest = shlex.split(args)
        for source in sources:
            for path in [repo_root / source, *(repo_root / source).rglob("*")]:
                rel = path.relative_to(repo_root).as_posix()
                if path.is_file() and not ignored(rel):
                    (src / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, src / rel)
    readme = re.search(r'^readme\s*=\s*"(.+?)"', (repo_root / "pyproject.toml").read_text(), re.M)
    assert readme, "pyproject.toml names no readme"
    # the wheel build needs both
    assert (src / readme.group(1)).is_file() and (src / "pyproject.toml").is_file()
    assert (src / "trainer" / "__main__.py").is_file()
    elsewhere = tmp_path / "workspace"
    elsewhere.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import sys, runpy; sys.path.insert(0, sys.argv[1]); sys.argv = "
            "['trainer', '--dry-run', '--units=4']; runpy.run_module('trainer', run_name='__main__')",
            str(src),
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["units"] == 4
