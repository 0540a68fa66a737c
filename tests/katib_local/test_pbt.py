"""pbt as Katib v0.19's service and pod webhook do it: generations, parents, exploit/explore, directories.

The expectations are derived here from ``pkg/suggestion/v1beta1/pbt/service.py`` (written out again, not
taken from katib_local). With ``parallelTrialCount`` 1 every request is for one trial, right after the
previous trial finished, so the queue's arithmetic is exact:

- generation 0 is the ``n_population`` seeds plus one: the pool must hold *more* than ``n_population``
  finished trials before a generation is spawned, and the request made while it holds exactly
  ``n_population`` seeds one more random trial;
- then ``n_population`` children are spawned from that pool, and once they are used up (pool of exactly
  ``n_population`` again) one more child is drawn from the previous generation's pool (``count`` 1, so
  ``int(1 * threshold) = 0`` exploit): every generation has ``n_population + 1`` trials, each child's parent
  in the generation before.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from katib_local.cli import main
from katib_local.controller.store import Store
from katib_local.experiment.types import TrialResult, TrialStatus
from katib_local.experiment.validation import validate_experiment
from katib_local.suggestions import validate_algorithm_settings
from tests.katib_local.counter_helpers import CHECKPOINTS, counter_experiment, stateful
from tests.katib_local.runner_helpers import trials_in_db, write_experiment

GENERATION = "pbt.suggestion.katib.kubeflow.org/generation"
PARENT = "pbt.suggestion.katib.kubeflow.org/parent"
POPULATION, THRESHOLD, EPOCHS = 5, 0.4, 2


def pbt(
    name: str, *, max_trials: int | None, parallel: int = 1, epochs: int | tuple[int, int] = EPOCHS
) -> dict:
    settings = [
        ("suggestion_trial_dir", CHECKPOINTS),
        ("n_population", str(POPULATION)),
        ("truncation_threshold", str(THRESHOLD)),
        ("random_state", "5"),
    ]
    return counter_experiment(
        name, "pbt", settings, parallel=parallel, max_trials=max_trials, epochs=epochs, checkpoint=True
    )


def last_loss(trial: dict) -> float:
    return [float(v) for name, _, v in trial["logs"] if name == "loss"][-1]


def perturbations(x: str) -> set[str]:
    return {str(max(0.0, min(1.0, float(x) * factor))) for factor in (0.8, 1.2)}


def test_generations_parents_exploit_explore_and_checkpoint_copies(tmp_path):
    per_generation = POPULATION + 1
    generations = 3
    doc = pbt("pbt-run", max_trials=per_generation * generations)
    root = tmp_path / "runs"
    assert main(["run", str(write_experiment(tmp_path, doc)), "--root", str(root), "--plain"]) == 0
    trials = trials_in_db(root, "pbt-run")
    with Store(root) as store:
        labels = store.trial_labels("pbt-run")
    assert len(trials) == per_generation * generations
    assert {t["status"] for t in trials} == {"Succeeded"}
    by_name = {t["name"]: t for t in trials}
    for t in trials:
        assert re.fullmatch(
            r"pbt-run-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", t["name"]
        )

    generation_of = {t["name"]: int(labels[t["name"]][GENERATION]) for t in trials}
    assert [generation_of[t["name"]] for t in trials] == [k // per_generation for k in range(len(trials))]
    for index, t in enumerate(trials):
        g = index // per_generation
        directory = root / "volumes" / "pbt-run-pbt" / "pbt-run" / t["name"]
        counter = json.loads((directory / "counter.json").read_text())
        if g == 0:
            assert PARENT not in labels[t["name"]]
            assert counter == {"epoch": EPOCHS, "lineage": [t["name"]]}
            continue
        parent = labels[t["name"]][PARENT]
        pool = trials[(g - 1) * per_generation : g * per_generation]
        assert parent in {p["name"] for p in pool}
        # the child's directory started as a copy of its parent's: it continues the parent's counter
        parent_counter = json.loads(
            (root / "volumes" / "pbt-run-pbt" / "pbt-run" / parent / "counter.json").read_text()
        )
        assert counter == {
            "epoch": parent_counter["epoch"] + EPOCHS,
            "lineage": [*parent_counter["lineage"], t["name"]],
        }
        # and its loss lines continue the parent's epoch count: (x - 0.3)**2 + 1/(1 + e), e after the parent's
        x = float(t["assignments"]["x"])
        expected = [
            (x - 0.3) ** 2 + 1 / (1 + e) for e in range(parent_counter["epoch"] + 1, counter["epoch"] + 1)
        ]
        assert [float(v) for name, _, v in t["logs"] if name == "loss"] == pytest.approx(expected, abs=1e-6)

        values = {p["name"]: -last_loss(p) for p in pool}  # minimize: the service maximises -loss
        low, high = np.quantile(list(values.values()), (THRESHOLD, 1 - THRESHOLD))
        if values[parent] < low:
            # exploit: the weaker trial's checkpoint with an upper trial's hyperparameters; only in a spawn
            assert index % per_generation < POPULATION
            donors = {p["assignments"]["x"] for p in pool if values[p["name"]] >= high}
            assert t["assignments"]["x"] in donors
        else:
            assert t["assignments"]["x"] in perturbations(by_name[parent]["assignments"]["x"])
    for g in range(1, generations):
        spawned = trials[g * per_generation : g * per_generation + POPULATION]
        pool_values = {
            p["name"]: -last_loss(p) for p in trials[(g - 1) * per_generation : g * per_generation]
        }
        low = np.quantile(list(pool_values.values()), THRESHOLD)
        exploiting = [t for t in spawned if pool_values[labels[t["name"]][PARENT]] < low]
        weaker = sum(1 for v in pool_values.values() if v < low)
        assert len(exploiting) == min(int(POPULATION * THRESHOLD), weaker)  # exploit_names[: int(count * t)]


def _finished(
    names_and_x: list[tuple[str, str]], status: TrialStatus = TrialStatus.SUCCEEDED
) -> list[TrialResult]:
    return [TrialResult(name, {"x": x}, status, float(i)) for i, (name, x) in enumerate(names_and_x)]


def test_failed_trials_are_queued_again_and_a_clipped_int_comes_back_as_a_float():
    service = stateful(pbt("pbt-unit", max_trials=None, parallel=5))
    first = service.propose([], 5, None)
    assert [t.labels for t in first.trials] == [{GENERATION: "0"}] * 5
    assert all(t.new_checkpoint_dir and t.checkpoint_from is None for t in first.trials)
    failed = _finished([(t.name or "", t.assignments["x"]) for t in first.trials[:1]], TrialStatus.FAILED)
    again = service.propose(failed, 1, first.state)
    # all 5 seeds were handed out: the queue is empty, and the failed trial is queued again
    assert again.trials[0].assignments == first.trials[0].assignments
    assert again.trials[0].name != first.trials[0].name
    assert again.trials[0].labels == {GENERATION: "0"}

    ints = pbt("pbt-ints", max_trials=None, parallel=5, epochs=(2, 2))
    service = stateful(ints)
    state = service.propose([], 5, None)
    history = [
        TrialResult(t.name or "", t.assignments, TrialStatus.SUCCEEDED, float(i))
        for i, t in enumerate(state.trials)
    ]
    more = service.propose(history, 1, state.state)  # 5 finished: one more seed (pool must exceed 5)
    history.append(
        TrialResult(more.trials[0].name or "", more.trials[0].assignments, TrialStatus.SUCCEEDED, 9.0)
    )
    children = service.propose(history, 5, more.state).trials
    assert {t.labels[GENERATION] for t in children} == {"1"}
    explored = [t for t in children if t.assignments["epochs"] != "2"]
    # int(2 * 0.8) = 1 and int(2 * 1.2) = 2, then max(2.0, min(2.0, v)): the float bound 2.0 either way
    assert explored and {t.assignments["epochs"] for t in explored} == {"2.0"}


def test_validation_of_pbt_space_and_volume():
    doc = pbt("pbt-valid", max_trials=None)
    assert validate_algorithm_settings(doc) == []
    del doc["spec"]["parameters"][0]["feasibleSpace"]["step"]
    assert [p.path for p in validate_algorithm_settings(doc)] == ["spec.parameters[0].feasibleSpace.step"]
    never = pbt("pbt-never", max_trials=None)
    del never["spec"]["resumePolicy"]
    warnings = [f for f in validate_experiment(never) if f.severity == "warning"]
    assert [f.path for f in warnings] == ["spec.resumePolicy"]
