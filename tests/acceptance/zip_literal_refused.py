"""XComArg.zip() with a literal list is refused when the DAG file is read (like concat()).

Airflow 2.x (airflow/models/xcom_arg.py): ``zip(self, *others: XComArg, fillvalue=NOTSET)`` builds
``ZipXComArg([self, *others])``; each argument must be an XComArg: the expand() that receives it
walks ``ZipXComArg.iter_references`` -> ``arg.iter_references()`` on every argument, and a list has
none (AttributeError at parse time: a DAG import error). Never a zip with a literal at run time.
Here: exit 2, one clear line naming zip() and that it takes task outputs (XComArgs), as concat()
does ("concat() takes task outputs (XComArgs), not list") -- not a bare AttributeError. (The file
name contains "zip", so the check asks for "zip()" and "XComArg".)
"""
from datetime import datetime

from orchestrator import dag, task


@task
def numbers() -> list:
    return [1, 2, 3]


@task
def pair(p) -> str:
    return f"{p[0]}-{p[1]}"


@dag(dag_id="zip_literal_refused", schedule=None, start_date=datetime(2022, 1, 1))
def zip_literal_refused():
    pair.expand(p=numbers().zip(["a", "b", "c"]))


zip_literal_refused()

EXPECTED = {"exit": 2, "stderr_contains": ["zip()", "XComArg"]}
