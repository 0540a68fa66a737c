"""Parameter specs, value formatting and Katib's grid combinations."""

from __future__ import annotations

from typing import Any

import pytest

from katib_local.experiment.search_space import (
    ParameterSpec,
    SearchSpaceError,
    format_value,
    grid_size,
    grid_values,
    parse_parameter,
    parse_parameters,
)


def param(ptype: str, **space: Any) -> ParameterSpec:
    return parse_parameter(
        {"name": "p", "parameterType": ptype, "feasibleSpace": space}, "spec.parameters[0]"
    )


def test_parse_numbers_and_lists() -> None:
    assert param("int", min="1", max="9", step="2") == ParameterSpec("p", "int", 1.0, 9.0, 2.0)
    assert param("double", min="0.1", max="1", distribution="logUniform").distribution == "logUniform"
    assert param("categorical", list=["adam", 3]).values == ("adam", "3")
    assert param("int", min="1", max="9").int_step == 1


@pytest.mark.parametrize(
    ("ptype", "space", "path", "fragment"),
    [
        ("double", {"max": "1"}, "spec.parameters[0].feasibleSpace.min", "must be specified"),
        ("double", {"min": "x", "max": "1"}, "spec.parameters[0].feasibleSpace.min", "not a number"),
        ("double", {"min": "nan", "max": "1"}, "spec.parameters[0].feasibleSpace.min", "finite"),
        ("int", {"min": "1.5", "max": "3"}, "spec.parameters[0].feasibleSpace.min", "not an integer"),
        ("double", {"min": "2", "max": "1"}, "spec.parameters[0].feasibleSpace.max", "less than min"),
        (
            "double",
            {"min": "0", "max": "1", "step": "0"},
            "spec.parameters[0].feasibleSpace.step",
            "greater than 0",
        ),
        ("discrete", {"list": []}, "spec.parameters[0].feasibleSpace.list", "non-empty list"),
        (
            "double",
            {"min": "0", "max": "1", "distribution": "beta"},
            "spec.parameters[0].feasibleSpace.distribution",
            "beta",
        ),
        ("float", {"min": "0", "max": "1"}, "spec.parameters[0].parameterType", "not supported"),
    ],
)
def test_parse_errors_name_the_field(ptype: str, space: dict[str, Any], path: str, fragment: str) -> None:
    with pytest.raises(SearchSpaceError) as info:
        param(ptype, **space)
    assert info.value.path == path and fragment in info.value.message


def test_parse_parameters_rejects_duplicates_and_empty() -> None:
    p = {"name": "a", "parameterType": "int", "feasibleSpace": {"min": "1", "max": "2"}}
    with pytest.raises(SearchSpaceError, match=r"spec.parameters\[1\].name"):
        parse_parameters({"spec": {"parameters": [p, p]}})
    with pytest.raises(SearchSpaceError, match="at least one"):
        parse_parameters({"spec": {}})


def test_format_value_as_katib_passes_it() -> None:
    assert format_value(param("int", min="1", max="9"), 3.0) == "3"
    assert format_value(param("double", min="0", max="1"), 0.027732951196994753) == "0.027732951196994753"
    assert format_value(param("categorical", list=["adam"]), "adam") == "adam"


def test_grid_values_follow_katib() -> None:
    assert grid_values(param("int", min="1", max="10", step="3")) == [1, 4, 7, 10]
    assert grid_values(param("int", min="2", max="4")) == [2, 3, 4]
    lr = grid_values(param("double", min="0.01", max="0.05", step="0.005"))
    assert len(lr) == 9 and lr[0] == 0.01 and lr[-1] <= 0.05
    assert grid_values(param("double", min="0", max="1", step="0.3")) == pytest.approx([0, 0.3, 0.6, 0.9])
    assert grid_values(param("discrete", list=["1", "2"])) == ["1", "2"]
    with pytest.raises(SearchSpaceError, match="step is nil"):
        grid_values(param("double", min="0", max="1"))


def test_grid_size_of_katibs_grid_example() -> None:
    lr = param("double", min="0.01", max="0.05", step="0.005")
    momentum = param("double", min="0.5", max="0.9", step="0.1")
    assert grid_size([lr, momentum]) == 45
