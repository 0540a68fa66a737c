"""Where a trial's model is, from its rendered manifest: the --model-dir argument, its mount, its PVC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from katib_local.readback.best import model_from_template
from katib_local.readback.model_location import (
    ModelLocation,
    NoModelLocationError,
    locate_model,
    model_dir_argument,
    savedmodel_versions,
)

REPO = Path(__file__).resolve().parents[2]


def job(args: list[str], mounts: list[dict[str, Any]], volumes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "sidecar", "image": "x", "args": ["--model-dir=/elsewhere"]},
                        {
                            "name": "trainer",
                            "command": ["python", "-m", "trainer"],
                            "args": args,
                            "volumeMounts": mounts,
                        },
                    ],
                    "volumes": volumes,
                }
            }
        },
    }


SHARED = [{"name": "shared", "mountPath": "/mnt/shared"}]
PVC = [{"name": "shared", "persistentVolumeClaim": {"claimName": "hpo-shared"}}]


def test_pvc_mount_maps_to_claim_and_subpath() -> None:
    manifest = job(["--epochs=1", "--model-dir=/mnt/shared/models/exp/exp-abc"], SHARED, PVC)
    assert locate_model(manifest, "trainer", "exp-abc") == ModelLocation(
        "hpo-shared", "models/exp/exp-abc", "/mnt/shared/models/exp/exp-abc"
    )
    assert ModelLocation("hpo-shared", "models/exp/exp-abc", "").local_dir(Path("runs")) == Path(
        "runs/volumes/hpo-shared/models/exp/exp-abc"
    )


def test_mount_subpath_is_prefixed_and_longest_mount_wins() -> None:
    mounts = [
        {"name": "shared", "mountPath": "/mnt/shared", "subPath": "team-a"},
        {"name": "models", "mountPath": "/mnt/shared/models/", "subPath": "serving"},
    ]
    volumes = [*PVC, {"name": "models", "persistentVolumeClaim": {"claimName": "model-store"}}]
    inner = locate_model(job(["--model-dir=/mnt/shared/models/e/t"], mounts, volumes), "trainer", "t")
    assert (inner.claim_name, inner.sub_path) == ("model-store", "serving/e/t")
    outer = locate_model(job(["--model-dir=/mnt/shared/other/t"], mounts, volumes), "trainer", "t")
    assert (outer.claim_name, outer.sub_path) == ("hpo-shared", "team-a/other/t")


@pytest.mark.parametrize(
    "args",
    [
        ["--model-dir", "/mnt/shared/models/e/$(KATIB_TRIAL_NAME)"],
        ["--model-dir=/mnt/shared/models/e/${KATIB_TRIAL_NAME}"],
        ["--model-dir=/mnt/shared/models/e/old", "--model-dir=/mnt/shared/models/e/$KATIB_TRIAL_NAME"],
    ],
    ids=["two-words-k8s-var", "braced-shell-var", "last-flag-wins"],
)
def test_flag_forms_and_the_trial_name_variable(args: list[str]) -> None:
    location = locate_model(job(args, SHARED, PVC), "trainer", "e-x7")
    assert location.sub_path == "models/e/e-x7"


def test_flag_inside_sh_c_script() -> None:
    assert (
        model_dir_argument(["sh", "-c", "python -m trainer --epochs=2 --model-dir=/m/x && echo done"])
        == "/m/x"
    )
    assert model_dir_argument(["--model-directory=/m/x"]) is None


@pytest.mark.parametrize(
    ("args", "mounts", "volumes", "reason"),
    [
        (["--epochs=1"], SHARED, PVC, "has no --model-dir argument"),
        (["--model-dir=/mnt/shared/models/$RUN"], SHARED, PVC, "unresolved variable"),
        (["--model-dir=models/t"], SHARED, PVC, "relative path"),
        (["--model-dir=/tmp/models/t"], SHARED, PVC, "under no volume mount"),
        (["--model-dir=/mnt/shared/../etc/t"], SHARED, PVC, "under no volume mount"),
        (["--model-dir=/mnt/shared"], SHARED, PVC, "not a directory inside claim"),
        (
            ["--model-dir=/mnt/shared/m/t"],
            SHARED,
            [{"name": "shared", "emptyDir": {}}],
            "(emptyDir), not on a",
        ),
    ],
    ids=["no-flag", "variable", "relative", "no-mount", "dotdot-escapes", "volume-root", "emptydir"],
)
def test_no_model_location(args: list[str], mounts: Any, volumes: Any, reason: str) -> None:
    with pytest.raises(NoModelLocationError, match=r".*") as caught:
        locate_model(job(args, mounts, volumes), "trainer", "t")
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_primary_container() -> None:
    with pytest.raises(NoModelLocationError, match="no container named 'main'"):
        locate_model(job(["--model-dir=/mnt/shared/m"], SHARED, PVC), "main", "t")


def test_tfjob_replica_pod_is_searched() -> None:
    pod = job(["--model-dir=/mnt/shared/models/e/t"], SHARED, PVC)["spec"]["template"]
    tfjob = {"kind": "TFJob", "spec": {"tfReplicaSpecs": {"Worker": {"replicas": 2, "template": pod}}}}
    assert locate_model(tfjob, "trainer", "t").sub_path == "models/e/t"


@pytest.mark.parametrize(
    "path",
    [REPO / "examples" / "local-grid.yaml", *sorted((REPO / "manifests").glob("experiment-*.yaml"))],
    ids=lambda p: p.name,
)
def test_every_shipped_experiment_puts_models_under_models_experiment_trial(path: Path) -> None:
    """``best`` finds the model of each experiment this project ships: rendered as Katib renders it."""
    (experiment,) = [d for d in yaml.safe_load_all(path.read_text()) if d and d.get("kind") == "Experiment"]
    name = experiment["metadata"]["name"]
    trial = f"{name}-b2x4k9mq"
    assignments = {
        p["name"]: (p["feasibleSpace"].get("list") or [p["feasibleSpace"].get("min")])[0]
        for p in experiment["spec"]["parameters"]
    }
    location = model_from_template(experiment["spec"], trial, "kubeflow", assignments)
    assert location.claim_name == "hpo-shared"
    assert location.sub_path == f"models/{name}/{trial}"


def test_configmap_template_is_not_read() -> None:
    spec = {"trialTemplate": {"configMap": {"configMapName": "templates"}, "primaryContainerName": "x"}}
    with pytest.raises(NoModelLocationError, match="not inline"):
        model_from_template(spec, "t", "kubeflow", {})


def test_savedmodel_versions_follow_tf_serving_layout(tmp_path: Path) -> None:
    for version, filename in (("1", "saved_model.pb"), ("3", "saved_model.pbtxt"), ("2", "other.txt")):
        (tmp_path / version).mkdir()
        (tmp_path / version / filename).write_text("")
    (tmp_path / "4.tmp-123").mkdir()
    (tmp_path / "4.tmp-123" / "saved_model.pb").write_text("")
    (tmp_path / "5").write_text("a file, not a version directory")
    assert savedmodel_versions(tmp_path) == [1, 3]
    assert savedmodel_versions(tmp_path / "missing") == []
