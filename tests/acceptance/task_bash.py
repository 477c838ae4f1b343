"""@task.bash, as in Airflow: the function returns the command, rendered as a template and run
like BashOperator's bash_command (last line of output as XCom; exit 99 skips, another non-zero
exit fails); outside and inside a mapped task group, beside a BashOperator."""
from datetime import datetime

from orchestrator import dag, task, task_group
from orchestrator.operators import BashOperator


@task.bash(env={"GREETING": "hello"}, append_env=True)
def greet(name: str) -> str:
    return f'echo "$GREETING {name} in {{{{ ti.task_id }}}}"'


@task.bash
def check(code: int) -> str:
    return f"echo checking {code}; exit {code}"


@task.bash
def count_words(text: str) -> str:
    return f"echo '{text}' | wc -w | tr -d ' '"


@task_group
def per_word(text: str):
    return count_words(text)


@dag(dag_id="task_bash", schedule=None, start_date=datetime(2022, 1, 1))
def task_bash():
    BashOperator(task_id="classic", bash_command="echo classic") >> greet("ada")
    check.expand(code=[0, 99, 4])
    per_word.expand(text=["one two", "a b c"])


task_bash()

EXPECTED = {
    "state": "failed",
    "tasks": {"greet": {"states": {"success": 1}}, "check": {"map_count": 3, "states": {"success": 1, "skipped": 1,
                                                                                      "failed": 1}},
              "per_word.count_words": {"map_count": 2, "states": {"success": 2}}},
    "xcom": [["greet", None, "hello ada in greet"], ["check", 0, "checking 0"],
             ["per_word.count_words", 0, "2"], ["per_word.count_words", 1, "3"]],
    "instances": [["check", 2, {"state": "failed", "error_contains": "4"}]],
}
