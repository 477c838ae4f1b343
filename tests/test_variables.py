"""Variables as Airflow has them: each rule below cites where Airflow says so.

- ``airflow/models/variable.py`` (2.10): ``Variable.get`` raises ``KeyError(f"Variable {key} does
  not exist")`` without a ``default_var``; ``deserialize_json`` parses the stored text;
  ``Variable.set(serialize_json=True)`` stores ``json.dumps(value, indent=2)``, else ``str(value)``;
  ``delete`` returns the number of rows deleted.
- ``airflow/secrets/environment_variables.py``: ``AIRFLOW_VAR_`` + ``key.upper()`` is read before the
  metastore (docs: howto/variable.rst, "Storing Variables in Environment Variables").
- ``airflow/utils/context.py`` ``VariableAccessor``: ``{{ var.value.key }}``, ``{{ var.json.key }}``,
  ``var.value.get(key, default)`` (docs: templates-ref.rst, "Variables").
- ``airflow/cli/commands/variable_command.py``: ``variables import`` reads ``{key: value}``; a value
  that is not a string is stored as JSON.
"""
from __future__ import annotations

import json

import pytest

from orchestrator import Variable, variables
from orchestrator.context import render_template
from orchestrator.store import Store
from orchestrator.variables import TEMPLATE_VARIABLES
from tests.conftest import run_cli


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.ensure_schema()
    return store


@pytest.fixture
def in_store(store):
    """Variables of a fresh store, with CHORDFLOW_VAR_REGION set in the environment."""
    saved = variables._source
    variables.use_store({"CHORDFLOW_VAR_REGION": "from-env"}, lambda: store)
    yield store
    variables._source = saved


def test_get_of_a_missing_variable_raises_keyerror_naming_it(in_store):
    with pytest.raises(KeyError, match="Variable nope does not exist"):
        Variable.get("nope")


def test_get_of_a_missing_variable_returns_default_var(in_store):
    assert Variable.get("nope", default_var=None) is None
    assert Variable.get("nope", "fallback") == "fallback"


def test_set_stores_text_and_get_reads_it_back(in_store):
    Variable.set("limit", 5)
    assert Variable.get("limit") == "5"


def test_serialize_json_stores_indented_json_and_deserialize_json_reads_it(in_store):
    Variable.set("cfg", {"a": [1, 2]}, serialize_json=True)
    assert in_store.get_variable("cfg") == json.dumps({"a": [1, 2]}, indent=2)
    assert Variable.get("cfg", deserialize_json=True) == {"a": [1, 2]}


def test_environment_wins_over_the_store(in_store):
    Variable.set("region", "from-store")
    assert Variable.get("region") == "from-env"
    assert in_store.get_variable("region") == "from-store"


def test_delete_returns_how_many_were_deleted(in_store):
    Variable.set("gone", "x")
    assert Variable.delete("gone") == 1
    assert Variable.delete("gone") == 0
    assert Variable.get("gone", None) is None


def test_update_of_a_missing_variable_raises_keyerror(in_store):
    with pytest.raises(KeyError):
        Variable.update("nope", "x")


def test_setdefault_stores_the_default_once(in_store):
    assert Variable.setdefault("k", "first") == "first"
    assert Variable.setdefault("k", "second") == "first"


def test_templates_read_var_value_and_var_json(in_store):
    Variable.set("bucket", "landing")
    Variable.set("cfg", {"days": 3}, serialize_json=True)
    context = {"var": TEMPLATE_VARIABLES}
    assert render_template("s3://{{ var.value.bucket }}/{{ var.json.cfg.days }}", context) == "s3://landing/3"
    assert render_template("{{ var.value.get('nope', 'dflt') }}", context) == "dflt"
    assert render_template("{{ var.value.region }}", context) == "from-env"


def test_template_of_a_missing_variable_fails_naming_it(in_store):
    with pytest.raises(KeyError, match="nope"):
        render_template("{{ var.value.nope }}", {"var": TEMPLATE_VARIABLES})


def test_cli_set_get_list_delete(embedded_env):
    assert run_cli(embedded_env, "variables", "set", "region", "eu-west-1").returncode == 0
    assert run_cli(embedded_env, "variables", "set", "cfg", '{"a": 1}', "--json").returncode == 0
    assert run_cli(embedded_env, "variables", "get", "region").stdout == "eu-west-1\n"
    assert json.loads(run_cli(embedded_env, "variables", "get", "cfg", "--json").stdout) == {"a": 1}
    listed = json.loads(run_cli(embedded_env, "variables", "list", "--output", "json").stdout)
    assert [row["key"] for row in listed] == ["cfg", "region"]
    assert run_cli(embedded_env, "variables", "delete", "region").returncode == 0
    assert run_cli(embedded_env, "variables", "get", "region", "--default", "none").stdout == "none\n"


@pytest.mark.parametrize("args", [["get", "nope"], ["delete", "nope"], ["set", "k", "{bad", "--json"]])
def test_cli_missing_key_or_bad_json_is_one_line_exit_2(embedded_env, args):
    result = run_cli(embedded_env, "variables", *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_environment_variable_wins(embedded_env):
    run_cli(embedded_env, "variables", "set", "region", "stored")
    result = run_cli({**embedded_env, "CHORDFLOW_VAR_REGION": "env"}, "variables", "get", "region")
    assert result.stdout == "env\n"


def test_cli_import_reads_airflows_json_file(embedded_env, tmp_path):
    path = tmp_path / "variables.json"
    path.write_text(json.dumps({"name": "text", "cfg": {"x": 1}, "described": {"value": "v", "description": "d"}}))
    assert run_cli(embedded_env, "variables", "import", path).returncode == 0
    assert run_cli(embedded_env, "variables", "get", "name").stdout == "text\n"
    assert json.loads(run_cli(embedded_env, "variables", "get", "cfg", "--json").stdout) == {"x": 1}
    rows = json.loads(run_cli(embedded_env, "variables", "list", "--output", "json").stdout)
    assert {"key": "described", "val": "v", "description": "d"} in rows


def test_settings_read_chordflow_var_variables_once():
    from orchestrator.settings import Settings

    settings = Settings.from_env({"CHORDFLOW_VAR_REGION": "eu", "CHORDFLOW_VAR_EMPTY": "", "OTHER": "x"})
    assert settings.variables == {"CHORDFLOW_VAR_REGION": "eu", "CHORDFLOW_VAR_EMPTY": ""}


def test_an_empty_environment_variable_is_a_value(in_store):
    variables.use_store({"CHORDFLOW_VAR_BLANK": ""}, lambda: in_store)
    assert Variable.get("blank") == ""
