"""Each Experiment file, as Katib's admission webhook, its suggestion services and a trial pod would see it.

Katib's CRDs carry no schema, so nothing but these tests stands between a typo and a stuck trial on a cluster:
the Experiment must load into Katib's own API model without losing a field, pass katib-local's
implementation of the webhook rules, and carry the choices this project depends on (median stop that can
act on every trial, retained trials, one attempt per trial, no Istio sidecar, a GPU, per-trial directories on
the shared claim). The trial Job is validated strictly against the Kubernetes 1.30 to 1.33 schemas.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import pytest

from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.loader import to_model
from katib_local.experiment.validation import validate_experiment
from tests.manifests._support import (
    CLAIM_NAME,
    EXPERIMENT_FILES,
    K8S_VERSIONS,
    MANIFESTS,
    NAMESPACE,
    PLACEHOLDER,
    PRIMARY_CONTAINER,
    REPO_ROOT,
    SAVING_FILES,
    SEARCH_FILES,
    SHARED_MOUNT,
    SMOKE_FILE,
    TRAINER_IMAGE,
    flag_values,
    grid_size,
    grid_values,
    job_of,
    load_documents,
    load_experiment,
    primary_container,
    render_job,
    strict_schema_error,
    sweep,
    trainer_argv,
)
from trainer.config import parse_args

OBJECTIVE = "val_rmse"
ADDITIONAL_METRICS = ["val_mae", "test_rmse", "test_mae", "test_score", "train_seconds", "params"]
PER_EPOCH_METRICS = {"val_rmse", "val_mae"}
TRIAL_NAME_REFERENCE = "${trialSpec.Name}"
META_REFERENCE = re.compile(
    r"\$\{trialSpec\.(Name|Namespace|Kind|APIVersion|Labels\[.+\]|Annotations\[.+\])\}"
)

# Settings each algorithm's Katib suggestion service accepts (KATIB_NOTES section b), with a value check.
ALGORITHM_SETTINGS: dict[str, dict[str, Any]] = {
    "grid": {"random_state": lambda v: int(v) >= 0},
    "random": {"random_state": lambda v: int(v) >= 0},
    "tpe": {
        "gamma": lambda v: 0 < float(v) < 1,
        "prior_weight": lambda v: float(v) > 0,
        "n_EI_candidates": lambda v: int(v) > 0,
        "random_state": lambda v: int(v) >= 0,
    },
    # Katib's own services; they ignore unknown names, and katib-local seeds its draws with random_state.
    "hyperband": {
        "resource_name": lambda v: v == "epochs",
        "r_l": lambda v: float(v) > 0,
        "eta": lambda v: float(v) >= 2,
        "random_state": lambda v: int(v) >= 0,
    },
    "pbt": {
        "suggestion_trial_dir": lambda v: v.startswith("/"),
        "n_population": lambda v: int(v) >= 5,
        "truncation_threshold": lambda v: 0 <= float(v) <= 1,
        "random_state": lambda v: int(v) >= 0,
    },
    "bayesianoptimization": {
        "base_estimator": lambda v: v in {"GP", "RF", "ET", "GBRT"},
        "n_initial_points": lambda v: int(v) >= 0,
        "acq_func": lambda v: v in {"gp_hedge", "LCB", "EI", "PI", "EIps", "PIps"},
        "acq_optimizer": lambda v: v in {"auto", "sampling", "lbfgs"},
        "random_state": lambda v: int(v) >= 0,
    },
}
# The issue asks the Bayesian and TPE settings to be written out in full.
SETTINGS_WRITTEN_OUT = {"bayesianoptimization", "tpe"}

experiments = pytest.mark.parametrize("name", EXPERIMENT_FILES)
searches = pytest.mark.parametrize("name", SEARCH_FILES)


def settings(section: Mapping[str, Any]) -> dict[str, str]:
    items = section.get("algorithmSettings") or []
    out = {str(s["name"]): str(s["value"]) for s in items}
    assert len(out) == len(items), "a setting is given twice"
    return out


def namespace_labels() -> dict[str, dict[str, str]]:
    (ns,) = load_documents("namespace.yaml")
    return {ns["metadata"]["name"]: dict(ns["metadata"]["labels"])}


def without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


# ------------------------------------------------------------------------------------- Katib's API model


@experiments
def test_loads_into_katib_api_model_without_losing_a_field(name: str) -> None:
    """Katib's models drop unknown fields silently: an unchanged round trip means none is misspelled."""
    experiment = load_experiment(name)
    model = to_model(experiment)
    assert model.kind == "Experiment"
    assert model.spec is not None and model.spec.objective is not None
    assert model.spec.objective.objective_metric_name == OBJECTIVE
    assert without_none(model.to_dict()) == experiment


# ------------------------------------------------------------------------------ katib-local's validator


@experiments
def test_katib_local_validator_finds_nothing(name: str) -> None:
    """No error (Katib would refuse or fail it) and no warning (Katib would behave surprisingly)."""
    findings = validate_experiment(apply_defaults(load_experiment(name)), namespace_labels=namespace_labels())
    if load_experiment(name)["spec"]["algorithm"]["algorithmName"] == "hyperband":
        # the one thing a user must know: Katib v0.19 stalls after the first rung
        (stall,) = findings
        assert (stall.severity, stall.path) == ("warning", "spec.algorithm.algorithmName")
        assert "kubeflow/katib#1168" in stall.message
        return
    assert [str(f) for f in findings] == []


def test_katib_local_validate_command_accepts_every_file() -> None:
    """The user-facing check, ``katib-local validate``, over the files as a user would pass them."""
    files = [str(MANIFESTS / "namespace.yaml"), *(str(MANIFESTS / name) for name in EXPERIMENT_FILES)]
    result = subprocess.run(
        [sys.executable, "-m", "katib_local", "validate", *files],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(EXPERIMENT_FILES)} experiment(s)" in result.stdout
    assert "0 error(s)" in result.stdout


# ------------------------------------------------------------------------------------------- objective


@experiments
def test_objective_is_minimize_val_rmse_with_the_comparison_metrics(name: str) -> None:
    objective = load_experiment(name)["spec"]["objective"]
    assert objective["type"] == "minimize"
    assert objective["objectiveMetricName"] == OBJECTIVE
    assert objective["additionalMetricNames"] == ADDITIONAL_METRICS
    assert OBJECTIVE not in objective["additionalMetricNames"]
    assert "goal" not in objective, "a goal would end a search early on an arbitrary RMSE"


@experiments
def test_metric_strategies_keep_the_best_epoch_and_the_final_values(name: str) -> None:
    objective = load_experiment(name)["spec"]["objective"]
    strategies = {s["name"]: s["value"] for s in objective["metricStrategies"]}
    assert set(strategies) == {OBJECTIVE, *ADDITIONAL_METRICS}
    for metric, strategy in strategies.items():
        assert strategy == ("min" if metric in PER_EPOCH_METRICS else "latest"), metric


# ------------------------------------------------------------------------------- algorithm and counts


@experiments
def test_algorithm_settings_are_ones_katib_accepts(name: str) -> None:
    algorithm = load_experiment(name)["spec"]["algorithm"]
    accepted = ALGORITHM_SETTINGS[algorithm["algorithmName"]]
    given = settings(algorithm)
    for setting, value in given.items():
        assert setting in accepted, f"{algorithm['algorithmName']} rejects setting {setting}"
        assert accepted[setting](value), f"{setting}={value}"
    if algorithm["algorithmName"] in SETTINGS_WRITTEN_OUT:
        assert set(given) == set(accepted), "every setting written out"
    assert "random_state" in given, "a seeded search can be repeated"


@experiments
def test_trial_counts_satisfy_the_webhook(name: str) -> None:
    spec = load_experiment(name)["spec"]
    parallel, maximum, failed = spec["parallelTrialCount"], spec["maxTrialCount"], spec["maxFailedTrialCount"]
    assert all(isinstance(v, int) for v in (parallel, maximum, failed))
    assert 0 < parallel <= maximum
    assert 0 < failed <= maximum


@searches
def test_searches_are_sized_for_a_real_search(name: str) -> None:
    spec = load_experiment(name)["spec"]
    assert spec["maxTrialCount"] >= 40
    assert 3 <= spec["parallelTrialCount"] <= 8
    # Enough failures tolerated for a few diverging runs, few enough that a broken setup stops early.
    assert 0.05 <= spec["maxFailedTrialCount"] / spec["maxTrialCount"] <= 0.2
    if spec["algorithm"]["algorithmName"] == "bayesianoptimization":
        assert int(settings(spec["algorithm"])["n_initial_points"]) > spec["parallelTrialCount"]


def test_smoke_experiment_is_one_trial_that_fails_on_its_first_failure() -> None:
    spec = load_experiment(SMOKE_FILE)["spec"]
    assert (spec["parallelTrialCount"], spec["maxTrialCount"], spec["maxFailedTrialCount"]) == (1, 1, 1)
    flags = flag_values(trainer_argv(job_of(load_experiment(SMOKE_FILE))))
    assert int(flags["--epochs"]) <= 2


@experiments
def test_resume_policy_is_explicit(name: str) -> None:
    spec = load_experiment(name)["spec"]
    algorithm = spec["algorithm"]["algorithmName"]
    if algorithm == "pbt":
        assert spec["resumePolicy"] == "FromVolume", "only then does Katib create the volume PBT trials share"
    elif algorithm == "hyperband":
        assert spec["resumePolicy"] == "Never", "the service ends the search after its last bracket"
    elif algorithm == "grid" or name == SMOKE_FILE:
        assert spec["resumePolicy"] == "Never", "nothing to resume"
    else:
        assert spec["resumePolicy"] == "LongRunning", "a search can be extended by raising maxTrialCount"


# ------------------------------------------------------------------------------- median stop, collector


@experiments
def test_median_stop_can_judge_every_trial(name: str) -> None:
    """start_step counts val_rmse lines, i.e. epochs: every trial must print that many before it can end."""
    experiment = load_experiment(name)
    if name in SAVING_FILES:
        # hyperband's service stalls on an EarlyStopped rung trial; pbt's trials are a few epochs each.
        assert "earlyStopping" not in experiment["spec"]
        return
    early = experiment["spec"]["earlyStopping"]
    assert early["algorithmName"] == "medianstop"
    given = settings(early)
    assert set(given) == {"min_trials_required", "start_step"}
    min_trials, start_step = int(given["min_trials_required"]), int(given["start_step"])
    assert min_trials > 0 and start_step >= 1
    # The trainer's own reading of the command, defaults included. Keras' EarlyStopping (--patience=P, on
    # val_loss) cannot stop before epoch P + 1: the first epoch always improves on "no value yet".
    config = parse_args(trainer_argv(render_job(experiment, next(sweep(experiment)))), env={})
    epochs, patience = config.epochs, config.patience
    fewest_epochs = min(epochs, patience + 1) if patience > 0 else epochs
    if name != SMOKE_FILE:
        assert start_step <= fewest_epochs, "a trial could end before median stop looks at it"
        assert start_step <= epochs // 4, "stopping must save most of a trial's epochs"
        assert min_trials >= 3, "a threshold from fewer trials is noise"
    # val_rmse must be printed once per epoch: K-fold mode prints it once at the end.
    assert config.cv_folds == 1


@experiments
def test_metrics_come_from_the_stdout_collector(name: str) -> None:
    collector = load_experiment(name)["spec"]["metricsCollectorSpec"]
    assert collector["collector"]["kind"] == "StdOut"
    assert "source" not in collector, "Katib's default filter reads the trainer's name=value lines"


# ------------------------------------------------------------------------------------------ parameters


@experiments
def test_parameters_are_well_formed(name: str) -> None:
    parameters = load_experiment(name)["spec"]["parameters"]
    names = [p["name"] for p in parameters]
    assert len(names) == len(set(names))
    for p in parameters:
        space = p["feasibleSpace"]
        if p["parameterType"] in ("int", "double"):
            assert "list" not in space
            cast = int if p["parameterType"] == "int" else float
            low, high = cast(space["min"]), cast(space["max"])
            assert low < high, p["name"]
            if "step" in space:
                assert 0 < cast(space["step"]) <= high - low, p["name"]
            if space.get("distribution") == "logUniform":
                assert low > 0, p["name"]
        else:
            assert p["parameterType"] in ("categorical", "discrete")
            assert not {"min", "max", "step"} & set(space)
            assert space["list"] and len(space["list"]) == len(set(space["list"])), p["name"]
            assert all(isinstance(v, str) for v in space["list"]), "list entries are strings"


@searches
def test_search_spaces_follow_the_seeds_experience(name: str) -> None:
    parameters = {p["name"]: p for p in load_experiment(name)["spec"]["parameters"]}
    assert set(parameters["optimizer"]["feasibleSpace"]["list"]) == {"adam", "nadam", "rmsprop", "sgd"}
    layers = parameters["num-layers"]["feasibleSpace"]
    assert int(layers["min"]) == 1 and 3 <= int(layers["max"]) <= 4
    assert "dropout" in parameters
    # Learning rate on a log scale: log-uniform, or a list whose successive ratios agree within 20%.
    lr = parameters["learning-rate"]
    if lr["parameterType"] == "double":
        assert lr["feasibleSpace"]["distribution"] == "logUniform"
    else:
        values = sorted(float(v) for v in lr["feasibleSpace"]["list"])
        ratios = [b / a for a, b in itertools.pairwise(values)]
        assert len(values) >= 3 and max(ratios) / min(ratios) < 1.2 and min(ratios) >= 2
    units = parameters["units"]
    highest = max(int(v) for v in units["feasibleSpace"].get("list", [units["feasibleSpace"].get("max", 0)]))
    assert highest >= 256, "up to several hundred units"
    if "batch-size" in parameters:
        sizes = [int(v) for v in parameters["batch-size"]["feasibleSpace"]["list"]]
        assert all(s & (s - 1) == 0 for s in sizes), "batch sizes are powers of two"


def test_bayesian_doubles_are_positive() -> None:
    """Katib's skopt service searches every double as Real(min, max, "log-uniform"): min must be > 0."""
    spec = load_experiment("experiment-bayesian.yaml")["spec"]
    assert spec["algorithm"]["algorithmName"] == "bayesianoptimization"
    doubles = [p for p in spec["parameters"] if p["parameterType"] == "double"]
    assert doubles, "the learning rate at least"
    for p in doubles:
        if p["parameterType"] == "double":
            assert float(p["feasibleSpace"]["min"]) > 0, p["name"]


def test_grid_is_exhaustive_and_affordable() -> None:
    spec = load_experiment("experiment-grid.yaml")["spec"]
    for p in spec["parameters"]:
        if p["parameterType"] == "double":
            assert "step" in p["feasibleSpace"], f"{p['name']}: Katib's grid needs a step on every double"
    size = grid_size(spec["parameters"])
    assert size >= spec["maxTrialCount"], "Katib fails a grid whose maxTrialCount exceeds its combinations"
    assert size == spec["maxTrialCount"], "the grid is searched exhaustively"
    waves = math.ceil(size / spec["parallelTrialCount"])
    assert waves <= 40, f"{waves} waves of trials"


def test_grid_size_follows_katibs_combination_rule() -> None:
    """The arithmetic behind the grid comment: 4 x 3 x 2 x 3 x 2, dropout np.arange(0.0, 0.4, 0.2)."""
    parameters = {p["name"]: p for p in load_experiment("experiment-grid.yaml")["spec"]["parameters"]}
    assert grid_values(parameters["dropout"]) == ["0.0", "0.2"]
    assert grid_values(parameters["num-layers"]) == ["1", "2", "3"]
    assert grid_size(list(parameters.values())) == 144


# -------------------------------------------------------------------------------------- trial template


@experiments
def test_trial_parameters_match_the_template(name: str) -> None:
    """Webhook rules 27-31: names unique and brace-free, references exist, each used, none undeclared."""
    experiment = load_experiment(name)
    template = experiment["spec"]["trialTemplate"]
    declared = [tp["name"] for tp in template["trialParameters"]]
    references = [tp["reference"] for tp in template["trialParameters"]]
    assert len(declared) == len(set(declared)) and len(references) == len(set(references))
    assert all(n and "{" not in n and "}" not in n for n in declared)
    assert all(references)
    parameter_names = {p["name"] for p in experiment["spec"]["parameters"]}
    for reference in references:
        assert reference in parameter_names or META_REFERENCE.fullmatch(reference), reference
    assert parameter_names <= set(references), "every search parameter reaches the trial"
    used = set(PLACEHOLDER.findall(json.dumps(template["trialSpec"])))
    assert used == set(declared)
    assert all(tp.get("description") for tp in template["trialParameters"]), "shown in the Katib UI"


@experiments
def test_trial_template_is_a_retained_job_that_survives_disruptions(name: str) -> None:
    experiment = load_experiment(name)
    template = experiment["spec"]["trialTemplate"]
    assert template["retain"] is True, "Katib issue 1377: early-stopped trials lose their observation"
    assert template["primaryContainerName"] == PRIMARY_CONTAINER
    assert "configMap" not in template
    job = template["trialSpec"]
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    assert not {"name", "namespace"} & set(job.get("metadata", {})), "Katib sets them"
    assert 1 <= job["spec"]["backoffLimit"] <= 3, "a small retry budget for what is not a disruption"
    ignore, fail = job["spec"]["podFailurePolicy"]["rules"]  # the first matching rule wins: order matters
    assert ignore == {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}
    assert fail["action"] == "FailJob"
    assert fail["onExitCodes"] == {"containerName": PRIMARY_CONTAINER, "operator": "In", "values": [1, 2, 3]}
    assert "ttlSecondsAfterFinished" not in job["spec"], "would delete the retained Job"
    deadline = job["spec"]["activeDeadlineSeconds"]
    assert isinstance(deadline, int) and 0 < deadline <= 4 * 3600
    pod = job["spec"]["template"]
    assert pod["metadata"]["annotations"]["sidecar.istio.io/inject"] == "false"
    assert pod["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"
    assert pod["spec"]["restartPolicy"] == "Never"
    assert len(pod["spec"]["containers"]) == 1
    assert "initContainers" not in pod["spec"], "the collector waits for every process in the pod"


def dockerfile_user() -> tuple[int, int]:
    """The ``USER uid:gid`` of the trainer image's final stage."""
    users = re.findall(r"^USER\s+(\d+):(\d+)\s*$", (REPO_ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert users, "the Dockerfile sets a numeric USER uid:gid"
    uid, gid = users[-1]
    return int(uid), int(gid)


@experiments
def test_trial_pod_runs_the_image_user_and_leaves_the_sidecar_alone(name: str) -> None:
    job = job_of(load_experiment(name))
    pod = job["spec"]["template"]["spec"]
    _, gid = dockerfile_user()
    assert pod["securityContext"]["fsGroup"] == gid, "the shared claim is group-writable for the trainer"
    # Pod-level user settings would also bind Katib's injected metrics collector, whose image is not ours.
    assert not {"runAsUser", "runAsGroup", "runAsNonRoot"} & set(pod["securityContext"])
    security = primary_container(job)["securityContext"]
    assert security["runAsNonRoot"] is True and security["allowPrivilegeEscalation"] is False


@experiments
def test_trainer_container_has_command_gpu_and_requests(name: str) -> None:
    container = primary_container(job_of(load_experiment(name)))
    assert container["command"][:3] == ["python", "-m", "trainer"]
    assert "args" not in container, "the whole command line is in command"
    image, _, tag = container["image"].rpartition(":")
    assert image == TRAINER_IMAGE and re.fullmatch(r"\d+\.\d+\.\d+", tag), "a pinned release tag"
    resources = container["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == 1
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert "cpu" not in resources["limits"], "no CPU throttling of the input pipeline"
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["PYTHONUNBUFFERED"] == "1", "median stop reads metric lines as they are printed"
    flags = flag_values(trainer_argv(job_of(load_experiment(name))))
    threads = int(flags["--threads"])
    assert threads == int(resources["requests"]["cpu"]), "TensorFlow threads match the CPUs requested"


@experiments
def test_trials_write_per_trial_directories_on_the_shared_claim(name: str) -> None:
    experiment = load_experiment(name)
    job = job_of(experiment)
    pod = job["spec"]["template"]["spec"]
    (volume,) = pod["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == CLAIM_NAME
    (mount,) = primary_container(job)["volumeMounts"]
    assert (mount["name"], mount["mountPath"]) == (volume["name"], SHARED_MOUNT)
    assert not mount.get("readOnly")
    trial_parameter = next(
        tp["name"]
        for tp in experiment["spec"]["trialTemplate"]["trialParameters"]
        if tp["reference"] == TRIAL_NAME_REFERENCE
    )
    trial = "${trialParameters." + trial_parameter + "}"
    exp = experiment["metadata"]["name"]
    flags = flag_values(trainer_argv(job))
    assert flags["--log-dir"] == f"{SHARED_MOUNT}/tensorboard/{exp}/{trial}"
    assert flags["--model-dir"] == f"{SHARED_MOUNT}/models/{exp}/{trial}"
    if experiment["spec"]["algorithm"]["algorithmName"] == "pbt":
        # the trial's directory on the Suggestion's volume, which Katib's pod webhook mounts there
        assert flags["--checkpoint-dir"] == settings(experiment["spec"]["algorithm"])["suggestion_trial_dir"]
    else:
        assert flags["--checkpoint-dir"] == f"{SHARED_MOUNT}/checkpoints/{exp}/{trial}", (
            "a retried pod resumes"
        )
    assert flags["--experiment-name"] == exp
    assert flags["--trial-name"] == trial


@experiments
def test_experiment_metadata(name: str) -> None:
    metadata = load_experiment(name)["metadata"]
    assert metadata["namespace"] == NAMESPACE
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", metadata["name"]) and len(metadata["name"]) <= 40
    assert name == f"experiment-{metadata['labels']['katib-forecast/search']}.yaml"
    assert metadata["labels"]["app.kubernetes.io/component"] == "experiment"


def test_searches_share_one_trial_template_apart_from_names_and_parameters() -> None:
    """The four synthetic-data searches differ in algorithm, counts and space, not in how a trial runs.

    The C-MAPSS search trains on real data from the claim with the literature's protocol flags, by design.
    """
    searches = [name for name in SEARCH_FILES if "cmapss" not in name]
    # --hparams-tuned lists each search's own parameters (TensorBoard's columns), so it differs by design.
    tuned = {"--architecture", "--batch-size", "--hparams-tuned"} | {
        f"--{p['name']}" for name in searches for p in load_experiment(name)["spec"]["parameters"]
    }

    def normalised(name: str) -> dict[str, Any]:
        experiment = load_experiment(name)
        job = job_of(experiment)
        container = primary_container(job)
        flags = flag_values(trainer_argv(job))
        fixed = {
            k: v.replace(experiment["metadata"]["name"], "EXP") for k, v in flags.items() if k not in tuned
        }
        rest = {k: v for k, v in container.items() if k != "command"}
        pod = {k: v for k, v in job["spec"]["template"]["spec"].items() if k != "containers"}
        return {"fixed": fixed, "container": rest, "pod": pod, "job": {**job["spec"], "template": None}}

    reference = normalised(searches[0])
    for name in searches[1:]:
        assert normalised(name) == reference, name


# ------------------------------------------------------------------------------ Kubernetes Job schemas


@experiments
@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_trial_job_is_a_strictly_valid_job(name: str, version: str) -> None:
    experiment = load_experiment(name)
    job = render_job(experiment, next(sweep(experiment)))
    assert strict_schema_error(job, version) is None, strict_schema_error(job, version)


def test_strict_job_validation_rejects_a_misspelled_field() -> None:
    """The schema check has teeth: an unknown field (Katib's strict Job conversion refuses it too) fails."""
    experiment = load_experiment(SEARCH_FILES[0])
    job = render_job(experiment, next(sweep(experiment)))
    job["spec"]["template"]["spec"]["restartPolicyy"] = "Never"
    assert strict_schema_error(job, K8S_VERSIONS[-1]) is not None
