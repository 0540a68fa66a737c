"""From a rendered Job to a local launch: command, volumes, env, resources, refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from katib_local.controller.localize import LocalizeError, localize, parse_cpu


def job(container: dict, volumes: list | None = None, **pod) -> dict:
    spec = {"containers": [container], "volumes": volumes or [], **pod}
    return {"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": {"spec": spec}}}


def run(manifest: dict, tmp_path: Path, **kw):
    return localize(
        manifest, "main", root=tmp_path / "root", trial_dir=tmp_path / "trial", trial_name="t-1", **kw
    )


def test_pvc_and_empty_dir_mounts_are_rewritten_in_command_args_and_env(tmp_path):
    container = {
        "name": "main",
        "command": ["python", "-m", "trainer"],
        "args": [
            "--log-dir=/mnt/shared/tb/x",
            "--scratch=/scratch",
            "--other=/mnt/sharedness",
            "/mnt/shared",
        ],
        "env": [{"name": "OUT", "value": "/mnt/shared/models"}, {"name": "DERIVED", "value": "$(OUT)/v1"}],
        "volumeMounts": [
            {"name": "shared", "mountPath": "/mnt/shared"},
            {"name": "tmp", "mountPath": "/scratch"},
            {"name": "shared", "mountPath": "/mnt/shared/tb/x", "subPath": "deep"},
        ],
    }
    volumes = [
        {"name": "shared", "persistentVolumeClaim": {"claimName": "hpo-shared"}},
        {"name": "tmp", "emptyDir": {}},
    ]
    spec = run(job(container, volumes), tmp_path)
    shared = tmp_path / "root" / "volumes" / "hpo-shared"
    assert spec.display_command.split() == [
        sys.executable,
        "-m",
        "trainer",
        f"--log-dir={shared}/deep",
        f"--scratch={tmp_path}/trial/emptydir/tmp",
        "--other=/mnt/sharedness",
        str(shared),
    ]
    assert spec.env["OUT"] == f"{shared}/models"
    assert spec.env["DERIVED"] == f"{shared}/models/v1"
    assert spec.env["KATIB_TRIAL_NAME"] == "t-1"
    assert spec.argv[:2] == ["sh", "-c"] and spec.argv[2].startswith("exec ")
    assert shared in spec.directories


def test_cpu_limit_bounds_threads_and_gpu_limit_is_counted(tmp_path):
    container = {
        "name": "main",
        "command": ["python", "x.py"],
        "resources": {"limits": {"cpu": "1500m", "nvidia.com/gpu": 1}},
    }
    spec = run(job(container), tmp_path)
    assert spec.env["OMP_NUM_THREADS"] == "2" and spec.env["TF_NUM_INTRAOP_THREADS"] == "2"
    assert spec.gpus == 1
    assert parse_cpu("250m") == 0.25 and parse_cpu(2) == 2.0


def test_shell_characters_warn(tmp_path):
    spec = run(job({"name": "main", "command": ["python", "x.py", "--name=a b", "--ok=1"]}), tmp_path)
    assert any("'--name=a b'" in w for w in spec.warnings)
    assert not any("--ok=1" in w for w in spec.warnings)


def test_sh_c_command_runs_as_given(tmp_path):
    spec = run(job({"name": "main", "command": ["sh", "-c"], "args": ["echo hi && echo there"]}), tmp_path)
    assert spec.argv == ["sh", "-c", "echo hi && echo there"]


def test_file_collector_directory_gets_a_per_trial_dir_and_is_rewritten(tmp_path):
    container = {"name": "main", "command": ["python", "x.py", "--out=/katib/metrics.log"]}
    spec = run(job(container), tmp_path, collector_kind="File", collector_path="/katib/metrics.log")
    assert spec.metrics_path == tmp_path / "trial" / "metrics-volume" / "metrics.log"
    assert f"--out={spec.metrics_path}" in spec.display_command


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "spec": {}}, "not supported locally"),
        (job({"name": "main", "image": "x"}), "no command"),
        (job({"name": "other", "command": ["x"]}), "primary container"),
        (job({"name": "main", "command": ["x"]}, initContainers=[{"name": "init"}]), "init containers"),
        (
            job(
                {"name": "main", "command": ["x"], "volumeMounts": [{"name": "cfg", "mountPath": "/cfg"}]},
                [{"name": "cfg", "configMap": {"name": "c"}}],
            ),
            "needs a cluster",
        ),
    ],
)
def test_what_cannot_run_locally_is_refused(tmp_path, manifest, message):
    with pytest.raises(LocalizeError, match=message):
        run(manifest, tmp_path)


def test_extra_containers_and_value_from_warn(tmp_path):
    manifest = job({"name": "main", "command": ["x"], "env": [{"name": "P", "valueFrom": {"fieldRef": {}}}]})
    manifest["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "command": ["y"]})
    spec = run(manifest, tmp_path)
    assert any("sidecar" in w for w in spec.warnings) and any("valueFrom" in w for w in spec.warnings)
    assert "P" not in spec.env
