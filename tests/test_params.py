"""Params are validated with JSON Schema when a run is submitted (Airflow's Param semantics)."""
from __future__ import annotations

import pytest

from orchestrator import Param
from orchestrator.errors import BadInput
from orchestrator.params import default_params, resolve_params, validate_conf

PARAMS = {"limit": Param(5, type="integer", minimum=1), "mode": Param("fast", enum=["fast", "safe"]),
          "plain": 3, "needed": Param(type="string")}


def test_a_conf_that_satisfies_every_schema_passes():
    validate_conf(PARAMS, {"limit": 2, "mode": "safe", "needed": "x", "extra": [1]})


@pytest.mark.parametrize(("conf", "words"), [
    ({"limit": 0, "needed": "x"}, ["'limit'", "minimum"]),
    ({"limit": "7", "needed": "x"}, ["'limit'", "type", "integer"]),
    ({"mode": "slow", "needed": "x"}, ["'mode'", "enum"]),
    ({"needed": 3}, ["'needed'", "type", "string"]),
    ({}, ["'needed'", "required", "no default"]),
])
def test_a_conf_breaking_a_schema_is_refused_naming_the_param_and_the_rule(conf, words):
    with pytest.raises(BadInput) as caught:
        validate_conf(PARAMS, conf)
    for word in words:
        assert word in str(caught.value)


def test_a_default_that_breaks_its_own_schema_is_refused_when_the_conf_does_not_replace_it():
    with pytest.raises(BadInput, match="'n'.*minimum"):
        validate_conf({"n": Param(0, minimum=1)}, {})
    validate_conf({"n": Param(0, minimum=1)}, {"n": 4})


def test_defaults_and_resolution_leave_out_what_has_no_default():
    assert default_params(PARAMS) == {"limit": 5, "mode": "fast", "plain": 3}
    assert resolve_params(PARAMS, {"needed": "y"}) == {"limit": 5, "mode": "fast", "plain": 3, "needed": "y"}
