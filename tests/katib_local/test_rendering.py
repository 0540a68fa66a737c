"""Trial rendering: Katib's JSON text substitution and names."""

from __future__ import annotations

import random
import re

import pytest

from katib_local.experiment.rendering import RenderError, new_trial_name, render_trial_spec

SPEC = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"labels": {"team": "ml"}, "annotations": {"note": "n1"}},
    "spec": {
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "main",
                        "command": [
                            "python",
                            "--lr=${trialParameters.lr}",
                            "--dir=/logs/${trialParameters.trial}",
                            "--ns=${trialParameters.ns}",
                            "--k=${trialParameters.kind}/${trialParameters.api}",
                            "--team=${trialParameters.team}",
                            "--note=${trialParameters.note}",
                            "--lr2=${trialParameters.lr}",
                        ],
                    }
                ]
            }
        }
    },
}
PARAMS = [
    {"name": "lr", "reference": "learning_rate"},
    {"name": "trial", "reference": "${trialSpec.Name}"},
    {"name": "ns", "reference": "${trialSpec.Namespace}"},
    {"name": "kind", "reference": "${trialSpec.Kind}"},
    {"name": "api", "reference": "${trialSpec.APIVersion}"},
    {"name": "team", "reference": "${trialSpec.Labels[team]}"},
    {"name": "note", "reference": "${trialSpec.Annotations[note]}"},
]


def test_every_placeholder_and_meta_reference_is_substituted():
    out = render_trial_spec(SPEC, PARAMS, {"learning_rate": "0.01"}, "exp-abcdefgh", "team-ns")
    command = out["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == [
        "python",
        "--lr=0.01",
        "--dir=/logs/exp-abcdefgh",
        "--ns=team-ns",
        "--k=Job/batch/v1",
        "--team=ml",
        "--note=n1",
        "--lr2=0.01",
    ]
    assert out["metadata"]["name"] == "exp-abcdefgh" and out["metadata"]["namespace"] == "team-ns"
    assert "name" not in SPEC["metadata"], "the template itself is not modified"


def test_value_breaking_json_is_an_error_as_in_katib():
    with pytest.raises(RenderError):
        render_trial_spec(SPEC, PARAMS, {"learning_rate": 'a"b'}, "t", "ns")


def test_missing_assignment_and_missing_label_are_errors():
    with pytest.raises(RenderError, match="no assignment"):
        render_trial_spec(SPEC, PARAMS, {}, "t", "ns")
    bad = [*PARAMS[:1], {"name": "team", "reference": "${trialSpec.Labels[nope]}"}]
    with pytest.raises(RenderError, match="label"):
        render_trial_spec(SPEC, bad, {"learning_rate": "1"}, "t", "ns")


def test_trial_names_are_experiment_dash_eight_lowercase_alnum_and_unique():
    rng = random.Random(0)
    taken: set[str] = set()
    for _ in range(200):
        name = new_trial_name("my-exp", taken, rng)
        assert re.fullmatch(r"my-exp-[a-z0-9]{8}", name)
        assert name not in taken
        taken.add(name)
