"""Variant of dict_kwargs_zip_map: expand_kwargs() over a literal list whose second element is a
task's output (a dict), not a literal dict. Airflow 2.x accepts it: OperatorExpandKwargsArgument =
Union[XComArg, Sequence[Union[XComArg, Mapping[str, Any]]]] (models/expandinput.py);
OperatorPartial.expand_kwargs only refuses items that are neither XComArg nor Mapping
("expected XComArg or list[dict]"); ListOfDictsExpandInput.resolve: `mapping = self.value[map_index];
if not isinstance(mapping, Mapping): mapping = mapping.resolve(context, session)`."""
from datetime import datetime

from orchestrator import dag, task


@task
def make_kwargs() -> dict:
    return {"x": 10, "y": 20}


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_expand_kwargs_literal_with_output_element", schedule=None, start_date=datetime(2022, 1, 1))
def dk_expand_kwargs_literal_with_output_element():
    collect(add.expand_kwargs([{"x": 1, "y": 2}, make_kwargs()]))


dk_expand_kwargs_literal_with_output_element()

EXPECTED = {
    "state": "success",
    "tasks": {"add": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["collect", None, [3, 30]], ["add", 1, 30]],
}
