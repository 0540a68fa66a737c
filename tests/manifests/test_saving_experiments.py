"""What only the hyperband and pbt manifests have, checked against Katib's service formulas.

The generic checks (Katib's API model, webhook rules, trial template, strict Job schema, kustomize, checkov)
run on them with the other Experiments. Here: hyperband's resource parameter holds every rung's epochs, its
parallelism is what Katib's validation wants, its rungs are whole numbers; pbt searches only what a child's
copied checkpoint survives and checkpoints where Katib mounts the trial's directory.
"""

from __future__ import annotations

import math

from katib_local.experiment.defaults import apply_defaults
from katib_local.suggestions import StatefulSuggester, make_service, validate_algorithm_settings
from tests.manifests._support import flag_values, job_of, load_experiment, trainer_argv
from trainer.checkpoint._compat import STRUCTURE_FLAGS

HYPERBAND = "experiment-hyperband.yaml"


def _settings() -> dict[str, str]:
    spec = load_experiment(HYPERBAND)["spec"]
    return {s["name"]: s["value"] for s in spec["algorithm"]["algorithmSettings"]}


def test_hyperband_rungs_fit_the_resource_parameter_and_the_parallelism():
    spec = load_experiment(HYPERBAND)["spec"]
    settings = _settings()
    r_l, eta = float(settings["r_l"]), float(settings["eta"])
    s_max = int(math.log(r_l) / math.log(eta))
    assert s_max >= 2, "at least three brackets"
    # every rung's epochs: bracket s starts at r_l * eta^-s, rung i has r * eta^i (int-truncated by Katib)
    rungs = {int(r_l * eta**-s * eta**i) for s in range(s_max + 1) for i in range(s + 1)}
    assert all(float(r_l * eta**-s).is_integer() for s in range(s_max + 1)), "no truncated rung"
    assert max(rungs) == r_l
    (resource,) = [p for p in spec["parameters"] if p["name"] == settings["resource_name"]]
    space = resource["feasibleSpace"]
    assert resource["parameterType"] == "int"
    assert int(space["min"]) <= min(rungs) and max(rungs) <= int(space["max"])
    assert spec["parallelTrialCount"] == math.ceil(int(eta) ** s_max), "Katib's minimum, no more GPUs than it"
    flags = flag_values(trainer_argv(job_of(load_experiment(HYPERBAND))))
    assert flags["--epochs"] == "${trialParameters.epochs}" and flags["--patience"] == "0"
    assert validate_algorithm_settings(apply_defaults(load_experiment(HYPERBAND))) == []


def test_hyperband_first_rung_is_the_first_request_at_the_smallest_resource():
    experiment = apply_defaults(load_experiment(HYPERBAND))
    service = make_service(experiment)
    assert isinstance(service, StatefulSuggester)
    parallel = experiment["spec"]["parallelTrialCount"]
    first = service.propose([], parallel, None)
    settings = _settings()
    s_max = int(math.log(float(settings["r_l"])) / math.log(float(settings["eta"])))
    smallest = int(float(settings["r_l"]) * float(settings["eta"]) ** -s_max)
    assert len(first.trials) == parallel
    assert {t.assignments["epochs"] for t in first.trials} == {str(smallest)}


PBT = "experiment-pbt.yaml"


def test_pbt_tunes_only_what_a_checkpoint_survives_and_checkpoints_where_katib_mounts():
    experiment = load_experiment(PBT)
    spec = experiment["spec"]
    settings = {s["name"]: s["value"] for s in spec["algorithm"]["algorithmSettings"]}
    flags = flag_values(trainer_argv(job_of(experiment)))
    # a child loads its parent's weights: nothing that changes the model's shape may be searched
    tuned = {p["name"].replace("-", "_") for p in spec["parameters"]}
    assert not tuned & set(STRUCTURE_FLAGS)
    assert all("step" in p["feasibleSpace"] for p in spec["parameters"] if p["parameterType"] == "double")
    assert flags["--checkpoint-dir"] == settings["suggestion_trial_dir"]
    assert int(flags["--epochs-per-run"]) > 0, "a child trains beyond its parent's checkpoint"
    assert spec["resumePolicy"] == "FromVolume"
    assert spec["maxTrialCount"] > 2 * int(settings["n_population"]), "room for generations beyond the first"
    service = make_service(apply_defaults(experiment))
    assert isinstance(service, StatefulSuggester)
    first = service.propose([], spec["parallelTrialCount"], None)
    assert all(t.new_checkpoint_dir and t.name and t.name.startswith("forecast-pbt-") for t in first.trials)
