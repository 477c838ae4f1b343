"""Variant of dict_kwargs_zip_map: the element of a dict mapped over is a tuple (key, value), for a
literal dict and for an upstream's dict; a zip element is a tuple too. Airflow: expandinput.py
_expand_mapped_field `return k, v`; xcom_arg.py _ZipResult.__getitem__ returns a tuple."""
from datetime import datetime

from orchestrator import dag, task


@task
def upstream_dict() -> dict:
    return {"x": [1, 2], "y": {"z": 3}}


@task
def numbers() -> list:
    return [1, 2]


@task
def letters() -> list:
    return ["a", "b"]


@task
def kind(pair) -> str:
    return f"{type(pair).__name__}/{pair[0]}/{type(pair[1]).__name__}"


@task
def collect(values) -> list:
    return list(values)


@dag(dag_id="dk_pair_is_tuple", schedule=None, start_date=datetime(2022, 1, 1))
def dk_pair_is_tuple():
    collect.override(task_id="literal")(kind.expand(pair={"a": 1, "b": None}))
    collect.override(task_id="from_output")(kind.override(task_id="kind_out").expand(pair=upstream_dict()))
    collect.override(task_id="zipped")(kind.override(task_id="kind_zip").expand(pair=numbers().zip(letters())))


dk_pair_is_tuple()

EXPECTED = {
    "state": "success",
    "xcom": [
        ["literal", None, ["tuple/a/int", "tuple/b/NoneType"]],
        ["from_output", None, ["tuple/x/list", "tuple/y/dict"]],
        ["zipped", None, ["tuple/1/str", "tuple/2/str"]],
    ],
}
