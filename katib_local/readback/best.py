"""The best trial of an experiment, its parameters and metrics, and where its model is.

Two sources, one answer (:class:`BestTrial`):

- **local** (:func:`local_best`): the trials in ``katib-local``'s store, ranked as Katib ranks them for
  ``status.currentOptimalTrial``: the best objective value (by the objective's metric strategy) over the
  completed trials that have one, EarlyStopped included; ties keep creation order. The model location comes
  from rendering the stored trial template for that trial.
- **cluster** (:func:`cluster_best`): the Experiment's ``status.currentOptimalTrial`` as Katib's controller
  wrote it. The model location comes from the best Trial's ``spec.runSpec`` (the manifest Katib rendered for
  it), or, when that Trial object is gone, from the Experiment's template rendered with the trial's
  ``parameterAssignments``.

Either way a missing or unusable model location is not an error here: ``model`` is ``None`` and
``model_problem`` says why. The command decides what that means for its exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from katib_local.controller.observation import MetricSummary
from katib_local.controller.store import ExperimentRow, Store
from katib_local.experiment.defaults import apply_defaults
from katib_local.experiment.rendering import RenderError, render_trial_spec
from katib_local.readback.model_location import ModelLocation, NoModelLocationError, locate_model
from katib_local.readback.results import ExperimentView, best, trial_result


class NoBestTrialError(Exception):
    """The experiment exists but no trial has an objective value yet (one-line message)."""


@dataclass(frozen=True)
class BestTrial:
    """What ``katib-local best`` reports.

    ``metrics`` holds each metric's value chosen by its strategy (a float, or the string Katib stored when it
    is not a number); ``model`` is ``None`` exactly when ``model_problem`` is set.
    """

    experiment: str
    namespace: str
    trial: str
    objective: str
    parameters: Mapping[str, str]
    metrics: Mapping[str, float | str]
    model: ModelLocation | None = None
    model_problem: str | None = None
    condition: Mapping[str, str] = field(default_factory=dict)


def model_from_template(
    spec: Mapping[str, Any], trial_name: str, namespace: str, assignments: Mapping[str, str]
) -> ModelLocation:
    """The model location of ``trial_name`` from an Experiment's inline trial template.

    Raises :class:`NoModelLocationError` (with the reason) when the template lives in a ConfigMap, cannot be
    rendered with ``assignments``, or names no model directory on a PVC.
    """
    template = spec.get("trialTemplate") or {}
    trial_spec = template.get("trialSpec")
    if not isinstance(trial_spec, Mapping):
        raise NoModelLocationError("the trial template is not inline (configMap templates are not read here)")
    try:
        manifest = render_trial_spec(
            trial_spec, template.get("trialParameters") or [], assignments, trial_name, namespace
        )
    except RenderError as exc:
        raise NoModelLocationError(f"the trial template does not render: {exc}") from None
    return locate_model(manifest, str(template.get("primaryContainerName", "")), trial_name)


def _with_model(best_trial: BestTrial, locate: Callable[[], ModelLocation]) -> BestTrial:
    try:
        return replace(best_trial, model=locate())
    except NoModelLocationError as exc:
        return replace(best_trial, model_problem=str(exc))


def local_best(store: Store, experiment: ExperimentRow) -> BestTrial:
    """The best trial of a local experiment (see the module docstring). Raises :class:`NoBestTrialError`."""
    view = ExperimentView.of(experiment.spec)
    trials = store.trials(experiment.name)
    results = [trial_result(t, view) for t in trials if t.status.is_terminal]
    top = best(results, view)
    if top is None:
        raise NoBestTrialError(
            f"experiment {experiment.name!r} has no completed trial with a {view.objective} value yet "
            f"({len(trials)} trial(s), {len(results)} completed)"
        )
    found = BestTrial(
        experiment=experiment.name,
        namespace=experiment.namespace,
        trial=top.name,
        objective=view.objective,
        parameters=dict(top.assignments),
        metrics=dict(top.metrics),
        condition=experiment.last_condition or {},
    )
    return _with_model(
        found,
        lambda: model_from_template(experiment.spec, top.name, experiment.namespace, top.assignments),
    )


class TrialReader(Protocol):
    """What :func:`cluster_best` needs of a cluster client (see :class:`katib_local.cluster.KatibClient`)."""

    def get_trial(self, namespace: str, name: str) -> dict[str, Any] | None: ...


def observed_metrics(observation: Mapping[str, Any], view: ExperimentView) -> dict[str, float | str]:
    """Each metric of a Katib ``observation`` at its strategy's value (``min``/``max`` fall back to
    ``latest`` when unavailable, as Katib does); a value that is not a number is kept as the string."""
    values: dict[str, float | str] = {}
    for metric in observation.get("metrics") or []:
        name = str(metric.get("name", ""))
        summary = MetricSummary(
            name,
            str(metric.get("min", "unavailable")),
            str(metric.get("max", "unavailable")),
            str(metric.get("latest", "unavailable")),
        )
        chosen = summary.pick(view.strategies.get(name, "latest"))
        try:
            values[name] = float(chosen)
        except ValueError:
            values[name] = chosen
    return values


def cluster_best(experiment: Mapping[str, Any], client: TrialReader) -> BestTrial:
    """The best trial of an Experiment object read from a cluster. Raises :class:`NoBestTrialError`."""
    metadata = experiment.get("metadata") or {}
    name, namespace = str(metadata.get("name", "")), str(metadata.get("namespace", "default"))
    spec = apply_defaults({"spec": experiment.get("spec") or {}})["spec"]
    view = ExperimentView.of(spec)
    status = experiment.get("status") or {}
    optimal = status.get("currentOptimalTrial") or {}
    trial_name = optimal.get("bestTrialName")
    if not trial_name:
        raise NoBestTrialError(
            f"experiment {name!r} has no best trial yet (status.currentOptimalTrial is empty; "
            f"{status.get('trials', 0)} trial(s) created)"
        )
    assignments = {str(a.get("name")): str(a.get("value")) for a in optimal.get("parameterAssignments") or []}
    conditions = status.get("conditions") or []
    found = BestTrial(
        experiment=name,
        namespace=namespace,
        trial=str(trial_name),
        objective=view.objective,
        parameters=assignments,
        metrics=observed_metrics(optimal.get("observation") or {}, view),
        condition=conditions[-1] if conditions else {},
    )

    def locate() -> ModelLocation:
        trial = client.get_trial(namespace, str(trial_name))
        run_spec = ((trial or {}).get("spec") or {}).get("runSpec")
        if isinstance(run_spec, Mapping):
            primary = (trial or {}).get("spec", {}).get("primaryContainerName") or (
                spec.get("trialTemplate") or {}
            ).get("primaryContainerName", "")
            return locate_model(run_spec, str(primary), str(trial_name))
        return model_from_template(spec, str(trial_name), namespace, assignments)

    return _with_model(found, locate)
